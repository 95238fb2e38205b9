import { type BlockValue, decodeBlock } from '../message/block.js'
import { type Method, methodName } from '../message/codes.js'
import { getOption, getStringOptions, getUintOption, OptionNumber } from '../message/options.js'
import { type CoapMessage, type CoapOption, MessageType } from '../message/types.js'
import type { ServerObservationImpl } from '../observe/server-observation.js'
import type { Deadline } from '../time/deadline-queue.js'
import type { Peer } from '../transport/types.js'
import { fnv1a } from './hash.js'
import type { PeerState } from './peer.js'
import type { IncomingRequest, RequestContext, ServerObservation } from './types.js'

/** What a ServerExchange needs from its endpoint. */
export interface ServerSide {
  createObservation(exchange: ServerExchange): ServerObservationImpl | undefined
  separateAckDue(exchange: ServerExchange): void
  trackSignal(exchange: ServerExchange): void
}

/**
 * One incoming request being handled: the request as the handler sees it (options
 * read out lazily), its context (observe, signal), and the server-side state of the
 * exchange (ACK sent, block-wise, deduplication entry). One object per request.
 */
export class ServerExchange implements IncomingRequest, Deadline {
  deadline = 0
  heapIndex = -1
  /** The response (or RST/ACK) is out; later answers are ignored. */
  done = false
  /** An Empty ACK went out (separate response follows as CON). */
  ackSent = false
  /** Counted in the peer's serverInFlight. */
  counted = false
  observation: ServerObservationImpl | undefined = undefined
  /** Block1 option to echo in the final response (RFC 7959 section 2.3). */
  block1Echo: BlockValue | undefined = undefined
  payload: Uint8Array
  readonly code: number
  readonly messageId: number
  readonly token: Uint8Array
  readonly options: readonly CoapOption[]
  readonly confirmable: boolean
  #path: readonly string[] | undefined
  #query: readonly string[] | undefined
  #controller: AbortController | undefined

  constructor(
    readonly side: ServerSide,
    readonly peerState: PeerState,
    readonly peer: Peer,
    message: CoapMessage,
    /** Slot and id of the request's deduplication entry (RFC 7252 section 4.5). */
    readonly dedupSlot: number,
    readonly dedupId: number,
  ) {
    this.code = message.code
    this.messageId = message.messageId
    this.token = message.token
    this.options = message.options
    this.confirmable = message.type === MessageType.CON
    this.payload = message.payload
  }

  get method(): Method {
    return methodName(this.code)!
  }
  get path(): readonly string[] {
    return (this.#path ??= getStringOptions(this.options, OptionNumber.UriPath))
  }
  get query(): readonly string[] {
    return (this.#query ??= getStringOptions(this.options, OptionNumber.UriQuery))
  }
  get contentFormat(): number | undefined {
    return getUintOption(this.options, OptionNumber.ContentFormat)
  }
  get accept(): number | undefined {
    return getUintOption(this.options, OptionNumber.Accept)
  }
  get observe(): number | undefined {
    return getUintOption(this.options, OptionNumber.Observe)
  }
  /** The Block2 option of the request, if any. */
  get block2(): BlockValue | undefined {
    const v = getOption(this.options, OptionNumber.Block2)
    return v === undefined ? undefined : decodeBlock(v)
  }
  /** A key for server-side block-wise state: method, path, query and Accept. */
  resourceKey(withBody = true): string {
    // A FETCH is identified by its body too (RFC 8132 section 2): two FETCHes of one
    // resource with different bodies have different block-wise answers.
    const body = withBody && this.code === 5 ? `|${fnv1a(this.payload)}:${this.payload.length}` : ''
    return `${this.code}|${this.path.join('/')}|${this.query.join('&')}|${this.accept ?? ''}${body}`
  }

  /** The handler's second argument. */
  context(): RequestContext {
    return new ExchangeContext(this)
  }

  get signal(): AbortSignal {
    if (this.#controller === undefined) {
      this.#controller = new AbortController()
      if (this.done) this.#controller.abort()
      else this.side.trackSignal(this)
    }
    return this.#controller.signal
  }

  /** Aborts the signal (endpoint closing). */
  abort(reason: unknown): void {
    this.#controller?.abort(reason)
  }

  onDeadline(): void {
    this.side.separateAckDue(this)
  }
}

class ExchangeContext implements RequestContext {
  constructor(readonly exchange: ServerExchange) {}

  observe(): ServerObservation | undefined {
    return this.exchange.observation ?? this.exchange.side.createObservation(this.exchange)
  }

  get signal(): AbortSignal {
    return this.exchange.signal
  }
}
