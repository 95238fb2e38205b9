import { lookup } from 'node:dns/promises'
import { isIP } from 'node:net'
import { CoapError, CoapTimeoutError } from '../errors.js'
import { type Logger, silentLogger } from '../log.js'
import { type BlockValue, blockSize, decodeBlock, encodeBlock, sizeToSzx } from '../message/block.js'
import { decodeMessage, encodeMessage, peekHeader } from '../message/codec.js'
import {
  Code,
  isRequestCode,
  isResponseCode,
  isSuccessCode,
  methodCode,
  methodName,
} from '../message/codes.js'
import {
  encodeUint,
  getOption,
  getUintOption,
  isCritical,
  OptionNumber,
  optionDefinition,
  sortOptions,
  unrecognizedCriticalOptions,
} from '../message/options.js'
import { type CoapMessage, type CoapOption, MessageType } from '../message/types.js'
import { isNewerNotification, nextObserveSequence } from '../observe/freshness.js'
import { type ObservationHost, ServerObservationImpl } from '../observe/server-observation.js'
import { cryptoRandom, type RandomSource } from '../random.js'
import { type Clock, systemClock } from '../time/clock.js'
import { type Deadline, DeadlineQueue } from '../time/deadline-queue.js'
import { type Peer, peerKey, type Transport, type TransportAddress } from '../transport/types.js'
import { parseCoapUri, uriToOptions } from '../uri.js'
import { ClientRequest, type ClientSide, type RequestCallback, type RequestSpec } from './client-request.js'
import { DedupTable } from './dedup-table.js'
import { fnv1a } from './hash.js'
import { type EndpointLimits, resolveLimits } from './limits.js'
import { Outgoing, type OutgoingOwner } from './outgoing.js'
import { type DerivedParameters, deriveParameters, type TransmissionParameters } from './parameters.js'
import { type PeerState, PeerTable, type PeerTransfer } from './peer.js'
import {
  OptionCache,
  payloadBytes,
  ReceivedResponse,
  requestOptions,
  responseCode,
  responseOptions,
} from './response.js'
import { ServerExchange, type ServerSide } from './server-exchange.js'
import type {
  CoapEndpoint,
  CoapResponse,
  NotificationListener,
  Observation,
  PeerMovedListener,
  RequestHandler,
  RequestOptions,
  ResponseInit,
  ServerObservation,
} from './types.js'
import { endpointSymbol } from './types.js'

/** Resolves a host name to an address literal (default: node:dns lookup). */
export type HostResolver = (host: string, family: 4 | 6) => Promise<string>

/** Options of {@link createEndpoint}. */
export interface EndpointOptions {
  readonly transport: Transport
  readonly clock?: Clock
  readonly logger?: Logger
  /** Random bytes for Message IDs, tokens and jitter; default crypto-strong. */
  readonly random?: RandomSource
  readonly handler?: RequestHandler
  /** RFC 7252 section 4.8 transmission parameters (ACK_TIMEOUT, NSTART, ...). */
  readonly parameters?: Partial<TransmissionParameters>
  readonly limits?: Partial<EndpointLimits>
  /** Resolves host names of `coap://name/...` targets. */
  readonly resolve?: HostResolver
  /** Default overall deadline of a request, ms; default EXCHANGE_LIFETIME. */
  readonly requestTimeout?: number
  /** A handler slower than this (ms) gets its CON request acknowledged first (separate response). Default 500. */
  readonly separateResponseDelay?: number
  /** A handler that has not answered after this long (ms) is given up. Default EXCHANGE_LIFETIME. */
  readonly handlerTimeout?: number
  /** Preferred block size in bytes for both directions (16-1024, a power of two). Default 1024. */
  readonly blockSize?: number
  /** Token length of our requests, 4 to 8 bytes. Default 8. */
  readonly tokenLength?: number
  /** A CON notification at least this often (RFC 7641 section 4.5), ms. Default 24 h. */
  readonly observeConInterval?: number
  /** Critical options the application handles itself (no 4.02 for them). */
  readonly criticalOptions?: Iterable<number>
}

/** Counts of what an endpoint holds, for tests and monitoring. */
export interface EndpointStats {
  /** Peers with state. */
  readonly peers: number
  /** Deduplication entries. */
  readonly deduplication: number
  /** Items in the deadline queue. */
  readonly deadlines: number
  /** Tokens of our requests and accepted observations awaiting messages. */
  readonly pendingRequests: number
  /** Our messages awaiting ACK/RST or an NSTART slot. */
  readonly outgoing: number
  /** Incoming requests whose handler has not answered. */
  readonly handling: number
  /** Server-side block-wise transfers kept. */
  readonly blockTransfers: number
  /** Server-side observations. */
  readonly observers: number
}

/** The endpoint {@link createEndpoint} makes: a {@link CoapEndpoint} with its settings and counters. */
export interface LocalEndpoint extends CoapEndpoint {
  /** The transmission parameters in force, with the derived values. */
  readonly params: DerivedParameters
  readonly limits: EndpointLimits
  /** What the endpoint holds right now. */
  stats(): EndpointStats
  onPeerMoved(listener: PeerMovedListener): () => void
}

/** Critical options this endpoint processes (RFC 7252, 7641, 7959, 9175). */
const HANDLED_CRITICAL = [
  OptionNumber.IfMatch,
  OptionNumber.UriHost,
  OptionNumber.IfNoneMatch,
  OptionNumber.UriPort,
  OptionNumber.UriPath,
  OptionNumber.UriQuery,
  OptionNumber.Accept,
  OptionNumber.Block2,
  OptionNumber.Block1,
  OptionNumber.ProxyUri,
  OptionNumber.ProxyScheme,
]

const EMPTY = new Uint8Array(0)
const NO_OPTIONS: readonly CoapOption[] = []

function ackBytes(mid: number): Uint8Array {
  return Uint8Array.of(0x60, 0, mid >>> 8, mid & 0xff)
}
function rstBytes(mid: number): Uint8Array {
  return Uint8Array.of(0x70, 0, mid >>> 8, mid & 0xff)
}

/** A numeric key of a token: up to its first 6 bytes, plus its length (exact for tokens of up to 6 bytes). */
export function tokenKeyOf(token: Uint8Array): number {
  let n = 0
  const len = token.length
  const m = Math.min(len, 6)
  for (let i = 0; i < m; i++) n = n * 256 + token[i]!
  return n + len * 281474976710656
}

/** The options in number order, copied only when they are not already. */
function sorted_(options: CoapOption[]): CoapOption[] {
  for (let i = 1; i < options.length; i++)
    if (options[i]!.number < options[i - 1]!.number) return sortOptions(options)
  return options
}

/** A 30-bit hash of a token (FNV-1a), for deduplication entries. */
function tokenHash(token: Uint8Array): number {
  return (fnv1a(token) ^ token.length) & 0x3fffffff
}

