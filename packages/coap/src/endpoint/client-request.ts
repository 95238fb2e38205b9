import { CoapError, CoapResetError, CoapTimeoutError } from '../errors.js'
import { blockSize, decodeBlock, encodeBlock } from '../message/block.js'
import { encodeMessage } from '../message/codec.js'
import { Code, isSuccessCode } from '../message/codes.js'
import { encodeUint, getOption, getUintOption, OptionNumber, sortOptions } from '../message/options.js'
import { type CoapMessage, type CoapOption, MessageType } from '../message/types.js'
import type { Deadline } from '../time/deadline-queue.js'
import type { Peer } from '../transport/types.js'
import { Outgoing, type OutgoingOwner, type RetransmissionDriver } from './outgoing.js'
import type { PeerState } from './peer.js'
import { ReceivedResponse } from './response.js'
import type { CoapResponse } from './types.js'

/** What a client request needs from its endpoint. */
export interface ClientSide extends RetransmissionDriver {
  readonly maxBodySize: number
  now(): number
  nextMessageId(peer: PeerState): number
  newRequestTag(): Uint8Array
  transmit(out: Outgoing): void
  cancelOutgoing(out: Outgoing): void
  registerToken(req: ClientRequest): void
  releaseToken(req: ClientRequest): void
  schedule(item: Deadline, at: number): void
  unschedule(item: Deadline): void
  /** A response or notification after the registration, for observations. */
  notificationArrived(req: ClientRequest, message: CoapMessage, from: Peer): void
  /** Fetches the blocks after `first` with another token and no Observe (RFC 7959 section 2.6). */
  fetchRemainingBlocks(
    parent: ClientRequest,
    first: CoapMessage,
    chunks: Uint8Array[],
    length: number,
    done: RequestCallback,
  ): ClientRequest
}

/** How a request ends: exactly once, with a response or an error. */
export type RequestCallback = (error: CoapError | undefined, response: ReceivedResponse | undefined) => void

/** The description of a request as the state machine needs it. */
export interface RequestSpec {
  readonly code: number
  /** Options without Block1/Block2/Size1/Request-Tag. */
  readonly options: readonly CoapOption[]
  readonly body: Uint8Array
  readonly confirmable: boolean
  /** Preferred block size exponent (0-6). */
  readonly szx: number
  /** Ask for Block2 from the first request (early negotiation, RFC 7959 section 2.4). */
  readonly earlyBlock2: boolean
  readonly observe: boolean
  /** Overall deadline in ms from now; 0 for none. */
  readonly timeout: number
  /** Use this token instead of a new one (active cancellation of an observation). */
  readonly token?: Uint8Array
  /** Continue a Block2 transfer whose first block(s) already arrived (notifications). */
  readonly seed?: { readonly first: CoapMessage; readonly chunks: Uint8Array[]; readonly length: number }
}

const EMPTY = new Uint8Array(0)

