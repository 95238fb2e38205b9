import { Code } from '@lwm2m/coap'
import { instance, Lwm2mPath, singleResource } from '@lwm2m/core'
import { createTemperatureObject, defineObject, portfolioModel } from '@lwm2m/objects'
import { afterEach, describe, expect, it } from 'vitest'
import { type Bench, bench } from './harness.js'

let b: Bench
afterEach(async () => {
  await b?.close()
})

describe('Register (Core TS 1.1 section 6.2.1, Transport TS table 6.4.3-1)', () => {
  it('sends ep, lt, lwm2m, b and the object list without /0, root link with ct= (ETS LwM2M-1.1-int-101)', async () => {
    b = await bench()
    const client = b.client({
      objects: [createTemperatureObject({ sensors: [{ value: 21 }], clock: b.clock })],
    })
    const registered = client.once('registered')
    await client.start()
    const { op } = await b.until(b.server.take('register'))
    expect(op.params).toMatchObject({
      endpoint: 'node-1',
      lifetime: 300,
      version: '1.1',
      binding: { transports: ['U'] },
      queueMode: false,
    })
    const reg = b.server.registration()
    expect(reg.links.rootPath).toBe('/')
    // 1.1+: the formats beyond text/plain and opaque on the root link.
    expect(reg.links.supportedFormats).toEqual([112, 110, 11542, 11543, 60])
    expect([...reg.links.objects.keys()]).toEqual([1, 3, 3303])
    expect(op.links).not.toMatch(/<\/0/)
    expect(reg.links.objects.get(1)?.instances).toEqual([0])
    // Device 1.2 is not what a 1.1 client implies (1.1): announced with ver.
    expect(reg.links.objects.get(3)?.version).toBe('1.2')
    expect(await registered).toMatchObject({ shortServerId: 1, location: ['rd', '1'], lifetime: 300 })
    expect(client.server(1)).toMatchObject({ state: 'registered', location: ['rd', '1'] })
  })

  it('writes the LwM2M 1.0 form: no root link, queue mode inside b=UQ', async () => {
    b = await bench()
    const client = b.client({ version: '1.0', servers: [{ shortServerId: 1, lifetime: 120, binding: 'UQ' }] })
    await client.start()
    const { op } = await b.until(b.server.take('register'))
    expect(op.params).toMatchObject({ version: '1.0', queueMode: true, binding: { transports: ['U'] } })
    expect(b.server.received[0]!.op.kind).toBe('register')
    expect(op.links).toMatch(/^<\/1\/0>,/)
    expect(b.server.registration().links.supportedFormats).toEqual([])
  })

  it('sends Q for queue mode in 1.1+ and announces LwM2M CBOR in 1.2', async () => {
    b = await bench()
    const client = b.client({ version: '1.2', queueMode: true })
    await client.start()
    const { op } = await b.until(b.server.take('register'))
    expect(op.params).toMatchObject({ version: '1.2', queueMode: true })
    expect(b.server.registration().links.supportedFormats).toContain(11544)
  })

  it('announces an alternate path on the root link and serves requests under it', async () => {
    b = await bench()
    const client = b.client({ rootPath: '/lwm2m' })
    await client.start()
    await b.until(b.server.take('register'))
    expect(b.server.registration().links.rootPath).toBe('/lwm2m')
    const read = await b.until(b.server.dm({ kind: 'read', path: Lwm2mPath.parse('/3/0/0') }))
    expect(read.node).toMatchObject({ kind: 'resource', value: 'ACME' })
    // Outside the alternate path: nothing.
    expect((await b.until(b.server.raw({ method: 'GET', path: '/3/0/0' }))).code).toBe(Code.NotFound)
  })
})

