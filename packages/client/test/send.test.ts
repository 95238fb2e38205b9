import { Code, ContentFormat } from '@lwm2m/coap'
import { Lwm2mPath, singleResource } from '@lwm2m/core'
import { createTemperatureObject } from '@lwm2m/objects'
import { afterEach, describe, expect, it } from 'vitest'
import { ClientError } from '../src/index.js'
import { type Bench, bench } from './harness.js'

const P = (t: string) => Lwm2mPath.parse(t)
let b: Bench
afterEach(async () => {
  await b?.close()
})

async function start(options: Parameters<Bench['client']>[0] = {}) {
  b = await bench()
  const sensor = createTemperatureObject({ sensors: [{ value: 20 }], clock: b.clock })
  const client = b.client({ objects: [sensor], ...options })
  await client.start()
  await b.until(b.server.take('register'))
  return { client, sensor }
}

async function rejection(p: Promise<unknown>): Promise<ClientError> {
  try {
    await b.until(p)
  } catch (error) {
    if (ClientError.isInstance(error)) return error
    throw error
  }
  throw new Error('expected a ClientError')
}

describe('Send (Core TS 1.1 section 6.4.6)', () => {
  it('POSTs the current values to /dp in SenML CBOR, answered 2.04 (ETS int-311, int-306)', async () => {
    const { client } = await start()
    const sent = client.once('sent')
    await b.until(client.send(['/1/0/1', '/3/0/11/0', P('/3303/0/5700')]))
    const { op } = await b.server.take('send')
    expect(op.contentFormat).toBe(ContentFormat.SENML_CBOR)
    expect(op.data).toHaveLength(1)
    const nodes = op.data[0]!.nodes
    expect([...nodes.keys()].sort()).toEqual(['/1/0/1', '/3/0/11', '/3303/0/5700'])
    expect(nodes.get('/1/0/1')).toMatchObject({ value: 300 })
    expect(nodes.get('/3303/0/5700')).toMatchObject({ value: 20 })
    expect(await sent).toMatchObject({ shortServerId: 1, records: 3 })
  })

  it('sends in SenML JSON when asked', async () => {
    const { client } = await start()
    await b.until(client.send(['/3/0/0'], { contentFormat: ContentFormat.SENML_JSON }))
    expect((await b.server.take('send')).op.contentFormat).toBe(ContentFormat.SENML_JSON)
  })

  it('honours Mute Send (/1/x/23): muted when true or absent (ETS int-307)', async () => {
    const { client } = await start({ servers: [{ shortServerId: 1, lifetime: 300 }] })
    expect((await rejection(client.send(['/3/0/0']))).code).toBe('CLIENT_SEND_MUTED')
    const write = (muted: boolean) =>
      b.until(
        b.server.dm({
          kind: 'write',
          path: P('/1/0/23'),
          mode: 'replace',
          node: singleResource(23, 'boolean', muted),
          contentFormat: 0,
        }),
      )
    await write(false)
    await b.clock.advanceAsync(0)
    await b.until(client.send(['/3/0/0']))
    await write(true)
    await b.clock.advanceAsync(0)
    expect((await rejection(client.send(['/3/0/0']))).code).toBe('CLIENT_SEND_MUTED')
    expect(b.server.all('send')).toHaveLength(1)
  })

  it('sends collected values with their timestamps, oldest first, and forgets them once taken', async () => {
    const { client, sensor } = await start()
    const t0 = b.clock.now()
    await client.collect(['/3303/0/5700'])
    await b.clock.advanceAsync(10_000)
    sensor.record(0, 24.5)
    await client.collect(['/3303/0/5700'])
    expect(client.collected).toBe(2)
    await b.until(client.sendCollected())
    const { op } = await b.server.take('send')
    expect(
      op.data.map((d) => [d.timestamp, (d.nodes.get('/3303/0/5700') as { value: number }).value]),
    ).toEqual([
      [t0 / 1000, 20],
      [t0 / 1000 + 10, 24.5],
    ])
    expect(client.collected).toBe(0)
  })

  it('keeps the collected values when the server refuses them', async () => {
    const { client } = await start()
    b.server.script = (op) => (op.kind === 'send' ? { code: Code.BadRequest } : undefined)
    await client.collect(['/3/0/0'])
    const error = await rejection(client.sendCollected())
    expect(error.code).toBe('CLIENT_REQUEST_FAILED')
    expect(client.collected).toBe(1)
  })

  it('refuses what cannot be sent: the Security object, unknown paths, a 1.0 client', async () => {
    const { client } = await start()
    expect((await rejection(client.send(['/0/0/0']))).code).toBe('CLIENT_READ_FAILED')
    expect((await rejection(client.send(['/3/0/9']))).code).toBe('CLIENT_READ_FAILED')
    expect((await rejection(client.send(['nonsense']))).code).toBe('CLIENT_READ_FAILED')
    await b.close()
    const old = await start({ version: '1.0', servers: [{ shortServerId: 1, lifetime: 300 }] })
    expect((await rejection(old.client.send(['/3/0/0']))).code).toBe('CLIENT_UNSUPPORTED')
  })
})
