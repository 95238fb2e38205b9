import { type CoapResponse, Code, MessageType } from '@lwm2m/coap'
import { instance, Lwm2mPath, multipleResource } from '@lwm2m/core'
import { createTemperatureObject, defineObject, type IpsoSensorObject, portfolioModel } from '@lwm2m/objects'
import { afterEach, describe, expect, it } from 'vitest'
import type { Lwm2mClient } from '../src/index.js'
import { type Bench, bench } from './harness.js'

const P = (t: string) => Lwm2mPath.parse(t)
const VALUE = P('/3303/0/5700')
let b: Bench
afterEach(async () => {
  await b?.close()
})

async function start(
  options: Parameters<Bench['client']>[0] = {},
): Promise<{ client: Lwm2mClient; sensor: IpsoSensorObject; t0: number }> {
  b = await bench()
  const sensor = createTemperatureObject({ sensors: [{ value: 20 }], clock: b.clock })
  const client = b.client({ objects: [sensor], ...options })
  await client.start()
  await b.until(b.server.take('register'))
  return { client, sensor, t0: b.clock.now() }
}

async function writeAttributes(path: Lwm2mPath, attributes: Record<string, number>) {
  const r = await b.until(b.server.dm({ kind: 'writeAttributes', path, attributes }))
  expect(r.code).toBe(Code.Changed)
}

/** The value a notification of VALUE carries. */
function notified(response: CoapResponse): unknown {
  const r = b.server.decode({ kind: 'observe', path: VALUE }, response)
  return (r.node as { value: unknown }).value
}

