import { afterEach, describe, expect, it } from 'vitest'
import { isTransport, type Peer, type Transport } from '../transport/types.js'

/** Two transports that can reach each other, not yet opened. */
export interface TransportPair {
  readonly a: Transport
  readonly b: Transport
}

/** How the compliance suite gets transports to test. */
export interface TransportTestSetup {
  /** Two unopened transports that can reach each other once opened (bound to explicit addresses). */
  create(): Promise<TransportPair> | TransportPair
  /** Called after each test (the suite closes the transports itself). */
  destroy?(pair: TransportPair): Promise<void> | void
}

interface Received {
  data: Uint8Array
  peer: Peer
}

function collector() {
  const got: Received[] = []
  let waiter: (() => void) | undefined
  return {
    got,
    handler: (data: Uint8Array, peer: Peer) => {
      got.push({ data: Uint8Array.from(data), peer })
      waiter?.()
    },
    async waitFor(n: number, ms = 5000): Promise<void> {
      const end = Date.now() + ms
      while (got.length < n) {
        if (Date.now() > end) throw new Error(`only ${got.length} of ${n} datagrams arrived in ${ms} ms`)
        await new Promise<void>((resolve) => {
          waiter = resolve
          setTimeout(resolve, 20)
        })
        waiter = undefined
      }
    },
  }
}

const target = (t: Transport): Peer => {
  const a = t.address()
  return { address: a.address, port: a.port }
}

/**
 * The contract every {@link Transport} must meet (datagram in, datagram out, per peer),
 * as vitest `describe`/`it` blocks. Call it from the implementation's own tests:
 *
 * ```ts
 * transportCompliance({ create: () => ({ a: udp({ host: '127.0.0.1' }), b: udp({ host: '127.0.0.1' }) }) })
 * ```
 */
export function transportCompliance(setup: TransportTestSetup): void {
  describe('Transport compliance', () => {
    let pair: TransportPair | undefined

    afterEach(async () => {
      if (pair !== undefined) {
        await pair.a.close()
        await pair.b.close()
        await setup.destroy?.(pair)
        pair = undefined
      }
    })

    it('is a branded transport with a scheme', async () => {
      pair = await setup.create()
      expect(isTransport(pair.a)).toBe(true)
      expect(['coap', 'coaps']).toContain(pair.a.scheme)
    })

    it('opens and reports the bound address and port', async () => {
      pair = await setup.create()
      await pair.a.open(() => {})
      const addr = pair.a.address()
      expect(addr.port).toBeGreaterThan(0)
      expect(addr.port).toBeLessThan(65536)
      expect(['IPv4', 'IPv6']).toContain(addr.family)
    })

    it('delivers datagrams both ways, byte for byte, with the sender as peer', async () => {
      pair = await setup.create()
      const ca = collector()
      const cb = collector()
      await pair.a.open(ca.handler)
      await pair.b.open(cb.handler)
      const sizes = [4, 17, 300, 1152]
      for (const n of sizes)
        pair.a.send(
          Uint8Array.from({ length: n }, (_, i) => (i * 7 + n) & 0xff),
          target(pair.b),
        )
      await cb.waitFor(sizes.length)
      expect(cb.got.map((r) => r.data.length).sort((x, y) => x - y)).toEqual(sizes)
      for (const r of cb.got) {
        const n = r.data.length
        expect(r.data).toEqual(Uint8Array.from({ length: n }, (_, i) => (i * 7 + n) & 0xff))
        expect(r.peer.port).toBe(pair.a.address().port)
      }
      // Reply to the peer exactly as it was reported.
      pair.b.send(Uint8Array.of(1, 2, 3, 4), cb.got[0]!.peer)
      await ca.waitFor(1)
      expect(ca.got[0]!.data).toEqual(Uint8Array.of(1, 2, 3, 4))
      expect(ca.got[0]!.peer.port).toBe(pair.b.address().port)
    })

    it('reports a successful send to the callback', async () => {
      pair = await setup.create()
      await pair.a.open(() => {})
      await pair.b.open(() => {})
      const err = await new Promise<Error | undefined>((resolve) =>
        pair!.a.send(Uint8Array.of(0x40, 0, 0, 1), target(pair!.b), resolve),
      )
      expect(err).toBeUndefined()
    })

    it('carries a burst of 200 datagrams', async () => {
      pair = await setup.create()
      const cb = collector()
      await pair.a.open(() => {})
      await pair.b.open(cb.handler)
      for (let i = 0; i < 200; i++) pair.a.send(Uint8Array.of(0x50, 0, i >> 8, i & 0xff), target(pair.b))
      await cb.waitFor(200)
      const ids = new Set(cb.got.map((r) => (r.data[2]! << 8) | r.data[3]!))
      expect(ids.size).toBe(200)
    })

    it('never throws from send: errors go to the callback (not open, closed)', async () => {
      pair = await setup.create()
      const before = await new Promise<Error | undefined>((resolve) =>
        pair!.a.send(Uint8Array.of(1, 2, 3, 4), { address: '127.0.0.1', port: 9 }, resolve),
      )
      expect(before).toBeInstanceOf(Error)
      await pair.a.open(() => {})
      await pair.a.close()
      const after = await new Promise<Error | undefined>((resolve) =>
        pair!.a.send(Uint8Array.of(1, 2, 3, 4), { address: '127.0.0.1', port: 9 }, resolve),
      )
      expect(after).toBeInstanceOf(Error)
      expect(() => pair!.a.send(Uint8Array.of(1), { address: '127.0.0.1', port: 9 })).not.toThrow()
    })

    it('closes idempotently and stops delivering', async () => {
      pair = await setup.create()
      const cb = collector()
      await pair.a.open(() => {})
      await pair.b.open(cb.handler)
      const to = target(pair.b)
      await pair.b.close()
      await pair.b.close()
      await Promise.all([pair.b.close(), pair.b.close()])
      pair.a.send(Uint8Array.of(1, 2, 3, 4), to)
      await new Promise((r) => setTimeout(r, 50))
      expect(cb.got).toHaveLength(0)
    })
  })
}
