import { Code, ContentFormat } from '@lwm2m/coap'
import { instance, Lwm2mPath, Lwm2mResponseError, singleResource } from '@lwm2m/core'
import { afterEach, describe, expect, it } from 'vitest'
import type { CompositeNotification, NodeNotification, Notification } from '../src/index.js'
import type { ScriptedClient } from './support/scripted-client.js'
import { DEVICE_LINKS, settle, type TestBed, testBed } from './support/setup.js'

const P = (t: string) => Lwm2mPath.parse(t)
const temp = (v: number) => singleResource(5700, 'float', v)
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex')

let bed: TestBed | undefined
afterEach(async () => {
  await bed?.close()
  bed = undefined
})

async function registered(
  name = 'node-1',
  options: Parameters<TestBed['client']>[1] = {},
  links = DEVICE_LINKS,
): Promise<ScriptedClient> {
  bed ??= await testBed()
  const c = await bed.client(name, options)
  expect((await c.register(links)).code).toBe(Code.Created)
  await settle()
  return c
}

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p
  } catch (err) {
    return err
  }
  throw new Error('expected a rejection')
}

describe('Observe (Core TS 1.2 section 6.4.1, 6.4.2 Notify; RFC 7641)', () => {
  it('gives the initial answer and every notification through the iterator and the events', async () => {
    const c = await registered()
    let value = 20
    c.answer = () => ({ node: temp(value) })
    const events: Notification[] = []
    bed!.server.on('notification', (n) => events.push(n))
    const sub = bed!.server.observe('node-1', '/3303/0/5700')
    const seen: NodeNotification[] = []
    sub.on('notification', (n) => seen.push(n))
    const initial = await sub.ready
    expect(initial).toMatchObject({
      kind: 'observe',
      endpoint: 'node-1',
      initial: true,
      path: P('/3303/0/5700'),
      node: temp(20),
      contentFormat: ContentFormat.SENML_CBOR,
      timestamped: undefined,
      receivedAt: bed!.clock.now(),
    })
    expect(sub.active).toBe(true)
    expect(sub.registrationId).toBe((await bed!.server.getRegistration('node-1'))!.id)
    const [op] = c.ops('observe')
    expect(op).toEqual({ kind: 'observe', path: P('/3303/0/5700'), accept: ContentFormat.SENML_CBOR })
    expect(c.received[0]!.request.observe).toBe(0)
    const held = c.observations[0]!
    value = 21
    await held.notify({ node: temp(21) })
    await held.notify({ node: temp(22) })
    await settle()
    const it = sub[Symbol.asyncIterator]()
    const values: number[] = []
    for (let i = 0; i < 3; i++) {
      const r = await it.next()
      values.push(((r.value as NodeNotification).node as { value: number }).value)
    }
    expect(values).toEqual([20, 21, 22])
    expect(seen.map((n) => n.initial)).toEqual([true, false, false])
    expect(events).toHaveLength(3)
    expect(await bed!.server.observationStore.size()).toBe(1)
    const [record] = await bed!.server.observationStore.byRegistration(sub.registrationId!)
    expect(record).toMatchObject({
      id: sub.id,
      endpoint: 'node-1',
      paths: ['/3303/0/5700'],
      composite: false,
    })
  })

  it('keeps the SenML times of a notification with historical data (Core TS 1.2 section 7.4.4)', async () => {
    const c = await registered()
    c.answer = () => ({ node: temp(20) })
    const sub = bed!.server.observe('node-1', '/3303/0/5700')
    await sub.ready
    const held = c.observations[0]!
    const payload = bed!.server.codecs.get(ContentFormat.SENML_CBOR)!.encodeTimestamped!(
      [
        { timestamp: 1_700_000_000, nodes: new Map([['/3303/0/5700', temp(18)]]) },
        { timestamp: 1_700_000_060, nodes: new Map([['/3303/0/5700', temp(19)]]) },
      ],
      { getObjectModel: () => undefined },
    )
    await held.observation.notify({ code: Code.Content, contentFormat: ContentFormat.SENML_CBOR, payload })
    await settle()
    const it = sub[Symbol.asyncIterator]()
    await it.next()
    const n = (await it.next()).value as NodeNotification
    expect(n.node).toEqual(temp(19))
    expect(n.timestamped?.map((g) => g.timestamp)).toEqual([1_700_000_000, 1_700_000_060])
    expect(n.timestamped?.map((g) => g.nodes.get('/3303/0/5700'))).toEqual([temp(18), temp(19)])
  })

  it('cancels actively: GET with Observe=1, the same token and path (Core TS 1.2 section 6.4.3)', async () => {
    const c = await registered()
    c.answer = () => ({ node: temp(20) })
    const sub = bed!.server.observe('node-1', '/3303/0/5700')
    await sub.ready
    const ends: string[] = []
    sub.on('end', (e) => ends.push(e.reason))
    await sub.cancel()
    const cancel = c.received[1]!
    expect(cancel.op).toEqual({
      kind: 'cancelObservation',
      path: P('/3303/0/5700'),
      accept: ContentFormat.SENML_CBOR,
    })
    expect(cancel.request.method).toBe('GET')
    expect(cancel.request.observe).toBe(1)
    expect(hex(cancel.request.token)).toBe(hex(c.received[0]!.request.token))
    expect(ends).toEqual(['cancelled'])
    expect(sub.ended).toEqual({ reason: 'cancelled', error: undefined })
    const it = sub[Symbol.asyncIterator]()
    expect((await it.next()).value).toMatchObject({ initial: true })
    expect((await it.next()).done).toBe(true)
    expect(await bed!.server.observationStore.size()).toBe(0)
    expect(bed!.server.observationCount).toBe(0)
  })

  it('cancels passively: nothing is sent, the next notification is answered with RST (RFC 7641 section 3.6)', async () => {
    const c = await registered()
    c.answer = () => ({ node: temp(20) })
    const sub = bed!.server.observe('node-1', '/3303/0/5700')
    await sub.ready
    await sub.cancel({ passive: true })
    expect(c.received).toHaveLength(1)
    const held = c.observations[0]!
    await expect(held.notify({ node: temp(30) }, { confirmable: true })).rejects.toThrow()
    expect(held.observation.signal.aborted).toBe(true)
    expect(await bed!.server.observationStore.size()).toBe(0)
  })

  it('leaving a for-await loop cancels the observation actively', async () => {
    const c = await registered()
    c.answer = () => ({ node: temp(20) })
    for await (const n of bed!.server.observe('node-1', '/3303/0/5700')) {
      expect(n.initial).toBe(true)
      break
    }
    expect(c.ops('cancelObservation')).toHaveLength(1)
  })

  it("rejects ready and throws from the iterator on the client's error answer", async () => {
    const c = await registered()
    c.answer = () => ({ raw: { code: Code.NotFound } })
    const sub = bed!.server.observe('node-1', '/3303/9/5700')
    const err = await rejection(sub.ready)
    expect(err).toBeInstanceOf(Lwm2mResponseError)
    expect(sub.ended).toMatchObject({ reason: 'failed' })
    await expect(sub[Symbol.asyncIterator]().next()).rejects.toBe(err)
    expect(await bed!.server.observationStore.size()).toBe(0)
  })

  it('ends with the error of an error notification, after the values before it', async () => {
    const c = await registered()
    c.answer = () => ({ node: temp(20) })
    const sub = bed!.server.observe('node-1', '/3303/0/5700')
    await sub.ready
    await c.observations[0]!.observation.notify({ code: Code.NotFound })
    await settle()
    const it = sub[Symbol.asyncIterator]()
    expect((await it.next()).value).toMatchObject({ initial: true })
    const err = await rejection(it.next())
    expect(err).toMatchObject({ status: 'NOT_FOUND' })
    expect((await it.next()).done).toBe(true)
    expect(await bed!.server.observationStore.size()).toBe(0)
  })

  it('ends as refused when the client answers without starting an observation (RFC 7641 section 4.1)', async () => {
    const c = await registered()
    c.answer = () => ({
      raw: { code: Code.Content, contentFormat: ContentFormat.TEXT, payload: '20.5' },
    })
    const sub = bed!.server.observe('node-1', '/3303/0/5700', { format: ContentFormat.TEXT })
    expect((await sub.ready).node).toEqual(temp(20.5))
    expect(sub.ended?.reason).toBe('refused')
    const values = []
    for await (const n of sub) values.push(n)
    expect(values).toHaveLength(1)
  })

  it('fails ready with UNKNOWN_ENDPOINT for an endpoint that is not registered', async () => {
    bed = await testBed()
    const sub = bed.server.observe('ghost', '/3/0')
    expect(await rejection(sub.ready)).toMatchObject({ code: 'UNKNOWN_ENDPOINT' })
    await expect(sub[Symbol.asyncIterator]().next()).rejects.toMatchObject({ code: 'UNKNOWN_ENDPOINT' })
  })

  it('sends the observation attributes in the query to a 1.2 client, Write-Attributes first to older ones', async () => {
    const c12 = await registered('v12', { version: '1.2' })
    c12.answer = () => ({ node: temp(1) })
    await bed!.server.observe('v12', '/3303/0/5700', { attributes: { pmin: 5, pmax: 60 } }).ready
    expect(c12.received.map((r) => r.op.kind)).toEqual(['observe'])
    expect(c12.received[0]!.request.query).toEqual(['pmin=5', 'pmax=60'])
    const c11 = await registered('v11')
    c11.answer = () => ({ node: temp(1) })
    await bed!.server.observe('v11', '/3303/0/5700', { attributes: { pmin: 5, pmax: 60 } }).ready
    expect(c11.received.map((r) => r.op.kind)).toEqual(['writeAttributes', 'observe'])
    expect(c11.received[0]!.request.query).toEqual(['pmin=5', 'pmax=60'])
    expect(c11.received[1]!.request.query).toEqual([])
  })

  it('asks a 1.0 client for TLV notifications', async () => {
    const c = await registered('old', { version: '1.0' }, '</1/0>,</3/0>')
    c.answer = () => ({ node: instance(0, [singleResource(9, 'integer', 80)]) })
    const n = await bed!.server.observe('old', '/3/0').ready
    expect(c.ops('observe')[0]!.accept).toBe(ContentFormat.LWM2M_TLV)
    expect(n.node).toEqual(instance(0, [singleResource(9, 'integer', 80)]))
  })

  it('bounds the buffer: the oldest notifications are dropped when nobody takes them', async () => {
    const c = await registered()
    c.answer = () => ({ node: temp(0) })
    const sub = bed!.server.observe('node-1', '/3303/0/5700', { bufferSize: 2 })
    await sub.ready
    for (let i = 1; i <= 4; i++) await c.observations[0]!.notify({ node: temp(i) })
    await settle()
    expect(sub.dropped).toBe(3)
    const it = sub[Symbol.asyncIterator]()
    expect(((await it.next()).value as NodeNotification).node).toEqual(temp(3))
    expect(((await it.next()).value as NodeNotification).node).toEqual(temp(4))
  })

  it('limits observations per client (ServerError LIMIT)', async () => {
    bed = await testBed({ limits: { observationsPerClient: 2 } })
    const c = await registered()
    c.answer = (op) => ({ node: singleResource((op as { path: Lwm2mPath }).path.resourceId!, 'float', 1) })
    await bed.server.observe('node-1', '/3303/0/5700').ready
    await bed.server.observe('node-1', '/3303/0/5601').ready
    expect(await rejection(bed.server.observe('node-1', '/3303/0/5700').ready)).toMatchObject({
      code: 'LIMIT',
    })
  })
})