function sameBytes(a: Uint8Array | undefined, b: Uint8Array | undefined): boolean {
  if (a === undefined || b === undefined) return a === b
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

function concat(chunks: Uint8Array[], length: number): Uint8Array {
  if (chunks.length === 1) return chunks[0]!
  const out = new Uint8Array(length)
  let pos = 0
  for (const c of chunks) {
    out.set(c, pos)
    pos += c.length
  }
  return out
}

/**
 * The client side of one request (RFC 7252 section 5): token matching, piggybacked and
 * separate responses, Block1 upload and Block2 download (RFC 7959), and the Observe
 * registration (RFC 7641). Ends once through `callback`; an accepted observation stays
 * registered by token afterwards and receives notifications through the endpoint.
 */
export class ClientRequest implements Deadline, OutgoingOwner {
  deadline = 0
  heapIndex = -1
  token: Uint8Array = EMPTY
  tokenKey = 0
  out: Outgoing | undefined = undefined
  done = false
  /** Observe registration accepted: notifications flow (see the endpoint). */
  observing = false
  lastSeq = 0
  lastAt = 0
  /** Whatever the endpoint attaches (the Observation of a registration). */
  attachment: unknown = undefined
  /** An abort of the caller's signal leaves an accepted observation running (it has its own). */
  keepOnAbort = false

  #holdsPeer = false
  // Block1 (upload)
  #b1 = false
  #b1Szx: number
  #b1Offset = 0
  #b1Sent = 0
  #b1Retried = false
  #requestTag: Uint8Array | undefined
  // Block2 (download)
  #b2Chunks: Uint8Array[] | undefined
  #b2Length = 0
  #b2Etag: Uint8Array | undefined
  #b2Szx: number
  #b2Next = 0
  #b2Restarts = 0
  #b2First: CoapMessage | undefined

  constructor(
    readonly side: ClientSide,
    readonly peerState: PeerState,
    readonly target: Peer,
    readonly spec: RequestSpec,
    readonly callback: RequestCallback,
  ) {
    this.#b1Szx = spec.szx
    this.#b2Szx = spec.szx
    if (spec.body.length > blockSize(spec.szx)) this.#b1 = true
    if (spec.seed !== undefined) {
      const first = spec.seed.first
      const b2 = decodeBlock(getOption(first.options, OptionNumber.Block2) ?? EMPTY)!
      this.#b2First = first
      this.#b2Chunks = spec.seed.chunks
      this.#b2Length = spec.seed.length
      this.#b2Etag = getOption(first.options, OptionNumber.ETag)
      this.#b2Szx = Math.min(b2.szx, spec.szx)
      this.#b2Next = this.#b2Length / blockSize(this.#b2Szx)
    }
  }

  start(): void {
    if (this.spec.token !== undefined) this.token = this.spec.token
    this.side.registerToken(this)
    this.peerState.clientActive++
    this.#holdsPeer = true
    if (this.spec.timeout > 0) this.side.schedule(this, this.side.now() + this.spec.timeout)
    this.#send()
  }

  #send(): void {
    const spec = this.spec
    // Copied only when block-wise options join the request's own.
    let opts = spec.options as CoapOption[]
    let own = true
    let payload = spec.body
    if (this.#b1) {
      const size = blockSize(this.#b1Szx)
      const end = Math.min(this.#b1Offset + size, spec.body.length)
      payload = spec.body.subarray(this.#b1Offset, end)
      this.#b1Sent = end - this.#b1Offset
      const more = end < spec.body.length
      if (own) {
        opts = opts.slice()
        own = false
      }
      opts.push({
        number: OptionNumber.Block1,
        value: encodeBlock({ num: this.#b1Offset / size, more, szx: this.#b1Szx }),
      })
      if (this.#b1Offset === 0) opts.push({ number: OptionNumber.Size1, value: encodeUint(spec.body.length) })
      this.#requestTag ??= this.side.newRequestTag()
      opts.push({ number: OptionNumber.RequestTag, value: this.#requestTag })
    } else if (this.#b2Next > 0 || (spec.earlyBlock2 && this.#b2Chunks === undefined)) {
      if (this.#b2Next > 0 && spec.code !== Code.FETCH && spec.code !== Code.GET) payload = EMPTY
      if (own) {
        opts = opts.slice()
        own = false
      }
      opts.push({
        number: OptionNumber.Block2,
        value: encodeBlock({ num: this.#b2Next, more: false, szx: this.#b2Szx }),
      })
    }
    const mid = this.side.nextMessageId(this.peerState)
    const bytes = encodeMessage({
      type: spec.confirmable ? MessageType.CON : MessageType.NON,
      code: spec.code,
      messageId: mid,
      token: this.token,
      options: own ? spec.options : sortOptions(opts),
      payload,
    })
    const out = new Outgoing(this.side, this.peerState, mid, bytes, spec.confirmable, spec.confirmable, this)
    this.out = out
    this.side.transmit(out)
  }

  onAcknowledged(out: Outgoing, response: CoapMessage | undefined, from: Peer): void {
    if (out !== this.out) return
    // A piggybacked response must carry the request's token (RFC 7252 section 5.3.2);
    // one that does not acknowledges the request but answers nothing.
    if (response !== undefined && sameBytes(response.token, this.token)) this.onResponse(response, from)
    // An Empty ACK: the response comes separately (RFC 7252 section 5.2.2).
  }

  onReset(out: Outgoing): void {
    if (out === this.out) this.fail(new CoapResetError())
  }

  onGiveUp(out: Outgoing, error: CoapError): void {
    if (out === this.out) this.fail(error)
  }

  onDeadline(): void {
    this.fail(new CoapTimeoutError(`no response within ${this.spec.timeout} ms`))
  }

  /** A response with our token from our peer (piggybacked or separate). */
  onResponse(msg: CoapMessage, from: Peer): void {
    if (this.observing) {
      this.side.notificationArrived(this, msg, from)
      return
    }
    if (this.done) return
    const out = this.out
    if (out !== undefined) {
      // A separate response also acknowledges the request (RFC 7252 section 5.2.2).
      this.side.cancelOutgoing(out)
      this.out = undefined
    }
    const code = msg.code
    if (this.#b1) {
      const b1 = decodeBlock(getOption(msg.options, OptionNumber.Block1) ?? EMPTY)
      if (
        code === Code.Continue &&
        b1 !== undefined &&
        getOption(msg.options, OptionNumber.Block1) !== undefined
      ) {
        // RFC 7959 section 2.3: next block; a smaller szx from the server is adopted (late negotiation).
        this.#b1Offset += this.#b1Sent
        if (b1.szx < this.#b1Szx) this.#b1Szx = b1.szx
        if (this.#b1Offset >= this.spec.body.length) {
          this.fail(new CoapError('COAP_BLOCKWISE', '2.31 Continue after the last block'))
          return
        }
        if (this.#b1Offset % blockSize(this.#b1Szx) !== 0) {
          this.fail(new CoapError('COAP_BLOCKWISE', 'server block size does not divide the bytes sent'))
          return
        }
        this.#send()
        return
      }
      if (
        code === Code.RequestEntityTooLarge &&
        b1 !== undefined &&
        b1.szx < this.#b1Szx &&
        this.#b1Offset === 0 &&
        !this.#b1Retried
      ) {
        // RFC 7959 section 2.9.3: the server asks for smaller blocks; start over with them.
        this.#b1Retried = true
        this.#b1Szx = b1.szx
        this.#send()
        return
      }
      this.#b1 = false
    } else if (
      code === Code.RequestEntityTooLarge &&
      this.spec.body.length > 0 &&
      !this.#b1Retried &&
      getOption(msg.options, OptionNumber.Block1) !== undefined
    ) {
      // RFC 7959 section 2.9.3: a body refused whole may be sent in blocks of the size the server names.
      const b1 = decodeBlock(getOption(msg.options, OptionNumber.Block1)!)
      if (b1 !== undefined && b1.szx < 7) {
        this.#b1Retried = true
        this.#b1 = true
        this.#b1Szx = Math.min(b1.szx, this.spec.szx)
        this.#b1Offset = 0
        this.#send()
        return
      }
    }
    const b2raw = getOption(msg.options, OptionNumber.Block2)
    const b2 = b2raw === undefined ? undefined : decodeBlock(b2raw)
    if (b2 !== undefined && (b2.more || this.#b2Chunks !== undefined) && isSuccessCode(code)) {
      this.#onBlock2(msg, b2.num, b2.more, b2.szx, from)
      return
    }
    this.#finish(msg, msg.payload, from)
  }

  #onBlock2(msg: CoapMessage, num: number, more: boolean, szx: number, from: Peer): void {
    if (szx > 6) {
      this.fail(new CoapError('COAP_BLOCKWISE', 'BERT block size over UDP'))
      return
    }
    const etag = getOption(msg.options, OptionNumber.ETag)
    if (this.#b2Chunks !== undefined && this.#b2Length > 0 && !sameBytes(etag, this.#b2Etag)) {
      // RFC 7959 section 2.4: the representation changed during the transfer; start over.
      if (this.#b2Restarts++ < 3 && !this.spec.observe) {
        this.#b2Chunks = undefined
        this.#b2Length = 0
        this.#b2Next = 0
        this.#send()
      } else this.fail(new CoapError('COAP_BLOCKWISE', 'ETag changed during a block-wise transfer'))
      return
    }
    if (num * blockSize(szx) !== this.#b2Length) {
      this.fail(
        new CoapError(
          'COAP_BLOCKWISE',
          `got block ${num} (size ${blockSize(szx)}) at offset ${this.#b2Length}`,
        ),
      )
      return
    }
    if (this.#b2Chunks === undefined) {
      this.#b2Chunks = []
      this.#b2Etag = etag
      this.#b2First = msg
    }
    if (this.#b2Length + msg.payload.length > this.side.maxBodySize) {
      this.fail(new CoapError('COAP_LIMIT', `response body over ${this.side.maxBodySize} bytes`))
      return
    }
    if (more && msg.payload.length !== blockSize(szx)) {
      this.fail(
        new CoapError(
          'COAP_BLOCKWISE',
          `block ${num} has ${msg.payload.length} bytes, not ${blockSize(szx)}`,
        ),
      )
      return
    }
    this.#b2Chunks.push(msg.payload)
    this.#b2Length += msg.payload.length
    if (more) {
      this.#b2Szx = Math.min(szx, this.spec.szx)
      this.#b2Next = this.#b2Length / blockSize(this.#b2Szx)
      const seq = this.spec.observe ? getUintOption(msg.options, OptionNumber.Observe) : undefined
      if (seq !== undefined) {
        // Registration answered with Block2: the rest comes with requests without Observe
        // and another token (RFC 7959 section 2.6); this token stays for the notifications.
        this.observing = true
        this.lastSeq = seq
        this.lastAt = this.side.now()
        this.side.fetchRemainingBlocks(this, msg, this.#b2Chunks, this.#b2Length, (err, res) => {
          if (err !== undefined) this.fail(err)
          else this.#complete(res!)
        })
        return
      }
      this.#send()
      return
    }
    this.#finish(this.#b2First ?? msg, concat(this.#b2Chunks, this.#b2Length), from)
  }

  #finish(msg: CoapMessage, payload: Uint8Array, from: Peer): void {
    this.done = true
    this.side.unschedule(this)
    const observe =
      this.spec.observe &&
      isSuccessCode(msg.code) &&
      getUintOption(msg.options, OptionNumber.Observe) !== undefined
    if (observe) {
      this.observing = true
      this.lastSeq = getUintOption(msg.options, OptionNumber.Observe)!
      this.lastAt = this.side.now()
      // The peer's state stays while the observation lives (notifications match it).
    } else {
      this.side.releaseToken(this)
      this.releasePeer()
    }
    this.callback(undefined, new ReceivedResponse(msg, payload, from))
  }

  #complete(res: ReceivedResponse): void {
    if (this.done) return
    this.done = true
    this.side.unschedule(this)
    if (!this.observing) this.releasePeer()
    this.callback(undefined, res)
  }

  /** Lets the peer's state go (once): the request, or the observation it made, is over. */
  releasePeer(): void {
    if (!this.#holdsPeer) return
    this.#holdsPeer = false
    this.peerState.clientActive--
  }

  /** Ends the request with an error (timeout, RST, abort, closing); no-op once done. */
  fail(error: CoapError): void {
    if (this.done && !this.observing) return
    if (this.observing) {
      // An accepted observation ends: the endpoint's cancel logic owns it from here.
      this.observing = false
      this.side.releaseToken(this)
      this.releasePeer()
      if (this.done) return
    }
    this.done = true
    this.releasePeer()
    this.side.unschedule(this)
    if (this.out !== undefined) {
      this.side.cancelOutgoing(this.out)
      this.out = undefined
    }
    this.side.releaseToken(this)
    this.callback(error, undefined)
  }
}

export type { CoapResponse }