describe('Update (Core TS 1.1 section 6.2.2)', () => {
  it('goes before the lifetime runs out, with the default margin (max(10 %, MAX_TRANSMIT_WAIT))', async () => {
    b = await bench()
    const client = b.client({ servers: [{ shortServerId: 1, lifetime: 300 }] })
    await client.start()
    const reg = await b.until(b.server.take('register'))
    const update = await b.until(b.server.take('update'))
    // 300 s lifetime: the Update leaves 93 s (MAX_TRANSMIT_WAIT) before expiry.
    expect(update.at - reg.at).toBe(207_000)
    expect(update.op.params).toEqual({})
    expect(update.op.links).toBeUndefined()
    const next = await b.until(b.server.take('update'))
    expect(next.at - update.at).toBe(207_000)
  })

  it('follows a custom margin and sends none for an infinite lifetime (0)', async () => {
    b = await bench()
    const client = b.client({ updateMargin: (lt) => lt / 4, servers: [{ shortServerId: 1, lifetime: 1000 }] })
    await client.start()
    const reg = await b.until(b.server.take('register'))
    const update = await b.until(b.server.take('update'))
    expect(update.at - reg.at).toBe(750_000)
    await b.close()

    b = await bench()
    const forever = b.client({ servers: [{ shortServerId: 1, lifetime: 0 }] })
    await forever.start()
    await b.until(b.server.take('register'))
    await b.clock.advanceAsync(10 * 24 * 3600_000)
    expect(b.server.all('update')).toHaveLength(0)
    expect(forever.server(1)?.nextUpdateAt).toBeUndefined()
  })

  it('carries lt= at once when a server writes the lifetime (ETS int-102, int-107)', async () => {
    b = await bench()
    const client = b.client()
    await client.start()
    await b.until(b.server.take('register'))
    await b.until(
      b.server.dm({
        kind: 'write',
        path: Lwm2mPath.parse('/1/0/1'),
        mode: 'replace',
        node: singleResource(1, 'integer', 120),
        contentFormat: 0,
      }),
    )
    const update = await b.until(b.server.take('update'))
    expect(update.op.params).toEqual({ lifetime: 120 })
    // The next one comes before the new lifetime ends: 120 - max(12, 93) capped at 60.
    const next = await b.until(b.server.take('update'))
    expect(next.at - update.at).toBe(60_000)
    expect(next.op.params).toEqual({})
  })

  it('carries b= when a server writes the binding', async () => {
    b = await bench()
    const client = b.client()
    await client.start()
    await b.until(b.server.take('register'))
    await b.until(
      b.server.dm({
        kind: 'write',
        path: Lwm2mPath.parse('/1/0/7'),
        mode: 'replace',
        node: singleResource(7, 'string', 'UQ'),
        contentFormat: 0,
      }),
    )
    const update = await b.until(b.server.take('update'))
    expect(update.op.params).toMatchObject({ binding: { transports: ['U'] }, queueMode: true })
  })

  it('carries the new object list when an instance is created (ETS CONMGMT-1.1-int-1250)', async () => {
    b = await bench()
    const portfolio = defineObject(portfolioModel)
    const client = b.client({ objects: [portfolio] })
    await client.start()
    await b.until(b.server.take('register'))
    expect(b.server.registration().links.objects.get(16)?.instances).toEqual([])
    const created = await b.until(
      b.server.dm({
        kind: 'create',
        path: Lwm2mPath.parse('/16'),
        instances: [
          instance(65535, [
            {
              kind: 'multipleResource',
              id: 0,
              type: 'string',
              instances: new Map([[0, 'Host Device ID #1']]),
            },
          ]),
        ],
        contentFormat: 11542,
      }),
    )
    expect(created.instance?.toString()).toBe('/16/0')
    const update = await b.until(b.server.take('update'))
    expect(update.op.links).toBeDefined()
    expect(b.server.registration().links.objects.get(16)?.instances).toEqual([0])
    // An object added by the application is announced too.
    client.addObject(createTemperatureObject({ clock: b.clock }))
    await b.until(b.server.take('update'))
    expect(b.server.registration().links.objects.has(3303)).toBe(true)
  })

  it('goes on Registration Update Trigger (/1/x/8) without parameters (ETS int-104), and on demand', async () => {
    b = await bench()
    const client = b.client()
    await client.start()
    await b.until(b.server.take('register'))
    const exec = await b.until(b.server.dm({ kind: 'execute', path: Lwm2mPath.parse('/1/0/8') }))
    expect(exec.code).toBe(Code.Changed)
    const update = await b.until(b.server.take('update'))
    expect(update.op.params).toEqual({})
    expect(update.op.links).toBeUndefined()
    await b.until(client.update())
    expect(b.server.all('update')).toHaveLength(2)
  })

  it('re-registers when the Update is answered 4.04 (ETS int-105)', async () => {
    b = await bench()
    const client = b.client()
    await client.start()
    await b.until(b.server.take('register'))
    b.server.registrations.clear()
    const failed = client.once('updateFailed')
    const registered = client.once('registered')
    await b.until(client.update())
    expect(await failed).toMatchObject({ reregister: true })
    const again = await b.until(b.server.take('register'))
    expect(again.op.params.endpoint).toBe('node-1')
    expect(await b.until(registered)).toMatchObject({ location: ['rd', '2'] })
    expect(client.server(1)?.state).toBe('registered')
  })

  it('retries an unanswered Update with back-off, then registers anew when the lifetime ran out', async () => {
    b = await bench()
    const client = b.client({ servers: [{ shortServerId: 1, lifetime: 3000, communicationRetryTimer: 10 }] })
    await client.start()
    const reg = await b.until(b.server.take('register'))
    b.server.reachable(false)
    const failures: { retryIn: number | undefined; reregister: boolean; at: number }[] = []
    client.on('updateFailed', (e) =>
      failures.push({ retryIn: e.retryIn, reregister: e.reregister, at: b.clock.now() }),
    )
    await b.until(client.once('updateFailed', (e) => e.reregister))
    expect(client.server(1)?.reachable).toBe(false)
    // The Update at 2700 s (3000 - 300) times out after MAX_TRANSMIT_WAIT (93 s), then it is
    // retried after 10 s, 20 s, ... (Communication Retry Timer, doubled), until the wait
    // would pass the end of the lifetime: then the client waits for it and registers anew.
    expect(failures[0]).toMatchObject({ retryIn: 10_000, reregister: false })
    // The confirmable Update gave up within MAX_TRANSMIT_WAIT (RFC 7252 section 4.8.2).
    expect(failures[0]!.at - reg.at - 2700_000).toBeGreaterThan(45_000)
    expect(failures[0]!.at - reg.at - 2700_000).toBeLessThanOrEqual(93_000)
    expect(failures[1]).toMatchObject({ retryIn: 20_000, reregister: false })
    const last = failures.at(-1)!
    expect(last.at + last.retryIn!).toBe(reg.at + 3000_000)
    b.server.reachable(true)
    const again = await b.until(b.server.take('register'))
    expect(again.at).toBe(reg.at + 3000_000)
    expect(b.server.all('update').length).toBe(0)
  })
})

