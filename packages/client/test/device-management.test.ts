import { Code, ContentFormat } from '@lwm2m/coap'
import {
  instance,
  isResponseError,
  type Lwm2mNode,
  Lwm2mPath,
  multipleResource,
  parseDiscoverLinks,
  singleResource,
} from '@lwm2m/core'
import { bearerSelectionModel, createObjectModel, defineObject, portfolioModel } from '@lwm2m/objects'
import { afterEach, describe, expect, it } from 'vitest'
import { type Bench, bench } from './harness.js'

const P = (t: string) => Lwm2mPath.parse(t)
const text = new TextEncoder()
let b: Bench
afterEach(async () => {
  await b?.close()
})

async function registered(options: Parameters<Bench['client']>[0] = {}) {
  b = await bench()
  const client = b.client({ device: { utcOffset: '+01:00', timezone: 'Europe/Paris' }, ...options })
  await client.start()
  await b.until(b.server.take('register'))
  return client
}

/** The answer's code, also for error answers. */
async function codeOf(p: Promise<unknown>): Promise<number> {
  try {
    const r = (await b.until(p)) as { code: number }
    return r.code
  } catch (error) {
    if (isResponseError(error)) return error.coapCode
    throw error
  }
}

function portfolio() {
  return defineObject(portfolioModel, {
    instances: { 0: { 0: ['Host Device ID #1', 'Host Device Manufacturer #1'] } },
  })
}

describe('Read (Core TS 1.1 section 6.3.1)', () => {
  it('reads resources as text/plain (ETS int-201), an instance as TLV (int-203), an object (int-222)', async () => {
    await registered()
    const r = await b.until(b.server.dm({ kind: 'read', path: P('/3/0/0'), accept: ContentFormat.TEXT }))
    expect(r).toMatchObject({ code: Code.Content, contentFormat: 0, node: { value: 'ACME' } })
    const i = await b.until(b.server.dm({ kind: 'read', path: P('/3/0'), accept: ContentFormat.LWM2M_TLV }))
    expect(i.contentFormat).toBe(11542)
    const inst = i.node as Extract<Lwm2mNode, { kind: 'instance' }>
    expect([...inst.resources.keys()]).toEqual([0, 11, 13, 14, 15, 16])
    const o = await b.until(b.server.dm({ kind: 'read', path: P('/3') }))
    expect(o.node).toMatchObject({ kind: 'object', id: 3 })
    expect((o.node as Extract<Lwm2mNode, { kind: 'object' }>).instances.size).toBe(1)
  })

  it('reads a resource instance (int-225) and answers without Accept in the preferred format (int-237)', async () => {
    await registered()
    const ri = await b.until(b.server.dm({ kind: 'read', path: P('/3/0/11/0') }))
    expect(ri.node).toEqual({ kind: 'resourceInstance', id: 0, type: 'integer', value: 0 })
    // A 1.1 client without Accept: SenML CBOR first.
    expect(ri.contentFormat).toBe(ContentFormat.SENML_CBOR)
  })

  it('answers 4.04 for an unknown object, instance, resource, or an absent optional resource', async () => {
    await registered()
    expect(await codeOf(b.server.dm({ kind: 'read', path: P('/3303/0') }))).toBe(Code.NotFound)
    expect(await codeOf(b.server.dm({ kind: 'read', path: P('/3/1') }))).toBe(Code.NotFound)
    expect(await codeOf(b.server.dm({ kind: 'read', path: P('/3/0/999') }))).toBe(Code.NotFound)
    expect(await codeOf(b.server.dm({ kind: 'read', path: P('/3/0/9') }))).toBe(Code.NotFound)
  })

  it('answers 4.05 for an executable resource', async () => {
    await registered()
    expect(await codeOf(b.server.dm({ kind: 'read', path: P('/3/0/4') }))).toBe(Code.MethodNotAllowed)
  })

  it('answers 4.01 for every operation on the Security object (ETS int-221)', async () => {
    await registered()
    expect(await codeOf(b.server.dm({ kind: 'read', path: P('/0') }))).toBe(Code.Unauthorized)
    const write = b.server.raw({ method: 'PUT', path: '/0/0/0', contentFormat: 0, payload: 'coap://x' })
    expect((await b.until(write)).code).toBe(Code.Unauthorized)
    const wa = b.server.dm({ kind: 'writeAttributes', path: P('/0'), attributes: { pmin: 30, pmax: 45 } })
    expect(await codeOf(wa)).toBe(Code.Unauthorized)
  })

  it('answers 4.06 for an Accept the client does not offer or that cannot carry the node', async () => {
    await registered()
    expect(await codeOf(b.server.dm({ kind: 'read', path: P('/3/0'), accept: ContentFormat.JSON }))).toBe(
      Code.NotAcceptable,
    )
    expect(await codeOf(b.server.dm({ kind: 'read', path: P('/3/0'), accept: ContentFormat.TEXT }))).toBe(
      Code.NotAcceptable,
    )
  })

  it('refuses requests that do not come from the server: 4.01', async () => {
    await registered()
    const stranger = await (await import('@lwm2m/coap')).createEndpoint({
      transport: b.network.transport(),
      clock: b.clock,
    })
    const res = await b.until(stranger.request(b.server.clientPeer, { method: 'GET', path: '/3/0/0' }))
    expect(res.code).toBe(Code.Unauthorized)
    await stranger.close()
  })
})

