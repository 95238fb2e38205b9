import { createSocket } from 'node:dgram'
import type { Peer } from '@lwm2m/coap'
import { afterEach, describe, expect, it } from 'vitest'
import type { Connection } from '../src/connection/connection.js'
import { type DtlsError, dtlsClient, dtlsServer, encodeClientHello, encodeHandshake } from '../src/index.js'
import { FakeClock } from './support/fake-clock.js'
import { Relay, roundTrip, waitFor } from './support/net.js'
import { type Pair, PSK, pair, recordingLogger } from './support/pair.js'

const cleanup: Array<() => unknown> = []
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c()
})

async function relayed(
  serverOpts: Parameters<typeof pair>[0],
  clientOpts: Parameters<typeof pair>[1],
): Promise<Pair & { relay: Relay; via: Peer }> {
  const p = await pair(serverOpts, clientOpts)
  cleanup.push(() => p.close())
  const relay = new Relay(p.to)
  const port = await relay.open()
  cleanup.push(() => relay.close())
  return { ...p, relay, via: { address: '127.0.0.1', port } }
}

/** Datagrams the client sent whose first record is application data of epoch 1 (plain or CID). */
function appRecords(relay: Relay): Buffer[] {
  return relay.captured
    .filter((c) => c.dir === 'up' && (c.data[0] === 23 || c.data[0] === 25))
    .map((c) => c.data)
}

describe('anti-replay and authentication (RFC 6347 sections 4.1.2.6 and 4.1.2.7)', () => {
  it('drops a replayed record and a tampered one silently; the session goes on', async () => {
    const p = await relayed({ psk: { key: () => PSK } }, { psk: { identity: 'n', key: PSK } })
    await roundTrip(p.client, p.inbox, p.via, 'first')
    const rec = appRecords(p.relay)[0]!
    p.relay.inject(rec) // replay
    const tampered = Buffer.from(rec)
    tampered[tampered.length - 1]! ^= 0x55
    p.relay.inject(tampered)
    const badSeq = Buffer.from(rec)
    badSeq[10]! ^= 0x01 // another sequence number: new to the window but the MAC covers it
    p.relay.inject(badSeq)
    await new Promise((r) => setTimeout(r, 50))
    expect(p.serverInbox.map((m) => m.data.toString())).toEqual(['first'])
    expect((await roundTrip(p.client, p.inbox, p.via, 'second')).data.toString()).toBe('echo:second')
    expect(p.server.stats().sessions).toBe(1)
  })
})

