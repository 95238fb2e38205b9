import { afterEach, describe, expect, it } from 'vitest'
import { CoapError } from '../errors.js'
import { Code } from '../message/codes.js'
import { seededRandom } from '../random.js'
import { FakeClock } from '../time/fake-clock.js'
import { faulty } from '../transport/faulty.js'
import { createMemoryNetwork } from '../transport/memory.js'
import {
  type DatagramHandler,
  type Peer,
  type SendCallback,
  type Transport,
  transportSymbol,
} from '../transport/types.js'
import { createEndpoint, type LocalEndpoint } from './endpoint.js'
import { flushIo } from './raw-peer.test-helper.js'
import type { ServerObservation } from './types.js'

// RFC 7252 section 4.2 retransmits a CON until MAX_RETRANSMIT when no ACK comes; a transport
// that says it could not send at all (no route, no or a failed DTLS session) ends the
// exchange at once instead, with COAP_TRANSPORT and the transport's error as the cause.

const open: LocalEndpoint[] = []
afterEach(async () => {
  await Promise.all(open.splice(0).map((e) => e.close()))
})

/**
 * A transport whose sends fail while `failing`: later ('async', as a socket or a handshake
 * reports it) or before send() returns ('sync', as a transport that knows at once).
 */
function refusing(inner: Transport): Transport & { failing: boolean | 'sync'; sends: number } {
  const t = {
    [transportSymbol]: true as const,
    scheme: inner.scheme,
    failing: false as boolean | 'sync',
    sends: 0,
    open: (h: DatagramHandler) => inner.open(h),
    send(datagram: Uint8Array, peer: Peer, callback?: SendCallback) {
      t.sends++
      if (!t.failing) {
        inner.send(datagram, peer, callback)
        return
      }
      const err = new Error('handshake failed: bad_record_mac')
      if (t.failing === 'sync') callback?.(err)
      else setImmediate(() => callback?.(err))
    },
    address: () => inner.address(),
    close: () => inner.close(),
  }
  return t
}