describe('Write (Core TS 1.1 section 6.3.3)', () => {
  it('replaces a resource (PUT) and reads it back (ETS int-227)', async () => {
    await registered()
    const w = b.server.dm({
      kind: 'write',
      path: P('/3/0/14'),
      mode: 'replace',
      node: singleResource(14, 'string', '+02:00'),
      contentFormat: 0,
    })
    expect(await codeOf(w)).toBe(Code.Changed)
    const r = await b.until(b.server.dm({ kind: 'read', path: P('/3/0/14') }))
    expect(r.node).toMatchObject({ value: '+02:00' })
  })

  it('partially updates an instance (POST) with one request, and the lifetime write leads to an Update (ETS int-226)', async () => {
    await registered()
    const w = b.server.dm({
      kind: 'write',
      path: P('/1/0'),
      mode: 'partialUpdate',
      node: instance(0, [singleResource(1, 'integer', 61), singleResource(6, 'boolean', true)]),
      contentFormat: ContentFormat.LWM2M_TLV,
    })
    expect(await codeOf(w)).toBe(Code.Changed)
    const update = await b.until(b.server.take('update'))
    expect(update.op.params).toEqual({ lifetime: 61 })
    const r = await b.until(b.server.dm({ kind: 'read', path: P('/1/0') }))
    const inst = r.node as Extract<Lwm2mNode, { kind: 'instance' }>
    expect(inst.resources.get(1)).toMatchObject({ value: 61 })
    expect(inst.resources.get(6)).toMatchObject({ value: true })
    expect(inst.resources.get(7)).toMatchObject({ value: 'U' })
  })

  it('takes the TLV bytes of ETS int-215 (POST /1/0) and answers the read', async () => {
    await registered()
    const payload = Uint8Array.from([
      0xc1, 0x02, 0x65, 0xc2, 0x03, 0x03, 0xf2, 0xc2, 0x05, 0x07, 0xd0, 0xc1, 0x06, 0x01, 0xc1, 0x07, 0x55,
    ])
    const res = await b.until(b.server.raw({ method: 'POST', path: '/1/0', contentFormat: 11542, payload }))
    expect(res.code).toBe(Code.Changed)
    const r = await b.until(b.server.dm({ kind: 'read', path: P('/1/0') }))
    const inst = r.node as Extract<Lwm2mNode, { kind: 'instance' }>
    expect([2, 3, 5, 6, 7].map((id) => (inst.resources.get(id) as { value: unknown }).value)).toEqual([
      101,
      1010,
      2000,
      true,
      'U',
    ])
  })

  it('answers 4.05 for a read-only resource (ETS int-256), an executable one, and a whole object', async () => {
    await registered()
    const ro = b.server.raw({ method: 'PUT', path: '/1/0/0', contentFormat: 0, payload: '123' })
    expect((await b.until(ro)).code).toBe(Code.MethodNotAllowed)
    const r = await b.until(b.server.dm({ kind: 'read', path: P('/1/0/0') }))
    expect(r.node).toMatchObject({ value: 1 })
    const ex = b.server.raw({ method: 'PUT', path: '/3/0/4', contentFormat: 0, payload: '1' })
    expect((await b.until(ex)).code).toBe(Code.MethodNotAllowed)
    const obj = b.server.raw({ method: 'PUT', path: '/3', contentFormat: 11542, payload: new Uint8Array(0) })
    expect((await b.until(obj)).code).toBe(Code.MethodNotAllowed)
  })

  it('answers 4.00 for a payload that does not decode or fit, 4.15 for a Content-Format not offered', async () => {
    await registered()
    const bad = b.server.raw({ method: 'PUT', path: '/1/0/1', contentFormat: 0, payload: 'sixty' })
    expect((await b.until(bad)).code).toBe(Code.BadRequest)
    const neg = b.server.raw({ method: 'PUT', path: '/1/0/1', contentFormat: 0, payload: '-5' })
    expect((await b.until(neg)).code).toBe(Code.BadRequest)
    const json = b.server.raw({ method: 'PUT', path: '/1/0/1', contentFormat: 50, payload: '60' })
    expect((await b.until(json)).code).toBe(Code.UnsupportedContentFormat)
    const missing = b.server.raw({ method: 'PUT', path: '/1/0/1', payload: '60' })
    expect((await b.until(missing)).code).toBe(Code.BadRequest)
  })

  it('answers 4.04 for an instance that does not exist', async () => {
    await registered()
    const w = b.server.raw({ method: 'PUT', path: '/1/7/1', contentFormat: 0, payload: '60' })
    expect((await b.until(w)).code).toBe(Code.NotFound)
  })
})

