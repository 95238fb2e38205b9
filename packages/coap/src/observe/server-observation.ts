import type { Outgoing, OutgoingOwner } from '../endpoint/outgoing.js'
import type { PeerState } from '../endpoint/peer.js'
import type { ServerExchange } from '../endpoint/server-exchange.js'
import type { IncomingRequest, ResponseInit, ServerObservation } from '../endpoint/types.js'
import { CoapError } from '../errors.js'
import type { CoapMessage } from '../message/types.js'
import type { Peer } from '../transport/types.js'

/** What a server observation needs from its endpoint. */
export interface ObservationHost {
  sendNotification(
    obs: ServerObservationImpl,
    init: ResponseInit,
    confirmable: boolean | undefined,
  ): Promise<void>
  sendFinal(obs: ServerObservationImpl, init: ResponseInit): void
  removeObservation(obs: ServerObservationImpl): void
  cancelOutgoing(out: Outgoing): void
}

/** Why a server-side observation ended: the `signal.reason` is a CoapError carrying this text. */
export type ObservationEndReason =
  | 'reset'
  | 'timeout'
  | 'deregistered'
  | 'replaced'
  | 'ended'
  | 'closed'
  | 'error'

/**
 * The server side of one observation (RFC 7641 section 4): Observe sequence numbers,
 * the CON notification at least every `conInterval`, one CON notification in flight at
 * a time (a newer one replaces it, section 4.5.2), and removal on RST or timeout.
 */
export class ServerObservationImpl implements ServerObservation, OutgoingOwner {
  readonly token: Uint8Array
  readonly tokenHex: string
  readonly request: IncomingRequest
  readonly #controller = new AbortController()
  /** Last Observe number used (24 bits). */
  seq = 0
  /** Clock time of the last CON notification (or the registration). */
  lastConAt = 0
  /** The registration response went out with Observe: notifications may follow. */
  registered = false
  ended = false
  /** The CON notification being transmitted. */
  inFlight: Outgoing | undefined = undefined
  /** Message IDs of recent NON notifications, for matching an RST (section 3.6, 4.5). */
  readonly nonMids: number[] = []
  /** Key of the resource's block-wise body cache (method, path, query, Accept). */
  readonly #resourceKey: string

  constructor(
    readonly host: ObservationHost,
    readonly peerState: PeerState,
    exchange: ServerExchange,
  ) {
    this.token = exchange.token.slice()
    this.tokenHex = Buffer.from(this.token).toString('hex')
    this.request = exchange
    this.#resourceKey = exchange.resourceKey()
  }

  get peer(): Peer {
    return this.peerState.peer
  }

  get signal(): AbortSignal {
    return this.#controller.signal
  }

  resourceKey(): string {
    return this.#resourceKey
  }

  notify(response: ResponseInit, options?: { readonly confirmable?: boolean }): Promise<void> {
    if (this.ended) return Promise.reject(new CoapError('COAP_CLOSED', 'the observation has ended'))
    if (!this.registered) {
      return Promise.reject(
        new CoapError('COAP_INVALID_ARGUMENT', 'notify() before the registration response was sent'),
      )
    }
    return this.host.sendNotification(this, response, options?.confirmable)
  }

  end(final?: ResponseInit): void {
    if (this.ended) return
    if (final !== undefined && this.registered) this.host.sendFinal(this, final)
    this.terminate('ended')
  }

  /** Ends the relation without sending anything; `signal.reason` tells why. */
  terminate(reason: ObservationEndReason, cause?: unknown): void {
    if (this.ended) return
    this.ended = true
    const out = this.inFlight
    this.inFlight = undefined
    const err = new CoapError(
      reason === 'reset'
        ? 'COAP_RESET'
        : reason === 'timeout'
          ? 'COAP_TIMEOUT'
          : reason === 'error' && CoapError.isInstance(cause) && cause.code === 'COAP_TRANSPORT'
            ? 'COAP_TRANSPORT'
            : 'COAP_CLOSED',
      `observation ended: ${reason}`,
      cause === undefined ? undefined : { cause },
    )
    if (out !== undefined) {
      this.host.cancelOutgoing(out)
      out.reject?.(err)
    }
    this.host.removeObservation(this)
    this.#controller.abort(err)
  }

  rememberNonMid(mid: number): void {
    if (this.nonMids.length >= 8) this.nonMids.shift()
    this.nonMids.push(mid)
  }

  onAcknowledged(out: Outgoing, _response: CoapMessage | undefined): void {
    if (this.inFlight === out) this.inFlight = undefined
    out.resolve?.()
  }

  onReset(out: Outgoing): void {
    if (this.inFlight === out) this.inFlight = undefined
    const err = new CoapError('COAP_RESET', 'the observer answered the notification with RST')
    out.reject?.(err)
    this.terminate('reset')
  }

  onGiveUp(out: Outgoing, error: CoapError): void {
    if (this.inFlight === out) this.inFlight = undefined
    out.reject?.(error)
    // Not acknowledged in time, or the transport could not send it (no session, no route).
    this.terminate(error.code === 'COAP_TRANSPORT' ? 'error' : 'timeout', error)
  }
}