describe('Observe and notifications (Core TS 1.1 section 6.4.1, 1.2 section 7.3.2)', () => {
  it('holds a change back until pmin, and notifies at pmax without a change (ETS int-301)', async () => {
    const { sensor, t0 } = await start()
    await writeAttributes(VALUE, { pmin: 10, pmax: 60 })
    const { observation, notifications } = await b.until(b.server.observe({ kind: 'observe', path: VALUE }))
    expect(observation.active).toBe(true)
    expect(notified(observation.response)).toBe(20)
    await b.clock.advanceAsync(2000)
    sensor.record(0, 21)
    await b.clock.advanceAsync(7000)
    expect(notifications).toHaveLength(0)
    await b.clock.advanceAsync(1000)
    expect(notifications.map((n) => [n.at - t0, notified(n.response)])).toEqual([[10_000, 21]])
    await b.clock.advanceAsync(60_000)
    expect(notifications.map((n) => [n.at - t0, notified(n.response)])).toEqual([
      [10_000, 21],
      [70_000, 21],
    ])
  })

  it('notifies when the value crosses gt or lt, either way (Core TS 1.2 table 7.3.2-1)', async () => {
    const { sensor } = await start()
    await writeAttributes(VALUE, { gt: 25, lt: 15 })
    const { notifications } = await b.until(b.server.observe({ kind: 'observe', path: VALUE }))
    for (const v of [22, 26, 27, 24, 16, 14, 13]) {
      sensor.record(0, v)
      await b.clock.advanceAsync(1000)
    }
    expect(notifications.map((n) => notified(n.response))).toEqual([26, 24, 14])
  })

  it('notifies when the value moved by st or more since the last notification', async () => {
    const { sensor } = await start()
    await writeAttributes(VALUE, { st: 5 })
    const { notifications } = await b.until(b.server.observe({ kind: 'observe', path: VALUE }))
    for (const v of [23, 25, 27, 29, 31, 20]) {
      sensor.record(0, v)
      await b.clock.advanceAsync(1000)
    }
    expect(notifications.map((n) => notified(n.response))).toEqual([25, 31, 20])
  })

  it('evaluates at epmax a value that changes without telling (1.1 epmax), never before epmin', async () => {
    b = await bench()
    let reading = 1
    const model = (await import('@lwm2m/objects')).temperatureModel
    const meter = defineObject(model, { instances: [0], read: { 5700: () => reading } })
    const client = b.client({ objects: [meter] })
    await client.start()
    await b.until(b.server.take('register'))
    const t0 = b.clock.now()
    await writeAttributes(VALUE, { epmin: 5, epmax: 30 })
    const { notifications } = await b.until(b.server.observe({ kind: 'observe', path: VALUE }))
    reading = 2
    await b.clock.advanceAsync(29_000)
    expect(notifications).toHaveLength(0)
    await b.clock.advanceAsync(1000)
    expect(notifications.map((n) => [n.at - t0, notified(n.response)])).toEqual([[30_000, 2]])
    // A change the object tells of is evaluated as soon as epmin allows: 5 s after the last evaluation.
    await b.clock.advanceAsync(1000)
    reading = 3
    meter.changed(0, 5700)
    await b.clock.advanceAsync(5000)
    expect(notifications.map((n) => [n.at - t0, notified(n.response)])).toEqual([
      [30_000, 2],
      [35_000, 3],
    ])
  })

  it('takes pmin and pmax from the server defaults /1/x/2 and /1/x/3', async () => {
    const { t0 } = await start({
      servers: [{ shortServerId: 1, lifetime: 86400, defaultMinPeriod: 5, defaultMaxPeriod: 20 }],
    })
    const { notifications } = await b.until(b.server.observe({ kind: 'observe', path: VALUE }))
    await b.clock.advanceAsync(45_000)
    expect(notifications.map((n) => n.at - t0)).toEqual([20_000, 40_000])
  })

  it('lets the attributes of the Observe request override those attached (1.2)', async () => {
    const { t0 } = await start({ version: '1.2' })
    await writeAttributes(VALUE, { pmax: 60 })
    const { notifications } = await b.until(
      b.server.observe({ kind: 'observe', path: VALUE, attributes: { pmin: 1, pmax: 4 } }),
    )
    await b.clock.advanceAsync(9000)
    expect(notifications.map((n) => n.at - t0)).toEqual([4000, 8000])
    expect(b.server.all('register')).toHaveLength(1)
  })

  it('follows attributes written while observing, and the inheritance from the object (ETS int-310)', async () => {
    const { sensor, t0 } = await start()
    const { notifications } = await b.until(b.server.observe({ kind: 'observe', path: VALUE }))
    await writeAttributes(P('/3303'), { pmax: 5 })
    await b.clock.advanceAsync(11_000)
    expect(notifications.map((n) => n.at - t0)).toEqual([5000, 10_000])
    await writeAttributes(P('/3303/0'), { pmin: 3, pmax: 100 })
    sensor.record(0, 30)
    await b.clock.advanceAsync(4000)
    expect(notifications.map((n) => [n.at - t0, notified(n.response)]).slice(2)).toEqual([[13_000, 30]])
  })

  it('notifies any change of an observed instance', async () => {
    const { sensor } = await start()
    const path = P('/3303/0')
    const { notifications } = await b.until(b.server.observe({ kind: 'observe', path }))
    sensor.record(0, 25)
    await b.clock.advanceAsync(0)
    expect(notifications).toHaveLength(1)
    const node = b.server.decode({ kind: 'observe', path }, notifications[0]!.response).node
    expect(node).toMatchObject({ kind: 'instance' })
  })

  it('ends the observation with 4.04 when the observed instance goes', async () => {
    b = await bench()
    const portfolio = defineObject(portfolioModel, { instances: { 0: { 0: ['a'] } } })
    const client = b.client({ objects: [portfolio] })
    await client.start()
    await b.until(b.server.take('register'))
    const { observation, notifications } = await b.until(
      b.server.observe({ kind: 'observe', path: P('/16/0') }),
    )
    await b.until(b.server.dm({ kind: 'delete', path: P('/16/0') }))
    await b.clock.advanceAsync(0)
    expect(notifications.map((n) => n.response.code)).toEqual([Code.NotFound])
    expect(observation.signal.aborted).toBe(true)
    expect(client.observations()).toHaveLength(0)
  })
})

describe('cancelling (Core TS 1.1 section 6.4.3, RFC 7641 section 3.6)', () => {
  it('ends on GET with Observe=1 (ETS int-303)', async () => {
    const { client, sensor } = await start()
    const { observation, notifications } = await b.until(b.server.observe({ kind: 'observe', path: VALUE }))
    expect(client.observations()).toMatchObject([{ paths: ['/3303/0/5700'], kind: 'single' }])
    const ended = client.once('observationEnded')
    await b.until(observation.cancel('active'))
    await ended
    expect(client.observations()).toHaveLength(0)
    sensor.record(0, 40)
    await b.clock.advanceAsync(1000)
    expect(notifications).toHaveLength(0)
  })

  it('ends when the server answers a notification with RST (ETS int-302)', async () => {
    const { client, sensor } = await start()
    const { observation } = await b.until(b.server.observe({ kind: 'observe', path: VALUE }))
    await observation.cancel('passive')
    sensor.record(0, 41)
    await b.until(client.once('observationEnded'))
    expect(client.observations()).toHaveLength(0)
  })
})