describe('Write-Attributes (Core TS 1.1 section 6.3.4) and Discover (section 6.3.2)', () => {
  it('lists the object, instance and resources with dim, then the attributes written (ETS int-260)', async () => {
    await registered({
      device: {
        utcOffset: '+01:00',
        powerSources: [
          { type: 1, voltage: 3800, current: 125 },
          { type: 5, voltage: 5000, current: 900 },
        ],
      },
    })
    const d1 = await b.until(b.server.dm({ kind: 'discover', path: P('/3') }))
    expect(d1.links).toBe(
      '</3>;ver=1.2,</3/0>,</3/0/0>,</3/0/4>,</3/0/6>;dim=2,</3/0/7>;dim=2,</3/0/8>;dim=2,</3/0/11>;dim=1,</3/0/12>,</3/0/13>,</3/0/14>,</3/0/16>',
    )
    const wa = b.server.dm({ kind: 'writeAttributes', path: P('/3'), attributes: { pmin: 10, pmax: 200 } })
    expect(await codeOf(wa)).toBe(Code.Changed)
    const d3 = await b.until(b.server.dm({ kind: 'discover', path: P('/3/0') }))
    expect(d3.links.startsWith('</3/0>,</3/0/0>')).toBe(true)
    const wa2 = b.server.dm({
      kind: 'writeAttributes',
      path: P('/3/0/7'),
      attributes: { lt: 1, gt: 6, st: 1 },
    })
    expect(await codeOf(wa2)).toBe(Code.Changed)
    const d5 = await b.until(b.server.dm({ kind: 'discover', path: P('/3/0') }))
    expect(d5.links).toContain('</3/0/7>;dim=2;gt=6;lt=1;st=1')
    // A resource's Discover shows what it inherits from its object, and (1.1+) its instances.
    const d6 = await b.until(b.server.dm({ kind: 'discover', path: P('/3/0/7') }))
    expect(d6.links).toBe('</3/0/7>;dim=2;pmin=10;pmax=200;gt=6;lt=1;st=1,</3/0/7/0>,</3/0/7/1>')
  })

  it('shows attributes per level on a multiple resource (ETS int-261) and follows depth (1.2, int-264)', async () => {
    await registered({ version: '1.2' })
    for (const [path, attributes] of [
      ['/3', { pmin: 10, pmax: 200 }],
      ['/3/0', { pmax: 320 }],
      ['/3/0/11/0', { pmax: 100, epmin: 1, epmax: 20 }],
    ] as const) {
      expect(await codeOf(b.server.dm({ kind: 'writeAttributes', path: P(path), attributes }))).toBe(
        Code.Changed,
      )
    }
    const d = await b.until(b.server.dm({ kind: 'discover', path: P('/3/0/11') }))
    expect(d.links).toBe('</3/0/11>;dim=1;pmin=10;pmax=320,</3/0/11/0>;pmax=100;epmin=1;epmax=20')
    const depth1 = await b.until(b.server.dm({ kind: 'discover', path: P('/3'), depth: 1 }))
    expect(depth1.links).toBe('</3>;pmin=10;pmax=200,</3/0>;pmax=320')
    const depth0 = await b.until(b.server.dm({ kind: 'discover', path: P('/3/0'), depth: 0 }))
    expect(depth0.links).toBe('</3/0>;pmax=320')
    // Unsetting: "pmax" without a value.
    expect(
      await codeOf(b.server.dm({ kind: 'writeAttributes', path: P('/3/0'), attributes: { pmax: null } })),
    ).toBe(Code.Changed)
    const after = await b.until(b.server.dm({ kind: 'discover', path: P('/3/0'), depth: 0 }))
    expect(after.links).toBe('</3/0>')
  })

  it('refuses invalid attributes (4.00) and targets that do not exist (4.04)', async () => {
    await registered()
    const lt = b.server.raw({ method: 'PUT', path: '/3/0/13', query: ['lt=5', 'gt=1'] })
    expect((await b.until(lt)).code).toBe(Code.BadRequest)
    const onString = b.server.raw({ method: 'PUT', path: '/3/0/0', query: ['gt=5'] })
    expect((await b.until(onString)).code).toBe(Code.BadRequest)
    const missing = b.server.raw({ method: 'PUT', path: '/3/7', query: ['pmin=5'] })
    expect((await b.until(missing)).code).toBe(Code.NotFound)
    const d = b.server.dm({ kind: 'discover', path: P('/3/9') })
    expect(await codeOf(d)).toBe(Code.NotFound)
  })
})

