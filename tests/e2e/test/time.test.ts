/**
 * Both roles on one FakeClock over the in-memory network: lifetimes, Update scheduling over
 * simulated days, queue mode, and the pmin/pmax timing of notifications end to end. Times
 * asserted here are fake-clock times: protocol behaviour, not speed.
 */
import { FakeClock } from '@lwm2m/coap'
import type { Lwm2mVersion } from '@lwm2m/core'
import { afterEach, describe, expect, it } from 'vitest'
import { resourceNode } from './support/expect.js'
import { runFor, runUntil, settle } from './support/fake-time.js'
import { createTestObject, INITIAL, R, TEST_OBJECT_ID } from './support/test-object.js'
import { createWorld, registered, type World } from './support/world.js'

const O = TEST_OBJECT_ID
const START = 1_700_000_000_000
let world: World | undefined

afterEach(async () => {
  await world?.close()
  world = undefined
})

async function fakeWorld(server: Parameters<typeof createWorld>[0]['server'] = {}) {
  const clock = new FakeClock(START)
  world = await createWorld({ transport: 'memory', clock, server })
  return { w: world, clock }
}

/** Starts a client on the fake clock and runs time until both sides hold the registration. */
async function startOnClock(w: World, clock: FakeClock, client: ReturnType<World['client']>, ep: string) {
  await runUntil(clock, registered(w, client, ep))
}

describe('lifetime (Core TS 1.2 section 6.2.1)', () => {
  it('expires a registration exactly one lifetime after the last Register when the client goes silent', async () => {
    const { w, clock } = await fakeWorld()
    const c = w.client('silent', { version: '1.1', account: { lifetime: 60 } })
    await startOnClock(w, clock, c, 'silent')
    const reg = await w.server.getRegistration('silent')
    expect(reg!.lifetime).toBe(60)
    // The client stops without De-register: no Update will come.
    await c.stop({ deregister: false })
    const expired: string[] = []
    w.server.on('expired', (r) => expired.push(r.endpoint))
    await runFor(clock, reg!.registeredAt + 60_000 - clock.now() - 1)
    expect(expired).toEqual([])
    expect(await w.server.getRegistration('silent')).toBeDefined()
    await runFor(clock, 1)
    expect(expired).toEqual(['silent'])
    expect(await w.server.getRegistration('silent')).toBeUndefined()
  })

  it('keeps a registration alive for three simulated days with Updates before each lifetime ends', async () => {
    const { w, clock } = await fakeWorld()
    const c = w.client('steady', { version: '1.2', account: { lifetime: 300 } })
    await startOnClock(w, clock, c, 'steady')
    const first = await w.server.getRegistration('steady')
    const updates: number[] = []
    const expired: string[] = []
    w.server.on('updated', () => updates.push(clock.now()))
    w.server.on('expired', (r) => expired.push(r.endpoint))
    const days = 3
    await runFor(clock, days * 86_400_000)
    expect(expired).toEqual([])
    const reg = await w.server.getRegistration('steady')
    expect(reg?.id).toBe(first!.id)
    expect(reg!.expiresAt).toBeGreaterThan(clock.now())
    // One Update per lifetime less the margin (MAX_TRANSMIT_WAIT, 93 s, for 300 s): every 207 s.
    expect(updates.length).toBe(Math.floor((days * 86_400_000) / 207_000))
    const gaps = updates.slice(1).map((t, i) => t - updates[i]!)
    expect(Math.max(...gaps)).toBeLessThan(300_000)
  })
})

describe('queue mode (Core TS 1.2 section 6.5)', () => {
  it('holds requests while the client sleeps and delivers them when its Update wakes it', async () => {
    const { w, clock } = await fakeWorld({ queueMode: { awakeTime: 10_000 } })
    const t = createTestObject()
    const c = w.client('sleepy', {
      version: '1.1',
      objects: [t.object],
      queueMode: true,
      awakeTime: 10_000,
      account: { lifetime: 300 },
    })
    await startOnClock(w, clock, c, 'sleepy')
    expect((await w.server.getRegistration('sleepy'))!.queueMode).toBe(true)
    const clientSlept = c.once('sleeping')
    await runFor(clock, 11_000)
    await clientSlept
    expect(w.server.isAwake('sleepy')).toBe(false)

    const ops: { kind: string; at: number }[] = []
    c.on('operation', (e) => ops.push({ kind: e.kind, at: clock.now() }))
    let updatedAt = 0
    w.server.on('updated', () => {
      updatedAt = clock.now()
    })
    const read = w.server.read('sleepy', `/${O}/0/${R.integer}`)
    const exec = w.server.execute('sleepy', `/${O}/0/${R.bump}`, { arguments: '1' })
    await settle()
    expect(w.server.queuedRequests('sleepy')).toBe(2)
    expect(ops).toEqual([])

    const result = await runUntil(clock, read)
    await runUntil(clock, exec)
    expect(result.node).toEqual(resourceNode(R.integer, INITIAL[R.integer]))
    expect(t.executions).toEqual(['1'])
    expect(updatedAt).toBeGreaterThan(START)
    // Delivered in order, at the moment the client's Update woke it.
    expect(ops.map((o) => o.kind)).toEqual(['read', 'execute'])
    expect(ops.every((o) => o.at === updatedAt)).toBe(true)
    expect(w.server.queuedRequests('sleepy')).toBe(0)
  })
})

describe.each(['1.1', '1.2'] as Lwm2mVersion[])(
  'pmin/pmax end to end, LwM2M %s (Core TS 1.2 section 7.3.2)',
  (version) => {
    it('notifies at pmax without change, holds a change until pmin, sends a later change at once', async () => {
      const { w, clock } = await fakeWorld()
      const t = createTestObject()
      const ep = `timed-${version}`
      const c = w.client(ep, { version, objects: [t.object], account: { lifetime: 86_400 } })
      await startOnClock(w, clock, c, ep)
      const received: { at: number; value: unknown }[] = []
      const sub = w.server.observe(ep, `/${O}/0/${R.float}`, { attributes: { pmin: 10, pmax: 60 } })
      sub.on('notification', (n) => {
        received.push({ at: n.receivedAt, value: n.node.kind === 'resource' ? n.node.value : undefined })
      })
      const first = await runUntil(clock, sub.ready)
      const t0 = first.receivedAt
      const offsets = () => received.map((r) => (r.at - t0) / 1000)

      await runFor(clock, t0 + 125_000 - clock.now())
      expect(offsets()).toEqual([0, 60, 120])
      t.object.set(0, R.float, 1.25) // 5 s after the last notification: held until pmin
      await runFor(clock, t0 + 150_000 - clock.now())
      t.object.set(0, R.float, 2.5) // 20 s after the last: beyond pmin, at once
      await runFor(clock, t0 + 215_000 - clock.now())
      expect(offsets()).toEqual([0, 60, 120, 130, 150, 210])
      expect(received.map((r) => r.value)).toEqual([
        INITIAL[R.float],
        INITIAL[R.float],
        INITIAL[R.float],
        1.25,
        2.5,
        2.5,
      ])
      await runUntil(clock, sub.cancel())
    })
  },
)