describe('Connection ID (RFC 9146)', () => {
  it('keeps the session and identity when the client address changes (NAT rebinding)', async () => {
    const p = await relayed({ psk: { key: () => PSK } }, { psk: { identity: 'n', key: PSK } })
    await roundTrip(p.client, p.inbox, p.via, 'before')
    const before = p.serverInbox[0]!.peer
    expect(before.port).toBe(p.relay.backPort)
    expect(p.server.session(before)?.connectionId).toBe(true)
    expect(appRecords(p.relay)[0]![0]).toBe(25) // tls12_cid records from the client
    await p.relay.rebind()
    const a = await roundTrip(p.client, p.inbox, p.via, 'after')
    expect(a.data.toString()).toBe('echo:after')
    const after = p.serverInbox[1]!.peer
    expect(after.port).toBe(p.relay.backPort)
    expect(after.port).not.toBe(before.port)
    expect(after.identity).toEqual(before.identity)
    expect(p.server.session(before)).toBeUndefined()
    expect(p.server.session(after)?.resumed).toBe(false)
    expect(p.server.stats()).toMatchObject({ sessions: 1, handshakes: 0 })
  })

  it('moves the peer only for a record that authenticates', async () => {
    const p = await relayed({ psk: { key: () => PSK } }, { psk: { identity: 'n', key: PSK } })
    await roundTrip(p.client, p.inbox, p.via, 'x')
    const peer = p.serverInbox[0]!.peer
    const forged = Buffer.from(appRecords(p.relay)[0]!)
    forged[forged.length - 2]! ^= 0xff
    forged[10]! ^= 0x7f // a newer sequence number, same CID
    const attacker = createSocket('udp4')
    await new Promise<void>((r) => attacker.bind(0, '127.0.0.1', () => r()))
    cleanup.push(() => attacker.close())
    attacker.send(forged, p.to.port, p.to.address)
    // And a replay of a genuine record from the attacker's address: authentic but not new.
    attacker.send(appRecords(p.relay)[0]!, p.to.port, p.to.address)
    await new Promise((r) => setTimeout(r, 50))
    expect(p.server.session(peer)).toBeDefined()
    expect(p.server.session({ address: '127.0.0.1', port: attacker.address().port })).toBeUndefined()
    expect((await roundTrip(p.client, p.inbox, p.via, 'y')).peer.identity).toEqual({
      mode: 'psk',
      identity: 'n',
    })
  })

  it('without the extension a rebinding client loses the session', async () => {
    const p = await relayed(
      { psk: { key: () => PSK }, connectionId: false },
      { psk: { identity: 'n', key: PSK } },
    )
    await roundTrip(p.client, p.inbox, p.via, 'x')
    expect(appRecords(p.relay)[0]![0]).toBe(23)
    await p.relay.rebind()
    p.client.send(Buffer.from('lost'), p.via)
    await new Promise((r) => setTimeout(r, 80))
    expect(p.serverInbox).toHaveLength(1)
  })

  it('a client may ask for its own CID too', async () => {
    const p = await relayed(
      { psk: { key: () => PSK } },
      { psk: { identity: 'n', key: PSK }, connectionId: 4 },
    )
    await roundTrip(p.client, p.inbox, p.via, 'x')
    const down = p.relay.captured.filter((c) => c.dir === 'down' && c.data[0] === 25)
    expect(down.length).toBeGreaterThan(0)
  })
})

describe('renegotiation is refused (RFC 5746, RFC 6347 section 4.2.7)', () => {
  it('answers a ClientHello on an established session with a no_renegotiation warning and keeps the session', async () => {
    const logger = recordingLogger()
    const p = await relayed({ psk: { key: () => PSK } }, { psk: { identity: 'n', key: PSK }, logger })
    await roundTrip(p.client, p.inbox, p.via, 'x')
    const conn = (p.client as unknown as { byAddress: Map<string, Connection> }).byAddress.get(
      `127.0.0.1:${p.via.port}`,
    )!
    const hello = encodeClientHello({
      version: 0xfefd,
      random: new Uint8Array(32).fill(7),
      sessionId: new Uint8Array(0),
      cookie: new Uint8Array(0),
      cipherSuites: [0xc0a8],
      compressionMethods: [0],
      extensions: [],
    })
    const seal = (
      conn as unknown as { sealRecord(t: number, e: number, c: Uint8Array): Uint8Array }
    ).sealRecord.bind(conn)
    p.client.sendDatagram(conn, seal(22, conn.currentWriteEpoch, encodeHandshake(1, 9, hello)))
    await waitFor(() =>
      logger.lines.some(
        (l) =>
          l.message.includes('alert received') && (l.data as { alert?: string }).alert === 'no_renegotiation',
      ),
    )
    expect((await roundTrip(p.client, p.inbox, p.via, 'still')).data.toString()).toBe('echo:still')
  })
})