describe('Execute (Core TS 1.1 section 6.3.5)', () => {
  it('answers 2.04 first, then the object acts (Reboot, ETS int-241)', async () => {
    let answered = false
    const seen: boolean[] = []
    await registered({ device: { onReboot: () => void seen.push(answered) } })
    const exec = b.server.dm({ kind: 'execute', path: P('/3/0/4') }).then((r) => {
      answered = true
      return r
    })
    expect((await b.until(exec)).code).toBe(Code.Changed)
    await b.clock.advanceAsync(0)
    // The reboot ran once, and only after the server had the answer.
    expect(seen).toEqual([true])
  })

  it('hands the arguments over as text, and refuses malformed ones (4.00)', async () => {
    const seen: string[] = []
    const model = createObjectModel({
      id: 33000,
      name: 'Actuator',
      resources: [{ id: 1, name: 'Go', operations: 'E', type: 'none' }],
    })
    await registered({ objects: [defineObject(model, { execute: { 1: (args) => void seen.push(args) } })] })
    const res = await b.until(
      b.server.dm({
        kind: 'execute',
        path: P('/33000/0/1'),
        arguments: [{ digit: 0, value: 'abc' }, { digit: 1 }],
      }),
    )
    expect(res.code).toBe(Code.Changed)
    expect(seen).toEqual(["0='abc',1"])
    const bad = b.server.raw({ method: 'POST', path: '/33000/0/1', contentFormat: 0, payload: "0='a" })
    expect((await b.until(bad)).code).toBe(Code.BadRequest)
  })

  it('answers 4.05 for a resource that is not executable', async () => {
    await registered()
    expect(await codeOf(b.server.dm({ kind: 'execute', path: P('/3/0/0') }))).toBe(Code.MethodNotAllowed)
  })
})

