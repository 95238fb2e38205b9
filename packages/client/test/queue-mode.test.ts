import { CoapError, Code } from '@lwm2m/coap'
import { Lwm2mPath } from '@lwm2m/core'
import { createTemperatureObject } from '@lwm2m/objects'
import { afterEach, describe, expect, it } from 'vitest'
import { type Bench, bench } from './harness.js'

const P = (t: string) => Lwm2mPath.parse(t)
let b: Bench
afterEach(async () => {
  await b?.close()
})

async function start(options: Parameters<Bench['client']>[0] = {}) {
  b = await bench()
  const sensor = createTemperatureObject({ sensors: [{ value: 20 }], clock: b.clock })
  const client = b.client({
    objects: [sensor],
    queueMode: true,
    servers: [{ shortServerId: 1, lifetime: 3600, muteSend: false }],
    ...options,
  })
  const sleeping = client.once('sleeping')
  await client.start()
  const reg = await b.until(b.server.take('register'))
  return { client, sensor, reg, sleeping }
}

describe('queue mode (Core TS 1.1 section 6.5, Transport TS section 6.4)', () => {
  it('registers with Q and sleeps MAX_TRANSMIT_WAIT (93 s) after its last exchange (ETS int-108, int-109)', async () => {
    const { client, reg, sleeping } = await start()
    expect(reg.op.params.queueMode).toBe(true)
    await b.until(sleeping)
    expect(b.clock.now() - reg.at).toBe(93_000)
    expect(client.server(1)).toMatchObject({ awake: false, queueMode: true, state: 'registered' })
  })

  it('does not answer while asleep: the server must wait for the next Update, then its request is answered', async () => {
    const { client, sleeping } = await start({ awakeTime: 10_000 })
    await b.until(sleeping)
    const read = b.server.dm({ kind: 'read', path: P('/3/0/0') })
    const failure = await b.until(
      read.then(
        () => undefined,
        (e: unknown) => e,
      ),
    )
    expect(CoapError.isInstance(failure) && failure.code).toBe('COAP_TIMEOUT')
    // The next Update wakes the client: the server sends its queued request after it.
    const awake = client.once('awake')
    await b.until(client.update())
    await awake
    const r = await b.until(b.server.dm({ kind: 'read', path: P('/3/0/0') }))
    expect(r.code).toBe(Code.Content)
  })

  it('wakes to notify: an Update first, then the notification, then awake for the awake time', async () => {
    const { client, sensor } = await start({ awakeTime: 20_000 })
    const { notifications } = await b.until(b.server.observe({ kind: 'observe', path: P('/3303/0/5700') }))
    await b.until(client.once('sleeping'))
    const sleptAt = b.clock.now()
    await b.clock.advanceAsync(60_000)
    const before = b.server.all('update').length
    sensor.record(0, 30)
    await b.until(client.once('updated'))
    await b.clock.advanceAsync(0)
    const update = b.server.all('update')[before]!
    expect(update.at - sleptAt).toBe(60_000)
    expect(notifications).toHaveLength(1)
    expect(notifications[0]!.at).toBeGreaterThanOrEqual(update.at)
    const slept = client.once('sleeping')
    const t = b.clock.now()
    await b.until(slept)
    expect(b.clock.now() - t).toBe(20_000)
  })

  it('wakes to Send: the Update goes before POST /dp', async () => {
    const { client, sleeping } = await start({ awakeTime: 5000 })
    await b.until(sleeping)
    await b.until(client.send(['/3303/0/5700']))
    const kinds = b.server.received.map((r) => r.op.kind)
    expect(kinds.slice(-2)).toEqual(['update', 'send'])
  })

  it('wakes for the Update the lifetime asks for', async () => {
    const { client, reg, sleeping } = await start({ servers: [{ shortServerId: 1, lifetime: 600 }] })
    await b.until(sleeping)
    const update = await b.until(b.server.take('update'))
    expect(update.at - reg.at).toBe(507_000)
    expect(client.server(1)?.awake).toBe(true)
  })

  it('is announced in b=UQ by a 1.0 client, from the Server object binding', async () => {
    b = await bench()
    const client = b.client({ version: '1.0', servers: [{ shortServerId: 1, lifetime: 600, binding: 'UQ' }] })
    const sleeping = client.once('sleeping')
    await client.start()
    expect((await b.until(b.server.take('register'))).op.params.queueMode).toBe(true)
    await b.until(sleeping)
  })
})
