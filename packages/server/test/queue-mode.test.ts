import { Code } from '@lwm2m/coap'
import { singleResource } from '@lwm2m/core'
import { afterEach, describe, expect, it } from 'vitest'
import type { Registration } from '../src/index.js'
import type { ScriptedClient } from './support/scripted-client.js'
import { DEVICE_LINKS, settle, type TestBed, testBed } from './support/setup.js'

/** MAX_TRANSMIT_WAIT with the RFC 7252 defaults (section 4.8.2). */
const MAX_TRANSMIT_WAIT = 93_000

let bed: TestBed | undefined
afterEach(async () => {
  await bed?.close()
  bed = undefined
})

async function queueClient(
  options: Partial<Parameters<typeof testBed>[0]> = {},
  version: '1.0' | '1.1' = '1.1',
): Promise<{ c: ScriptedClient; log: string[] }> {
  bed ??= await testBed(options)
  const c = await bed.client('node-1', { version })
  const log: string[] = []
  bed.server.on('awake', (r: Registration) => log.push(`awake ${r.endpoint}`))
  bed.server.on('sleeping', (r: Registration) => log.push(`sleeping ${r.endpoint}`))
  const params =
    version === '1.0'
      ? { binding: { transports: ['U'] as const, queueMode: true }, queueMode: true }
      : { queueMode: true }
  expect((await c.register(DEVICE_LINKS, { ...params, lifetime: 600 })).code).toBe(Code.Created)
  c.answer = () => ({ node: singleResource(9, 'integer', 80) })
  await settle()
  return { c, log }
}

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p
  } catch (err) {
    return err
  }
  throw new Error('expected a rejection')
}

