import { createSocket, type Socket } from 'node:dgram'
import type { Peer } from '@lwm2m/coap'
import type { DtlsTransport } from '../../src/index.js'

/** Resolves when `cond` holds, polling; rejects after `ms`. */
export async function waitFor(cond: () => boolean, ms = 5000, what = 'condition'): Promise<void> {
  const end = Date.now() + ms
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 5))
  }
}

/** An echo server handler: answers every datagram with "echo:" + data. */
export function echo(server: DtlsTransport): (data: Uint8Array, peer: Peer) => void {
  return (data, peer) => server.send(Buffer.concat([Buffer.from('echo:'), data]), peer)
}

/** Sends `text` from the client and resolves with the server's answer. */
export function roundTrip(
  client: DtlsTransport,
  inbox: Array<{ data: Buffer; peer: Peer }>,
  to: Peer,
  text: string,
  ms = 5000,
): Promise<{ data: Buffer; peer: Peer }> {
  const before = inbox.length
  return new Promise((resolve, reject) => {
    client.send(Buffer.from(text), to, (e) => {
      if (e) reject(e)
    })
    waitFor(() => inbox.length > before, ms, `answer to ${text}`).then(() => resolve(inbox[before]!), reject)
  })
}

/**
 * A UDP relay between a client and a server that can drop, capture, inject and re-bind
 * (a NAT rebinding: the server then sees the client from a new port).
 */
export class Relay {
  private front!: Socket
  private back!: Socket
  private client: { address: string; port: number } | undefined
  /** Returns false to drop a datagram. */
  filter: (dir: 'up' | 'down', d: Buffer) => boolean = () => true
  readonly captured: Array<{ dir: 'up' | 'down'; data: Buffer }> = []

  constructor(private readonly target: { address: string; port: number }) {}

  async open(): Promise<number> {
    this.front = createSocket('udp4')
    await new Promise<void>((r) => this.front.bind(0, '127.0.0.1', () => r()))
    this.front.on('message', (d, rinfo) => {
      this.client = { address: rinfo.address, port: rinfo.port }
      this.captured.push({ dir: 'up', data: d })
      if (this.filter('up', d)) this.back.send(d, this.target.port, this.target.address)
    })
    await this.newBack()
    return this.front.address().port
  }

  private async newBack(): Promise<void> {
    const s = createSocket('udp4')
    await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()))
    s.on('message', (d) => {
      this.captured.push({ dir: 'down', data: d })
      if (this.client !== undefined && this.filter('down', d))
        this.front.send(d, this.client.port, this.client.address)
    })
    this.back = s
  }

  /** The port the server sees the client on. */
  get backPort(): number {
    return this.back.address().port
  }

  /** Switches to a new outbound socket (new source port), like a NAT rebinding. */
  async rebind(): Promise<void> {
    const old = this.back
    await this.newBack()
    old.close()
  }

  /** Sends raw bytes to the server from the current outbound socket. */
  inject(d: Uint8Array): void {
    this.back.send(d, this.target.port, this.target.address)
  }

  close(): void {
    this.front.close()
    this.back.close()
  }
}

/**
 * Like {@link roundTrip}, but resends up to `tries` times: DTLS does not retransmit
 * application data (CoAP does), and a loaded machine may drop a loopback datagram.
 */
export async function roundTripWithRetry(
  client: DtlsTransport,
  inbox: Array<{ data: Buffer; peer: Peer }>,
  to: Peer,
  text: string,
  tries = 5,
): Promise<{ data: Buffer; peer: Peer }> {
  let last: unknown
  for (let i = 0; i < tries; i++) {
    try {
      return await roundTrip(client, inbox, to, text, 2000)
    } catch (e) {
      last = e
    }
  }
  throw last
}