describe('De-register (Core TS 1.1 section 6.2.3)', () => {
  it('goes on stop()', async () => {
    b = await bench()
    const client = b.client()
    await client.start()
    await b.until(b.server.take('register'))
    const done = client.once('deregistered')
    await b.until(client.stop())
    expect(await done).toMatchObject({ reason: 'stop', shortServerId: 1 })
    expect(b.server.all('deregister')).toHaveLength(1)
    expect(b.server.registrations.size).toBe(0)
  })

  it('goes on Disable (/1/x/4), the client stays silent for the Disable Timeout, then registers (ETS int-103)', async () => {
    b = await bench()
    const client = b.client({ servers: [{ shortServerId: 1, lifetime: 300, disableTimeout: 600 }] })
    await client.start()
    await b.until(b.server.take('register'))
    const disabled = client.once('disabled')
    const exec = await b.until(b.server.dm({ kind: 'execute', path: Lwm2mPath.parse('/1/0/4') }))
    expect(exec.code).toBe(Code.Changed)
    const dereg = await b.until(b.server.take('deregister'))
    const { until } = await b.until(disabled)
    expect(until - dereg.at).toBe(600_000)
    expect(client.server(1)?.state).toBe('disabled')
    const again = await b.until(b.server.take('register'))
    expect(again.at - dereg.at).toBe(600_000)
  })
})