function sameToken(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

function abortReason(signal: AbortSignal): CoapError {
  const r: unknown = signal.reason
  if (CoapError.isInstance(r)) return r
  return new CoapError('COAP_ABORTED', 'the request was aborted', { cause: r })
}

/** Server-side block-wise state: a Block1 body being reassembled or a Block2 body being served. */
class Transfer implements PeerTransfer, Deadline {
  deadline = 0
  heapIndex = -1
  chunks: Uint8Array[] = []
  received = 0
  // Block2 bodies
  code = 0
  options: readonly CoapOption[] = []
  body: Uint8Array = EMPTY
  constructor(
    readonly endpoint: Endpoint,
    readonly peerState: PeerState,
    readonly key: string,
  ) {}
  onDeadline(): void {
    this.endpoint.dropTransfer(this)
  }
  dispose(): void {
    this.endpoint.unschedule(this)
  }
}

/** Drops idle peers now and then. */
class PeerSweeper implements Deadline {
  deadline = 0
  heapIndex = -1
  constructor(readonly endpoint: Endpoint) {}
  onDeadline(now: number): void {
    this.endpoint.sweepPeers(now)
  }
}

/** Deadline of a ping. */
class Ping implements Deadline, OutgoingOwner {
  deadline = 0
  heapIndex = -1
  out: Outgoing | undefined
  done = false
  constructor(
    readonly endpoint: Endpoint,
    readonly resolve: () => void,
    readonly reject: (e: CoapError) => void,
  ) {}
  finish(err?: CoapError): void {
    if (this.done) return
    this.done = true
    this.endpoint.unschedule(this)
    if (this.out !== undefined) this.endpoint.cancelOutgoing(this.out)
    if (err) this.reject(err)
    else this.resolve()
  }
  onDeadline(): void {
    this.finish(new CoapTimeoutError('no answer to the ping'))
  }
  onAcknowledged(): void {
    this.finish()
  }
  onReset(): void {
    this.finish()
  }
  onGiveUp(_out: Outgoing, error: CoapError): void {
    this.finish(error)
  }
}

/** An Outgoing whose fate nobody waits for (separate responses, final notifications). */
class Detached implements OutgoingOwner {
  constructor(readonly logger: Logger) {}
  onAcknowledged(): void {}
  onReset(out: Outgoing): void {
    this.logger.debug('separate response reset by peer', { mid: out.mid })
  }
  onGiveUp(out: Outgoing, error: CoapError): void {
    this.logger.debug('separate response not acknowledged', { mid: out.mid, error: error.message })
  }
}

/** The client side of an observation. */
class ClientObservation implements Observation {
  readonly controller = new AbortController()
  fetch: ClientRequest | undefined = undefined
  fetchSeq = 0
  constructor(
    readonly endpoint: Endpoint,
    readonly request: ClientRequest,
    readonly response: CoapResponse,
    readonly active: boolean,
    readonly listener: NotificationListener,
  ) {
    if (!active)
      this.controller.abort(new CoapError('COAP_CLOSED', 'the server did not accept the observation'))
  }
  get signal(): AbortSignal {
    return this.controller.signal
  }
  cancel(mode: 'active' | 'passive' = 'active'): Promise<void> {
    return this.endpoint.cancelObservation(this, mode)
  }
}

export class Endpoint implements LocalEndpoint, ClientSide, ServerSide, ObservationHost {
  readonly [endpointSymbol] = true as const
  readonly scheme: 'coap' | 'coaps'
  readonly transport: Transport
  readonly clock: Clock
  readonly logger: Logger
  readonly params: DerivedParameters
  readonly limits: EndpointLimits
  readonly maxBodySize: number
  readonly #random: RandomSource
  readonly #queue: DeadlineQueue
  readonly #peers: PeerTable
  readonly #tokens = new Map<number, ClientRequest>()
  readonly #dedup: DedupTable
  readonly #sweeper: PeerSweeper
  readonly #signalled = new Set<ServerExchange>()
  /** Client requests by the caller's signal that aborts them (see #watchSignal). */
  readonly #bySignal = new WeakMap<AbortSignal, Set<ClientRequest>>()
  readonly #detached: Detached
  readonly #known: ReadonlySet<number>
  readonly #appCritical: ReadonlySet<number>
  readonly #resolve: HostResolver
  readonly #requestTimeout: number
  readonly #separateDelay: number
  readonly #handlerTimeout: number
  readonly #szx: number
  readonly #tokenLength: number
  readonly #conInterval: number
  readonly #blockTimeout: number
  readonly #rand4 = new Uint8Array(4)
  readonly #optionCache = new OptionCache()
  readonly #movedListeners = new Set<PeerMovedListener>()
  #handler: RequestHandler | undefined
  #mid: number
  #closed = false
  #closing: Promise<void> | undefined

  constructor(options: EndpointOptions) {
    this.transport = options.transport
    this.scheme = options.transport.scheme
    this.clock = options.clock ?? systemClock
    this.logger = options.logger ?? silentLogger
    this.#random = options.random ?? cryptoRandom()
    this.params = deriveParameters(options.parameters)
    this.limits = resolveLimits(options.limits)
    this.maxBodySize = this.limits.maxBodySize
    this.#queue = new DeadlineQueue(this.clock)
    this.#peers = new PeerTable(this.limits.maxPeers)
    this.#dedup = new DedupTable(this, this.limits.maxDeduplicationEntries)
    this.#sweeper = new PeerSweeper(this)
    this.#detached = new Detached(this.logger)
    this.#handler = options.handler
    this.#resolve =
      options.resolve ??
      (async (host, family) => {
        const r = await lookup(host, { family })
        return r.address
      })
    this.#requestTimeout = options.requestTimeout ?? this.params.exchangeLifetime
    this.#separateDelay = options.separateResponseDelay ?? 500
    this.#handlerTimeout = options.handlerTimeout ?? this.params.exchangeLifetime
    const bs = options.blockSize ?? 1024
    if (bs < 16 || bs > 1024 || (bs & (bs - 1)) !== 0) {
      throw new CoapError('COAP_INVALID_ARGUMENT', `blockSize ${bs} (a power of two, 16 to 1024)`)
    }
    let szx = sizeToSzx(bs)
    const maxDatagram = options.transport.maxDatagramSize
    while (szx > 0 && maxDatagram !== undefined && blockSize(szx) + 128 > maxDatagram) szx--
    while (szx > 0 && blockSize(szx) + 128 > this.limits.maxMessageSize) szx--
    this.#szx = szx
    const tl = options.tokenLength ?? 8
    if (!Number.isInteger(tl) || tl < 4 || tl > 8)
      throw new CoapError('COAP_INVALID_ARGUMENT', `tokenLength ${tl} (4 to 8)`)
    this.#tokenLength = tl
    this.#conInterval = options.observeConInterval ?? 24 * 3600_000
    this.#blockTimeout = this.limits.blockTransferTimeout ?? this.params.exchangeLifetime
    const known = new Set<number>(HANDLED_CRITICAL)
    this.#appCritical = new Set(options.criticalOptions ?? [])
    for (const n of this.#appCritical) known.add(n)
    // Elective options never cause 4.02; only a critical option outside `known` does.
    for (let n = 0; n <= 300; n++) if (!isCritical(n) && optionDefinition(n) !== undefined) known.add(n)
    this.#known = known
    this.#random(this.#rand4)
    this.#mid = ((this.#rand4[0]! << 8) | this.#rand4[1]!) & 0xffff
  }

  /** @internal */
  async open(): Promise<void> {
    await this.transport.open(this.#onDatagram, { peerMoved: this.#onPeerMoved })
    this.#queue.schedule(this.#sweeper, this.clock.now() + 30_000)
  }

  address(): TransportAddress {
    return this.transport.address()
  }

  setHandler(handler: RequestHandler | undefined): void {
    this.#handler = handler
  }

  onPeerMoved(listener: PeerMovedListener): () => void {
    this.#movedListeners.add(listener)
    return () => {
      this.#movedListeners.delete(listener)
    }
  }

  *observers(): Iterable<ServerObservation> {
    for (const ps of this.#peers.values()) if (ps.observers) yield* ps.observers.values()
  }

  /** Statistics for tests and monitoring. */
  stats(): EndpointStats {
    let transfers = 0
    let observers = 0
    let outgoing = 0
    let handling = 0
    for (const ps of this.#peers.values()) {
      transfers += ps.transfers?.size ?? 0
      observers += ps.observers?.size ?? 0
      outgoing += ps.outgoing.size + (ps.waiting?.length ?? 0)
      handling += ps.serverInFlight
    }
    return {
      peers: this.#peers.size,
      deduplication: this.#dedup.size,
      deadlines: this.#queue.size,
      pendingRequests: this.#tokens.size,
      outgoing,
      handling,
      blockTransfers: transfers,
      observers,
    }
  }

  // ---- ClientSide / scheduling ------------------------------------------------

  now(): number {
    return this.clock.now()
  }
  schedule(item: Deadline, at: number): void {
    this.#queue.schedule(item, at)
  }
  unschedule(item: Deadline): void {
    this.#queue.cancel(item)
  }

  nextMessageId(ps: PeerState): number {
    for (let i = 0; i < 65536; i++) {
      const mid = this.#mid
      this.#mid = (mid + 1) & 0xffff
      if (!ps.outgoing.has(mid)) return mid
    }
    return this.#mid
  }

  newRequestTag(): Uint8Array {
    const t = new Uint8Array(4)
    this.#random(t)
    return t
  }

  #randomUint32(): number {
    this.#random(this.#rand4)
    const r = this.#rand4
    return ((r[0]! << 24) | (r[1]! << 16) | (r[2]! << 8) | r[3]!) >>> 0
  }

  registerToken(req: ClientRequest): void {
    if (req.token.length === 0) {
      for (;;) {
        const t = new Uint8Array(this.#tokenLength)
        this.#random(t)
        const key = tokenKeyOf(t)
        if (!this.#tokens.has(key)) {
          req.token = t
          req.tokenKey = key
          break
        }
      }
    } else req.tokenKey = tokenKeyOf(req.token)
    this.#tokens.set(req.tokenKey, req)
  }

  releaseToken(req: ClientRequest): void {
    if (this.#tokens.get(req.tokenKey) === req) this.#tokens.delete(req.tokenKey)
  }

  // ---- message layer: sending ---------------------------------------------------

  /** Sends a CON reliably (retransmissions, NSTART) or a NON, remembering its Message ID for ACK/RST. */
  transmit(out: Outgoing): void {
    if (this.#closed) {
      out.owner.onGiveUp(out, new CoapError('COAP_CLOSED', 'the endpoint is closed'))
      return
    }
    const ps = out.peer
    if (out.confirmable && out.countsForNstart) {
      if (ps.nstartActive >= this.params.nstart) {
        out.queued = true
        ;(ps.waiting ??= []).push(out)
        return
      }
      ps.nstartActive++
      out.holdsSlot = true
    }
    this.#sendOut(out)
  }

  #sendOut(out: Outgoing): void {
    const ps = out.peer
    ps.outgoing.set(out.mid, out)
    if (!out.confirmable) {
      // NON: nobody waits for it; the transport logs a failure.
      this.transport.send(out.bytes, ps.peer)
      return
    }
    if (out.timeout === 0) {
      const f = this.params.ackRandomFactor
      out.timeout = Math.round(this.params.ackTimeout * (1 + (this.#randomUint32() / 4294967296) * (f - 1)))
    }
    const now = this.clock.now()
    // Scheduled first: a transport may report a failure before send() returns.
    this.#queue.schedule(out, now + out.timeout)
    // The transport's verdict is asked for unless the peer was heard from within ACK_TIMEOUT:
    // a busy peer's CONs keep node:dgram's fast path (no completion callback per datagram),
    // and a failure to reach it shows at the first retransmission, which always asks.
    if (ps.heard && now - ps.lastActive < this.params.ackTimeout && out.retransmits === 0)
      this.transport.send(out.bytes, ps.peer)
    else this.transport.send(out.bytes, ps.peer, (out.sent ??= (err) => this.#sendFailed(out, err)))
  }

  /**
   * The transport's verdict on a CON of ours: a failure (no route, no or a failed secure
   * session) gives the message up at once with COAP_TRANSPORT and the cause, instead of
   * retransmitting it until MAX_TRANSMIT_WAIT.
   */
  #sendFailed(out: Outgoing, err: Error | null | undefined): void {
    // Falsy is success (some transports pass node:dgram's null on).
    if (!err || out.cancelled || out.peer.outgoing.get(out.mid) !== out) return
    this.#settle(out)
    const ps = out.peer
    this.logger.debug('send failed', { peer: ps.address, port: ps.port, mid: out.mid, error: err.message })
    out.owner.onGiveUp(
      out,
      new CoapError('COAP_TRANSPORT', `cannot reach ${peerKey(ps)}: ${err.message}`, { cause: err }),
    )
  }

  onRetransmissionDue(out: Outgoing, now: number): void {
    if (out.peer.outgoing.get(out.mid) !== out) return
    if (out.retransmits < this.params.maxRetransmit) {
      out.retransmits++
      out.timeout *= 2
      this.#queue.schedule(out, now + out.timeout)
      this.transport.send(out.bytes, out.peer.peer, (out.sent ??= (err) => this.#sendFailed(out, err)))
      return
    }
    // RFC 7252 section 4.2: give up after MAX_RETRANSMIT retransmissions.
    this.#settle(out)
    out.owner.onGiveUp(
      out,
      new CoapTimeoutError(`no acknowledgement after ${this.params.maxRetransmit} retransmissions`),
    )
  }

  /** The message got its ACK/RST or was given up: forget its MID, free its NSTART slot. */
  #settle(out: Outgoing): void {
    const ps = out.peer
    if (ps.outgoing.get(out.mid) === out) ps.outgoing.delete(out.mid)
    this.#queue.cancel(out)
    if (out.holdsSlot) {
      out.holdsSlot = false
      ps.nstartActive--
      // A send failing at once settles its message inside this loop: the loop goes on to
      // the next one, rather than a new loop one call deeper for each (bounded stack).
      if (ps.draining) return
      const w = ps.waiting
      ps.draining = true
      try {
        while (w !== undefined && w.length > 0 && ps.nstartActive < this.params.nstart) {
          const next = w.shift()!
          next.queued = false
          if (next.cancelled) continue
          ps.nstartActive++
          next.holdsSlot = true
          this.#sendOut(next)
        }
      } finally {
        ps.draining = false
      }
    }
  }

  cancelOutgoing(out: Outgoing): void {
    out.cancelled = true
    if (out.queued) {
      const w = out.peer.waiting
      const i = w === undefined ? -1 : w.indexOf(out)
      if (i >= 0) w!.splice(i, 1)
      out.queued = false
      return
    }
    this.#settle(out)
  }

  #sendRaw(bytes: Uint8Array, peer: Peer): void {
    this.transport.send(bytes, peer)
  }

  // ---- message layer: receiving -------------------------------------------------

  readonly #onDatagram = (data: Uint8Array, from: Peer): void => {
    if (this.#closed) return
    try {
      this.#receive(data, from)
    } catch (err) {
      this.logger.error('internal error while handling a datagram', {
        peer: from.address,
        port: from.port,
        error: err instanceof Error ? err.stack : String(err),
      })
    }
  }

  #receive(data: Uint8Array, from: Peer): void {
    if (data.length > this.limits.maxMessageSize) {
      const h = peekHeader(data)
      if (h !== undefined && h.type === MessageType.CON) this.#sendRaw(rstBytes(h.messageId), from)
      return
    }
    let msg: CoapMessage
    try {
      msg = decodeMessage(data)
    } catch (err) {
      // RFC 7252 sections 4.2 and 4.3: a CON with a format error is rejected with RST, anything else is dropped.
      const h = peekHeader(data)
      this.logger.debug('malformed message', {
        peer: from.address,
        port: from.port,
        error: (err as Error).message,
      })
      if (h !== undefined && h.type === MessageType.CON) this.#sendRaw(rstBytes(h.messageId), from)
      return
    }
    const now = this.clock.now()
    const ps = this.#peers.obtain(from, now)
    if (ps === undefined) {
      this.logger.warn('peer table full, datagram ignored', { peer: from.address, port: from.port })
      return
    }
    ps.peer = from
    ps.lastActive = now
    ps.heard = true
    const type = msg.type
    if (type === MessageType.ACK) {
      this.#onAck(ps, msg, from)
      return
    }
    if (type === MessageType.RST) {
      this.#onRst(ps, msg)
      return
    }
    const code = msg.code
    if (code === 0) {
      // CoAP ping (RFC 7252 section 4.3): an Empty CON is answered with RST; an Empty NON is ignored.
      if (type === MessageType.CON) this.#sendRaw(rstBytes(msg.messageId), from)
      return
    }
    if (isRequestCode(code)) this.#onRequest(ps, msg, from)
    else if (isResponseCode(code)) this.#onResponseMessage(ps, msg, from)
    // Reserved classes 1, 6 and 7 (RFC 7252 section 4.2/4.3): reject.
    else this.#sendRaw(rstBytes(msg.messageId), from)
  }

  /**
   * The critical options of a message that this endpoint does not recognize (unknown,
   * or known with a bad length or repeated; RFC 7252 section 5.4.1), less those the
   * application handles, or undefined when there are none.
   */
  #unrecognizedCritical(options: readonly CoapOption[]): number[] | undefined {
    let bad = unrecognizedCriticalOptions(options, this.#known)
    if (bad.length > 0 && this.#appCritical.size > 0) bad = bad.filter((n) => !this.#appCritical.has(n))
    return bad.length > 0 ? bad : undefined
  }

  #onAck(ps: PeerState, msg: CoapMessage, from: Peer): void {
    const out = ps.outgoing.get(msg.messageId)
    if (out === undefined || !out.confirmable) return // an ACK matching nothing is ignored (section 4.2)
    if (msg.code !== 0 && !isResponseCode(msg.code)) return
    this.#settle(out)
    if (msg.code !== 0) {
      const bad = this.#unrecognizedCritical(msg.options)
      if (bad !== undefined) {
        // RFC 7252 section 5.4.1: a piggybacked response with an unrecognized critical option is rejected.
        out.owner.onGiveUp(
          out,
          new CoapError('COAP_MALFORMED', `response with unrecognized critical option ${bad.join(', ')}`),
        )
        return
      }
    }
    out.owner.onAcknowledged(out, msg.code === 0 ? undefined : msg, from)
  }

  #onRst(ps: PeerState, msg: CoapMessage): void {
    const out = ps.outgoing.get(msg.messageId)
    if (out !== undefined) {
      this.#settle(out)
      out.owner.onReset(out)
      return
    }
    // An RST to a NON notification ends the observation (RFC 7641 section 3.6).
    if (ps.observers !== undefined) {
      for (const obs of ps.observers.values()) {
        if (obs.nonMids.includes(msg.messageId)) {
          obs.terminate('reset')
          return
        }
      }
    }
  }

  /** Looks up a duplicate; true if `msg` was handled as one (RFC 7252 section 4.5). */
  #duplicate(ps: PeerState, msg: CoapMessage, from: Peer): boolean {
    if (ps.dedup.size === 0) return false
    // A message reusing a Message ID with another token or code is new, not a duplicate
    // (a peer recycling Message IDs faster than EXCHANGE_LIFETIME).
    const slot = this.#dedup.find(ps, msg.messageId, msg.code, tokenHash(msg.token), this.clock.now())
    if (slot < 0) return false
    if (msg.type === MessageType.CON) {
      const reply = this.#dedup.reply(slot)
      if (reply !== undefined) this.#sendRaw(reply, from)
    }
    return true
  }

  /** Remembers an incoming message for its lifetime; returns its deduplication slot. */
  #remember(ps: PeerState, msg: CoapMessage): number {
    const lifetime = msg.type === MessageType.CON ? this.params.exchangeLifetime : this.params.nonLifetime
    return this.#dedup.add(
      ps,
      msg.messageId,
      msg.code,
      tokenHash(msg.token),
      this.clock.now() + lifetime,
      this.limits.maxDeduplicationEntriesPerPeer,
    )
  }

  /** @internal */
  sweepPeers(now: number): void {
    this.#peers.sweep(now, 30_000)
    this.#queue.schedule(this.#sweeper, now + 30_000)
  }

  // ---- peers that move ----------------------------------------------------------

  /**
   * The transport says a peer moved within its secure session (RFC 9146 section 6: a NAT
   * rebinding kept by the DTLS Connection ID). Its state is re-keyed to the new address, so
   * that everything it holds goes on there: our requests and observations awaiting its
   * responses and notifications (RFC 7641 section 3), its observations of ours and their
   * notifications (section 4), CONs awaiting ACK, the NSTART queue, deduplication and
   * block-wise state. The listeners then hear of it (the LwM2M server moves the registration).
   */
  readonly #onPeerMoved = (from: Peer, to: Peer): void => {
    if (this.#closed) return
    const ps = this.#peers.get(from.address, from.port)
    let displaced: PeerState | undefined
    if (ps !== undefined) displaced = this.#peers.move(ps, to)
    else {
      displaced = this.#peers.get(to.address, to.port)
      if (displaced !== undefined) this.#peers.remove(displaced)
    }
    // What was at the new address belonged to another session, which cannot answer any more.
    if (displaced !== undefined)
      this.#windUp(displaced, new CoapError('COAP_TRANSPORT', `another session moved to ${peerKey(to)}`))
    this.logger.debug('peer moved', { from: peerKey(from), to: peerKey(to), state: ps !== undefined })
    for (const listener of this.#movedListeners) {
      try {
        listener(from, to)
      } catch (err) {
        this.logger.error('peer-moved listener threw', {
          error: err instanceof Error ? err.stack : String(err),
        })
      }
    }
  }

  /** Ends everything a peer's state holds, which is out of the table for good. */
  #windUp(ps: PeerState, err: CoapError): void {
    ps.gone = true
    // The NSTART queue first, so that settling a message sends nothing more to the address.
    const waiting = ps.waiting
    ps.waiting = undefined
    for (const req of [...this.#tokens.values()]) {
      if (req.peerState !== ps) continue
      const obs = req.attachment as ClientObservation | undefined
      if (obs !== undefined) this.#endClientObservation(obs, err)
      req.fail(err)
    }
    if (ps.observers) for (const obs of [...ps.observers.values()]) obs.terminate('error', err)
    for (const out of [...ps.outgoing.values()]) {
      this.#settle(out)
      out.owner.onGiveUp(out, err)
    }
    for (const out of waiting ?? []) {
      out.queued = false
      if (!out.cancelled) out.owner.onGiveUp(out, err)
    }
    if (ps.transfers) for (const t of [...ps.transfers.values()]) this.dropTransfer(t as Transfer)
  }

  // ---- client: responses ------------------------------------------------------

  #onResponseMessage(ps: PeerState, msg: CoapMessage, from: Peer): void {
    if (this.#duplicate(ps, msg, from)) return
    const req = this.#tokens.get(tokenKeyOf(msg.token))
    if (req === undefined || req.peerState !== ps || !sameToken(req.token, msg.token)) {
      // RFC 7252 section 4.2/4.3 (and RFC 7641 section 3.6 for forgotten observations): reject.
      this.#sendRaw(rstBytes(msg.messageId), from)
      return
    }
    const bad = this.#unrecognizedCritical(msg.options)
    if (bad !== undefined) {
      // RFC 7252 section 5.4.1: a CON response with an unrecognized critical option is
      // rejected with RST, a NON one silently ignored.
      if (msg.type === MessageType.CON) this.#sendRaw(rstBytes(msg.messageId), from)
      this.logger.debug('response with unrecognized critical option ignored', { options: bad })
      return
    }
    const slot = this.#remember(ps, msg)
    if (msg.type === MessageType.CON) {
      const ack = ackBytes(msg.messageId)
      this.#dedup.setReply(slot, this.#dedup.idOf(slot), ack)
      this.#sendRaw(ack, from)
    }
    req.onResponse(msg, from)
  }

  /** @internal A message with the token of an accepted observation. */
  notificationArrived(req: ClientRequest, msg: CoapMessage, from: Peer): void {
    const obs = req.attachment as ClientObservation | undefined
    if (obs === undefined) return
    const seq = getUintOption(msg.options, OptionNumber.Observe)
    if (!isSuccessCode(msg.code) || seq === undefined) {
      // RFC 7641 section 3.2: a response without Observe or an error ends the observation.
      this.#deliver(obs, msg, msg.payload, from)
      this.#endClientObservation(obs, new CoapError('COAP_CLOSED', 'the server ended the observation'))
      return
    }
    const now = this.clock.now()
    // RFC 7641 section 3.4: drop notifications older than the newest seen.
    if (!isNewerNotification(req.lastSeq, req.lastAt, seq, now)) return
    req.lastSeq = seq
    req.lastAt = now
    const b2raw = getOption(msg.options, OptionNumber.Block2)
    const b2 = b2raw === undefined ? undefined : decodeBlock(b2raw)
    if (b2?.more) {
      // RFC 7959 section 2.6: fetch the rest of the notification's body.
      if (b2.num !== 0 || b2.szx > 6) return
      if (obs.fetch !== undefined)
        obs.fetch.fail(new CoapError('COAP_ABORTED', 'superseded by a newer notification'))
      obs.fetchSeq = seq
      obs.fetch = this.fetchRemainingBlocks(req, msg, [msg.payload], msg.payload.length, (err, res) => {
        if (obs.fetchSeq === seq) obs.fetch = undefined
        if (err !== undefined) {
          if (err.code !== 'COAP_ABORTED')
            this.logger.debug('notification block fetch failed', { error: err.message })
          return
        }
        if (req.lastSeq === seq && req.observing) this.#deliverResponse(obs, res!)
      })
      return
    }
    this.#deliver(obs, msg, msg.payload, from)
  }

  #deliver(obs: ClientObservation, msg: CoapMessage, payload: Uint8Array, from: Peer): void {
    this.#deliverResponse(obs, new ReceivedResponse(msg, payload, from))
  }

  #deliverResponse(obs: ClientObservation, res: CoapResponse): void {
    try {
      obs.listener(res)
    } catch (err) {
      this.logger.error('notification listener threw', {
        error: err instanceof Error ? err.stack : String(err),
      })
    }
  }

  fetchRemainingBlocks(
    parent: ClientRequest,
    first: CoapMessage,
    chunks: Uint8Array[],
    length: number,
    done: RequestCallback,
  ): ClientRequest {
    const spec: RequestSpec = {
      code: parent.spec.code,
      options: parent.spec.options.filter((o) => o.number !== OptionNumber.Observe),
      body: parent.spec.body,
      confirmable: parent.spec.confirmable,
      szx: parent.spec.szx,
      earlyBlock2: false,
      observe: false,
      timeout: parent.spec.timeout,
      seed: { first, chunks, length },
    }
    const req = new ClientRequest(this, parent.peerState, parent.target, spec, done)
    req.start()
    return req
  }

  #endClientObservation(obs: ClientObservation, reason: CoapError): void {
    const req = obs.request
    if (req.observing) {
      req.observing = false
      this.releaseToken(req)
    }
    req.releasePeer()
    if (obs.fetch !== undefined) {
      obs.fetch.fail(new CoapError('COAP_ABORTED', 'observation ended'))
      obs.fetch = undefined
    }
    if (!obs.controller.signal.aborted) obs.controller.abort(reason)
  }

  /** @internal */
  async cancelObservation(obs: ClientObservation, mode: 'active' | 'passive'): Promise<void> {
    const req = obs.request
    const wasActive = req.observing
    this.#endClientObservation(obs, new CoapError('COAP_ABORTED', `observation cancelled (${mode})`))
    if (mode === 'passive' || !wasActive || this.#closed) return
    // RFC 7641 section 3.6: GET with Observe=1 and the registration's token and options.
    const options = req.spec.options.map((o) =>
      o.number === OptionNumber.Observe ? { number: OptionNumber.Observe, value: encodeUint(1) } : o,
    )
    await new Promise<void>((resolve) => {
      const cancelReq = new ClientRequest(
        this,
        req.peerState,
        req.target,
        { ...req.spec, options, observe: false, token: req.token },
        (err) => {
          if (err) this.logger.debug('observation cancel request failed', { error: err.message })
          resolve()
        },
      )
      cancelReq.start()
    })
  }

  // ---- client: API ------------------------------------------------------------

  async #target(target: Peer | string): Promise<{ peer: Peer; prefix: CoapOption[] }> {
    if (typeof target !== 'string') return { peer: target, prefix: [] }
    const uri = parseCoapUri(target)
    if (uri.scheme !== this.scheme) {
      throw new CoapError(
        'COAP_INVALID_URI',
        `${target}: this endpoint speaks ${this.scheme}, not ${uri.scheme}`,
      )
    }
    let address = uri.host
    if (isIP(address.split('%')[0]!) === 0) {
      let family: 4 | 6 = 4
      try {
        family = this.transport.address().family === 'IPv6' ? 6 : 4
      } catch {}
      try {
        address = await this.#resolve(uri.host, family)
      } catch (err) {
        throw new CoapError('COAP_INVALID_URI', `cannot resolve ${uri.host}: ${(err as Error).message}`, {
          cause: err,
        })
      }
    }
    return { peer: { address, port: uri.port }, prefix: uriToOptions(uri) }
  }

  #spec(options: RequestOptions, prefix: readonly CoapOption[], observe: boolean): RequestSpec {
    const method = options.method
    const code = methodCode(method)
    if (code === undefined || methodName(code) === undefined) {
      throw new CoapError('COAP_INVALID_ARGUMENT', `unknown method ${String(method)}`)
    }
    const opts = requestOptions(options, prefix, this.#optionCache)
    if (observe) {
      for (let i = opts.length - 1; i >= 0; i--)
        if (opts[i]!.number === OptionNumber.Observe) opts.splice(i, 1)
      opts.push({ number: OptionNumber.Observe, value: EMPTY })
    }
    const body = payloadBytes(options.payload)
    if (body.length > this.limits.maxBodySize) {
      throw new CoapError(
        'COAP_LIMIT',
        `request body of ${body.length} bytes over ${this.limits.maxBodySize}`,
      )
    }
    const timeout = options.timeout ?? this.#requestTimeout
    return {
      code,
      options: sorted_(opts),
      body,
      confirmable: options.confirmable ?? true,
      szx: this.#szx,
      earlyBlock2: this.#szx < 6 && (code === Code.GET || code === Code.FETCH),
      observe,
      timeout: Math.max(timeout, 0),
    }
  }

  /** Runs a request; `started` receives the state machine (observe needs it). */
  #run(
    peer: Peer,
    spec: RequestSpec,
    signal: AbortSignal | undefined,
    keepOnAbortWhenObserving: boolean,
    started?: (req: ClientRequest) => void,
  ): Promise<ReceivedResponse> {
    return new Promise<ReceivedResponse>((resolve, reject) => {
      if (this.#closed) {
        reject(new CoapError('COAP_CLOSED', 'the endpoint is closed'))
        return
      }
      if (signal?.aborted) {
        reject(abortReason(signal))
        return
      }
      const ps = this.#peers.obtain(peer, this.clock.now())
      if (ps === undefined) {
        reject(new CoapError('COAP_LIMIT', 'too many peers'))
        return
      }
      let watchers: Set<ClientRequest> | undefined
      const callback: RequestCallback =
        signal === undefined
          ? (err, res) => (err !== undefined ? reject(err) : resolve(res!))
          : (err, res) => {
              watchers!.delete(req)
              if (err !== undefined) reject(err)
              else resolve(res!)
            }
      const req = new ClientRequest(this, ps, peer, spec, callback)
      if (signal !== undefined) {
        req.keepOnAbort = keepOnAbortWhenObserving
        watchers = this.#watchSignal(signal)
        watchers.add(req)
      }
      started?.(req)
      req.start()
    })
  }

  /**
   * The requests running under `signal`. One 'abort' listener per signal, not one per
   * request: an EventTarget walks its listeners on every add and remove, and a caller (an
   * LwM2M server) may run thousands of requests under one stop signal.
   */
  #watchSignal(signal: AbortSignal): Set<ClientRequest> {
    let watchers = this.#bySignal.get(signal)
    if (watchers === undefined) {
      const set = new Set<ClientRequest>()
      watchers = set
      this.#bySignal.set(signal, set)
      signal.addEventListener(
        'abort',
        () => {
          const reason = abortReason(signal)
          const requests = [...set]
          set.clear()
          // Latest first: requests waiting for an NSTART slot go before the one holding it frees
          // it, so that none of them is sent only to be aborted.
          for (let i = requests.length - 1; i >= 0; i--) {
            const req = requests[i]!
            if (req.observing && req.keepOnAbort) continue
            req.fail(reason)
          }
        },
        { once: true },
      )
    }
    return watchers
  }

  request(target: Peer | string, options: RequestOptions): Promise<CoapResponse> {
    if (typeof target !== 'string') {
      // No URI to resolve: no extra promise on the way.
      let spec: RequestSpec
      try {
        spec = this.#spec(options, NO_OPTIONS, false)
      } catch (err) {
        return Promise.reject(err)
      }
      return this.#run(target, spec, options.signal, false)
    }
    return this.#target(target).then(({ peer, prefix }) =>
      this.#run(peer, this.#spec(options, prefix, false), options.signal, false),
    )
  }

  async observe(
    target: Peer | string,
    options: RequestOptions,
    onNotification: NotificationListener,
  ): Promise<Observation> {
    if (options.method !== 'GET' && options.method !== 'FETCH') {
      throw new CoapError('COAP_INVALID_ARGUMENT', `observe needs GET or FETCH, not ${options.method}`)
    }
    const { peer, prefix } = await this.#target(target)
    const spec = this.#spec(options, prefix, true)
    let req: ClientRequest | undefined
    const res = await this.#run(peer, spec, options.signal, true, (r) => {
      req = r
    })
    const obs = new ClientObservation(this, req!, res, req!.observing, onNotification)
    if (req!.observing) {
      req!.attachment = obs
      if (options.signal !== undefined) {
        const signal = options.signal
        signal.addEventListener('abort', () => void obs.cancel('passive'), { once: true, signal: obs.signal })
      }
    }
    return obs
  }

  ping(
    target: Peer | string,
    options: { readonly timeout?: number; readonly signal?: AbortSignal } = {},
  ): Promise<void> {
    return this.#target(target).then(
      ({ peer }) =>
        new Promise<void>((resolve, reject) => {
          if (this.#closed) return reject(new CoapError('COAP_CLOSED', 'the endpoint is closed'))
          const signal = options.signal
          if (signal?.aborted) return reject(abortReason(signal))
          const ps = this.#peers.obtain(peer, this.clock.now())
          if (ps === undefined) return reject(new CoapError('COAP_LIMIT', 'too many peers'))
          const onAbort = (): void => ping.finish(abortReason(signal!))
          const ping: Ping = new Ping(
            this,
            () => {
              signal?.removeEventListener('abort', onAbort)
              resolve()
            },
            (e) => {
              signal?.removeEventListener('abort', onAbort)
              reject(e)
            },
          )
          signal?.addEventListener('abort', onAbort, { once: true })
          if (options.timeout !== undefined) this.#queue.schedule(ping, this.clock.now() + options.timeout)
          const mid = this.nextMessageId(ps)
          ping.out = new Outgoing(
            this,
            ps,
            mid,
            Uint8Array.of(0x40, 0, mid >>> 8, mid & 0xff),
            true,
            true,
            ping,
          )
          this.transmit(ping.out)
        }),
    )
  }

  // ---- server ---------------------------------------------------------------

  #onRequest(ps: PeerState, msg: CoapMessage, from: Peer): void {
    if (this.#duplicate(ps, msg, from)) return
    const slot = this.#remember(ps, msg)
    const ex = new ServerExchange(this, ps, from, msg, slot, this.#dedup.idOf(slot))

    // An existing observation with this token ends: deregistration or re-registration (RFC 7641 section 3.6, 4.1).
    if (ps.observers !== undefined && ps.observers.size > 0) {
      const old = ps.observers.get(Buffer.from(msg.token).toString('hex'))
      if (old !== undefined)
        old.terminate(getUintOption(msg.options, OptionNumber.Observe) === 0 ? 'replaced' : 'deregistered')
    }
    if (methodName(msg.code) === undefined) {
      this.#respondCode(ex, Code.MethodNotAllowed) // RFC 7252 section 5.8
      return
    }
    const bad = this.#unrecognizedCritical(msg.options)
    if (bad !== undefined) {
      // RFC 7252 section 5.4.1: unrecognized critical option in a request: 4.02.
      this.#respondCode(ex, Code.BadOption, `unrecognized critical option ${bad.join(', ')}`)
      return
    }
    let proxy = false
    for (const o of msg.options)
      if (o.number === OptionNumber.ProxyUri || o.number === OptionNumber.ProxyScheme) proxy = true
    if (proxy) {
      this.#respondCode(ex, Code.ProxyingNotSupported) // RFC 7252 section 5.7.2
      return
    }
    if (ps.serverInFlight >= this.limits.maxExchangesPerPeer) {
      this.#respond(ex, { code: Code.ServiceUnavailable, maxAge: 2 })
      return
    }
    // Block1: reassemble before the handler sees the request (RFC 7959 section 2.3).
    const b1raw = getOption(msg.options, OptionNumber.Block1)
    if (b1raw !== undefined && !this.#block1(ps, ex, b1raw)) return
    // Block2 with num > 0: serve from the body kept from block 0 when we have it.
    const b2 = ex.block2
    if (b2 !== undefined) {
      if (b2.szx > 6) {
        this.#respondCode(ex, Code.BadOption, 'BERT is not for UDP')
        return
      }
      if (b2.num > 0) {
        const t = ps.transfers?.get(`2|${ex.resourceKey()}`) as Transfer | undefined
        if (t !== undefined) {
          this.#sendResponse(ex, t.code, t.options.slice(), t.body, undefined)
          return
        }
      }
    }
    this.#invoke(ex)
  }

  #invoke(ex: ServerExchange): void {
    const handler = this.#handler
    if (handler === undefined) {
      this.#respondCode(ex, Code.NotFound)
      return
    }
    ex.counted = true
    ex.peerState.serverInFlight++
    let result: ResponseInit | Promise<ResponseInit>
    try {
      result = handler(ex, ex.context())
    } catch (err) {
      this.#handlerFailed(ex, err)
      return
    }
    if (
      result !== null &&
      typeof result === 'object' &&
      typeof (result as Promise<ResponseInit>).then === 'function'
    ) {
      this.#queue.schedule(
        ex,
        this.clock.now() + (ex.confirmable ? this.#separateDelay : this.#handlerTimeout),
      )
      ;(result as Promise<ResponseInit>).then(
        (init) => this.#respond(ex, init),
        (err) => this.#handlerFailed(ex, err),
      )
      return
    }
    this.#respond(ex, result as ResponseInit)
  }

  #handlerFailed(ex: ServerExchange, err: unknown): void {
    this.logger.error('request handler failed', {
      peer: ex.peer.address,
      port: ex.peer.port,
      path: ex.path.join('/'),
      error: err instanceof Error ? err.stack : String(err),
    })
    this.#respondCode(ex, Code.InternalServerError)
  }

  #respondCode(ex: ServerExchange, code: number, diagnostic?: string): void {
    this.#respond(ex, diagnostic === undefined ? { code } : { code, payload: diagnostic })
  }

  /** @internal The handler is slow: acknowledge the CON now, answer later (RFC 7252 section 5.2.2). */
  separateAckDue(ex: ServerExchange): void {
    if (ex.done || this.#closed) return
    if (ex.confirmable && !ex.ackSent && !ex.peerState.gone) {
      ex.ackSent = true
      const ack = ackBytes(ex.messageId)
      this.#dedup.setReply(ex.dedupSlot, ex.dedupId, ack)
      this.#sendRaw(ack, ex.peerState.peer)
      this.#queue.schedule(ex, this.clock.now() + Math.max(0, this.#handlerTimeout - this.#separateDelay))
      return
    }
    // The handler never answered: give the exchange up, so that it does not hold the
    // peer's quota for ever. A late answer is ignored.
    ex.done = true
    if (ex.counted) {
      ex.counted = false
      ex.peerState.serverInFlight--
    }
    this.#signalled.delete(ex)
    ex.abort(new CoapTimeoutError(`the handler did not answer within ${this.#handlerTimeout} ms`))
    this.logger.warn('request handler did not answer in time', {
      peer: ex.peer.address,
      port: ex.peer.port,
      path: ex.path.join('/'),
    })
  }

  /** @internal */
  trackSignal(ex: ServerExchange): void {
    this.#signalled.add(ex)
  }

  #respond(ex: ServerExchange, init: ResponseInit): void {
    if (ex.done || this.#closed) return
    let code: number
    let options: CoapOption[]
    let payload: Uint8Array
    try {
      code = responseCode(init)
      if (!isResponseCode(code))
        throw new CoapError('COAP_INVALID_ARGUMENT', `${code} is not a response code`)
      options = responseOptions(init)
      payload = payloadBytes(init.payload)
    } catch (err) {
      this.logger.error('invalid response from handler', { error: (err as Error).message })
      code = Code.InternalServerError
      options = []
      payload = EMPTY
    }
    const obs = ex.observation
    if (obs !== undefined && !obs.ended) {
      if (isSuccessCode(code)) {
        // RFC 7641 section 4.1: the registration's response carries Observe.
        obs.registered = true
        obs.lastConAt = this.clock.now()
        options.push({ number: OptionNumber.Observe, value: encodeUint(obs.seq) })
      } else obs.terminate('error')
    }
    if (ex.block1Echo !== undefined)
      options.push({ number: OptionNumber.Block1, value: encodeBlock(ex.block1Echo) })
    this.#sendResponse(ex, code, options, payload, obs)
  }

  /** Applies Block2 (RFC 7959 section 2.2-2.4) to a response body, caching it when it spans blocks. */
  #block2Body(
    ps: PeerState,
    keyOf: { resourceKey(): string },
    code: number,
    options: CoapOption[],
    body: Uint8Array,
    requested: BlockValue | undefined,
    size2: boolean,
  ): Uint8Array | undefined {
    let szx = this.#szx
    if (requested !== undefined && requested.szx < szx) szx = requested.szx
    const size = blockSize(szx)
    if (requested === undefined && body.length <= size) {
      if (size2) options.push({ number: OptionNumber.Size2, value: encodeUint(body.length) })
      return body
    }
    const offset = requested === undefined ? 0 : requested.num * blockSize(Math.min(requested.szx, 6))
    if (offset > 0 && offset >= body.length) return undefined
    const num = offset / size
    const end = Math.min(offset + size, body.length)
    const more = end < body.length
    if (num === 0 && more) {
      // Keep the body for the following blocks; the cache entry is replaced by a newer one.
      const t = this.#obtainTransfer(ps, `2|${keyOf.resourceKey()}`, true)
      t.code = code
      // Later blocks answer plain requests: no Observe, no Block1 echo (RFC 7959 section 2.6).
      t.options = options.filter((o) => o.number !== OptionNumber.Observe && o.number !== OptionNumber.Block1)
      t.body = body
    }
    options.push({ number: OptionNumber.Block2, value: encodeBlock({ num, more, szx }) })
    if (size2 || (num === 0 && more))
      options.push({ number: OptionNumber.Size2, value: encodeUint(body.length) })
    return body.subarray(offset, end)
  }

  #sendResponse(
    ex: ServerExchange,
    code: number,
    options: CoapOption[],
    payload: Uint8Array,
    obs: ServerObservationImpl | undefined,
  ): void {
    if (ex.done) return
    ex.done = true
    const ps = ex.peerState
    if (ex.counted) {
      ex.counted = false
      ps.serverInFlight--
    }
    if (ex.heapIndex >= 0) this.#queue.cancel(ex)
    if (this.#signalled.size > 0) this.#signalled.delete(ex)
    if (ps.gone) return // its address belongs to another session now
    let body: Uint8Array | undefined = payload
    if (isSuccessCode(code) || payload.length > blockSize(this.#szx)) {
      const wantSize2 = getUintOption(ex.options, OptionNumber.Size2) === 0
      body = this.#block2Body(ps, ex, code, options, payload, ex.block2, wantSize2)
    }
    if (body === undefined) {
      code = Code.BadOption
      options = []
      body = EMPTY
      obs?.terminate('error')
    }
    // RFC 7967: No-Response suppresses classes of answers (bit 2: 2.xx, bit 8: 4.xx, bit 16: 5.xx).
    const nr = getUintOption(ex.options, OptionNumber.NoResponse)
    if (nr !== undefined && nr !== 0) {
      const cls = code >>> 5
      const bit = cls === 2 ? 2 : cls === 4 ? 8 : cls === 5 ? 16 : 0
      if ((nr & bit) !== 0) {
        if (ex.confirmable && !ex.ackSent) {
          const ack = ackBytes(ex.messageId)
          this.#dedup.setReply(ex.dedupSlot, ex.dedupId, ack)
          this.#sendRaw(ack, ex.peerState.peer)
        }
        return
      }
    }
    const sorted = sorted_(options)
    if (ex.confirmable && !ex.ackSent) {
      // Piggybacked (RFC 7252 section 5.2.1); kept for duplicates of the request.
      const bytes = encodeMessage({
        type: MessageType.ACK,
        code,
        messageId: ex.messageId,
        token: ex.token,
        options: sorted,
        payload: body,
      })
      this.#dedup.setReply(ex.dedupSlot, ex.dedupId, bytes)
      this.#sendRaw(bytes, ex.peerState.peer)
      return
    }
    const mid = this.nextMessageId(ps)
    const confirmable = ex.confirmable // separate response to a CON goes as CON (section 5.2.2)
    const bytes = encodeMessage({
      type: confirmable ? MessageType.CON : MessageType.NON,
      code,
      messageId: mid,
      token: ex.token,
      options: sorted,
      payload: body,
    })
    if (confirmable) {
      const owner: OutgoingOwner = obs?.registered ? obs : this.#detached
      this.transmit(new Outgoing(this, ps, mid, bytes, true, false, owner))
    } else {
      this.#sendRaw(bytes, ex.peerState.peer)
      if (obs?.registered) obs.rememberNonMid(mid)
    }
  }

  // ---- server: block-wise ----------------------------------------------------

  #obtainTransfer(ps: PeerState, key: string, replace: boolean): Transfer {
    const map = (ps.transfers ??= new Map())
    let t = map.get(key) as Transfer | undefined
    if (t !== undefined && replace) {
      this.dropTransfer(t)
      t = undefined
    }
    if (t === undefined) {
      // Bounded per kind: kept Block2 bodies never push out Block1 uploads in progress.
      const kind = key.charCodeAt(0)
      let count = 0
      let oldest: Transfer | undefined
      for (const other of map.values() as IterableIterator<Transfer>) {
        if (other.key.charCodeAt(0) !== kind) continue
        count++
        oldest ??= other
      }
      if (count >= this.limits.maxBlockTransfersPerPeer && oldest !== undefined) this.dropTransfer(oldest)
      t = new Transfer(this, ps, key)
      map.set(key, t)
    }
    this.#queue.schedule(t, this.clock.now() + this.#blockTimeout)
    return t
  }

  /** @internal */
  dropTransfer(t: Transfer): void {
    this.#queue.cancel(t)
    const map = t.peerState.transfers
    if (map !== undefined && map.get(t.key) === t) map.delete(t.key)
  }

  /** Block1 (RFC 7959 section 2.3): true when the body is complete and the handler should run. */
  #block1(ps: PeerState, ex: ServerExchange, raw: Uint8Array): boolean {
    const b1 = decodeBlock(raw)
    if (b1 === undefined || b1.szx > 6) {
      this.#respondCode(ex, Code.BadOption, 'bad Block1')
      return false
    }
    const size = blockSize(b1.szx)
    const offset = b1.num * size
    const payload = ex.payload
    if ((b1.more && payload.length !== size) || payload.length > size) {
      this.#respondCode(ex, Code.BadRequest, `block of ${payload.length} bytes with size ${size}`)
      return false
    }
    const size1 = getUintOption(ex.options, OptionNumber.Size1)
    const max = this.limits.maxBodySize
    if ((size1 !== undefined && size1 > max) || offset + payload.length > max) {
      // RFC 7959 section 2.9.3: 4.13 with Size1 telling the maximum.
      this.#respond(ex, {
        code: Code.RequestEntityTooLarge,
        options: [{ number: OptionNumber.Size1, value: encodeUint(max) }],
      })
      const key = this.#block1Key(ex)
      const t = ps.transfers?.get(key) as Transfer | undefined
      if (t !== undefined) this.dropTransfer(t)
      return false
    }
    if (offset === 0 && !b1.more) {
      ex.block1Echo = b1
      return true
    }
    const key = this.#block1Key(ex)
    let t: Transfer | undefined
    if (offset === 0) t = this.#obtainTransfer(ps, key, true)
    else {
      t = ps.transfers?.get(key) as Transfer | undefined
      if (t === undefined || t.received !== offset) {
        if (t !== undefined) this.dropTransfer(t)
        // RFC 7959 section 2.9.2: a block out of sequence.
        this.#respondCode(ex, Code.RequestEntityIncomplete)
        return false
      }
      this.#queue.schedule(t, this.clock.now() + this.#blockTimeout)
    }
    t.chunks.push(payload.slice())
    t.received += payload.length
    const szx = Math.min(b1.szx, this.#szx)
    if (b1.more) {
      this.#respond(ex, {
        code: Code.Continue,
        options: [{ number: OptionNumber.Block1, value: encodeBlock({ num: b1.num, more: true, szx }) }],
      })
      return false
    }
    const body = new Uint8Array(t.received)
    let pos = 0
    for (const c of t.chunks) {
      body.set(c, pos)
      pos += c.length
    }
    this.dropTransfer(t)
    ex.payload = body
    ex.block1Echo = { num: b1.num, more: false, szx: b1.szx }
    return true
  }

  #block1Key(ex: ServerExchange): string {
    const tags = ex.options
      .filter((o) => o.number === OptionNumber.RequestTag)
      .map((o) => Buffer.from(o.value).toString('hex'))
    return `1|${tags.join(',')}|${ex.resourceKey(false)}`
  }

  // ---- server: observe ------------------------------------------------------

  /** @internal */
  createObservation(ex: ServerExchange): ServerObservationImpl | undefined {
    if (ex.done || this.#closed) return undefined
    if ((ex.code !== Code.GET && ex.code !== Code.FETCH) || ex.observe !== 0) return undefined
    const ps = ex.peerState
    const map = (ps.observers ??= new Map())
    if (map.size >= this.limits.maxObservationsPerPeer) return undefined
    const obs = new ServerObservationImpl(this, ps, ex)
    const old = map.get(obs.tokenHex)
    if (old !== undefined) old.terminate('replaced')
    // Observe numbers start from a clock-derived value so that a re-registration is newer (RFC 7641 section 4.4).
    obs.seq = Math.floor(this.clock.now() / 1000) & 0xffffff
    map.set(obs.tokenHex, obs)
    ex.observation = obs
    return obs
  }

  /** @internal */
  removeObservation(obs: ServerObservationImpl): void {
    const map = obs.peerState.observers
    if (map !== undefined && map.get(obs.tokenHex) === obs) map.delete(obs.tokenHex)
  }

  /** @internal */
  sendNotification(
    obs: ServerObservationImpl,
    init: ResponseInit,
    confirmable: boolean | undefined,
  ): Promise<void> {
    if (this.#closed) return Promise.reject(new CoapError('COAP_CLOSED', 'the endpoint is closed'))
    let code: number
    let options: CoapOption[]
    let payload: Uint8Array
    try {
      code = responseCode(init)
      if (!isResponseCode(code))
        throw new CoapError('COAP_INVALID_ARGUMENT', `${code} is not a response code`)
      options = responseOptions(init)
      payload = payloadBytes(init.payload)
    } catch (err) {
      return Promise.reject(err)
    }
    if (!isSuccessCode(code)) {
      // RFC 7641 section 4.2: an error notification ends the relation; it goes without Observe.
      this.sendFinal(obs, init)
      obs.terminate('ended')
      return Promise.resolve()
    }
    const ps = obs.peerState
    const now = this.clock.now()
    obs.seq = nextObserveSequence(obs.seq)
    options.push({ number: OptionNumber.Observe, value: encodeUint(obs.seq) })
    const body = this.#block2Body(ps, obs, code, options, payload, undefined, false) ?? payload
    // RFC 7641 section 4.5: at least one CON notification every 24 hours.
    const con = confirmable === true || now - obs.lastConAt >= this.#conInterval
    const mid = this.nextMessageId(ps)
    const bytes = encodeMessage({
      type: con ? MessageType.CON : MessageType.NON,
      code,
      messageId: mid,
      token: obs.token,
      options: sortOptions(options),
      payload: body,
    })
    if (!con) {
      this.#sendRaw(bytes, ps.peer)
      obs.rememberNonMid(mid)
      return Promise.resolve()
    }
    obs.lastConAt = now
    return new Promise<void>((resolve, reject) => {
      const out = new Outgoing(this, ps, mid, bytes, true, false, obs)
      out.resolve = resolve
      out.reject = reject
      const prev = obs.inFlight
      if (prev !== undefined) {
        // RFC 7641 section 4.5.2: the newer notification replaces the one in flight,
        // keeping its retransmission counter and timeout.
        out.retransmits = prev.retransmits
        out.timeout = prev.timeout
        this.cancelOutgoing(prev)
        prev.resolve?.()
      }
      obs.inFlight = out
      this.transmit(out)
    })
  }

  /** @internal A last response without Observe, ending an observation. */
  sendFinal(obs: ServerObservationImpl, init: ResponseInit): void {
    if (this.#closed) return
    let code: number
    let options: CoapOption[]
    let payload: Uint8Array
    try {
      code = responseCode(init)
      options = responseOptions(init)
      payload = payloadBytes(init.payload)
    } catch (err) {
      this.logger.error('invalid final notification', { error: (err as Error).message })
      return
    }
    const ps = obs.peerState
    const mid = this.nextMessageId(ps)
    const bytes = encodeMessage({
      type: MessageType.CON,
      code,
      messageId: mid,
      token: obs.token,
      options: sortOptions(options),
      payload: payload.length > blockSize(this.#szx) ? payload.subarray(0, blockSize(this.#szx)) : payload,
    })
    this.transmit(new Outgoing(this, ps, mid, bytes, true, false, this.#detached))
  }

  // ---- lifecycle --------------------------------------------------------------

  close(): Promise<void> {
    if (this.#closing !== undefined) return this.#closing
    this.#closed = true
    const err = new CoapError('COAP_CLOSED', 'the endpoint was closed')
    for (const req of [...this.#tokens.values()]) {
      const obs = req.attachment as ClientObservation | undefined
      if (obs !== undefined) this.#endClientObservation(obs, err)
      req.fail(err)
    }
    for (const ps of this.#peers.values()) {
      if (ps.observers) for (const obs of [...ps.observers.values()]) obs.terminate('closed')
      for (const out of [...ps.outgoing.values()]) {
        this.#settle(out)
        out.owner.onGiveUp(out, err)
      }
      for (const out of ps.waiting ?? []) if (!out.cancelled) out.owner.onGiveUp(out, err)
      ps.waiting = undefined
    }
    for (const ex of this.#signalled) ex.abort(err)
    this.#signalled.clear()
    this.#queue.close()
    this.#closing = this.transport.close()
    return this.#closing
  }
}

/**
 * Creates a CoAP endpoint on a transport and opens it: client (`request`, `observe`,
 * `ping`) and server (`handler`) at once. See {@link EndpointOptions} for the knobs.
 */
export async function createEndpoint(options: EndpointOptions): Promise<LocalEndpoint> {
  const ep = new Endpoint(options)
  await ep.open()
  return ep
}