describe('flight retransmission (RFC 6347 section 4.2.4) on a fake clock', () => {
  it('retransmits after 1 s, doubling, and completes once the flight gets through', async () => {
    const clock = new FakeClock()
    // The server's clock never moves: only the client's timer drives retransmission here.
    const p = await relayed(
      { psk: { key: () => PSK }, clock: new FakeClock() },
      { psk: { identity: 'n', key: PSK }, clock },
    )
    const helloAt: number[] = []
    let dropped = 0
    p.relay.filter = (dir, d) => {
      if (dir === 'up' && d[13] === 1) helloAt.push(clock.now())
      // Drop the server's ServerHello flight twice.
      if (dir === 'down' && d[13] === 2 && dropped < 2) {
        dropped++
        return false
      }
      return true
    }
    const done = roundTrip(p.client, p.inbox, p.via, 'late')
    await waitFor(() => dropped === 1)
    const t0 = clock.now()
    clock.advance(999)
    await new Promise((r) => setTimeout(r, 20))
    expect(helloAt).toHaveLength(2) // the first hello and the one with the cookie
    clock.advance(1)
    await waitFor(() => dropped === 2)
    clock.advance(1999)
    await new Promise((r) => setTimeout(r, 20))
    expect(helloAt).toHaveLength(3)
    clock.advance(1)
    expect((await done).data.toString()).toBe('echo:late')
    expect(helloAt.slice(1).map((t) => t - t0)).toEqual([0, 1000, 3000])
  })

  it('a lost final flight: the client repeats its Finished flight and the server answers it again', async () => {
    const clock = new FakeClock()
    const p = await relayed(
      { psk: { key: () => PSK }, clock: new FakeClock() },
      { psk: { identity: 'n', key: PSK }, clock },
    )
    let dropped = 0
    p.relay.filter = (dir, d) => {
      // The server's last flight starts with its ChangeCipherSpec record.
      if (dir === 'down' && d[0] === 20 && dropped === 0) {
        dropped++
        return false
      }
      return true
    }
    const done = roundTrip(p.client, p.inbox, p.via, 'after loss')
    await waitFor(() => dropped === 1)
    expect(p.server.stats().sessions).toBe(1) // the server is done; the client is not
    expect(p.client.stats().handshakes).toBe(1)
    clock.advance(1000) // the client retransmits CKE, CCS, Finished; the server resends its CCS and Finished
    expect((await done).data.toString()).toBe('echo:after loss')
    expect(p.server.stats().sessions).toBe(1)
  })

  it('abbreviated handshake, client final flight lost: the server timer repeats its flight and the client answers again', async () => {
    const serverClock = new FakeClock()
    const p = await relayed(
      { psk: { key: () => PSK }, clock: serverClock },
      { psk: { identity: 'n', key: PSK } },
    )
    await roundTrip(p.client, p.inbox, p.via, 'full')
    p.client.closeSession(p.via)
    await waitFor(() => p.server.stats().sessions === 0)
    let dropped = 0
    p.relay.filter = (dir, d) => {
      if (dir === 'up' && d[0] === 20 && dropped === 0) {
        dropped++
        return false
      }
      return true
    }
    const done = roundTrip(p.client, p.inbox, p.via, 'resumed')
    await waitFor(() => dropped === 1)
    expect(p.client.session(p.via)?.resumed).toBe(true) // the client finished first in the abbreviated handshake
    expect(p.server.stats().handshakes).toBe(1)
    serverClock.advance(1000)
    expect((await done).data.toString()).toBe('echo:resumed')
    expect(p.server.session(p.serverInbox[1]!.peer)?.resumed).toBe(true)
  })

  it('gives up with DTLS_TIMEOUT when the longest wait ends unanswered', async () => {
    const clock = new FakeClock()
    const client = dtlsClient({
      host: '127.0.0.1',
      psk: { identity: 'n', key: PSK },
      clock,
      retransmission: { initial: 1000, max: 8000 },
    })
    cleanup.push(() => client.close())
    await client.open(() => {})
    const sink = createSocket('udp4')
    const got: number[] = []
    sink.on('message', () => got.push(clock.now()))
    await new Promise<void>((r) => sink.bind(0, '127.0.0.1', () => r()))
    cleanup.push(() => sink.close())
    const failed = new Promise<DtlsError>((r) =>
      client.send(Buffer.from('x'), { address: '127.0.0.1', port: sink.address().port }, (e) =>
        r(e as DtlsError),
      ),
    )
    await waitFor(() => got.length === 1)
    const t0 = got[0]!
    for (const step of [1000, 2000, 4000, 8000]) {
      const n = got.length
      clock.advance(step)
      if (step < 8000) await waitFor(() => got.length === n + 1)
    }
    const e = await failed
    expect(e.code).toBe('DTLS_TIMEOUT')
    expect(got.map((t) => t - t0)).toEqual([0, 1000, 3000, 7000])
    expect(client.stats().handshakes).toBe(0)
  })
})

