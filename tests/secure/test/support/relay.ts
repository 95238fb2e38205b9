import { createSocket, type Socket } from 'node:dgram'

/**
 * A UDP relay on 127.0.0.1 standing for a NAT between a client and a server: the server sees
 * the client at the relay's outbound port, and `rebind()` moves to a new outbound port (a NAT
 * rebinding) while the client keeps its own socket. Counts datagrams both ways.
 */
export class NatRelay {
  #front: Socket | undefined
  #back: Socket | undefined
  #client: { address: string; port: number } | undefined
  up = 0
  down = 0

  constructor(private readonly target: { address: string; port: number }) {}

  /** Opens the relay; resolves with the port clients send to. */
  async open(): Promise<number> {
    const front = createSocket('udp4')
    await new Promise<void>((r) => front.bind(0, '127.0.0.1', () => r()))
    front.on('message', (d, rinfo) => {
      this.#client = { address: rinfo.address, port: rinfo.port }
      this.up++
      this.#back?.send(d, this.target.port, this.target.address)
    })
    this.#front = front
    await this.#newBack()
    return front.address().port
  }

  async #newBack(): Promise<void> {
    const s = createSocket('udp4')
    await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()))
    s.on('message', (d) => {
      this.down++
      const c = this.#client
      if (c !== undefined) this.#front?.send(d, c.port, c.address)
    })
    this.#back = s
  }

  /** The port the server sees the client on. */
  get outboundPort(): number {
    return this.#back!.address().port
  }

  /** A NAT rebinding: the old mapping is gone, the next datagrams leave from a new port. */
  async rebind(): Promise<void> {
    const old = this.#back
    await this.#newBack()
    await new Promise<void>((r) => (old ? old.close(() => r()) : r()))
  }

  async close(): Promise<void> {
    for (const s of [this.#front, this.#back]) {
      if (s !== undefined) await new Promise<void>((r) => s.close(() => r()))
    }
    this.#front = undefined
    this.#back = undefined
  }
}
