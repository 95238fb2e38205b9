import type { Method } from '../message/codes.js'
import type { CoapOption, MessageType } from '../message/types.js'
import type { Peer, TransportAddress } from '../transport/types.js'

/** What a caller sends: a request described by its parts, all optional but the method. */
export interface RequestOptions {
  readonly method: Method
  /** "/3/0/1" (split on "/", no percent-decoding) or the Uri-Path segments themselves. */
  readonly path?: string | readonly string[]
  /** Uri-Query items such as "ep=node-1". */
  readonly query?: readonly string[]
  readonly contentFormat?: number
  readonly accept?: number
  readonly payload?: Uint8Array | string
  /** Any further options; Uri-Path, Uri-Query, Content-Format and Accept above take precedence. */
  readonly options?: readonly CoapOption[]
  /** CON (the default) or NON. */
  readonly confirmable?: boolean
  /** Overall deadline in milliseconds, including block-wise transfers; defaults to the endpoint's. */
  readonly timeout?: number
  readonly signal?: AbortSignal
}

/** A response as received: the first three fields are the message, the rest read from its options. */
export interface CoapResponse {
  readonly code: number
  readonly options: readonly CoapOption[]
  /** The whole body: block-wise transfers are reassembled before the response is handed out. */
  readonly payload: Uint8Array
  readonly peer: Peer
  readonly type: MessageType
  readonly contentFormat: number | undefined
  readonly observe: number | undefined
  readonly locationPath: readonly string[]
  readonly locationQuery: readonly string[]
  readonly maxAge: number | undefined
  readonly etag: Uint8Array | undefined
}

/** A request as a handler sees it: whole (Block1 reassembled), its options read out. */
export interface IncomingRequest {
  readonly peer: Peer
  readonly method: Method
  readonly code: number
  readonly confirmable: boolean
  readonly messageId: number
  readonly token: Uint8Array
  readonly options: readonly CoapOption[]
  readonly path: readonly string[]
  readonly query: readonly string[]
  readonly contentFormat: number | undefined
  readonly accept: number | undefined
  /** 0 to register an observation, 1 to deregister, undefined without the option. */
  readonly observe: number | undefined
  readonly payload: Uint8Array
}

/** What a handler answers. */
export interface ResponseInit {
  /** 0x45 or "2.05". */
  readonly code: number | string
  readonly payload?: Uint8Array | string
  readonly contentFormat?: number
  readonly locationPath?: readonly string[]
  readonly locationQuery?: readonly string[]
  readonly maxAge?: number
  readonly etag?: Uint8Array
  /** Any further options. */
  readonly options?: readonly CoapOption[]
}

/** The server side of an observation (RFC 7641 section 4). */
export interface ServerObservation {
  readonly peer: Peer
  readonly token: Uint8Array
  /** The registering request. */
  readonly request: IncomingRequest
  /**
   * Aborted when the relation ends: RST or a failed confirmable notification from the
   * client, a deregistration (GET with Observe=1 or without Observe on the same token),
   * {@link ServerObservation.end}, or the endpoint closing. `signal.reason` says which.
   */
  readonly signal: AbortSignal
  /**
   * Sends a notification; Observe sequence numbers (24 bits), Block2 for large bodies and
   * a confirmable notification at least every 24 hours (RFC 7641 section 4.5) are handled.
   * Resolves once sent (NON) or acknowledged (CON); rejects with a CoapError when the
   * client did not acknowledge or reset it, which also ends the relation.
   */
  notify(response: ResponseInit, options?: { readonly confirmable?: boolean }): Promise<void>
  /** Ends the relation, sending `final` (a response without Observe) if given. */
  end(final?: ResponseInit): void
}

/** Passed to a handler beside the request. */
export interface RequestContext {
  /**
   * Registers the requester as an observer (valid for GET or FETCH with Observe=0); the
   * response the handler then returns is sent with an Observe number. Returns undefined
   * when the request does not ask to observe or the per-peer observation limit is
   * reached: the response then goes out as a plain response, as RFC 7641 section 4.1 allows.
   */
  observe(): ServerObservation | undefined
  /** Aborted when the endpoint closes before the handler answered. */
  readonly signal: AbortSignal
}

export type RequestHandler = (
  request: IncomingRequest,
  context: RequestContext,
) => ResponseInit | Promise<ResponseInit>

/** The client side of an observation (RFC 7641 section 3). */
export interface Observation {
  /** The response to the registration. */
  readonly response: CoapResponse
  /** False if the server answered without Observe (no relation was made). */
  readonly active: boolean
  /** Aborted when the observation ends (cancelled, reset, error response, endpoint closed). */
  readonly signal: AbortSignal
  /**
   * Ends the observation: 'active' (the default) sends GET with Observe=1 and the same
   * token (section 3.6); 'passive' forgets it and answers the next notification with RST.
   */
  cancel(mode?: 'active' | 'passive'): Promise<void>
}

/** Called for each notification after the registration's response, in order (stale ones dropped, section 3.4). */
export type NotificationListener = (notification: CoapResponse) => void

/**
 * Told that a peer moved to another address within its secure session (a NAT rebinding
 * kept by a DTLS Connection ID, RFC 9146): requests to it go to `to` from now on.
 */
export type PeerMovedListener = (from: Peer, to: Peer) => void

export const endpointSymbol: unique symbol = Symbol.for('@lwm2m/coap/endpoint') as never

/**
 * The CoAP endpoint everything above CoAP talks to (DESIGN.md). Retransmission,
 * deduplication, block-wise transfers and observe happen inside. Targets are a Peer
 * or a `coap://` / `coaps://` URI whose path and query join the request's.
 */
export interface CoapEndpoint {
  readonly [endpointSymbol]: true
  readonly scheme: 'coap' | 'coaps'
  address(): TransportAddress
  request(target: Peer | string, options: RequestOptions): Promise<CoapResponse>
  observe(
    target: Peer | string,
    options: RequestOptions,
    onNotification: NotificationListener,
  ): Promise<Observation>
  /** CoAP ping: an Empty CON answered by RST (RFC 7252 section 4.3). */
  ping(
    target: Peer | string,
    options?: { readonly timeout?: number; readonly signal?: AbortSignal },
  ): Promise<void>
  /** Sets the handler for incoming requests (without one, requests get 4.04). */
  setHandler(handler: RequestHandler | undefined): void
  /** The observers currently registered with this endpoint. */
  observers(): Iterable<ServerObservation>
  /**
   * Listens for peers that moved (see {@link PeerMovedListener}); returns the function that
   * stops listening. The endpoint itself carries everything it holds for the peer over to
   * the new address (exchanges in flight, observations both ways) before the listeners run.
   * Optional: an endpoint over a transport whose peers never move may leave it out.
   */
  onPeerMoved?(listener: PeerMovedListener): () => void
  close(): Promise<void>
}

/** True for a CoapEndpoint from any copy of this package. */
export function isCoapEndpoint(value: unknown): value is CoapEndpoint {
  return (
    typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[endpointSymbol] === true
  )
}
