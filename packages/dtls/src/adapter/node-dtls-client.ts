import { createSocket } from 'node:dgram'
import { isIPv6 } from 'node:net'
import {
  type DatagramHandler,
  type Logger,
  type Peer,
  peerKey,
  type SendCallback,
  silentLogger,
  type Transport,
  type TransportAddress,
  transportSymbol,
} from '@lwm2m/coap'
import { dtls } from 'node-dtls-client'
import { DtlsError } from '../errors.js'
import type { PskClientOptions } from '../transport/options.js'

/** Options of the node-dtls-client adapter (PSK only: that is what node-dtls-client implements). */
export interface NodeDtlsClientOptions {
  /** The PSK identity and key, or a function choosing them per server. */
  readonly psk: PskClientOptions | ((peer: Peer) => PskClientOptions | undefined)
  /** Cipher suites to offer, by node-dtls-client's names (default: its full list). */
  readonly ciphers?: readonly string[]
  /** Handshake timeout in milliseconds (default 10000). */
  readonly timeout?: number
  /** Bytes of data queued per server while its handshake runs (default 65536). */
  readonly maxQueuedBytes?: number
  /**
   * Local port of the socket for the first server (default: a free port picked at `open`,
   * so that `address()` is known up front). Later servers get sockets on ephemeral ports.
   */
  readonly localPort?: number
  readonly logger?: Logger
}

interface Entry {
  readonly socket: dtls.Socket
  readonly peer: Peer
  connected: boolean
  queue: Array<{ data: Uint8Array; callback: SendCallback | undefined }>
  queued: number
}

/**
 * A client `Transport` over node-dtls-client (npm, 1.1.x): one of its sockets per
 * server, the handshake started by the first datagram sent there, data queued until it
 * completes. An alternative to `dtlsClient` for PSK, proving the Transport contract is
 * implementation-neutral. Caveat of node-dtls-client 1.1: it throws inside its own code
 * when a server sends a PSK identity hint, so use it only with servers that send none.
 */
export class NodeDtlsClientTransport implements Transport {
  readonly [transportSymbol] = true as const
  readonly scheme = 'coaps' as const
  readonly maxDatagramSize = 1152
  private readonly options: NodeDtlsClientOptions
  private readonly logger: Logger
  private readonly sockets = new Map<string, Entry>()
  private handler: DatagramHandler | undefined
  private closed = false
  private lastAddress: TransportAddress = { address: '0.0.0.0', port: 0, family: 'IPv4' }

  constructor(options: NodeDtlsClientOptions) {
    this.options = options
    this.logger = options.logger ?? silentLogger
  }

  async open(handler: DatagramHandler): Promise<void> {
    if (this.handler !== undefined) {
      throw new DtlsError('DTLS_INVALID_ARGUMENT', 'the transport is already open')
    }
    let port = this.options.localPort
    if (port === undefined) {
      // node-dtls-client binds one socket per server when it connects; pick the first one's port now.
      const probe = createSocket('udp4')
      await new Promise<void>((resolve) => probe.bind(0, '0.0.0.0', () => resolve()))
      port = probe.address().port
      await new Promise<void>((resolve) => probe.close(() => resolve()))
    }
    this.firstPort = port
    this.lastAddress = { address: '0.0.0.0', port, family: 'IPv4' }
    this.handler = handler
  }

  /** The local address: that of the first server's socket (each server gets its own socket). */
  address(): TransportAddress {
    if (this.handler === undefined) {
      throw new DtlsError('DTLS_INVALID_ARGUMENT', 'the transport is not open')
    }
    return this.lastAddress
  }

  private firstPort: number | undefined

  send(datagram: Uint8Array, peer: Peer, callback?: SendCallback): void {
    if (this.handler === undefined || this.closed) {
      callback?.(new DtlsError('DTLS_CLOSED', 'the transport is not open'))
      return
    }
    let e = this.sockets.get(peerKey(peer))
    if (e === undefined) {
      try {
        e = this.connect(peer)
      } catch (err) {
        callback?.(
          DtlsError.isInstance(err)
            ? err
            : new DtlsError('DTLS_INVALID_ARGUMENT', String((err as Error).message), { cause: err }),
        )
        return
      }
    }
    if (!e.connected) {
      const max = this.options.maxQueuedBytes ?? 65_536
      if (e.queued + datagram.length > max) {
        callback?.(new DtlsError('DTLS_LIMIT', 'too much data queued while the handshake runs'))
        return
      }
      e.queued += datagram.length
      e.queue.push({ data: datagram, callback })
      return
    }
    this.write(e, datagram, callback)
  }

