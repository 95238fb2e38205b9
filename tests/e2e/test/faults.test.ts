/**
 * Fault injection (DESIGN.md "Testing"): 200 clients and one server, every transport wrapped in
 * `faulty()` with 20 % datagram loss and 20 % duplication in both directions (seeded), on the
 * in-memory network with a shared FakeClock. Everyone registers (the retry procedure of Core
 * TS 1.2 section 6.2.1.1 and CoAP retransmission, RFC 7252 section 4.2), observations keep
 * delivering, and nothing is executed twice: the client's deduplication (RFC 7252 section
 * 4.5) answers retransmitted and duplicated Execute and Create requests from its cache.
 */
import { FakeClock, type FaultStats, faulty } from '@lwm2m/coap'
import { isResponseError } from '@lwm2m/core'
import type { NodeNotification, Subscription } from '@lwm2m/server'
import { afterAll, expect, it } from 'vitest'
import { runFor, runUntil } from './support/fake-time.js'
import { createTestObject, R, TEST_OBJECT_ID, type TestObject } from './support/test-object.js'
import { createWorld, type World } from './support/world.js'

const O = TEST_OBJECT_ID
const CLIENTS = 200
let world: World | undefined

afterAll(async () => {
  await world?.close()
})

it('200 clients register, observe, execute and create through 20 % loss and 20 % duplication', async () => {
  const clock = new FakeClock(1_700_000_000_000)
  const stats: FaultStats[] = []
  const w = await createWorld({
    transport: 'memory',
    clock,
    server: { limits: { requestsInFlightPerClient: 8 } },
    wrap: (t, role, i) => {
      // Faults on the way out of every transport: each datagram meets them once.
      const seed = role === 'server' ? 9_999 : 1_000 + i
      const f = faulty(t, { seed, drop: 0.2, duplicate: 0.2, direction: 'send', clock })
      stats.push(f.stats)
      return f
    },
  })
  world = w
  const objects: TestObject[] = []
  const clients = Array.from({ length: CLIENTS }, (_, i) => {
    const t = createTestObject()
    objects.push(t)
    return w.client(`faulty-${i}`, { version: '1.1', objects: [t.object], account: { lifetime: 3600 } })
  })

  // ---- every client registers ----------------------------------------------------------
  const registered = new Set<string>()
  w.server.on('registered', (reg) => registered.add(reg.endpoint))
  await Promise.all(clients.map((c) => c.start()))
  const all = new Promise<void>((resolve) => {
    const check = () => (registered.size === CLIENTS ? resolve() : setTimeout(check, 5))
    check()
  })
  await runUntil(clock, all, 3 * 3600_000)
  let count = 0
  for await (const _ of w.server.registrations()) count++
  expect(count).toBe(CLIENTS)

  // ---- one observation per client, then changes ------------------------------------------
  const subs: Subscription<NodeNotification>[] = []
  const latest = new Map<number, unknown>()
  for (let i = 0; i < CLIENTS; i++) {
    let sub: Subscription<NodeNotification> | undefined
    // An Observe whose every retransmission is lost fails (RFC 7252 section 4.2): the application observes again.
    for (let attempt = 0; attempt < 5 && sub === undefined; attempt++) {
      const s = w.server.observe(`faulty-${i}`, `/${O}/0/${R.integer}`, { attributes: { pmax: 60 } })
      try {
        await runUntil(clock, s.ready, 600_000)
        sub = s
      } catch {
        await s.cancel({ passive: true })
      }
    }
    expect(sub).toBeDefined()
    sub!.on('notification', (n) => latest.set(i, n.node.kind === 'resource' ? n.node.value : undefined))
    subs.push(sub!)
  }
  for (let round = 1; round <= 3; round++) {
    for (let i = 0; i < CLIENTS; i++) objects[i]!.object.set(0, R.integer, round * 1000 + i)
    await runFor(clock, 20_000)
  }
  // NON notifications may be lost; pmax brings the last value again (Core TS 1.2 section 7.3.2).
  await runFor(clock, 10 * 60_000)
  for (let i = 0; i < CLIENTS; i++) {
    expect(subs[i]!.ended).toBeUndefined()
    expect(latest.get(i)).toBe(3000 + i)
  }

  // ---- non-idempotent operations, each sent once ----------------------------------------
  const outcomes = await runUntil(
    clock,
    Promise.all(
      clients.map(async (_, i) => {
        const ep = `faulty-${i}`
        const exec = await w.server.execute(ep, `/${O}/0/${R.bump}`, { arguments: `${i % 10}` }).then(
          () => true,
          (err: unknown) => (isResponseError(err) ? err : String(err)),
        )
        const create = await w.server.create(ep, `/${O}/5`, { [R.string]: `c${i}` }).then(
          () => true,
          (err: unknown) => (isResponseError(err) ? err : String(err)),
        )
        return { exec, create }
      }),
    ),
    3600_000,
  )
  // Let every retransmission and duplicate that is still on its way arrive.
  await runFor(clock, 300_000)
  let confirmed = 0
  for (let i = 0; i < CLIENTS; i++) {
    const { exec, create } = outcomes[i]!
    const t = objects[i]!
    // Never twice; exactly once where the server got the answer (a request whose every
    // attempt or answer was lost may or may not have run once).
    expect(t.executions.length).toBeLessThanOrEqual(1)
    expect(t.created.length).toBeLessThanOrEqual(1)
    expect(exec).not.toBeInstanceOf(Error)
    expect(create).not.toBeInstanceOf(Error)
    if (exec === true) expect(t.executions).toEqual([`${i % 10}`])
    if (create === true) {
      expect(t.created).toEqual([5])
      expect(t.object.get(5, R.string)).toBe(`c${i}`)
    }
    if (exec === true && create === true) confirmed++
  }
  expect(confirmed).toBeGreaterThan(CLIENTS * 0.95)

  // The faults really happened.
  const total = stats.reduce(
    (a, s) => ({
      dropped: a.dropped + s.dropped,
      duplicated: a.duplicated + s.duplicated,
      sent: a.sent + s.sent,
    }),
    { dropped: 0, duplicated: 0, sent: 0 },
  )
  expect(total.dropped).toBeGreaterThan(1000)
  expect(total.duplicated).toBeGreaterThan(1000)
}, 120_000)