describe('queue mode (Core TS 1.2 section 6.5; Transport TS 6.2.3; ETS 1.1-int-108, 1.1-int-109)', () => {
  it('records a client registered with Q as queue mode, awake, asleep MAX_TRANSMIT_WAIT after its last message', async () => {
    const { log } = await queueClient()
    const reg = (await bed!.server.getRegistration('node-1'))!
    expect(reg.queueMode).toBe(true)
    expect(bed!.server.isAwake('node-1')).toBe(true)
    await bed!.clock.advanceAsync(MAX_TRANSMIT_WAIT - 1)
    expect(bed!.server.isAwake('node-1')).toBe(true)
    await bed!.clock.advanceAsync(1)
    expect(bed!.server.isAwake('node-1')).toBe(false)
    expect(log).toEqual(['sleeping node-1'])
  })

  it('a 1.0 client with binding UQ is in queue mode', async () => {
    await queueClient({}, '1.0')
    expect((await bed!.server.getRegistration('node-1'))!.queueMode).toBe(true)
    expect(bed!.server.isAwake('node-1')).toBe(true)
  })

  it('holds a request while the client sleeps and sends it only after answering its Update (int-109)', async () => {
    const { c, log } = await queueClient()
    await bed!.clock.advanceAsync(MAX_TRANSMIT_WAIT + 27_000)
    const read = bed!.server.read('node-1', '/3/0/9')
    await settle()
    expect(c.received).toHaveLength(0)
    expect(bed!.server.queuedRequests('node-1')).toBe(1)
    const wireBefore = c.wire.length
    const res = await c.update()
    expect(res.code).toBe(Code.Changed)
    expect((await read).node).toEqual(singleResource(9, 'integer', 80))
    // The Update was answered (2.04) before the held request (0.01 GET) went out.
    expect(c.wire.slice(wireBefore).filter((code) => code !== '0.00')).toEqual(['2.04', '0.01'])
    expect(c.received.map((r) => r.op.kind)).toEqual(['read'])
    expect(log).toEqual(['sleeping node-1', 'awake node-1'])
    expect(bed!.server.queuedRequests('node-1')).toBe(0)
  })

  it('sends held requests in order (FIFO) when the client wakes', async () => {
    const { c } = await queueClient()
    await bed!.clock.advanceAsync(MAX_TRANSMIT_WAIT)
    const paths = ['/3/0/9', '/3/0/10', '/3/0/21']
    c.answer = (op) => {
      const id = (op as { path: { resourceId: number } }).path.resourceId
      return { node: singleResource(id, 'integer', id) }
    }
    const reads = paths.map((p) => bed!.server.read('node-1', p))
    await settle()
    await c.update()
    await Promise.all(reads)
    expect(c.received.map((r) => `/${r.request.path.join('/')}`)).toEqual(paths)
  })

  it('a Register, a Send or a notification wakes the client too', async () => {
    const { c } = await queueClient()
    await bed!.clock.advanceAsync(MAX_TRANSMIT_WAIT)
    const r1 = bed!.server.read('node-1', '/3/0/9')
    await settle()
    await c.register(DEVICE_LINKS, { queueMode: true, lifetime: 600 })
    await r1
    await bed!.clock.advanceAsync(MAX_TRANSMIT_WAIT)
    const r2 = bed!.server.read('node-1', '/3/0/9')
    await settle()
    expect(bed!.server.queuedRequests('node-1')).toBe(1)
    const nodes = new Map([['/3/0/9', singleResource(9, 'integer', 5)]])
    expect((await c.send([{ timestamp: undefined, nodes }])).code).toBe(Code.Changed)
    await r2
    // A notification: the client observed while awake, then slept, then notified.
    const sub = bed!.server.observe('node-1', '/3/0/9')
    await sub.ready
    await bed!.clock.advanceAsync(MAX_TRANSMIT_WAIT)
    expect(bed!.server.isAwake('node-1')).toBe(false)
    const r3 = bed!.server.read('node-1', '/3/0/9')
    await settle()
    expect(bed!.server.queuedRequests('node-1')).toBe(1)
    await c.observations[0]!.notify({ node: singleResource(9, 'integer', 6) })
    await r3
    expect(bed!.server.isAwake('node-1')).toBe(true)
  })

  it('a held request is built for the registration of the moment it goes out (re-registration with another root path)', async () => {
    const { c } = await queueClient()
    await bed!.clock.advanceAsync(MAX_TRANSMIT_WAIT)
    const read = bed!.server.read('node-1', '/3/0/9')
    await settle()
    c.rootPath = '/lwm2m'
    await c.register('</lwm2m>;rt="oma.lwm2m";ct=112,</lwm2m/3/0>', { queueMode: true, lifetime: 600 })
    await read
    expect(c.received[0]!.request.path).toEqual(['lwm2m', '3', '0', '9'])
  })

  it('a held request fails with TIMEOUT at its deadline; without one it waits until the registration ends', async () => {
    const { c } = await queueClient()
    await bed!.clock.advanceAsync(MAX_TRANSMIT_WAIT)
    const short = rejection(bed!.server.read('node-1', '/3/0/9', { timeout: 10_000 }))
    const long = rejection(bed!.server.read('node-1', '/3/0/9'))
    await bed!.clock.advanceAsync(10_000)
    expect(await short).toMatchObject({ code: 'TIMEOUT' })
    expect(bed!.server.queuedRequests('node-1')).toBe(1)
    // The lifetime (600 s) passes without Update: the registration expires and the request with it.
    await bed!.clock.advanceAsync(600_000)
    expect(await long).toMatchObject({ code: 'REGISTRATION_ENDED' })
    expect(c.received).toHaveLength(0)
  })

  it('queueMode.requestTimeout bounds the wait of requests without timeout', async () => {
    await queueClient({ queueMode: { requestTimeout: 30_000 } })
    await bed!.clock.advanceAsync(MAX_TRANSMIT_WAIT)
    const p = rejection(bed!.server.read('node-1', '/3/0/9'))
    await bed!.clock.advanceAsync(30_000)
    expect(await p).toMatchObject({ code: 'TIMEOUT' })
  })

  it('the queue is bounded: QUEUE_FULL beyond it', async () => {
    await queueClient({ limits: { queuedRequestsPerClient: 2 } })
    await bed!.clock.advanceAsync(MAX_TRANSMIT_WAIT)
    const held = [1, 2].map(() => rejection(bed!.server.read('node-1', '/3/0/9', { timeout: 1000 })))
    expect(await rejection(bed!.server.read('node-1', '/3/0/9'))).toMatchObject({ code: 'QUEUE_FULL' })
    await bed!.clock.advanceAsync(1000)
    for (const h of held) expect(await h).toMatchObject({ code: 'TIMEOUT' })
  })

  it('an abort removes a held request from the queue', async () => {
    await queueClient()
    await bed!.clock.advanceAsync(MAX_TRANSMIT_WAIT)
    const ac = new AbortController()
    const p = rejection(bed!.server.read('node-1', '/3/0/9', { signal: ac.signal }))
    await settle()
    ac.abort()
    expect(await p).toMatchObject({ code: 'ABORTED' })
    expect(bed!.server.queuedRequests('node-1')).toBe(0)
  })

  it('held requests fail with REGISTRATION_ENDED when the client de-registers or expires', async () => {
    const { c } = await queueClient()
    await bed!.clock.advanceAsync(MAX_TRANSMIT_WAIT)
    const p = rejection(bed!.server.read('node-1', '/3/0/9'))
    await settle()
    await c.deregister()
    expect(await p).toMatchObject({ code: 'REGISTRATION_ENDED' })
    await c.register(DEVICE_LINKS, { queueMode: true, lifetime: 200 })
    await bed!.clock.advanceAsync(MAX_TRANSMIT_WAIT)
    const q = rejection(bed!.server.read('node-1', '/3/0/9'))
    await bed!.clock.advanceAsync(200_000)
    expect(await q).toMatchObject({ code: 'REGISTRATION_ENDED' })
  })

  it('a request the client does not answer marks it asleep; what follows waits', async () => {
    const { c, log } = await queueClient()
    c.listening = false
    const p = rejection(bed!.server.read('node-1', '/3/0/9', { timeout: 5_000 }))
    await bed!.clock.advanceAsync(5_000)
    expect(await p).toMatchObject({ code: 'TIMEOUT' })
    expect(bed!.server.isAwake('node-1')).toBe(false)
    expect(log).toEqual(['sleeping node-1'])
    c.listening = true
    const q = bed!.server.read('node-1', '/3/0/9')
    await settle()
    expect(bed!.server.queuedRequests('node-1')).toBe(1)
    await c.update()
    expect((await q).code).toBe(Code.Content)
  })

  it('the cancellation of an observation waits for a sleeping client too', async () => {
    const { c } = await queueClient()
    const sub = bed!.server.observe('node-1', '/3/0/9')
    await sub.ready
    await bed!.clock.advanceAsync(MAX_TRANSMIT_WAIT)
    const cancelled = sub.cancel()
    await settle()
    expect(sub.ended?.reason).toBe('cancelled')
    expect(c.ops('cancelObservation')).toHaveLength(0)
    await c.update()
    await cancelled
    expect(c.ops('cancelObservation')).toHaveLength(1)
  })

  it('an Update without queue mode (1.0 b=U) sends what was held and stops queueing', async () => {
    const { c } = await queueClient({}, '1.0')
    await bed!.clock.advanceAsync(MAX_TRANSMIT_WAIT)
    const p = bed!.server.read('node-1', '/3/0/9')
    await settle()
    await c.update({ binding: { transports: ['U'], queueMode: false } })
    await p
    expect((await bed!.server.getRegistration('node-1'))!.queueMode).toBe(false)
    expect(bed!.server.isAwake('node-1')).toBeUndefined()
    await bed!.clock.advanceAsync(MAX_TRANSMIT_WAIT * 2)
    await bed!.server.read('node-1', '/3/0/9')
  })

  it('a client not in queue mode is never held', async () => {
    bed = await testBed()
    const c = await bed.client('node-1')
    await c.register(DEVICE_LINKS, { lifetime: 600 })
    c.answer = () => ({ node: singleResource(9, 'integer', 80) })
    await bed.clock.advanceAsync(MAX_TRANSMIT_WAIT * 3)
    expect(bed.server.isAwake('node-1')).toBeUndefined()
    expect((await bed.server.read('node-1', '/3/0/9')).code).toBe(Code.Content)
  })
})
