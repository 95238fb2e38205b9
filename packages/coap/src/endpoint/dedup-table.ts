import type { Deadline } from '../time/deadline-queue.js'
import type { PeerState } from './peer.js'

/** What the table needs from its endpoint: the deadline queue. */
export interface DedupHost {
  schedule(item: Deadline, at: number): void
}

/**
 * The deduplication memory of an endpoint (RFC 7252 section 4.5), laid out as columns
 * of typed arrays in a ring of fixed capacity, in arrival order, plus a byte arena for
 * the replies to repeat. An entry costs about 60 bytes and allocates nothing that the
 * garbage collector has to carry: at tens of thousands of messages a second the
 * memory stays flat. Each peer maps its Message IDs to slots and links its own entries
 * in arrival order, so that its oldest goes first when it reaches its own bound.
 *
 * Entries expire in ring order; a lookup also checks the entry's own expiry, so that
 * lifetimes (EXCHANGE_LIFETIME for CON, NON_LIFETIME for NON) hold exactly.
 */
export class DedupTable implements Deadline {
  deadline = 0
  heapIndex = -1
  readonly capacity: number
  readonly #host: DedupHost
  readonly #mid: Uint16Array
  readonly #code: Uint8Array
  readonly #token: Int32Array
  readonly #expires: Float64Array
  /** Unique id of the entry in a slot (never reused); 0 for a free slot. */
  readonly #id: Float64Array
  readonly #replyAt: Float64Array
  readonly #replyLen: Int32Array
  readonly #next: Int32Array
  readonly #prev: Int32Array
  readonly #peer: (PeerState | undefined)[]
  readonly #arena: Uint8Array
  #arenaPos = 0
  #head = 0
  #used = 0
  #live = 0
  #nextId = 1
  #scheduled = false

  constructor(host: DedupHost, capacity: number, arenaBytes = capacity * 64) {
    this.#host = host
    this.capacity = capacity
    this.#mid = new Uint16Array(capacity)
    this.#code = new Uint8Array(capacity)
    this.#token = new Int32Array(capacity)
    this.#expires = new Float64Array(capacity)
    this.#id = new Float64Array(capacity)
    this.#replyAt = new Float64Array(capacity)
    this.#replyLen = new Int32Array(capacity)
    this.#next = new Int32Array(capacity)
    this.#prev = new Int32Array(capacity)
    this.#peer = new Array<PeerState | undefined>(capacity).fill(undefined)
    this.#arena = new Uint8Array(Math.max(4096, arenaBytes))
  }

  /** Entries held. */
  get size(): number {
    return this.#live
  }

  /** The slot of a live entry matching a message, or -1. */
  find(ps: PeerState, mid: number, code: number, token: number, now: number): number {
    const slot = ps.dedup.get(mid)
    if (slot === undefined) return -1
    if (this.#expires[slot]! <= now) {
      this.#free(slot)
      return -1
    }
    return this.#code[slot] === code && this.#token[slot] === token ? slot : -1
  }

  /** The id of the entry in `slot`, to check later that the slot still holds it. */
  idOf(slot: number): number {
    return this.#id[slot]!
  }

  /** A copy of the reply kept for `slot`, if any (and not overwritten in the arena since). */
  reply(slot: number): Uint8Array | undefined {
    const at = this.#replyAt[slot]!
    if (at < 0 || this.#arenaPos - at > this.#arena.length) return undefined
    const start = at % this.#arena.length
    return this.#arena.slice(start, start + this.#replyLen[slot]!)
  }

  /** True if the slot has an entry but no reply yet (the handler is still running). */
  pending(slot: number): boolean {
    return this.#replyAt[slot]! < 0
  }

  /** Keeps the reply to repeat for the entry `id` in `slot` (no-op if it is gone). */
  setReply(slot: number, id: number, bytes: Uint8Array): void {
    if (this.#id[slot] !== id) return
    const size = this.#arena.length
    const len = bytes.length
    if (len > size >> 2) {
      this.#replyAt[slot] = Number.NEGATIVE_INFINITY // too large to keep: answered, but not repeatable
      return
    }
    let pos = this.#arenaPos
    if ((pos % size) + len > size) pos += size - (pos % size)
    this.#arena.set(bytes, pos % size)
    this.#replyAt[slot] = pos
    this.#replyLen[slot] = len
    this.#arenaPos = pos + len
  }

  /**
   * Remembers a message; returns its slot. The peer's oldest entry goes when it holds
   * `perPeer` already, the table's oldest when the table is full.
   */
  add(ps: PeerState, mid: number, code: number, token: number, expires: number, perPeer: number): number {
    const old = ps.dedup.get(mid)
    if (old !== undefined) this.#free(old)
    else if (ps.dedup.size >= perPeer && ps.dedupHead >= 0) this.#free(ps.dedupHead)
    if (this.#used === this.capacity) this.#shift()
    const slot = (this.#head + this.#used) % this.capacity
    this.#used++
    this.#live++
    this.#mid[slot] = mid
    this.#code[slot] = code
    this.#token[slot] = token
    this.#expires[slot] = expires
    this.#id[slot] = this.#nextId++
    this.#replyAt[slot] = -1
    this.#peer[slot] = ps
    ps.dedup.set(mid, slot)
    this.#next[slot] = -1
    this.#prev[slot] = ps.dedupTail
    if (ps.dedupTail >= 0) this.#next[ps.dedupTail] = slot
    else ps.dedupHead = slot
    ps.dedupTail = slot
    if (!this.#scheduled) {
      this.#scheduled = true
      this.#host.schedule(this, expires)
    }
    return slot
  }

  #free(slot: number): void {
    const ps = this.#peer[slot]
    if (ps === undefined) return
    this.#peer[slot] = undefined
    this.#id[slot] = 0
    this.#live--
    const mid = this.#mid[slot]!
    if (ps.dedup.get(mid) === slot) ps.dedup.delete(mid)
    const p = this.#prev[slot]!
    const n = this.#next[slot]!
    if (p >= 0) this.#next[p] = n
    else ps.dedupHead = n
    if (n >= 0) this.#prev[n] = p
    else ps.dedupTail = p
  }

  /** Frees the ring's first slot (live or a hole). */
  #shift(): void {
    this.#free(this.#head)
    this.#head = (this.#head + 1) % this.capacity
    this.#used--
  }

  onDeadline(now: number): void {
    this.#scheduled = false
    let budget = 100_000
    while (this.#used > 0 && budget-- > 0) {
      const h = this.#head
      if (this.#peer[h] !== undefined && this.#expires[h]! > now) break
      this.#shift()
    }
    if (this.#used > 0) {
      this.#scheduled = true
      const h = this.#head
      this.#host.schedule(this, this.#peer[h] === undefined ? now + 1 : Math.max(this.#expires[h]!, now + 1))
    }
  }
}
