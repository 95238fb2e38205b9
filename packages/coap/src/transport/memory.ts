import { isIP } from 'node:net'
import { CoapError } from '../errors.js'
import {
  type DatagramHandler,
  type Peer,
  peerKey,
  type SendCallback,
  type Transport,
  type TransportAddress,
  transportSymbol,
} from './types.js'

/** Options of {@link createMemoryNetwork}. */
export interface MemoryNetworkOptions {
  /** Largest datagram carried; larger ones fail to send. Default 65507 as UDP. */
  readonly maxDatagramSize?: number
}

/** Options of {@link MemoryNetwork.transport}. */
export interface MemoryTransportOptions {
  /** Address of the transport: an IPv4 or IPv6 literal; default 127.0.0.1. */
  readonly address?: string
  /** Port; 0 or absent picks a free one. */
  readonly port?: number
  readonly scheme?: 'coap' | 'coaps'
}

/** A network of in-memory transports that deliver to each other. */
export interface MemoryNetwork {
  /** A new transport on this network, with its own address (open it to bind). */
  transport(options?: MemoryTransportOptions): Transport
  /** Datagrams delivered so far. */
  readonly delivered: number
  /** Datagrams sent to an address nobody is bound to (lost, as UDP would). */
  readonly undeliverable: number
}

/**
 * An in-memory datagram network for tests and simulations of thousands of peers
 * without sockets: transports bound on it deliver to each other asynchronously (in a
 * later turn of the event loop, in send order), copying each datagram as a network would.
 */
export function createMemoryNetwork(options: MemoryNetworkOptions = {}): MemoryNetwork {
  const max = options.maxDatagramSize ?? 65507
  const bound = new Map<string, { handler: DatagramHandler; address: TransportAddress }>()
  let nextPort = 20000
  let delivered = 0
  let undeliverable = 0
  // One queue flushed per turn: no closure or timer per datagram.
  const queue: { to: string; from: Peer; data: Uint8Array }[] = []
  let scheduled = false
  const flush = (): void => {
    scheduled = false
    const batch = queue.splice(0, queue.length)
    for (const d of batch) {
      const target = bound.get(d.to)
      if (target === undefined) {
        undeliverable++
        continue
      }
      delivered++
      try {
        target.handler(d.data, d.from)
      } catch {
        // A receiver that throws does not take the network down.
      }
    }
  }

  function transport(topts: MemoryTransportOptions = {}): Transport {
    const address = topts.address ?? '127.0.0.1'
    const family = isIP(address) === 6 ? 'IPv6' : 'IPv4'
    if (isIP(address) === 0)
      throw new CoapError('COAP_INVALID_ARGUMENT', `memory transport address ${address}`)
    let local: TransportAddress | undefined
    let self: Peer | undefined
    let closed = false
    return {
      [transportSymbol]: true,
      scheme: topts.scheme ?? 'coap',
      maxDatagramSize: max,
      async open(handler) {
        if (local !== undefined || closed)
          throw new CoapError('COAP_TRANSPORT', 'memory transport opened twice')
        let port = topts.port ?? 0
        if (port === 0) {
          let tries = 0
          do {
            if (nextPort > 65535) nextPort = 1024
            port = nextPort++
            if (++tries > 65536) throw new CoapError('COAP_TRANSPORT', `no free port on ${address}`)
          } while (bound.has(peerKey({ address, port })))
        } else if (bound.has(peerKey({ address, port }))) {
          throw new CoapError('COAP_TRANSPORT', `address in use: ${peerKey({ address, port })}`)
        }
        local = { address, port, family }
        self = { address, port }
        bound.set(peerKey(local), { handler, address: local })
      },
      send(datagram: Uint8Array, peer: Peer, callback?: SendCallback) {
        if (local === undefined || closed || self === undefined) {
          callback?.(new CoapError('COAP_TRANSPORT', 'memory transport is not open'))
          return
        }
        if (datagram.length > max) {
          callback?.(new CoapError('COAP_TRANSPORT', `datagram of ${datagram.length} bytes exceeds ${max}`))
          return
        }
        queue.push({ to: peerKey(peer), from: self, data: datagram.slice() })
        if (!scheduled) {
          scheduled = true
          setImmediate(flush)
        }
        callback?.()
      },
      address() {
        if (local === undefined) throw new CoapError('COAP_TRANSPORT', 'memory transport is not open')
        return local
      },
      async close() {
        if (closed) return
        closed = true
        if (local !== undefined) bound.delete(peerKey(local))
      },
    }
  }

  return {
    transport,
    get delivered() {
      return delivered
    },
    get undeliverable() {
      return undeliverable
    },
  }
}
