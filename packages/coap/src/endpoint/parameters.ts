import { CoapError } from '../errors.js'

/** The transmission parameters of RFC 7252 section 4.8, in milliseconds where they are times. */
export interface TransmissionParameters {
  /** ACK_TIMEOUT: initial retransmission timeout of a CON message (default 2000). */
  readonly ackTimeout: number
  /** ACK_RANDOM_FACTOR: the initial timeout is drawn from [ackTimeout, ackTimeout * factor] (default 1.5). */
  readonly ackRandomFactor: number
  /** MAX_RETRANSMIT (default 4). */
  readonly maxRetransmit: number
  /** NSTART: outstanding CON requests per peer (default 1). */
  readonly nstart: number
  /** MAX_LATENCY (default 100000). */
  readonly maxLatency: number
  /** PROCESSING_DELAY (default: ackTimeout). */
  readonly processingDelay: number
}

/** The parameters with the values RFC 7252 section 4.8.2 derives from them. */
export interface DerivedParameters extends TransmissionParameters {
  /** MAX_TRANSMIT_SPAN: from the first transmission of a CON to its last retransmission. */
  readonly maxTransmitSpan: number
  /** MAX_TRANSMIT_WAIT: from the first transmission of a CON until the sender gives up. */
  readonly maxTransmitWait: number
  /** EXCHANGE_LIFETIME: how long a CON's Message ID stays in use (deduplication). */
  readonly exchangeLifetime: number
  /** NON_LIFETIME: how long a NON's Message ID stays in use. */
  readonly nonLifetime: number
}

export const DEFAULT_TRANSMISSION_PARAMETERS: TransmissionParameters = Object.freeze({
  ackTimeout: 2000,
  ackRandomFactor: 1.5,
  maxRetransmit: 4,
  nstart: 1,
  maxLatency: 100_000,
  processingDelay: 2000,
})

/**
 * Fills in defaults and derives MAX_TRANSMIT_SPAN, MAX_TRANSMIT_WAIT,
 * EXCHANGE_LIFETIME and NON_LIFETIME (RFC 7252 section 4.8.2). With the defaults they
 * are 45 s, 93 s, 247 s and 145 s.
 */
export function deriveParameters(p: Partial<TransmissionParameters> = {}): DerivedParameters {
  const ackTimeout = p.ackTimeout ?? DEFAULT_TRANSMISSION_PARAMETERS.ackTimeout
  const base = { ...DEFAULT_TRANSMISSION_PARAMETERS, processingDelay: ackTimeout, ...p }
  const bad = (what: string): never => {
    throw new CoapError('COAP_INVALID_ARGUMENT', `transmission parameter ${what}`)
  }
  if (!(base.ackTimeout > 0)) bad(`ackTimeout ${base.ackTimeout} (must be > 0)`)
  if (!(base.ackRandomFactor >= 1)) bad(`ackRandomFactor ${base.ackRandomFactor} (must be >= 1)`)
  if (!Number.isInteger(base.maxRetransmit) || base.maxRetransmit < 0 || base.maxRetransmit > 20) {
    bad(`maxRetransmit ${base.maxRetransmit} (0 to 20)`)
  }
  if (!Number.isInteger(base.nstart) || base.nstart < 1) bad(`nstart ${base.nstart} (at least 1)`)
  if (!(base.maxLatency >= 0)) bad(`maxLatency ${base.maxLatency}`)
  if (!(base.processingDelay >= 0)) bad(`processingDelay ${base.processingDelay}`)
  const maxTransmitSpan = base.ackTimeout * (2 ** base.maxRetransmit - 1) * base.ackRandomFactor
  const maxTransmitWait = base.ackTimeout * (2 ** (base.maxRetransmit + 1) - 1) * base.ackRandomFactor
  return {
    ...base,
    maxTransmitSpan,
    maxTransmitWait,
    exchangeLifetime: maxTransmitSpan + 2 * base.maxLatency + base.processingDelay,
    nonLifetime: maxTransmitSpan + base.maxLatency,
  }
}