  private write(e: Entry, data: Uint8Array, callback: SendCallback | undefined): void {
    try {
      e.socket.send(Buffer.from(data), (err) =>
        callback?.(
          err ? new DtlsError('DTLS_SOCKET', `send failed: ${err.message}`, { cause: err }) : undefined,
        ),
      )
    } catch (err) {
      callback?.(new DtlsError('DTLS_CLOSED', String((err as Error).message), { cause: err }))
    }
  }

  private connect(peer: Peer): Entry {
    const psk = typeof this.options.psk === 'function' ? this.options.psk(peer) : this.options.psk
    if (psk === undefined) throw new DtlsError('DTLS_INVALID_ARGUMENT', `no PSK for ${peerKey(peer)}`)
    // node-dtls-client turns the key string into bytes with Buffer.from(key, 'ascii'), which maps
    // each code unit to its low byte: latin1 carries any binary key through unchanged.
    const socket = dtls.createSocket({
      type: isIPv6(peer.address) ? 'udp6' : 'udp4',
      address: peer.address,
      port: peer.port,
      psk: { [psk.identity]: Buffer.from(psk.key).toString('latin1') },
      timeout: this.options.timeout ?? 10_000,
      ...(this.firstPort !== undefined && !isIPv6(peer.address) ? { listenPort: this.firstPort } : {}),
      ...(this.options.ciphers === undefined ? {} : { ciphers: [...this.options.ciphers] as never }),
    })
    const identified: Peer = {
      address: peer.address,
      port: peer.port,
      identity: { mode: 'psk', identity: psk.identity },
    }
    const e: Entry = { socket, peer: identified, connected: false, queue: [], queued: 0 }
    const key = peerKey(peer)
    this.sockets.set(key, e)
    this.firstPort = undefined
    socket.on('connected', () => {
      e.connected = true
      const udp = (
        socket as unknown as { udp?: { address(): { address: string; port: number; family: string } } }
      ).udp
      try {
        const a = udp?.address()
        if (a !== undefined)
          this.lastAddress = {
            address: a.address,
            port: a.port,
            family: a.family === 'IPv6' ? 'IPv6' : 'IPv4',
          }
      } catch {
        // not bound
      }
      const q = e.queue
      e.queue = []
      e.queued = 0
      for (const s of q) this.write(e, s.data, s.callback)
    })
    socket.on('message', (msg: Buffer) => this.handler?.(new Uint8Array(msg), identified))
    socket.on('error', (err: Error) => {
      this.logger.info('node-dtls-client: session error', { peer: key, error: err.message })
      this.drop(
        key,
        e,
        new DtlsError('DTLS_HANDSHAKE_FAILED', `node-dtls-client: ${err.message}`, { cause: err }),
      )
    })
    socket.on('close', () => this.drop(key, e, new DtlsError('DTLS_CLOSED', 'the session was closed')))
    return e
  }

  private drop(key: string, e: Entry, error: DtlsError): void {
    if (this.sockets.get(key) === e) this.sockets.delete(key)
    const q = e.queue
    e.queue = []
    for (const s of q) s.callback?.(error)
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    const all = [...this.sockets.entries()]
    this.sockets.clear()
    await Promise.all(
      all.map(
        ([, e]) =>
          new Promise<void>((resolve) => {
            for (const s of e.queue) s.callback?.(new DtlsError('DTLS_CLOSED', 'the transport was closed'))
            e.queue = []
            if (!e.connected) {
              try {
                ;(e.socket as unknown as { udp: { close(): void } }).udp.close()
              } catch {
                // already closed
              }
              resolve()
              return
            }
            const t = setTimeout(resolve, 500)
            try {
              e.socket.close(() => {
                clearTimeout(t)
                resolve()
              })
            } catch {
              clearTimeout(t)
              resolve()
            }
          }),
      ),
    )
  }
}

/** A client Transport over node-dtls-client (PSK). */
export function nodeDtlsClient(options: NodeDtlsClientOptions): NodeDtlsClientTransport {
  return new NodeDtlsClientTransport(options)
}
