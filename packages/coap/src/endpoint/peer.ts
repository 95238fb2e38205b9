import type { ServerObservationImpl } from '../observe/server-observation.js'
import type { Peer } from '../transport/types.js'
import type { Outgoing } from './outgoing.js'

/** Something a peer holds server-side for a block-wise transfer, evicted oldest first. */
export interface PeerTransfer {
  dispose(): void
}

const HEARD = 1
const DRAINING = 2
const GONE = 4

/** Everything the endpoint keeps for one remote address and port. */
export class PeerState {
  peer: Peer
  /** When the peer was created or last sent us a datagram (see {@link PeerState.heard}). */
  lastActive = 0
  /** Incoming Message IDs seen within their lifetime: slots of the endpoint's DedupTable. */
  readonly dedup = new Map<number, number>()
  /** The peer's oldest and newest slots in the DedupTable (-1 for none). */
  dedupHead = -1
  dedupTail = -1
  /** Our messages awaiting ACK or RST, by Message ID. */
  readonly outgoing = new Map<number, Outgoing>()
  /** Server-side observations, by token (hex). */
  observers: Map<string, ServerObservationImpl> | undefined
  /** Server-side block-wise state (Block1 reassembly, Block2 bodies), by key. */
  transfers: Map<string, PeerTransfer> | undefined
  /** Requests of this peer whose handler is running. */
  serverInFlight = 0
  /** Client requests of ours to this peer that are not finished. */
  clientActive = 0
  /** CON requests of ours awaiting ACK (NSTART). */
  nstartActive = 0
  waiting: Outgoing[] | undefined
  /** HEARD | DRAINING | GONE: one small integer, not three fields, per peer (memory per client). */
  #flags = 0

  /** The peer sent us a datagram at some time: `lastActive` is then when it last did. */
  get heard(): boolean {
    return (this.#flags & HEARD) !== 0
  }
  set heard(v: boolean) {
    this.#flags = v ? this.#flags | HEARD : this.#flags & ~HEARD
  }
  /** The NSTART queue is being worked through (see Endpoint's settle). */
  get draining(): boolean {
    return (this.#flags & DRAINING) !== 0
  }
  set draining(v: boolean) {
    this.#flags = v ? this.#flags | DRAINING : this.#flags & ~DRAINING
  }
  /** Out of the table for good (its address went to another session): nothing more is sent for it. */
  get gone(): boolean {
    return (this.#flags & GONE) !== 0
  }
  set gone(v: boolean) {
    this.#flags = v ? this.#flags | GONE : this.#flags & ~GONE
  }

  constructor(
    /** Where the peer is: changed only by {@link PeerTable.move}. */
    public address: string,
    public port: number,
    peer: Peer,
  ) {
    this.peer = peer
  }

  idle(): boolean {
    return (
      this.dedup.size === 0 &&
      this.outgoing.size === 0 &&
      (this.observers === undefined || this.observers.size === 0) &&
      (this.transfers === undefined || this.transfers.size === 0) &&
      this.serverInFlight === 0 &&
      this.clientActive === 0 &&
      (this.waiting === undefined || this.waiting.length === 0)
    )
  }
}

/** Peers by address and port (two map lookups, no string built per datagram), bounded. */
export class PeerTable {
  readonly #byAddress = new Map<string, Map<number, PeerState>>()
  #size = 0

  constructor(readonly max: number) {}

  get size(): number {
    return this.#size
  }

  get(address: string, port: number): PeerState | undefined {
    return this.#byAddress.get(address)?.get(port)
  }

  /** The peer's state, created if needed; undefined when the table is full of busy peers. */
  obtain(peer: Peer, now: number): PeerState | undefined {
    let ports = this.#byAddress.get(peer.address)
    let ps = ports?.get(peer.port)
    if (ps !== undefined) return ps
    if (this.#size >= this.max) {
      this.sweep(now, 0)
      if (this.#size >= this.max) return undefined
      ports = this.#byAddress.get(peer.address)
    }
    ps = new PeerState(peer.address, peer.port, peer)
    ps.lastActive = now
    if (ports === undefined) this.#byAddress.set(peer.address, (ports = new Map()))
    ports.set(peer.port, ps)
    this.#size++
    return ps
  }

  /**
   * Re-keys a peer's state to its new address (the peer moved within its secure session,
   * RFC 9146): everything it holds goes with it. Returns the state that was at the new
   * address before, now out of the table, for the caller to wind up.
   */
  move(ps: PeerState, to: Peer): PeerState | undefined {
    this.remove(ps)
    let ports = this.#byAddress.get(to.address)
    const displaced = ports?.get(to.port)
    if (displaced !== undefined) this.#size--
    ps.address = to.address
    ps.port = to.port
    ps.peer = to
    if (ports === undefined) this.#byAddress.set(to.address, (ports = new Map()))
    ports.set(to.port, ps)
    this.#size++
    return displaced
  }

  /** Takes a peer's state out of the table. */
  remove(ps: PeerState): void {
    const ports = this.#byAddress.get(ps.address)
    if (ports?.get(ps.port) !== ps) return
    ports.delete(ps.port)
    if (ports.size === 0) this.#byAddress.delete(ps.address)
    this.#size--
  }

  /** Forgets peers with no state that were not active for `idleFor` ms. */
  sweep(now: number, idleFor: number): number {
    let removed = 0
    for (const [address, ports] of this.#byAddress) {
      for (const [port, ps] of ports) {
        if (ps.idle() && now - ps.lastActive >= idleFor) {
          ports.delete(port)
          removed++
        }
      }
      if (ports.size === 0) this.#byAddress.delete(address)
    }
    this.#size -= removed
    return removed
  }

  *values(): IterableIterator<PeerState> {
    for (const ports of this.#byAddress.values()) yield* ports.values()
  }
}
