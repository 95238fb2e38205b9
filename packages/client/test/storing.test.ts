import type { CoapResponse } from '@lwm2m/coap'
import { Lwm2mPath } from '@lwm2m/core'
import { createTemperatureObject, type IpsoSensorObject, type ServerAccountInit } from '@lwm2m/objects'
import { afterEach, describe, expect, it } from 'vitest'
import type { Lwm2mClient } from '../src/index.js'
import { type Bench, bench } from './harness.js'

const VALUE = Lwm2mPath.parse('/3303/0/5700')
let b: Bench
afterEach(async () => {
  await b?.close()
})

async function observed(
  server: Partial<ServerAccountInit>,
  options: Parameters<Bench['client']>[0] = {},
): Promise<{ client: Lwm2mClient; sensor: IpsoSensorObject; notifications: { response: CoapResponse }[] }> {
  b = await bench()
  const sensor = createTemperatureObject({ sensors: [{ value: 20 }], clock: b.clock })
  const client = b.client({
    objects: [sensor],
    servers: [{ shortServerId: 1, lifetime: 3600, communicationRetryTimer: 60, ...server }],
    ...options,
  })
  await client.start()
  await b.until(b.server.take('register'))
  const { notifications } = await b.until(b.server.observe({ kind: 'observe', path: VALUE }))
  return { client, sensor, notifications }
}

function values(notifications: { response: CoapResponse }[]): unknown[] {
  return notifications.map(
    (n) => (b.server.decode({ kind: 'observe', path: VALUE }, n.response).node as { value: unknown }).value,
  )
}

/** Cuts the server off until the client noticed (its Update failed). */
async function goOffline(client: Lwm2mClient): Promise<void> {
  b.server.reachable(false)
  const failed = client.once('updateFailed')
  await b.until(client.update())
  expect(await failed).toMatchObject({ reregister: false, retryIn: 60_000 })
  expect(client.server(1)?.reachable).toBe(false)
}

describe('Notification Storing When Disabled or Offline (/1/x/6, Core TS 1.1 section E.2)', () => {
  it('stores the notifications while the server is unreachable and sends them in order once it answers again', async () => {
    const { client, sensor, notifications } = await observed({ notificationStoring: true })
    await goOffline(client)
    for (const v of [21, 22, 23]) {
      sensor.record(0, v)
      await b.clock.advanceAsync(1000)
    }
    expect(client.server(1)?.storedNotifications).toBe(3)
    expect(notifications).toHaveLength(0)
    b.server.reachable(true)
    // The Update is retried after the Communication Retry Timer; its success releases them.
    await b.until(client.once('updated'))
    await b.clock.advanceAsync(0)
    expect(values(notifications)).toEqual([21, 22, 23])
    expect(client.server(1)?.storedNotifications).toBe(0)
    expect(client.server(1)?.reachable).toBe(true)
  })

  it('drops them when /1/x/6 is false', async () => {
    const { client, sensor, notifications } = await observed({ notificationStoring: false })
    await goOffline(client)
    const outcomes: string[] = []
    client.on('notification', (e) => outcomes.push(e.outcome))
    sensor.record(0, 21)
    await b.clock.advanceAsync(1000)
    expect(outcomes).toEqual(['dropped'])
    b.server.reachable(true)
    await b.until(client.once('updated'))
    await b.clock.advanceAsync(0)
    expect(notifications).toHaveLength(0)
    // Notifications flow again.
    sensor.record(0, 30)
    await b.clock.advanceAsync(0)
    expect(values(notifications)).toEqual([30])
  })

  it('keeps at most maxStoredNotifications, dropping the oldest', async () => {
    const { client, sensor, notifications } = await observed(
      { notificationStoring: true },
      { maxStoredNotifications: 2 },
    )
    await goOffline(client)
    for (const v of [21, 22, 23, 24]) {
      sensor.record(0, v)
      await b.clock.advanceAsync(1000)
    }
    b.server.reachable(true)
    await b.until(client.once('updated'))
    await b.clock.advanceAsync(0)
    expect(values(notifications)).toEqual([23, 24])
  })
})

describe('a confirmable notification nobody acknowledges', () => {
  it('ends its observation (RFC 7641 section 4.5) and makes the client check the server with an Update', async () => {
    const { client, sensor } = await observed({ notificationStoring: true }, { version: '1.2' })
    const attributes = await b.until(
      b.server.dm({ kind: 'writeAttributes', path: VALUE, attributes: { con: 1 } }),
    )
    expect(attributes.code).toBe(0x44)
    b.server.reachable(false)
    const ended = client.once('observationEnded')
    const failed = client.once('updateFailed')
    sensor.record(0, 25)
    expect((await b.until(ended)).reason).toMatch(/timeout/)
    expect(await b.until(failed)).toMatchObject({ reregister: false })
    expect(client.server(1)).toMatchObject({ reachable: false, state: 'registered' })
    expect(client.observations()).toHaveLength(0)
  })
})