describe('Observe-Composite (Core TS 1.2 sections 6.4.4, 6.4.5)', () => {
  it('FETCH with Observe=0 and the paths; cancelled with FETCH Observe=1 and the same paths', async () => {
    const c = await registered()
    c.answer = () => ({
      nodes: new Map([
        ['/3303/0/5700', temp(20)],
        ['/3/0/9', singleResource(9, 'integer', 80)],
      ]),
    })
    const sub = bed!.server.observeComposite('node-1', ['/3303/0/5700', '/3/0/9'])
    const initial = await sub.ready
    expect(initial).toMatchObject({ kind: 'observeComposite', paths: [P('/3303/0/5700'), P('/3/0/9')] })
    expect((initial as CompositeNotification).nodes.get('/3/0/9')).toEqual(singleResource(9, 'integer', 80))
    const first = c.received[0]!
    expect(first.request.method).toBe('FETCH')
    expect(first.request.observe).toBe(0)
    expect(first.op).toMatchObject({ kind: 'observeComposite', paths: [P('/3303/0/5700'), P('/3/0/9')] })
    await c.observations[0]!.notify({ nodes: new Map([['/3303/0/5700', temp(21)]]) })
    await settle()
    const it = sub[Symbol.asyncIterator]()
    await it.next()
    const n = (await it.next()).value as CompositeNotification
    expect(n.nodes.get('/3303/0/5700')).toEqual(temp(21))
    expect(n.nodes.get('/3/0/9')).toBeNull()
    await sub.cancel()
    const cancel = c.received[1]!
    expect(cancel.request.method).toBe('FETCH')
    expect(cancel.request.observe).toBe(1)
    expect(cancel.op).toMatchObject({
      kind: 'cancelObservationComposite',
      paths: [P('/3303/0/5700'), P('/3/0/9')],
    })
    expect(hex(cancel.request.token)).toBe(hex(first.request.token))
  })

  it('refuses a 1.0 client with NOT_SUPPORTED', async () => {
    await registered('old', { version: '1.0' }, '</3/0>')
    const sub = bed!.server.observeComposite('old', ['/3/0/9'])
    expect(await rejection(sub.ready)).toMatchObject({ code: 'NOT_SUPPORTED' })
  })
})

