import { randomBytes } from 'node:crypto'
import { createSocket } from 'node:dgram'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import type { Peer } from '@lwm2m/coap'
import fc from 'fast-check'
import { afterEach, describe, expect, it } from 'vitest'
import { dtlsClient, dtlsServer, encodeClientHello, encodeHandshake, encodeRecord } from '../src/index.js'
import { Relay, roundTrip, roundTripWithRetry, waitFor } from './support/net.js'
import { PSK, pair, recordingLogger } from './support/pair.js'

const cleanup: Array<() => unknown> = []
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c()
})

function gc(): void {
  setFlagsFromString('--expose-gc')
  const f = runInNewContext('gc') as () => void
  f()
  f()
}

function clientHelloDatagram(seq: number, cookie: Uint8Array): Uint8Array {
  const hello = encodeClientHello({
    version: 0xfefd,
    random: randomBytes(32),
    sessionId: new Uint8Array(0),
    cookie,
    cipherSuites: [0xc0a8, 0x00ae],
    compressionMethods: [0],
    extensions: [{ type: 23, data: new Uint8Array(0) }],
  })
  return encodeRecord({
    type: 22,
    version: 0xfefd,
    epoch: 0,
    sequence: seq,
    fragment: encodeHandshake(1, 0, hello),
  })
}

describe('the cookie exchange keeps no state (RFC 6347 section 4.2.1)', () => {
  it('10,000 ClientHellos from spoofed ports without a valid cookie leave the tables empty and memory flat', async () => {
    const server = dtlsServer({ host: '127.0.0.1', port: 0, psk: { key: () => PSK } })
    cleanup.push(() => server.close())
    await server.open(() => {})
    // Warm up code paths, then measure.
    for (let i = 0; i < 200; i++)
      server.handleDatagram(clientHelloDatagram(i, new Uint8Array(0)), '127.0.0.1', 40000 + i)
    gc()
    const before = process.memoryUsage().heapUsed
    for (let i = 0; i < 10_000; i++) {
      // Half without a cookie, half with a forged one; each from another (spoofed) source port.
      const cookie = i % 2 === 0 ? new Uint8Array(0) : randomBytes(32)
      server.handleDatagram(clientHelloDatagram(i, cookie), '127.0.0.1', 20000 + (i % 30000))
    }
    // Let the socket flush the HelloVerifyRequests before measuring.
    await new Promise((r) => setTimeout(r, 200))
    gc()
    const after = process.memoryUsage().heapUsed
    const internals = server as unknown as { byAddress: Map<unknown, unknown>; byCid: Map<unknown, unknown> }
    expect(internals.byAddress.size).toBe(0)
    expect(internals.byCid.size).toBe(0)
    expect(server.stats()).toMatchObject({
      sessions: 0,
      handshakes: 0,
      cachedSessions: 0,
      helloVerifyRequests: 10_200,
    })
    console.info(
      `heap before ${before} after ${after} (delta ${after - before} bytes for 10,000 ClientHellos)`,
    )
    // No per-client state: a leak of even 200 bytes per hello would exceed this.
    expect(after - before).toBeLessThan(2_000_000)
  })

  it('a ClientHello over a real socket gets a HelloVerifyRequest that is no larger (no amplification)', async () => {
    const server = dtlsServer({ host: '127.0.0.1', port: 0, psk: { key: () => PSK } })
    cleanup.push(() => server.close())
    await server.open(() => {})
    const s = createSocket('udp4')
    cleanup.push(() => s.close())
    const got: Buffer[] = []
    s.on('message', (m) => got.push(m))
    await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()))
    const ch = clientHelloDatagram(5, new Uint8Array(0))
    s.send(ch, server.address().port, '127.0.0.1')
    await waitFor(() => got.length === 1)
    const hvr = got[0]!
    expect(hvr[0]).toBe(22)
    expect(hvr[13]).toBe(3) // hello_verify_request
    expect(hvr.readUIntBE(5, 6)).toBe(5) // the ClientHello's record sequence number
    expect(hvr.length).toBeLessThanOrEqual(ch.length)
  })
})