describe('Observe-Composite (Core TS 1.1 section 6.4.4)', () => {
  it('notifies all paths together between pmin and pmax (ETS int-304)', async () => {
    const { t0 } = await start()
    await writeAttributes(P('/1/0/1'), { pmin: 30, pmax: 45 })
    const op = {
      kind: 'observeComposite',
      paths: [P('/1/0/1'), P('/3/0/11/0'), P('/3/0/16')],
      contentFormat: 112,
      accept: 112,
    } as const
    const { observation, notifications } = await b.until(b.server.observe(op))
    expect([...b.server.decode(op, observation.response).nodes.keys()]).toEqual([
      '/1/0/1',
      '/3/0/11/0',
      '/3/0/16',
    ])
    await b.clock.advanceAsync(46_000)
    expect(notifications.map((n) => n.at - t0)).toEqual([45_000])
    const nodes = b.server.decode(op, notifications[0]!.response).nodes
    expect(nodes.get('/3/0/16')).toMatchObject({ value: 'U' })
  })

  it('includes an instance created under an observed path (ETS int-308), leaves out a deleted one (int-309)', async () => {
    b = await bench()
    const portfolio = defineObject(portfolioModel, { instances: { 0: { 0: ['aa', 'bb'] } } })
    const client = b.client({ objects: [portfolio] })
    await client.start()
    await b.until(b.server.take('register'))
    const op = {
      kind: 'observeComposite',
      paths: [P('/16/0'), P('/16/1')],
      contentFormat: 110,
      accept: 110,
    } as const
    const { observation, notifications } = await b.until(b.server.observe(op))
    expect(b.server.decode(op, observation.response).nodes.get('/16/1')).toBeNull()
    await b.until(
      b.server.dm({
        kind: 'create',
        path: P('/16'),
        instances: [instance(1, [multipleResource(0, 'string', ['11', '22'])])],
        contentFormat: 11542,
      }),
    )
    await b.clock.advanceAsync(0)
    const after = b.server.decode(op, notifications.at(-1)!.response).nodes
    expect(after.get('/16/1')).toMatchObject({ kind: 'instance', id: 1 })
    await b.until(b.server.dm({ kind: 'delete', path: P('/16/1') }))
    await b.clock.advanceAsync(0)
    expect(b.server.decode(op, notifications.at(-1)!.response).nodes.get('/16/1')).toBeNull()
  })

  it('ends on FETCH with Observe=1 (ETS int-305)', async () => {
    const { client, sensor } = await start()
    const op = { kind: 'observeComposite', paths: [VALUE, P('/3/0/16')], contentFormat: 112 } as const
    const { observation, notifications } = await b.until(b.server.observe(op))
    await b.until(observation.cancel('active'))
    expect(client.observations()).toHaveLength(0)
    sensor.record(0, 50)
    await b.clock.advanceAsync(1000)
    expect(notifications).toHaveLength(0)
  })

  it('is refused by an LwM2M 1.0 client (4.05)', async () => {
    await start({ version: '1.0', contentFormats: [11542, 0, 42, 112] })
    const op = { kind: 'observeComposite', paths: [VALUE], contentFormat: 112 } as const
    const { observation } = await b.until(b.server.observe(op))
    expect(observation.response.code).toBe(Code.MethodNotAllowed)
  })
})

describe('confirmable or not', () => {
  it('sends NON by default, CON with con=1 (1.2) or /1/x/26 = 1', async () => {
    const { sensor } = await start({ version: '1.2' })
    const { notifications } = await b.until(b.server.observe({ kind: 'observe', path: VALUE }))
    sensor.record(0, 22)
    await b.clock.advanceAsync(0)
    await writeAttributes(VALUE, { con: 1 })
    sensor.record(0, 23)
    await b.clock.advanceAsync(0)
    expect(notifications.map((n) => n.response.type)).toEqual([MessageType.NON, MessageType.CON])
    await b.close()

    const second = await start({
      version: '1.2',
      servers: [{ shortServerId: 1, lifetime: 300, resources: { 26: 1 } }],
    })
    const obs = await b.until(b.server.observe({ kind: 'observe', path: VALUE }))
    second.sensor.record(0, 30)
    await b.clock.advanceAsync(0)
    expect(obs.notifications.map((n) => n.response.type)).toEqual([MessageType.CON])
  })
})