describe('Create and Delete (Core TS 1.1 sections 6.3.6 and 6.3.7)', () => {
  it('answers 4.05 to Create and Delete on the single-instance Device object (ETS int-680, int-685)', async () => {
    await registered()
    const create = b.server.dm({
      kind: 'create',
      path: P('/3'),
      instances: [instance(1)],
      contentFormat: 11542,
    })
    expect(await codeOf(create)).toBe(Code.MethodNotAllowed)
    expect(await codeOf(b.server.dm({ kind: 'delete', path: P('/3/0') }))).toBe(Code.MethodNotAllowed)
  })

  it('creates the one instance of a single-instance object that has none, where the object allows it (ETS int-1350)', async () => {
    const bearer = defineObject(bearerSelectionModel, { instances: [], create: true })
    await registered({ objects: [bearer] })
    const create = (id: number) =>
      b.server.dm({
        kind: 'create',
        path: P('/13'),
        instances: [instance(id, [multipleResource(0, 'integer', [7])])],
        contentFormat: 11542,
      })
    // Only /13/0 can be its instance.
    expect(await codeOf(create(3))).toBe(Code.BadRequest)
    const created = await b.until(create(0))
    expect(created).toMatchObject({ code: Code.Created })
    expect(String(created.instance)).toBe('/13/0')
    expect(bearer.instances()).toEqual([0])
    // Now it has its instance: 4.05, as for Device.
    expect(await codeOf(create(0))).toBe(Code.MethodNotAllowed)
  })

  it('answers 4.05 to Create on a single-instance object whose implementation takes no instance', async () => {
    await registered({ objects: [defineObject(bearerSelectionModel, { instances: [] })] })
    const create = b.server.dm({
      kind: 'create',
      path: P('/13'),
      instances: [instance(0, [multipleResource(0, 'integer', [7])])],
      contentFormat: 11542,
    })
    expect(await codeOf(create)).toBe(Code.MethodNotAllowed)
  })

  it('creates a Portfolio instance (2.01 + location, ETS int-1630) and deletes them all (int-1635)', async () => {
    await registered({ objects: [portfolio()] })
    const created = await b.until(
      b.server.dm({
        kind: 'create',
        path: P('/16'),
        instances: [
          instance(1, [multipleResource(0, 'string', ['Host Device ID #2', 'Host Device Model #2'])]),
        ],
        contentFormat: 11542,
      }),
    )
    expect(created).toMatchObject({ code: Code.Created })
    expect(String(created.instance)).toBe('/16/1')
    const d = await b.until(b.server.dm({ kind: 'discover', path: P('/16/1') }))
    expect(d.links).toBe('</16/1>,</16/1/0>;dim=2')
    // An existing id: 4.00; a mandatory resource missing: 4.00.
    const dup = b.server.dm({
      kind: 'create',
      path: P('/16'),
      instances: [instance(1, [multipleResource(0, 'string', ['x'])])],
      contentFormat: 11542,
    })
    expect(await codeOf(dup)).toBe(Code.BadRequest)
    const empty = b.server.dm({
      kind: 'create',
      path: P('/16'),
      instances: [instance(5)],
      contentFormat: 11542,
    })
    expect(await codeOf(empty)).toBe(Code.BadRequest)
    expect(await codeOf(b.server.dm({ kind: 'delete', path: P('/16/0') }))).toBe(Code.Deleted)
    expect(await codeOf(b.server.dm({ kind: 'delete', path: P('/16/1') }))).toBe(Code.Deleted)
    expect(await codeOf(b.server.dm({ kind: 'delete', path: P('/16/1') }))).toBe(Code.NotFound)
    const after = await b.until(b.server.dm({ kind: 'discover', path: P('/16') }))
    expect(after.links).toBe('</16>')
  })

  it('picks the id when the server gives none', async () => {
    await registered({ objects: [portfolio()] })
    const created = await b.until(
      b.server.dm({
        kind: 'create',
        path: P('/16'),
        instances: [instance(65535, [multipleResource(0, 'string', ['auto'])])],
        // Only TLV has an id-less Create (its resource TLVs without the Object Instance TLV).
        contentFormat: ContentFormat.LWM2M_TLV,
      }),
    )
    expect(String(created.instance)).toBe('/16/1')
  })

  it('forgets the attributes of a deleted instance', async () => {
    await registered({ objects: [portfolio()] })
    await b.until(b.server.dm({ kind: 'writeAttributes', path: P('/16/0'), attributes: { pmin: 7 } }))
    await b.until(b.server.dm({ kind: 'delete', path: P('/16/0') }))
    await b.until(
      b.server.dm({
        kind: 'create',
        path: P('/16'),
        instances: [instance(0, [multipleResource(0, 'string', ['again'])])],
        contentFormat: 11542,
      }),
    )
    const d = await b.until(b.server.dm({ kind: 'discover', path: P('/16/0'), depth: 0 }))
    expect(parseDiscoverLinks(d.links)[0]?.attributes).toEqual({})
  })
})