describe('server accounts live in the Security and Server objects', () => {
  it('registers with an account written later (as a Bootstrap-Server would) and de-registers from a deleted one', async () => {
    b = await bench()
    const client = b.client({ servers: [], accounts: [] })
    const needed = client.once('bootstrapNeeded')
    await client.start()
    expect(await needed).toEqual({ reason: 'noServerAccount' })
    const bootstrap = { origin: 'bootstrap' } as const
    const security = client.object(0)!
    const server = client.object(1)!
    await security.write(
      Lwm2mPath.parse('/0/3'),
      instance(3, [
        singleResource(0, 'string', b.server.uri),
        singleResource(1, 'boolean', false),
        singleResource(2, 'integer', 3),
        singleResource(10, 'integer', 7),
      ]),
      'replace',
      bootstrap,
    )
    await server.write(
      Lwm2mPath.parse('/1/2'),
      instance(2, [
        singleResource(0, 'integer', 7),
        singleResource(1, 'integer', 120),
        singleResource(6, 'boolean', true),
        singleResource(7, 'string', 'U'),
      ]),
      'replace',
      bootstrap,
    )
    const reg = await b.until(b.server.take('register'))
    expect(reg.op.params.lifetime).toBe(120)
    expect(client.servers().map((s) => s.shortServerId)).toEqual([7])
    const gone = client.once('deregistered')
    expect((await server.delete(Lwm2mPath.parse('/1/2'), bootstrap)).ok).toBe(true)
    expect(await b.until(gone)).toMatchObject({ shortServerId: 7, reason: 'accountRemoved' })
    expect(client.servers()).toEqual([])
  })

  it('hands the Security instance to the transport factory of its scheme; without a coaps factory it fails at once', async () => {
    b = await bench()
    const seen: { mode: number; identity: string; key: number }[] = []
    const client = b.client({
      accounts: [
        {
          serverUri: b.server.uri.replace('coap:', 'coaps:'),
          shortServerId: 1,
          securityMode: 0,
          publicKeyOrIdentity: 'node-1-psk',
          secretKey: Uint8Array.of(1, 2, 3, 4),
        },
      ],
      transports: {
        coaps: ({ security }) => {
          seen.push({
            mode: security.securityMode,
            identity: new TextDecoder().decode(security.publicKeyOrIdentity),
            key: security.secretKey.length,
          })
          // A stand-in for the DTLS transport: plain datagrams on the memory network.
          return b.network.transport()
        },
      },
    })
    await client.start()
    await b.until(b.server.take('register'))
    expect(seen).toEqual([{ mode: 0, identity: 'node-1-psk', key: 4 }])
    await b.close()

    b = await bench()
    const bare = b.client({ accounts: [{ serverUri: 'coaps://127.0.0.1:5684', shortServerId: 1 }] })
    const failed = bare.once('registrationFailed')
    await bare.start()
    const f = await b.until(failed)
    expect(f).toMatchObject({ final: true, attempt: 1 })
    expect(String(f.error)).toMatch(/Security Mode 3 \(NoSec\) cannot secure coaps/)
  })

  it('asks for a bootstrap when a server executes Bootstrap-Request Trigger (/1/x/9)', async () => {
    b = await bench()
    const client = b.client()
    await client.start()
    await b.until(b.server.take('register'))
    const needed = client.once('bootstrapNeeded')
    await b.until(b.server.dm({ kind: 'execute', path: Lwm2mPath.parse('/1/0/9') }))
    expect(await b.until(needed)).toEqual({ reason: 'trigger', shortServerId: 1 })
  })

  it('starts again after a stop', async () => {
    b = await bench()
    const client = b.client()
    await client.start()
    await b.until(b.server.take('register'))
    await b.until(client.stop())
    expect(client.running).toBe(false)
    await client.start()
    await b.until(b.server.take('register'))
    expect(client.server(1)?.state).toBe('registered')
    const update = await b.until(b.server.take('update'))
    expect(update.op.location).toEqual(['rd', '2'])
  })
})