describe('a transport that cannot send (RFC 7252 section 4.2, fail fast)', () => {
  it('a CON request fails at once with COAP_TRANSPORT carrying the cause, without retransmissions', async () => {
    const clock = new FakeClock(0)
    const net = createMemoryNetwork()
    const transport = faulty(net.transport(), { seed: 5, sendError: 1 })
    const client = await createEndpoint({ transport, clock, random: seededRandom(1) })
    open.push(client)
    const err = await client
      .request({ address: '127.0.0.1', port: 9 }, { method: 'GET', path: 'x' })
      .catch((e: unknown) => e)
    expect(CoapError.isInstance(err)).toBe(true)
    expect(err).toMatchObject({ code: 'COAP_TRANSPORT' })
    expect(String(err)).toMatch(/cannot reach 127\.0\.0\.1:9: injected send failure/)
    expect(((err as CoapError).cause as CoapError).code).toBe('COAP_TRANSPORT')
    // No time passed and nothing is left: no retransmission, no deadline, no peer quota held.
    expect(clock.now()).toBe(0)
    expect(transport.stats.sendErrors).toBe(1)
    expect(client.stats()).toMatchObject({ outgoing: 0, pendingRequests: 0, deadlines: 1 })
  })

  it('a failure reported later (a failed handshake) ends the request then; the NSTART queue moves on (RFC 7252 section 4.7)', async () => {
    const clock = new FakeClock(0)
    const net = createMemoryNetwork()
    const server = await createEndpoint({
      transport: net.transport(),
      clock,
      handler: () => ({ code: Code.Content, payload: 'ok' }),
    })
    const transport = refusing(net.transport())
    const client = await createEndpoint({
      transport,
      clock,
      random: seededRandom(2),
      parameters: { nstart: 1 },
    })
    open.push(server, client)
    const to = { address: '127.0.0.1', port: server.address().port }
    transport.failing = true
    const first = client.request(to, { method: 'GET', path: 'a' }).catch((e: unknown) => e)
    const second = client.request(to, { method: 'GET', path: 'b' }).catch((e: unknown) => e)
    const firstErr = await first
    expect(firstErr).toMatchObject({ code: 'COAP_TRANSPORT' })
    expect(((firstErr as CoapError).cause as Error).message).toBe('handshake failed: bad_record_mac')
    // The second got the slot and failed the same way, each with one send.
    expect(await second).toMatchObject({ code: 'COAP_TRANSPORT' })
    expect(transport.sends).toBe(2)
    // Once the transport works again, requests go through.
    transport.failing = false
    const res = await client.request(to, { method: 'GET', path: 'c' })
    expect(new TextDecoder().decode(res.payload)).toBe('ok')
  })

  it('thousands of requests queued behind NSTART, each send then failing at once: all end, on a bounded stack (RFC 7252 section 4.7)', async () => {
    const net = createMemoryNetwork()
    const transport = refusing(net.transport())
    const client = await createEndpoint({ transport, clock: new FakeClock(0), parameters: { nstart: 1 } })
    open.push(client)
    const to = { address: '127.0.0.1', port: 9 }
    // The first holds the only NSTART slot (nobody answers); the others queue behind it.
    const first = new AbortController()
    const head = client
      .request(to, { method: 'GET', path: 'x', signal: first.signal })
      .catch((e: CoapError) => e.code)
    const all = Array.from({ length: 10_000 }, () =>
      client.request(to, { method: 'GET', path: 'x' }).then(
        () => 'answered',
        (e: CoapError) => e.code,
      ),
    )
    expect(client.stats().outgoing).toBe(10_001)
    // From now on every send fails before send() returns; freeing the slot starts the queue.
    transport.failing = 'sync'
    first.abort()
    expect(await head).toBe('COAP_ABORTED')
    expect([...new Set(await Promise.all(all))]).toEqual(['COAP_TRANSPORT'])
    expect(transport.sends).toBe(10_001)
    expect(client.stats()).toMatchObject({ outgoing: 0, pendingRequests: 0 })
  })

  it('a ping fails at once too', async () => {
    const net = createMemoryNetwork()
    const client = await createEndpoint({
      transport: faulty(net.transport(), { seed: 1, sendError: 1 }),
      clock: new FakeClock(0),
    })
    open.push(client)
    await expect(client.ping({ address: '127.0.0.1', port: 9 })).rejects.toMatchObject({
      code: 'COAP_TRANSPORT',
    })
  })

  it.each([
    ['not heard from within ACK_TIMEOUT: at once', 3000, 0],
    ['heard from just now: at the first retransmission, which asks the transport', 0, 3000],
  ] as const)(
    'a CON notification that cannot be sent to an observer %s: COAP_TRANSPORT, the relation ends (RFC 7641 section 4.5)',
    async (_what, quiet, untilFailure) => {
      const clock = new FakeClock(0)
      const net = createMemoryNetwork()
      const relations: ServerObservation[] = []
      const inner = refusing(net.transport())
      const server = await createEndpoint({
        transport: inner,
        clock,
        random: seededRandom(8),
        // ACK_TIMEOUT exactly 2 s (ACK_RANDOM_FACTOR 1): the retransmission is due at 2 s.
        parameters: { ackRandomFactor: 1 },
        handler: (_req, ctx) => {
          const o = ctx.observe()
          if (o !== undefined) relations.push(o)
          return { code: Code.Content, payload: 'v' }
        },
      })
      const client = await createEndpoint({ transport: net.transport(), clock })
      open.push(server, client)
      await client.observe(
        { address: '127.0.0.1', port: server.address().port },
        { method: 'GET', path: 'o' },
        () => {},
      )
      await clock.advanceAsync(quiet)
      inner.failing = true
      const relation = relations[0]!
      let outcome: unknown
      relation.notify({ code: Code.Content, payload: 'n' }, { confirmable: true }).then(
        () => (outcome = 'acknowledged'),
        (e: unknown) => (outcome = e),
      )
      await flushIo()
      if (untilFailure > 0) {
        expect(outcome).toBeUndefined()
        await clock.advanceAsync(untilFailure)
        await flushIo()
      }
      expect(outcome).toMatchObject({ code: 'COAP_TRANSPORT' })
      expect(relation.signal.aborted).toBe(true)
      expect(relation.signal.reason).toMatchObject({ code: 'COAP_TRANSPORT' })
      expect(server.stats().observers).toBe(0)
    },
  )

  it('NON requests are not failed by the transport (nothing waits for them): they end at their deadline', async () => {
    const clock = new FakeClock(0)
    const net = createMemoryNetwork()
    const transport = faulty(net.transport(), { seed: 3, sendError: 1 })
    const client = await createEndpoint({ transport, clock })
    open.push(client)
    const p = client
      .request(
        { address: '127.0.0.1', port: 9 },
        { method: 'GET', path: 'x', confirmable: false, timeout: 1000 },
      )
      .catch((e: unknown) => e)
    await flushIo()
    await clock.advanceAsync(1000)
    expect(await p).toMatchObject({ code: 'COAP_TIMEOUT' })
  })
})