describe('Read-Composite and Write-Composite (Core TS 1.1 sections 6.3.8 and 6.3.9)', () => {
  it('reads exactly the paths asked (ETS int-280)', async () => {
    await registered()
    const r = await b.until(
      b.server.dm({
        kind: 'readComposite',
        paths: [P('/3/0/16'), P('/3/0/11/0'), P('/1/0')],
        contentFormat: ContentFormat.SENML_CBOR,
        accept: ContentFormat.SENML_CBOR,
      }),
    )
    expect(r.contentFormat).toBe(112)
    expect([...r.nodes.keys()].sort()).toEqual(['/1/0', '/3/0/11/0', '/3/0/16'])
    expect(r.nodes.get('/3/0/16')).toMatchObject({ value: 'U' })
  })

  it('leaves out what cannot be read: executables (int-281), absent paths (int-236); the root has no /0 (int-235)', async () => {
    await registered()
    const r = await b.until(
      b.server.dm({
        kind: 'readComposite',
        paths: [P('/1/0/1'), P('/1/0/7'), P('/1/0/8'), P('/3339/0/5522')],
        contentFormat: ContentFormat.SENML_JSON,
        accept: ContentFormat.SENML_JSON,
      }),
    )
    // The server's decoder gives every requested path a node, or null for what did not come.
    const present = [...r.nodes].filter(([, node]) => node !== null).map(([key]) => key)
    expect(present.sort()).toEqual(['/1/0/1', '/1/0/7'])
    const root = await b.until(
      b.server.dm({ kind: 'readComposite', paths: [P('/')], contentFormat: 112, accept: 112 }),
    )
    const objects = new Set([...root.nodes.keys()].map((k) => k.split('/')[1]))
    expect([...objects].sort()).toEqual(['1', '3'])
  })

  it('writes several resources in one iPATCH (ETS int-257), the lifetime write leading to an Update', async () => {
    await registered({ device: { utcOffset: '+01:00' } })
    const nodes = new Map<string, Lwm2mNode>([
      ['/1/0/2', singleResource(2, 'integer', 101)],
      ['/1/0/6', singleResource(6, 'boolean', true)],
      ['/1/0/1', singleResource(1, 'integer', 61)],
      ['/3/0/14', singleResource(14, 'string', '+05:00')],
    ])
    const w = b.server.dm({ kind: 'writeComposite', nodes, contentFormat: ContentFormat.SENML_CBOR })
    expect(await codeOf(w)).toBe(Code.Changed)
    expect((await b.until(b.server.take('update'))).op.params).toEqual({ lifetime: 61 })
    const r = await b.until(
      b.server.dm({
        kind: 'readComposite',
        paths: [P('/1/0/2'), P('/3/0/14')],
        contentFormat: 112,
        accept: 110,
      }),
    )
    expect(r.nodes.get('/1/0/2')).toMatchObject({ value: 101 })
    expect(r.nodes.get('/3/0/14')).toMatchObject({ value: '+05:00' })
  })

  it('changes nothing when one write fails', async () => {
    await registered({ device: { utcOffset: '+01:00' } })
    const nodes = new Map<string, Lwm2mNode>([
      ['/3/0/14', singleResource(14, 'string', '+05:00')],
      ['/1/0/0', singleResource(0, 'integer', 9)],
    ])
    const w = b.server.dm({ kind: 'writeComposite', nodes, contentFormat: ContentFormat.SENML_JSON })
    expect(await codeOf(w)).toBe(Code.MethodNotAllowed)
    const bad = new Map<string, Lwm2mNode>([
      ['/3/0/14', singleResource(14, 'string', '+05:00')],
      ['/1/0/1', singleResource(1, 'integer', -1)],
    ])
    expect(await codeOf(b.server.dm({ kind: 'writeComposite', nodes: bad, contentFormat: 110 }))).toBe(
      Code.BadRequest,
    )
    const r = await b.until(b.server.dm({ kind: 'read', path: P('/3/0/14') }))
    expect(r.node).toMatchObject({ value: '+01:00' })
  })

  it('answers 4.05 to composite operations on an LwM2M 1.0 client', async () => {
    await registered({ version: '1.0', contentFormats: [11542, 0, 42, 112] })
    const fetch = b.server.raw({
      method: 'FETCH',
      path: [],
      contentFormat: 112,
      payload: Uint8Array.from([0x81, 0xa1, 0x00, 0x66, ...text.encode('/3/0/0')]),
    })
    expect((await b.until(fetch)).code).toBe(Code.MethodNotAllowed)
  })
})