describe('malformed input never throws out of the transport nor ends the server', () => {
  it('arbitrary datagrams from arbitrary sources, then a real handshake still works', async () => {
    const logger = recordingLogger()
    const p = await pair({ psk: { key: () => PSK }, logger }, { psk: { identity: 'n', key: PSK } })
    cleanup.push(() => p.close())
    await roundTrip(p.client, p.inbox, p.to, 'before')
    const clientPort = p.client.address().port
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 300 }),
          // Plausible headers with random bodies reach deeper.
          fc
            .tuple(
              fc.constantFrom(20, 21, 22, 23, 25),
              fc.integer({ min: 0, max: 2 }),
              fc.uint8Array({ maxLength: 200 }),
            )
            .map(([t, e, b]) =>
              Buffer.concat([
                Buffer.from([t, 0xfe, 0xfd, 0, e, 0, 0, 0, 0, 0, 1, b.length >> 8, b.length & 0xff]),
                b,
              ]),
            ),
        ),
        fc.boolean(),
        (bytes, fromClient) => {
          p.server.handleDatagram(bytes, '127.0.0.1', fromClient ? clientPort : 30000 + (bytes.length % 1000))
        },
      ),
      { numRuns: 3000 },
    )
    // And some through a real socket, the way an attacker would send them.
    const raw = createSocket('udp4')
    await new Promise<void>((r) => raw.bind(0, '127.0.0.1', () => r()))
    cleanup.push(() => raw.close())
    const samples = fc.sample(fc.uint8Array({ minLength: 1, maxLength: 300 }), 300)
    for (const b of samples) raw.send(b, p.to.port, p.to.address)
    await new Promise((r) => setTimeout(r, 100))
    expect(logger.lines.filter((l) => l.level === 'error')).toEqual([])
    // The session survived: still one, at the client's address, with its identity.
    expect(p.server.stats()).toMatchObject({ sessions: 1, handshakes: 0 })
    expect(p.server.session({ address: '127.0.0.1', port: clientPort })?.peer.identity).toEqual({
      mode: 'psk',
      identity: 'n',
    })
    expect((await roundTripWithRetry(p.client, p.inbox, p.to, 'after')).data.toString()).toBe('echo:after')
  })

  it('mutated records of a real handshake and session, replayed into a server mid-handshake and after', async () => {
    const logger = recordingLogger()
    const clientLogger = recordingLogger()
    const p = await pair(
      { psk: { key: () => PSK }, logger },
      { psk: { identity: 'n', key: PSK }, logger: clientLogger },
    )
    cleanup.push(() => p.close())
    const relay = new Relay(p.to)
    const via = { address: '127.0.0.1', port: await relay.open() }
    cleanup.push(() => relay.close())
    await roundTrip(p.client, p.inbox, via, 'one')
    await roundTrip(p.client, p.inbox, via, 'two')
    const up = relay.captured.filter((c) => c.dir === 'up').map((c) => c.data)
    const down = relay.captured.filter((c) => c.dir === 'down').map((c) => c.data)
    const mutate = fc
      .tuple(
        fc.constantFrom(...up, ...down),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 4 }),
        fc.option(fc.nat(), { nil: undefined }),
      )
      .map(([d, flips, cut]) => {
        const b = Buffer.from(d)
        for (const [at, x] of flips) b[at % b.length]! ^= x
        return cut === undefined ? b : b.subarray(0, cut % (b.length + 1))
      })
    const serverSide = relay.backPort
    fc.assert(
      fc.property(mutate, fc.boolean(), (d, toServer) => {
        if (toServer) p.server.handleDatagram(d, '127.0.0.1', serverSide)
        else p.client.handleDatagram(d, p.to.address, p.to.port)
      }),
      { numRuns: 3000 },
    )
    expect(logger.lines.filter((l) => l.level === 'error')).toEqual([])
    expect(clientLogger.lines.filter((l) => l.level === 'error')).toEqual([])
    // A fresh client completes a handshake with the same server.
    const fresh = dtlsClient({ host: '127.0.0.1', psk: { identity: 'n', key: PSK } })
    cleanup.push(() => fresh.close())
    const inbox: Array<{ data: Buffer; peer: Peer }> = []
    await fresh.open((data, peer) => inbox.push({ data: Buffer.from(data), peer }))
    expect((await roundTrip(fresh, inbox, p.to, 'fresh')).data.toString()).toBe('echo:fresh')
  })

  it('mutated handshake flights fed into a half-open handshake and from spoofed sources', async () => {
    const logger = recordingLogger()
    const p = await pair({ psk: { key: () => PSK }, logger }, { psk: { identity: 'n', key: PSK } })
    cleanup.push(() => p.close())
    const relay = new Relay(p.to)
    const via = { address: '127.0.0.1', port: await relay.open() }
    cleanup.push(() => relay.close())
    await roundTrip(p.client, p.inbox, via, 'x')
    const flights = relay.captured.filter((c) => c.dir === 'up').map((c) => c.data)
    // A second client whose handshake stalls after the server's ServerHello flight: a half-open handshake.
    const stalled = dtlsClient({ host: '127.0.0.1', psk: { identity: 'n', key: PSK } })
    cleanup.push(() => stalled.close())
    await stalled.open(() => {})
    const relay2 = new Relay(p.to)
    const via2 = { address: '127.0.0.1', port: await relay2.open() }
    cleanup.push(() => relay2.close())
    relay2.filter = (dir, d) => !(dir === 'down' && d[13] === 2)
    stalled.send(Buffer.from('z'), via2)
    await waitFor(() => p.server.stats().handshakes === 1)
    fc.assert(
      fc.property(
        fc.constantFrom(...flights),
        fc.nat(),
        fc.integer({ min: 0, max: 255 }),
        fc.integer({ min: 0, max: 200 }),
        (d, at, x, port) => {
          const b = Buffer.from(d)
          b[at % b.length]! ^= x
          // Into the half-open handshake, or from other sources (each starts stateless).
          p.server.handleDatagram(b, '127.0.0.1', port === 0 ? relay2.backPort : 50000 + port)
        },
      ),
      { numRuns: 2000 },
    )
    await stalled.close()
    await waitFor(() => p.server.stats().handshakes <= 1)
    expect(logger.lines.filter((l) => l.level === 'error')).toEqual([])
    expect((await roundTrip(p.client, p.inbox, via, 'y')).data.toString()).toBe('echo:y')
  })
})
