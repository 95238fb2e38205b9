import { Code, ContentFormat, createEndpoint } from '@lwm2m/coap'
import {
  instance,
  isResponseError,
  Lwm2mPath,
  Lwm2mResponseError,
  multipleResource,
  objectLink,
  resourceInstance,
  singleResource,
  tlvCodec,
} from '@lwm2m/core'
import { afterEach, describe, expect, it } from 'vitest'
import { createServer, ServerError } from '../src/index.js'
import { models, ScriptedClient } from './support/scripted-client.js'
import { DEVICE_LINKS, settle, type TestBed, testBed } from './support/setup.js'

const P = (t: string) => Lwm2mPath.parse(t)
const device = instance(0, [
  singleResource(0, 'string', 'ACME'),
  singleResource(9, 'integer', 80),
  multipleResource(7, 'integer', [3800, 5000]),
])

let bed: TestBed | undefined
afterEach(async () => {
  await bed?.close()
  bed = undefined
})

async function registered(
  name: string,
  links = DEVICE_LINKS,
  options: Parameters<TestBed['client']>[1] = {},
  b?: TestBed,
): Promise<ScriptedClient> {
  bed ??= b ?? (await testBed())
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

describe('Read (Core TS 1.2 section 6.3.1)', () => {
  it('asks a 1.1+ client for SenML CBOR when it announced it, and decodes the answer', async () => {
    const c = await registered('node-1')
    c.answer = () => ({ node: device })
    const r = await bed!.server.read('node-1', '/3/0')
    const [op] = c.ops('read')
    expect(op).toEqual({ kind: 'read', path: P('/3/0'), accept: ContentFormat.SENML_CBOR })
    expect(r.code).toBe(Code.Content)
    expect(r.contentFormat).toBe(ContentFormat.SENML_CBOR)
    expect(r.node).toEqual(device)
  })

  it('asks a 1.0 client for TLV and types the values with the Device model', async () => {
    const c = await registered('node-1', '</1/0>,</3/0>', { version: '1.0' })
    c.answer = () => ({ node: device })
    const r = await bed!.server.read('node-1', '/3/0')
    expect(c.ops('read')[0]!.accept).toBe(ContentFormat.LWM2M_TLV)
    expect(r.contentFormat).toBe(ContentFormat.LWM2M_TLV)
    expect(r.node).toEqual(device)
  })

  it('sends no Accept to a 1.1 client that announced no format; takes a format override', async () => {
    const c = await registered('node-1', '</1/0>,</3/0>')
    c.answer = () => ({ node: singleResource(0, 'string', 'ACME') })
    const r = await bed!.server.read('node-1', '/3/0/0')
    expect(c.ops('read')[0]!.accept).toBeUndefined()
    expect(r.node).toEqual(singleResource(0, 'string', 'ACME'))
    await bed!.server.read('node-1', P('/3/0/0'), { format: ContentFormat.TEXT })
    expect(c.ops('read')[1]!.accept).toBe(ContentFormat.TEXT)
  })

  it('sends no Accept when asked (format: null) and decodes the format the client chose (Core TS 1.2 section 7.5)', async () => {
    const c = await registered('node-1')
    // The client answers in TLV although it announced SenML CBOR.
    const payload = tlvCodec().encode(device, P('/3/0'), models)
    c.answer = () => ({ raw: { code: Code.Content, contentFormat: ContentFormat.LWM2M_TLV, payload } })
    const r = await bed!.server.read('node-1', '/3/0', { format: null })
    expect(c.ops('read')[0]!.accept).toBeUndefined()
    expect(r.contentFormat).toBe(ContentFormat.LWM2M_TLV)
    expect(r.node).toEqual(device)
  })

  it("puts the client's alternate path in front (Transport TS section 6.4.1)", async () => {
    const c = await registered('node-1', '</lwm2m>;rt="oma.lwm2m";ct=110,</lwm2m/3/0>', {
      rootPath: '/lwm2m',
    })
    c.answer = () => ({ node: singleResource(9, 'integer', 80) })
    const r = await bed!.server.read('node-1', '/3/0/9')
    expect(c.received[0]!.request.path).toEqual(['lwm2m', '3', '0', '9'])
    expect(r.node).toEqual(singleResource(9, 'integer', 80))
  })

  it("throws core's Lwm2mResponseError for an error answer", async () => {
    const c = await registered('node-1')
    c.answer = () => ({ raw: { code: Code.NotFound, payload: 'no such instance' } })
    const err = await rejection(bed!.server.read('node-1', '/3/5'))
    expect(isResponseError(err)).toBe(true)
    expect(err).toBeInstanceOf(Lwm2mResponseError)
    expect((err as Lwm2mResponseError).status).toBe('NOT_FOUND')
    expect((err as Lwm2mResponseError).diagnostic).toBe('no such instance')
  })

  it('throws ServerError UNKNOWN_ENDPOINT for a name that is not registered', async () => {
    bed = await testBed()
    const err = await rejection(bed.server.read('ghost', '/3/0'))
    expect(ServerError.isInstance(err) && err.code).toBe('UNKNOWN_ENDPOINT')
    expect((err as ServerError).endpoint).toBe('ghost')
  })

  it('throws ServerError INVALID_ARGUMENT for a bad path, before sending anything', async () => {
    const c = await registered('node-1')
    expect(await rejection(bed!.server.read('node-1', '/3/x'))).toMatchObject({ code: 'INVALID_ARGUMENT' })
    expect(await rejection(bed!.server.read('node-1', '/'))).toMatchObject({ code: 'INVALID_ARGUMENT' })
    expect(c.received).toHaveLength(0)
  })

  it('throws ServerError TIMEOUT when the client does not answer within the timeout', async () => {
    const c = await registered('node-1')
    c.listening = false
    const p = bed!.server.read('node-1', '/3/0', { timeout: 5_000 })
    const caught = rejection(p)
    await bed!.clock.advanceAsync(5_000)
    expect(await caught).toMatchObject({ code: 'TIMEOUT', endpoint: 'node-1' })
  })

  it('throws ServerError ABORTED when the signal fires', async () => {
    const c = await registered('node-1')
    c.listening = false
    const ac = new AbortController()
    const caught = rejection(bed!.server.read('node-1', '/3/0', { signal: ac.signal }))
    await settle()
    ac.abort()
    expect(await caught).toMatchObject({ code: 'ABORTED' })
  })
})

describe('Discover (Core TS 1.2 section 6.3.2)', () => {
  it('asks with Accept link-format and depth, and reads the links without the alternate path', async () => {
    const c = await registered('node-1', '</lwm2m>;rt="oma.lwm2m",</lwm2m/3/0>', {
      version: '1.2',
      rootPath: '/lwm2m',
    })
    c.answer = () => ({ links: '</lwm2m/3>;ver=1.2,</lwm2m/3/0/7>;dim=2;pmin=10' })
    const r = await bed!.server.discover('node-1', '/3', { depth: 3 })
    expect(c.ops('discover')[0]).toEqual({ kind: 'discover', path: P('/3'), depth: 3 })
    expect(c.received[0]!.request.accept).toBe(ContentFormat.LINK_FORMAT)
    expect(r.links).toBe('</lwm2m/3>;ver=1.2,</lwm2m/3/0/7>;dim=2;pmin=10')
    expect(r.entries).toEqual([
      { path: P('/3'), attributes: {}, properties: { ver: '1.2' } },
      { path: P('/3/0/7'), attributes: { pmin: 10 }, properties: { dim: 2 } },
    ])
  })
})

describe('Write (Core TS 1.2 section 6.3.3)', () => {
  it('types a plain value with the model: write(ep, "/3/0/14", "+02:00") is a text/plain PUT of a String', async () => {
    const c = await registered('node-1')
    c.answer = () => ({})
    const r = await bed!.server.write('node-1', '/3/0/14', '+02:00')
    expect(r.code).toBe(Code.Changed)
    expect(c.ops('write')[0]).toEqual({
      kind: 'write',
      path: P('/3/0/14'),
      mode: 'replace',
      node: singleResource(14, 'string', '+02:00'),
      contentFormat: ContentFormat.TEXT,
    })
    expect(c.received[0]!.request.method).toBe('PUT')
  })

  it('writes Integer, Time, Opaque, Objlnk and resource instances by their model types', async () => {
    const c = await registered('node-1')
    c.answer = () => ({})
    await bed!.server.write('node-1', '/1/0/1', 300)
    await bed!.server.write('node-1', '/3/0/13', new Date(1_700_000_000_000))
    await bed!.server.write('node-1', '/5/0/0', Uint8Array.of(1, 2, 3))
    await bed!.server.write('node-1', '/3/0/7/1', 4000)
    const writes = c.ops('write')
    expect(writes.map((w) => w.contentFormat)).toEqual([
      ContentFormat.TEXT,
      ContentFormat.TEXT,
      ContentFormat.OCTET_STREAM,
      ContentFormat.TEXT,
    ])
    expect(writes[0]!.node).toEqual(singleResource(1, 'integer', 300))
    expect(writes[1]!.node).toEqual(singleResource(13, 'time', new Date(1_700_000_000_000)))
    expect(writes[2]!.node).toEqual(singleResource(0, 'opaque', Uint8Array.of(1, 2, 3)))
    expect(writes[3]!.node).toEqual(resourceInstance(1, 'integer', 4000))
  })

  it('writes an instance from a record as SenML CBOR (1.1 client that announced it), or TLV (1.0)', async () => {
    const c = await registered('node-1')
    c.answer = () => ({})
    await bed!.server.write(
      'node-1',
      '/1/0',
      { 1: 120, 2: 10, 3: 60, 6: false, 7: 'U' },
      { mode: 'partialUpdate' },
    )
    const [w] = c.ops('write')
    expect(c.received[0]!.request.method).toBe('POST')
    expect(w!.mode).toBe('partialUpdate')
    expect(w!.contentFormat).toBe(ContentFormat.SENML_CBOR)
    expect(w!.node).toEqual(
      instance(0, [
        singleResource(1, 'integer', 120),
        singleResource(2, 'integer', 10),
        singleResource(3, 'integer', 60),
        singleResource(6, 'boolean', false),
        singleResource(7, 'string', 'U'),
      ]),
    )
    const old = await registered('old', '</1/0>,</3/0>', { version: '1.0' })
    old.answer = () => ({})
    await bed!.server.write('old', '/3/0', { 14: '+01:00', 15: 'Europe/Paris' })
    expect(old.ops('write')[0]!.contentFormat).toBe(ContentFormat.LWM2M_TLV)
    expect(old.ops('write')[0]!.node).toEqual(
      instance(0, [singleResource(14, 'string', '+01:00'), singleResource(15, 'string', 'Europe/Paris')]),
    )
  })

  it('writes a multiple-instance resource from an array or a Map', async () => {
    const c = await registered('node-1')
    c.answer = () => ({})
    await bed!.server.write('node-1', '/3/0/7', [3300, 3400])
    await bed!.server.write('node-1', '/3/0/6', new Map([[2, 5]]))
    const writes = c.ops('write')
    expect(writes[0]!.node).toEqual(multipleResource(7, 'integer', [3300, 3400]))
    expect(writes[1]!.node).toEqual(multipleResource(6, 'integer', [[2, 5]]))
  })

  it('refuses values that do not fit the model with INVALID_ARGUMENT, sending nothing', async () => {
    const c = await registered('node-1')
    expect(await rejection(bed!.server.write('node-1', '/1/0/1', 'soon'))).toMatchObject({
      code: 'INVALID_ARGUMENT',
    })
    expect(await rejection(bed!.server.write('node-1', '/3/0/7', 5))).toMatchObject({
      code: 'INVALID_ARGUMENT',
    })
    expect(await rejection(bed!.server.write('node-1', '/3/0/14', ['a']))).toMatchObject({
      code: 'INVALID_ARGUMENT',
    })
    expect(await rejection(bed!.server.write('node-1', '/3', { 0: 1 }))).toMatchObject({
      code: 'INVALID_ARGUMENT',
    })
    expect(await rejection(bed!.server.write('node-1', '/3/0', { x: 1 } as never))).toMatchObject({
      code: 'INVALID_ARGUMENT',
    })
    expect(c.received).toHaveLength(0)
  })

  it('infers types where no model is known, and takes nodes as they are', async () => {
    const c = await registered('node-1', '</>;rt="oma.lwm2m";ct=110,</40000/0>')
    c.answer = () => ({})
    await bed!.server.write('node-1', '/40000/0', { 1: 'x', 2: 1.5, 3: 7, 4: true, 5: objectLink(3, 0) })
    expect(c.ops('write')[0]!.node).toEqual(
      instance(0, [
        singleResource(1, 'string', 'x'),
        singleResource(2, 'float', 1.5),
        singleResource(3, 'integer', 7),
        singleResource(4, 'boolean', true),
        singleResource(5, 'objlnk', objectLink(3, 0)),
      ]),
    )
    expect(c.ops('write')[0]!.contentFormat).toBe(ContentFormat.SENML_JSON)
    // A node goes as it is: here as text/plain, which the client (without the model) reads as a String.
    await bed!.server.write('node-1', '/40000/0/9', singleResource(9, 'integer', 2n ** 62n))
    const req = c.received[1]!.request
    expect(req.contentFormat).toBe(ContentFormat.TEXT)
    expect(new TextDecoder().decode(req.payload)).toBe('4611686018427387904')
  })
})

describe('Write-Attributes, Execute, Create, Delete (Core TS 1.2 sections 6.3.4-6.3.7)', () => {
  it('Write-Attributes: PUT with the attributes in the query, null unsets', async () => {
    const c = await registered('node-1')
    c.answer = () => ({})
    await bed!.server.writeAttributes('node-1', '/3303/0/5700', { pmin: 10, pmax: 60, gt: 30.5, st: null })
    const req = c.received[0]!.request
    expect(req.method).toBe('PUT')
    expect(req.query).toEqual(['pmin=10', 'pmax=60', 'gt=30.5', 'st'])
    expect(c.ops('writeAttributes')[0]!.attributes).toEqual({ pmin: 10, pmax: 60, gt: 30.5, st: null })
  })

  it('Execute: POST, with arguments as text/plain', async () => {
    const c = await registered('node-1')
    c.answer = () => ({})
    await bed!.server.execute('node-1', '/3/0/4')
    await bed!.server.execute('node-1', '/3/0/4', { arguments: "0='x',1" })
    await bed!.server.execute('node-1', '/3/0/4', { arguments: [{ digit: 5, value: 'y' }] })
    const ex = c.ops('execute')
    expect(ex[0]).toEqual({ kind: 'execute', path: P('/3/0/4') })
    expect(ex[1]!.arguments).toEqual([{ digit: 0, value: 'x' }, { digit: 1 }])
    expect(ex[2]!.arguments).toEqual([{ digit: 5, value: 'y' }])
    expect(c.received[1]!.request.contentFormat).toBe(ContentFormat.TEXT)
    expect(await rejection(bed!.server.execute('node-1', '/3/0/4', { arguments: 'nope' }))).toMatchObject({
      code: 'INVALID_ARGUMENT',
    })
    expect(await rejection(bed!.server.execute('node-1', '/3/0'))).toMatchObject({ code: 'INVALID_ARGUMENT' })
  })

  it('Create: POST /o, the new instance from the Location-Path; /o/i gives the id', async () => {
    const c = await registered('node-1')
    c.answer = (op) => (op.kind === 'create' ? { instance: P('/3303/1') } : {})
    const r = await bed!.server.create('node-1', '/3303', { 5700: 21.5, 5701: 'Cel' })
    expect(r.code).toBe(Code.Created)
    expect(r.instance?.toString()).toBe('/3303/1')
    const [op] = c.ops('create')
    expect(op!.path).toEqual(P('/3303'))
    expect(op!.instances[0]!.resources.get(5700)).toEqual(singleResource(5700, 'float', 21.5))
    await bed!.server.create('node-1', '/3303/7', { 5700: 1 })
    expect(c.ops('create')[1]!.instances[0]!.id).toBe(7)
    expect(await rejection(bed!.server.create('node-1', '/3303/1/5700', {}))).toMatchObject({
      code: 'INVALID_ARGUMENT',
    })
  })

  it('Delete: DELETE, 2.02', async () => {
    const c = await registered('node-1')
    c.answer = () => ({})
    const r = await bed!.server.delete('node-1', '/3303/1')
    expect(r.code).toBe(Code.Deleted)
    expect(c.ops('delete')[0]).toEqual({ kind: 'delete', path: P('/3303/1') })
  })
})

describe('Read-Composite, Write-Composite (Core TS 1.2 sections 6.3.8, 6.3.9)', () => {
  it('Read-Composite: FETCH / with the paths in SenML CBOR; each path gets its node', async () => {
    const c = await registered('node-1')
    c.answer = () => ({
      nodes: new Map([
        ['/3/0/9', singleResource(9, 'integer', 80)],
        ['/1/0/1', singleResource(1, 'integer', 300)],
      ]),
    })
    const r = await bed!.server.readComposite('node-1', ['/3/0/9', P('/1/0/1'), '/5/0'])
    const req = c.received[0]!.request
    expect(req.method).toBe('FETCH')
    expect(req.path).toEqual([])
    expect(req.contentFormat).toBe(ContentFormat.SENML_CBOR)
    expect(req.accept).toBe(ContentFormat.SENML_CBOR)
    expect(c.ops('readComposite')[0]!.paths).toEqual([P('/3/0/9'), P('/1/0/1'), P('/5/0')])
    expect(r.nodes).toEqual(
      new Map([
        ['/3/0/9', singleResource(9, 'integer', 80)],
        ['/1/0/1', singleResource(1, 'integer', 300)],
        ['/5/0', null],
      ]),
    )
  })

  it('Write-Composite: iPATCH / with the values typed by the model', async () => {
    const c = await registered('node-1')
    c.answer = () => ({})
    await bed!.server.writeComposite('node-1', { '/3/0/14': '+02:00', '/1/0/1': 60 })
    const req = c.received[0]!.request
    expect(req.method).toBe('iPATCH')
    expect(c.ops('writeComposite')[0]!.nodes).toEqual(
      new Map([
        ['/3/0/14', singleResource(14, 'string', '+02:00')],
        ['/1/0/1', singleResource(1, 'integer', 60)],
      ]),
    )
  })

  it('refuses composite operations to a 1.0 client with NOT_SUPPORTED', async () => {
    const c = await registered('old', '</3/0>', { version: '1.0' })
    expect(await rejection(bed!.server.readComposite('old', ['/3/0/9']))).toMatchObject({
      code: 'NOT_SUPPORTED',
    })
    expect(await rejection(bed!.server.writeComposite('old', { '/3/0/14': 'x' }))).toMatchObject({
      code: 'NOT_SUPPORTED',
    })
    expect(c.received).toHaveLength(0)
  })
})

describe('endpoints', () => {
  it('sends requests through the endpoint the registration came in on', async () => {
    bed = await testBed()
    const second = await createEndpoint({ transport: bed.net.transport(), clock: bed.clock })
    const server = await createServer({ endpoints: [bed.server.endpoints[0]!, second], clock: bed.clock })
    try {
      const a = second.address()
      const c = await ScriptedClient.inMemory(
        bed.net,
        bed.clock,
        { address: a.address, port: a.port },
        'node-2',
      )
      await c.register(DEVICE_LINKS)
      const reg = (await server.getRegistration('node-2'))!
      expect(reg.transport).toBe(1)
      expect(reg.scheme).toBe('coap')
      c.answer = () => ({ node: singleResource(9, 'integer', 1) })
      await server.read('node-2', '/3/0/9')
      expect(c.received[0]!.request.peer.port).toBe(a.port)
      await c.close()
    } finally {
      await server.stop()
      await second.close()
    }
  })
})

describe('requests in flight per client (limits)', () => {
  it("'queue': beyond the limit requests wait and go out in order", async () => {
    bed = await testBed({ limits: { requestsInFlightPerClient: 1 } })
    const c = await registered('node-1', DEVICE_LINKS, {}, bed)
    const pending: (() => void)[] = []
    c.answer = (op) =>
      new Promise((resolve) => {
        {
          const id = (op as { path: Lwm2mPath }).path.resourceId!
          pending.push(() => resolve({ node: singleResource(id, 'integer', id) }))
        }
      })
    const results = ['/3/0/9', '/3/0/10', '/3/0/21'].map((p) => bed!.server.read('node-1', p))
    await settle()
    expect(c.received).toHaveLength(1)
    expect(bed.server.queuedRequests('node-1')).toBe(2)
    for (let i = 0; i < 3; i++) {
      pending.shift()!()
      await settle(10)
    }
    const values = (await Promise.all(results)).map((r) => (r.node as { value: unknown }).value)
    expect(values).toEqual([9, 10, 21])
    expect(c.received.map((r) => r.request.path.join('/'))).toEqual(['3/0/9', '3/0/10', '3/0/21'])
  })

  it("'fail': beyond the limit a request fails at once with LIMIT", async () => {
    bed = await testBed({ limits: { requestsInFlightPerClient: 1, inFlightPolicy: 'fail' } })
    const c = await registered('node-1', DEVICE_LINKS, {}, bed)
    c.listening = false
    const first = rejection(bed.server.read('node-1', '/3/0/9', { timeout: 1000 }))
    await settle()
    expect(await rejection(bed.server.read('node-1', '/3/0/10'))).toMatchObject({ code: 'LIMIT' })
    await bed.clock.advanceAsync(1000)
    expect(await first).toMatchObject({ code: 'TIMEOUT' })
  })

  it('QUEUE_FULL beyond the queue size', async () => {
    bed = await testBed({ limits: { requestsInFlightPerClient: 1, queuedRequestsPerClient: 2 } })
    const c = await registered('node-1', DEVICE_LINKS, {}, bed)
    c.listening = false
    const waiting = [1, 2, 3].map(() => rejection(bed!.server.read('node-1', '/3/0/9', { timeout: 1000 })))
    await settle()
    expect(await rejection(bed.server.read('node-1', '/3/0/9'))).toMatchObject({ code: 'QUEUE_FULL' })
    await bed.clock.advanceAsync(1000)
    for (const w of waiting) expect(await w).toMatchObject({ code: 'TIMEOUT' })
  })
})

it("one client's bad answers do not disturb another client's requests", async () => {
  bed = await testBed()
  const bad = await registered('bad')
  const good = await registered('good')
  bad.answer = () => ({
    raw: { code: Code.Content, contentFormat: ContentFormat.SENML_CBOR, payload: Uint8Array.of(0xff, 0x00) },
  })
  good.answer = () => ({ node: singleResource(9, 'integer', 42) })
  const [b, g] = await Promise.allSettled([
    bed.server.read('bad', '/3/0/9'),
    bed.server.read('good', '/3/0/9'),
  ])
  expect(b.status).toBe('rejected')
  expect((b as PromiseRejectedResult).reason).toMatchObject({ code: 'LWM2M_CODEC' })
  expect(g.status === 'fulfilled' && g.value.node).toEqual(singleResource(9, 'integer', 42))
})
