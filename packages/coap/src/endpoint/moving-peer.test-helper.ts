/**
 * A secure-session stand-in for tests of peers that move: the "client" side prefixes each
 * datagram with a one-byte session number (as a DTLS record carries the Connection ID,
 * RFC 9146 section 3), the "server" side strips it and, when a session's datagram arrives
 * from a new address, tells its user through `TransportEvents.peerMoved` before handing the
 * datagram up (RFC 9146 section 6: the newest record moves the peer). The client side can
 * rebind: its socket is replaced by one on another port, as a NAT would give it.
 */
import type { MemoryNetwork } from '../transport/memory.js'
import {
  type DatagramHandler,
  type Peer,
  peerKey,
  type SendCallback,
  type Transport,
  type TransportAddress,
  type TransportEvents,
  transportSymbol,
} from '../transport/types.js'

/** The side that tracks sessions: sends go to each session's newest address. */
export function sessionServer(inner: Transport): Transport & { readonly moves: number } {
  const where = new Map<number, Peer>()
  let moves = 0
  return {
    [transportSymbol]: true,
    scheme: 'coaps',
    get moves() {
      return moves
    },
    open(handler: DatagramHandler, events?: TransportEvents) {
      return inner.open((data, from) => {
        if (data.length < 1) return
        const session = data[0]!
        const known = where.get(session)
        const peer: Peer = {
          address: from.address,
          port: from.port,
          identity: { mode: 'psk', identity: `s${session}` },
        }
        if (known !== undefined && peerKey(known) !== peerKey(peer)) {
          moves++
          where.set(session, peer)
          events?.peerMoved?.(known, peer)
        } else if (known === undefined) where.set(session, peer)
        handler(data.subarray(1), where.get(session)!)
      })
    },
    send(datagram: Uint8Array, peer: Peer, callback?: SendCallback) {
      inner.send(datagram, peer, callback)
    },
    address: () => inner.address(),
    close: () => inner.close(),
  }
}

/** The side behind a NAT: one session, a socket that `rebind()` replaces with one on another port. */
export interface MovingClient extends Transport {
  /** Moves to a new port (or the one given), closing the old socket. */
  rebind(port?: number): Promise<void>
}

export function movingClient(net: MemoryNetwork, session: number, port?: number): MovingClient {
  let current: Transport | undefined
  let handler: DatagramHandler | undefined
  const bind = async (p: number | undefined): Promise<void> => {
    const t = net.transport(p === undefined ? {} : { port: p })
    await t.open((data, from) => handler?.(data, from))
    const old = current
    current = t
    await old?.close()
  }
  return {
    [transportSymbol]: true,
    scheme: 'coaps',
    async open(h: DatagramHandler) {
      handler = h
      await bind(port)
    },
    send(datagram: Uint8Array, peer: Peer, callback?: SendCallback) {
      const framed = new Uint8Array(datagram.length + 1)
      framed[0] = session
      framed.set(datagram, 1)
      current!.send(framed, peer, callback)
    },
    address: (): TransportAddress => current!.address(),
    close: async () => {
      handler = undefined
      await current?.close()
    },
    rebind: (p?: number) => bind(p),
  }
}