describe('observations end with the registration (Core TS 1.2 section 6.2.3; 6.2.1 re-registration)', () => {
  for (const how of ['deregistered', 'expired', 'replaced'] as const) {
    it(`${how}: the iterator ends, the record goes, the next notification gets RST`, async () => {
      const c = await registered()
      c.answer = () => ({ node: temp(20) })
      const sub = bed!.server.observe('node-1', '/3303/0/5700')
      await sub.ready
      const it = sub[Symbol.asyncIterator]()
      await it.next()
      const pending = it.next()
      if (how === 'deregistered') await c.deregister()
      else if (how === 'replaced') await c.register(DEVICE_LINKS)
      else await bed!.clock.advanceAsync(300_000)
      expect((await pending).done).toBe(true)
      expect(sub.ended).toEqual({ reason: how, error: undefined })
      expect(await bed!.server.observationStore.size()).toBe(0)
      await expect(c.observations[0]!.notify({ node: temp(1) }, { confirmable: true })).rejects.toThrow()
    })
  }

  it('an observation waiting in the queue of a client that de-registers fails with REGISTRATION_ENDED', async () => {
    bed = await testBed({ limits: { requestsInFlightPerClient: 1 } })
    const c = await registered()
    c.listening = false
    void bed.server.read('node-1', '/3/0/9').catch(() => {})
    const sub = bed.server.observe('node-1', '/3303/0/5700')
    await settle()
    c.listening = true
    await c.deregister()
    expect(await rejection(sub.ready)).toMatchObject({ code: 'REGISTRATION_ENDED' })
  })
})

it("one client's observations do not notice another's de-registration", async () => {
  const a = await registered('a')
  const b = await registered('b')
  a.answer = () => ({ node: temp(1) })
  b.answer = () => ({ node: temp(2) })
  const sa = bed!.server.observe('a', '/3303/0/5700')
  const sb = bed!.server.observe('b', '/3303/0/5700')
  await Promise.all([sa.ready, sb.ready])
  await a.deregister()
  await settle()
  expect(sa.ended?.reason).toBe('deregistered')
  expect(sb.active).toBe(true)
  await b.observations[0]!.notify({ node: temp(3) })
  await settle()
  const it = sb[Symbol.asyncIterator]()
  await it.next()
  expect(((await it.next()).value as NodeNotification).node).toEqual(temp(3))
})
