import { CoapError } from '../errors.js'

/** Resource limits of an endpoint: every table it keeps is bounded by one of these. */
export interface EndpointLimits {
  /** Largest datagram accepted; larger CON messages get RST, others are dropped. Default 8192. */
  readonly maxMessageSize: number
  /** Largest body reassembled from (or sent as) blocks, both directions. Default 8 MiB. */
  readonly maxBodySize: number
  /** Requests of one peer being handled at once; beyond, 5.03 with Max-Age. Default 128. */
  readonly maxExchangesPerPeer: number
  /** Observations one peer may hold; beyond, GET with Observe gets a plain response. Default 64. */
  readonly maxObservationsPerPeer: number
  /** Peers with any state (deduplication, exchanges, observations); beyond, new peers are ignored. Default 100000. */
  readonly maxPeers: number
  /** Server-side block-wise transfers per peer (Block1 reassembly, Block2 bodies); the oldest is dropped beyond. Default 16. */
  readonly maxBlockTransfersPerPeer: number
  /**
   * Deduplication entries kept in all (about 190 bytes each), oldest dropped first
   * beyond. RFC 7252 keeps a Message ID for EXCHANGE_LIFETIME (247 s); past this bound
   * entries go earlier, which still covers retransmissions (they come within
   * MAX_TRANSMIT_SPAN, 45 s) as long as fewer than this many messages arrive in that
   * span: 50000 is about 1100 messages a second. Raise it for busier servers. Default 50000.
   */
  readonly maxDeduplicationEntries: number
  /**
   * Deduplication entries kept per peer (its oldest dropped first beyond). A peer keeps
   * at most one per Message ID (65536); a lower bound trades protection against very
   * late duplicates from peers sending more than this many messages per
   * EXCHANGE_LIFETIME (16384 per 247 s is 66 messages a second, sustained) for memory.
   * Default 16384.
   */
  readonly maxDeduplicationEntriesPerPeer: number
  /** How long an abandoned block-wise transfer is kept, ms. Default EXCHANGE_LIFETIME. */
  readonly blockTransferTimeout: number | undefined
}

export const DEFAULT_LIMITS: EndpointLimits = Object.freeze({
  maxMessageSize: 8192,
  maxBodySize: 8 * 1024 * 1024,
  maxExchangesPerPeer: 128,
  maxObservationsPerPeer: 64,
  maxPeers: 100_000,
  maxBlockTransfersPerPeer: 16,
  maxDeduplicationEntries: 50_000,
  maxDeduplicationEntriesPerPeer: 16_384,
  blockTransferTimeout: undefined,
})

export function resolveLimits(l: Partial<EndpointLimits> = {}): EndpointLimits {
  const out = { ...DEFAULT_LIMITS, ...l }
  for (const [k, v] of Object.entries(out)) {
    if (v === undefined && k === 'blockTransferTimeout') continue
    if (typeof v !== 'number' || !(v > 0)) throw new CoapError('COAP_INVALID_ARGUMENT', `limit ${k} = ${v}`)
  }
  if (out.maxMessageSize < 64) throw new CoapError('COAP_INVALID_ARGUMENT', 'limit maxMessageSize below 64')
  return out
}