describe('default retransmission schedule (RFC 6347 section 4.2.4.1: 1 s doubling, 60 s at most)', () => {
  it('sends at 0, 1, 3, 7, 15, 31 and 63 s and fails after a 60 s wait', async () => {
    const clock = new FakeClock()
    const client = dtlsClient({ host: '127.0.0.1', psk: { identity: 'n', key: PSK }, clock })
    cleanup.push(() => client.close())
    await client.open(() => {})
    const sink = createSocket('udp4')
    const got: number[] = []
    sink.on('message', () => got.push(clock.now()))
    await new Promise<void>((r) => sink.bind(0, '127.0.0.1', () => r()))
    cleanup.push(() => sink.close())
    let failed: DtlsError | undefined
    client.send(Buffer.from('x'), { address: '127.0.0.1', port: sink.address().port }, (e) => {
      failed = e as DtlsError
    })
    await waitFor(() => got.length === 1)
    for (const step of [1000, 2000, 4000, 8000, 16000, 32000, 60000]) {
      const n = got.length
      clock.advance(step)
      if (step < 60000) await waitFor(() => got.length === n + 1)
    }
    await waitFor(() => failed !== undefined)
    expect(failed!.code).toBe('DTLS_TIMEOUT')
    expect(got.map((t) => (t - got[0]!) / 1000)).toEqual([0, 1, 3, 7, 15, 31, 63])
  })
})

describe('limits', () => {
  it('closes idle sessions after limits.idleTimeout (fake clock)', async () => {
    const clock = new FakeClock()
    const p = await relayed(
      { psk: { key: () => PSK }, clock, limits: { idleTimeout: 10_000 } },
      { psk: { identity: 'n', key: PSK } },
    )
    await roundTrip(p.client, p.inbox, p.via, 'x')
    const closed: DtlsError[] = []
    p.server.on('sessionClosed', (_, e) => closed.push(e))
    clock.advance(5000)
    expect(p.server.stats().sessions).toBe(1)
    clock.advance(10_000)
    expect(p.server.stats().sessions).toBe(0)
    expect(closed).toHaveLength(1)
  })

  it('refuses handshakes past limits.maxHandshakes and data past limits.maxQueuedBytes', async () => {
    const logger = recordingLogger()
    const server = dtlsServer({
      host: '127.0.0.1',
      port: 0,
      psk: { key: () => new Promise(() => {}) },
      limits: { maxHandshakes: 1 },
      logger,
    })
    cleanup.push(() => server.close())
    await server.open(() => {})
    const to = { address: '127.0.0.1', port: server.address().port }
    const c1 = dtlsClient({ host: '127.0.0.1', psk: { identity: 'a', key: PSK } })
    const c2 = dtlsClient({
      host: '127.0.0.1',
      psk: { identity: 'b', key: PSK },
      limits: { maxQueuedBytes: 10 },
    })
    cleanup.push(
      () => c1.close(),
      () => c2.close(),
    )
    await c1.open(() => {})
    await c2.open(() => {})
    c1.send(Buffer.from('x'), to)
    await waitFor(() => server.stats().handshakes === 1)
    c2.send(Buffer.from('y'), to)
    await waitFor(() => logger.lines.some((l) => l.message.includes('limit reached')))
    expect(server.stats().handshakes).toBe(1)
    const e = await new Promise<Error | undefined>((r) => c2.send(Buffer.alloc(20), to, r))
    expect((e as DtlsError).code).toBe('DTLS_LIMIT')
  })

  it('starts no handshake past limits.maxSessions', async () => {
    const logger = recordingLogger()
    const p = await relayed(
      { psk: { key: () => PSK }, limits: { maxSessions: 1 }, logger },
      { psk: { identity: 'n', key: PSK } },
    )
    await roundTrip(p.client, p.inbox, p.via, 'first')
    const other = dtlsClient({ host: '127.0.0.1', psk: { identity: 'm', key: PSK } })
    cleanup.push(() => other.close())
    await other.open(() => {})
    other.send(Buffer.from('second'), p.to)
    await waitFor(() => logger.lines.some((l) => l.message.includes('limit reached')))
    expect(p.server.stats()).toMatchObject({ sessions: 1, handshakes: 0 })
  })
})
