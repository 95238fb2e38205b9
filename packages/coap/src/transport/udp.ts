import { createSocket, type Socket } from 'node:dgram'
import { lookup as dnsLookup } from 'node:dns'
import { isIP } from 'node:net'
import { CoapError } from '../errors.js'
import { type Logger, silentLogger } from '../log.js'
import {
  type DatagramHandler,
  type Peer,
  type SendCallback,
  type Transport,
  type TransportAddress,
  transportSymbol,
} from './types.js'

/** Options of {@link udp}. */
export interface UdpOptions {
  /** Address to bind; defaults to all interfaces of the family ("0.0.0.0" or "::"). */
  readonly host?: string
  /** Port to bind; 0 (the default) lets the OS choose. */
  readonly port?: number
  /** Socket family; defaults to udp6 when `host` is an IPv6 literal, else udp4. */
  readonly type?: 'udp4' | 'udp6'
  readonly reuseAddr?: boolean
  /** Only with type udp6: refuse IPv4-mapped traffic. */
  readonly ipv6Only?: boolean
  readonly logger?: Logger
}

const MAX_UDP_PAYLOAD = 65507

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string, family: number) => void

/**
 * A `lookup` for node:dgram's `createSocket`. node:dgram resolves the destination of every
 * send through dns.lookup, which answers an address literal a tick later. Peers are address
 * literals (they come from received datagrams), so they are answered at once; names still
 * go to dns.lookup. Used by `udp()`, and by other datagram transports (DTLS).
 */
export function literalLookup(hostname: string, options: unknown, callback: LookupCallback): void {
  const family = isIP(hostname)
  if (family !== 0) {
    callback(null, hostname, family)
    return
  }
  dnsLookup(hostname, options as number, callback as never)
}

/**
 * Plain CoAP over UDP (node:dgram), IPv4 or IPv6. Send errors go to the callback and
 * the log, never thrown; `close()` may be called any number of times. Datagrams sent without
 * a callback go out in order at the end of the current turn of the event loop, together (a
 * send with a callback, and `close()`, sends them first); the caller leaves a datagram it
 * sent unchanged, as it would for any queued send of node:dgram.
 */
export function udp(options: UdpOptions = {}): Transport {
  const type = options.type ?? (options.host !== undefined && isIP(options.host) === 6 ? 'udp6' : 'udp4')
  const host = options.host ?? (type === 'udp6' ? '::' : '0.0.0.0')
  const logger = options.logger ?? silentLogger
  let socket: Socket | undefined
  let closing: Promise<void> | undefined
  let bound: TransportAddress | undefined
  // Datagrams sent without a callback wait, in order, for the end of the current turn of the
  // event loop (its check phase, right after the I/O callbacks), then go out back to back. A
  // peer woken by the first of them finds the others with it: sent one by one as each received
  // datagram is handled, each woke it again (a process switch per datagram on a loaded
  // machine; about a third of a server's time per request in the LwM2M benchmark).
  let outData: Uint8Array[] = []
  let outPeers: Peer[] = []
  let flushing: ReturnType<typeof setImmediate> | undefined

  const sendNow = (s: Socket, datagram: Uint8Array, peer: Peer): void => {
    try {
      // Without a callback libuv may send at once, with no request object or completion
      // callback: the fast path. Errors then come as the socket's 'error' event, which is logged.
      s.send(datagram, peer.port, peer.address)
    } catch (err) {
      // Synchronous throws (bad address or port, socket closed) are logged.
      const e = err instanceof Error ? err : new Error(String(err))
      logger.debug('udp send failed', { peer: peer.address, port: peer.port, error: e.message })
    }
  }

  // Called by its immediate, or early (a send with a callback, close()): then the immediate
  // is cancelled, so that no stale one runs beside the next.
  const flush = (): void => {
    if (flushing !== undefined) {
      clearImmediate(flushing)
      flushing = undefined
    }
    const s = socket
    const data = outData
    const peers = outPeers
    if (data.length === 0) return
    outData = []
    outPeers = []
    if (s === undefined) return
    for (let i = 0; i < data.length; i++) sendNow(s, data[i]!, peers[i]!)
  }

  const transport: Transport = {
    [transportSymbol]: true,
    scheme: 'coap',
    maxDatagramSize: MAX_UDP_PAYLOAD,
    open(handler: DatagramHandler): Promise<void> {
      if (socket !== undefined)
        return Promise.reject(new CoapError('COAP_TRANSPORT', 'udp transport opened twice'))
      const s = createSocket({
        type,
        reuseAddr: options.reuseAddr ?? false,
        ipv6Only: options.ipv6Only ?? false,
        lookup: literalLookup,
      })
      socket = s
      return new Promise<void>((resolve, reject) => {
        const onError = (err: Error): void => {
          s.removeListener('listening', onListening)
          socket = undefined
          s.close()
          reject(
            new CoapError('COAP_TRANSPORT', `cannot bind udp ${host}:${options.port ?? 0}: ${err.message}`, {
              cause: err,
            }),
          )
        }
        const onListening = (): void => {
          s.removeListener('error', onError)
          const a = s.address()
          bound = { address: a.address, port: a.port, family: a.family === 'IPv6' ? 'IPv6' : 'IPv4' }
          s.on('error', (err) => logger.warn('udp socket error', { error: err.message }))
          s.on('message', (msg, rinfo) => {
            // A plain Uint8Array view over the received Buffer: no copy, the same type on every transport.
            handler(new Uint8Array(msg.buffer, msg.byteOffset, msg.length), {
              address: rinfo.address,
              port: rinfo.port,
            })
          })
          resolve()
        }
        s.once('error', onError)
        s.once('listening', onListening)
        s.bind(options.port ?? 0, host)
      })
    },
    send(datagram: Uint8Array, peer: Peer, callback?: SendCallback): void {
      const s = socket
      if (s === undefined || closing !== undefined) {
        callback?.(new CoapError('COAP_TRANSPORT', 'udp transport is not open'))
        return
      }
      if (callback === undefined) {
        outData.push(datagram)
        outPeers.push(peer)
        flushing ??= setImmediate(flush)
        return
      }
      // Datagrams waiting go first: the order of sends is kept.
      if (outData.length > 0) flush()
      try {
        s.send(datagram, peer.port, peer.address, (err) => callback(err ?? undefined))
      } catch (err) {
        // Synchronous throws (bad address or port, socket closed) become callback errors.
        const e = err instanceof Error ? err : new Error(String(err))
        callback(new CoapError('COAP_TRANSPORT', e.message, { cause: e }))
      }
    },
    address(): TransportAddress {
      if (bound === undefined) throw new CoapError('COAP_TRANSPORT', 'udp transport is not open')
      return bound
    },
    close(): Promise<void> {
      if (closing !== undefined) return closing
      const s = socket
      if (s === undefined) {
        closing = Promise.resolve()
        return closing
      }
      // What was sent goes out before the socket closes.
      flush()
      closing = new Promise<void>((resolve) => {
        try {
          s.close(() => resolve())
        } catch {
          resolve()
        }
      })
      return closing
    },
  }
  return transport
}
