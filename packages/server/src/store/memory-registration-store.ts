import type { Peer } from '@lwm2m/coap'
import type { Registration } from '../registration/registration.js'
import { identityKey } from '../security/identity.js'
import { addressKey, type RegistrationStore } from './registration-store.js'

/** A stored registration and its place in the expiry heap. */
interface Entry {
  reg: Registration
  heapIndex: number
  /** The key of the peer index this entry holds (identity or address). */
  peerKey: string
}

/** The peer index key: the identity when the peer has one (it may move), else the address. */
function peerKeyOf(transport: number, peer: Peer): string {
  return peer.identity === undefined ? addressKey(transport, peer) : identityKey(peer.identity)
}

/** The in-memory registration store with its inspection helpers. */
export interface MemoryRegistrationStore extends RegistrationStore {
  add(registration: Registration): Registration | undefined
  update(registration: Registration): Registration | undefined
  remove(id: string, options?: { readonly expiredBy?: number }): Registration | undefined
  getById(id: string): Registration | undefined
  getByEndpoint(endpoint: string): Registration | undefined
  getByPeer(transport: number, peer: Peer): Registration | undefined
  size(): number
  values(): IterableIterator<Registration>
  nextExpiry(): number | undefined
  expired(now: number, limit: number): readonly Registration[]
}

/**
 * The default {@link RegistrationStore}: Maps by id, endpoint name and peer (identity or
 * address), and a binary min-heap of expiry times, so that every operation is O(1) or
 * O(log n) and nothing is ever scanned. Synchronous underneath; its results are plain values.
 */
export function createMemoryRegistrationStore(): MemoryRegistrationStore {
  const byId = new Map<string, Entry>()
  const byEndpoint = new Map<string, Entry>()
  const byPeer = new Map<string, Entry>()
  const heap: Entry[] = []

  function siftUp(i: number): void {
    const item = heap[i]!
    while (i > 0) {
      const p = (i - 1) >> 1
      const parent = heap[p]!
      if (parent.reg.expiresAt <= item.reg.expiresAt) break
      heap[i] = parent
      parent.heapIndex = i
      i = p
    }
    heap[i] = item
    item.heapIndex = i
  }

  function siftDown(i: number): void {
    const n = heap.length
    const item = heap[i]!
    for (;;) {
      const l = 2 * i + 1
      if (l >= n) break
      const r = l + 1
      const c = r < n && heap[r]!.reg.expiresAt < heap[l]!.reg.expiresAt ? r : l
      const child = heap[c]!
      if (child.reg.expiresAt >= item.reg.expiresAt) break
      heap[i] = child
      child.heapIndex = i
      i = c
    }
    heap[i] = item
    item.heapIndex = i
  }

  function heapRemove(e: Entry): void {
    const i = e.heapIndex
    if (i < 0) return
    const last = heap.pop()!
    e.heapIndex = -1
    if (i < heap.length) {
      heap[i] = last
      last.heapIndex = i
      siftUp(i)
      siftDown(last.heapIndex)
    }
  }

  function heapInsert(e: Entry): void {
    if (e.reg.expiresAt === Number.POSITIVE_INFINITY) return
    e.heapIndex = heap.length
    heap.push(e)
    siftUp(e.heapIndex)
  }

  function unindex(e: Entry): void {
    byId.delete(e.reg.id)
    if (byEndpoint.get(e.reg.endpoint) === e) byEndpoint.delete(e.reg.endpoint)
    if (byPeer.get(e.peerKey) === e) byPeer.delete(e.peerKey)
    heapRemove(e)
  }

  const store: MemoryRegistrationStore = {
    add(reg) {
      const old = byEndpoint.get(reg.endpoint)
      if (old !== undefined) unindex(old)
      const same = byId.get(reg.id)
      if (same !== undefined) unindex(same)
      const e: Entry = { reg, heapIndex: -1, peerKey: peerKeyOf(reg.transport, reg.peer) }
      byId.set(reg.id, e)
      byEndpoint.set(reg.endpoint, e)
      byPeer.set(e.peerKey, e)
      heapInsert(e)
      return old?.reg
    },
    update(reg) {
      const e = byId.get(reg.id)
      if (e === undefined) return undefined
      const previous = e.reg
      e.reg = reg
      const key = peerKeyOf(reg.transport, reg.peer)
      if (key !== e.peerKey) {
        if (byPeer.get(e.peerKey) === e) byPeer.delete(e.peerKey)
        e.peerKey = key
      }
      byPeer.set(key, e)
      if (previous.endpoint !== reg.endpoint) {
        if (byEndpoint.get(previous.endpoint) === e) byEndpoint.delete(previous.endpoint)
        byEndpoint.set(reg.endpoint, e)
      }
      if (e.heapIndex >= 0) {
        if (reg.expiresAt === Number.POSITIVE_INFINITY) heapRemove(e)
        else {
          siftUp(e.heapIndex)
          siftDown(e.heapIndex)
        }
      } else heapInsert(e)
      return previous
    },
    remove(id, options) {
      const e = byId.get(id)
      if (e === undefined) return undefined
      if (options?.expiredBy !== undefined && e.reg.expiresAt > options.expiredBy) return undefined
      unindex(e)
      return e.reg
    },
    getById: (id) => byId.get(id)?.reg,
    getByEndpoint: (endpoint) => byEndpoint.get(endpoint)?.reg,
    getByPeer: (transport, peer) => byPeer.get(peerKeyOf(transport, peer))?.reg,
    size: () => byId.size,
    *values() {
      for (const e of byId.values()) yield e.reg
    },
    nextExpiry: () => heap[0]?.reg.expiresAt,
    expired(now, limit) {
      // Walks the heap in order without removing: a bounded best-first search from the root.
      const out: Registration[] = []
      if (heap.length === 0 || heap[0]!.reg.expiresAt > now) return out
      const frontier: number[] = [0]
      while (frontier.length > 0 && out.length < limit) {
        // The frontier stays small (at most `limit` + 1 entries): pick its earliest.
        let best = 0
        for (let k = 1; k < frontier.length; k++) {
          if (heap[frontier[k]!]!.reg.expiresAt < heap[frontier[best]!]!.reg.expiresAt) best = k
        }
        const i = frontier[best]!
        frontier[best] = frontier[frontier.length - 1]!
        frontier.pop()
        out.push(heap[i]!.reg)
        for (const c of [2 * i + 1, 2 * i + 2]) {
          if (c < heap.length && heap[c]!.reg.expiresAt <= now) frontier.push(c)
        }
      }
      return out
    },
  }
  return store
}
