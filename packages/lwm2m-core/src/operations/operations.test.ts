import type { RequestOptions } from '@lwm2m/coap'
import { describe, expect, it } from 'vitest'
import { incoming, response } from '../../test/fixtures/messages.js'
import {
  CODECS,
  CTX,
  device,
  identity,
  MODELS,
  manufacturer,
  portfolio,
  server,
  utcOffset,
  voltage,
} from '../../test/fixtures/operation-models.js'
import { Lwm2mCodecError, Lwm2mError } from '../errors.js'
import { instance, multipleResource } from '../node/build.js'
import { Lwm2mPath } from '../path/path.js'
import { type ClassifyContext, classifyRequest, type ReceiverSide } from './incoming.js'
import { buildResponse, errorResponse } from './reply.js'
import { buildRequest } from './request.js'
import { parseResponse } from './response.js'
import { Lwm2mResponseError } from './response-error.js'
import type { Lwm2mOperation } from './types.js'

const P = (t: string) => Lwm2mPath.parse(t)
const ctx = CTX
const text = new TextEncoder()

function refused(fn: () => unknown): Lwm2mResponseError {
  try {
    fn()
  } catch (err) {
    expect(err).toBeInstanceOf(Lwm2mResponseError)
    return err as Lwm2mResponseError
  }
  throw new Error('expected a refusal')
}

describe('building requests (Transport TS section 6.4)', () => {
  it('Bootstrap interface (table 6.4.2-1)', () => {
    expect(
      buildRequest(
        { kind: 'bootstrapRequest', params: { endpoint: 'n1', preferredContentFormat: 112 } },
        ctx,
      ),
    ).toEqual({
      method: 'POST',
      path: ['bs'],
      query: ['ep=n1', 'pct=112'],
    })
    expect(buildRequest({ kind: 'bootstrapPackRequest', params: { endpoint: 'n1' } }, ctx)).toEqual({
      method: 'GET',
      path: ['bspack'],
      query: ['ep=n1'],
      accept: 112,
    })
    expect(buildRequest({ kind: 'bootstrapFinish' }, ctx)).toEqual({ method: 'POST', path: ['bs'] })
    expect(
      buildRequest({ kind: 'bootstrapDiscover', path: Lwm2mPath.ROOT }, { ...ctx, rootPath: '/lwm2m' }),
    ).toEqual({
      method: 'GET',
      path: [],
      accept: 40,
    })
    expect(buildRequest({ kind: 'bootstrapDelete', path: Lwm2mPath.ROOT }, ctx)).toEqual({
      method: 'DELETE',
      path: [],
    })
    expect(() => buildRequest({ kind: 'bootstrapRead', path: P('/3') }, ctx)).toThrow(Lwm2mError)
  })

  it('Registration interface (table 6.4.3-1)', () => {
    const reg = buildRequest(
      {
        kind: 'register',
        params: { endpoint: 'example-client', version: '1.1', lifetime: 86400, queueMode: false },
        links: '</1/0>,</3/0>',
      },
      ctx,
    )
    expect(reg).toMatchObject({
      method: 'POST',
      path: ['rd'],
      query: ['ep=example-client', 'lt=86400', 'lwm2m=1.1'],
      contentFormat: 40,
    })
    expect(
      buildRequest({ kind: 'update', location: ['rd', '5a3f'], params: { lifetime: 600000 } }, ctx),
    ).toEqual({
      method: 'POST',
      path: ['rd', '5a3f'],
      query: ['lt=600000'],
    })
    expect(buildRequest({ kind: 'deregister', location: ['rd', '5a3f'] }, ctx)).toEqual({
      method: 'DELETE',
      path: ['rd', '5a3f'],
    })
  })

  it('Device Management (table 6.4.4-1), with the alternate path in front', () => {
    const c = { ...ctx, rootPath: '/lwm2m' }
    expect(buildRequest({ kind: 'read', path: P('/3/0/0'), accept: 0 }, c)).toEqual({
      method: 'GET',
      path: ['lwm2m', '3', '0', '0'],
      accept: 0,
    })
    expect(buildRequest({ kind: 'discover', path: P('/3'), depth: 1 }, c)).toEqual({
      method: 'GET',
      path: ['lwm2m', '3'],
      accept: 40,
      query: ['depth=1'],
    })
    expect(
      buildRequest({ kind: 'writeAttributes', path: P('/3/0/7'), attributes: { lt: 1, gt: 6, st: 1 } }, c),
    ).toEqual({
      method: 'PUT',
      path: ['lwm2m', '3', '0', '7'],
      query: ['gt=6', 'lt=1', 'st=1'],
    })
    expect(
      buildRequest(
        { kind: 'execute', path: P('/3/0/4'), arguments: [{ digit: 0, value: 'x' }, { digit: 1 }] },
        c,
      ),
    ).toMatchObject({
      method: 'POST',
      contentFormat: 0,
    })
    expect(buildRequest({ kind: 'delete', path: P('/16/1') }, c)).toEqual({
      method: 'DELETE',
      path: ['lwm2m', '16', '1'],
    })
    const partial = buildRequest(
      { kind: 'write', path: P('/3/0'), mode: 'partialUpdate', node: device, contentFormat: 11542 },
      c,
    )
    expect(partial.method).toBe('POST')
    const replace = buildRequest(
      { kind: 'write', path: P('/3/0/0'), mode: 'replace', node: manufacturer, contentFormat: 0 },
      c,
    )
    expect(replace.method).toBe('PUT')
    expect(
      buildRequest(
        { kind: 'readComposite', paths: [P('/3/0/0'), P('/1/0/1')], contentFormat: 110, accept: 112 },
        c,
      ),
    ).toMatchObject({
      method: 'FETCH',
      path: ['lwm2m'],
      contentFormat: 110,
      accept: 112,
    })
    expect(
      buildRequest(
        { kind: 'writeComposite', nodes: new Map([['/3/0/0', manufacturer]]), contentFormat: 110 },
        c,
      ).method,
    ).toBe('iPATCH')
  })

  it('refuses targets an operation does not take', () => {
    expect(() => buildRequest({ kind: 'execute', path: P('/3/0') }, ctx)).toThrow(/Execute|execute/)
    expect(() => buildRequest({ kind: 'delete', path: P('/3') }, ctx)).toThrow(Lwm2mError)
    expect(() =>
      buildRequest(
        { kind: 'write', path: P('/3'), mode: 'replace', node: device, contentFormat: 11542 },
        ctx,
      ),
    ).toThrow(Lwm2mError)
    expect(() => buildRequest({ kind: 'discover', path: P('/3/0/6/1') }, ctx)).toThrow(Lwm2mError)
    expect(() => buildRequest({ kind: 'discover', path: P('/3'), depth: 4 }, ctx)).toThrow(Lwm2mError)
  })

  it('refuses a format that cannot carry the node (text/plain for an instance)', () => {
    const err = (() => {
      try {
        buildRequest({ kind: 'write', path: P('/3/0'), mode: 'replace', node: device, contentFormat: 0 }, ctx)
      } catch (e) {
        return e as Lwm2mError
      }
    })()
    expect(err?.code).toBe('LWM2M_UNSUPPORTED_FORMAT')
  })

  it('Information Reporting (table 6.4.5-1): Observe without the option, Cancel with Observe=1, Send to /dp', () => {
    const obs = buildRequest({ kind: 'observe', path: P('/3/0/7'), attributes: { pmin: 5, pmax: 15 } }, ctx)
    expect(obs).toEqual({ method: 'GET', path: ['3', '0', '7'], query: ['pmin=5', 'pmax=15'] })
    const cancel = buildRequest({ kind: 'cancelObservation', path: P('/3/0/7') }, ctx)
    expect(cancel.options).toEqual([{ number: 6, value: Uint8Array.of(1) }])
    const send = buildRequest(
      {
        kind: 'send',
        data: [{ timestamp: undefined, nodes: new Map([['/3/0/0', manufacturer]]) }],
        contentFormat: 110,
      },
      ctx,
    )
    expect(send).toMatchObject({ method: 'POST', path: ['dp'], contentFormat: 110 })
  })
})

describe('mapping responses back', () => {
  it('decodes a Read answer in its content format', () => {
    const op = { kind: 'read', path: P('/3/0/0') } as const
    const req = buildRequest(
      { kind: 'write', path: P('/3/0/0'), mode: 'replace', node: manufacturer, contentFormat: 0 },
      ctx,
    )
    const r = parseResponse(op, response(0x45, { contentFormat: 0, payload: req.payload as Uint8Array }), ctx)
    expect(r.node).toEqual(manufacturer)
  })

  it('reads an empty 2.05 on an object as an object without instances (Core TS 1.2 section 6.3.1)', () => {
    expect(parseResponse({ kind: 'read', path: P('/16') }, response(0x45), ctx).node).toEqual({
      kind: 'object',
      id: 16,
      instances: new Map(),
    })
  })

  it('refuses a Read answer of a multiple-instance object without Object Instance TLVs (no instance 65535 comes back)', () => {
    // /1 has several instances: resource TLVs without the instance TLV are the form of a Create
    // without id (Core TS 1.2 section 6.3.6), never an answer.
    const bare = CODECS.require(11542).encode(server, P('/1/0'), MODELS)
    let err: unknown
    try {
      parseResponse(
        { kind: 'read', path: P('/1') },
        response(0x45, { contentFormat: 11542, payload: bare }),
        ctx,
      )
    } catch (e) {
      err = e
    }
    expect(err).toBeInstanceOf(Lwm2mCodecError)
    expect((err as Lwm2mCodecError).path).toBe('/1/65535')
    // Single-instance Device (/3): the same form is instance 0, as LwM2M 1.0 peers send it.
    const bareDevice = CODECS.require(11542).encode(device, P('/3/0'), MODELS)
    expect(
      parseResponse(
        { kind: 'read', path: P('/3') },
        response(0x45, { contentFormat: 11542, payload: bareDevice }),
        ctx,
      ).node,
    ).toEqual({ kind: 'object', id: 3, instances: new Map([[0, device]]) })
  })

  it('throws Lwm2mResponseError with the code and name on 4.xx', () => {
    const err = refused(() =>
      parseResponse(
        { kind: 'read', path: P('/3/0/99') },
        response(0x84, { payload: text.encode('no such resource') }),
        ctx,
      ),
    )
    expect(err.coapCode).toBe(0x84)
    expect(err.status).toBe('NOT_FOUND')
    expect(err.diagnostic).toBe('no such resource')
    expect(err.operation).toBe('read')
    expect(Lwm2mError.isInstance(err) && err.code === 'LWM2M_RESPONSE').toBe(true)
  })

  it('throws on a success code the operation does not answer with', () => {
    expect(
      refused(() => parseResponse({ kind: 'read', path: P('/3/0/0') }, response(0x44), ctx)).status,
    ).toBe('CHANGED')
  })

  it('gives the Register location and the created instance', () => {
    const reg = parseResponse(
      { kind: 'register', params: { endpoint: 'a', queueMode: false } },
      response(0x41, { locationPath: ['rd', '5a3f'] }),
      ctx,
    )
    expect(reg.location).toEqual(['rd', '5a3f'])
    expect(() =>
      parseResponse({ kind: 'register', params: { endpoint: 'a', queueMode: false } }, response(0x41), ctx),
    ).toThrow(Lwm2mError)
    const created = parseResponse(
      { kind: 'create', path: P('/16'), instances: [device], contentFormat: 11542 },
      response(0x41, { locationPath: ['lwm2m', '16', '1'] }),
      { ...ctx, rootPath: '/lwm2m' },
    )
    expect(created.instance?.toString()).toBe('/16/1')
  })

  it('gives Discover links as text, composite answers as nodes', () => {
    expect(
      parseResponse(
        { kind: 'discover', path: P('/3') },
        response(0x45, { contentFormat: 40, payload: text.encode('</3>,</3/0>') }),
        ctx,
      ).links,
    ).toBe('</3>,</3/0>')
    const nodes = new Map([['/3/0/0', manufacturer]])
    const body = CODECS.get(110)!.encodeNodes!(nodes, MODELS)
    const r = parseResponse(
      { kind: 'readComposite', paths: [P('/3/0/0')], contentFormat: 110 },
      response(0x45, { contentFormat: 110, payload: body }),
      ctx,
    )
    expect(r.nodes).toEqual(nodes)
  })

  it('accepts any 2.xx for operations that carry nothing back', () => {
    expect(parseResponse({ kind: 'delete', path: P('/16/0') }, response(0x42), ctx)).toEqual({ code: 0x42 })
  })
})

function classify(
  side: ReceiverSide,
  req: RequestOptions,
  extra: Partial<ClassifyContext> = {},
  observe?: number,
): Lwm2mOperation {
  return classifyRequest(incoming(req, observe), { ...CTX, side, ...extra })
}

describe('classifying incoming requests', () => {
  it('round-trips every Device Management and Information Reporting operation through build and classify', () => {
    const c = { ...CTX, rootPath: '/lwm2m' }
    const ops: Lwm2mOperation[] = [
      { kind: 'read', path: P('/3/0'), accept: 110 },
      { kind: 'read', path: P('/3/0/0') },
      { kind: 'discover', path: P('/3'), depth: 2 },
      { kind: 'discover', path: P('/3/0') },
      {
        kind: 'write',
        path: P('/3/0/14'),
        mode: 'replace',
        node: { kind: 'resource', id: 14, type: 'string', value: '+02:00' },
        contentFormat: 0,
      },
      { kind: 'write', path: P('/3/0'), mode: 'partialUpdate', node: device, contentFormat: 11542 },
      {
        kind: 'writeAttributes',
        path: P('/3/0/7'),
        attributes: { pmin: 10, pmax: null, lt: 1, gt: 6, st: 1 },
      },
      { kind: 'execute', path: P('/3/0/4') },
      { kind: 'execute', path: P('/3/0/4'), arguments: [{ digit: 0, value: 'x' }, { digit: 1 }] },
      { kind: 'create', path: P('/16'), instances: [portfolio(0)], contentFormat: 11542 },
      { kind: 'delete', path: P('/16/0') },
      { kind: 'readComposite', paths: [P('/3/0/0'), P('/1/0/1')], contentFormat: 110, accept: 112 },
      { kind: 'writeComposite', nodes: new Map([['/3/0/14', utcOffset]]), contentFormat: 112 },
      { kind: 'cancelObservation', path: P('/3/0/7') },
      { kind: 'cancelObservationComposite', paths: [P('/3/0/0')], contentFormat: 110 },
    ]
    for (const op of ops)
      expect(classifyRequest(incoming(buildRequest(op, c)), { ...c, side: 'client' })).toEqual(op)
    // Observe and Observe-Composite: the endpoint adds Observe=0.
    const obs: Lwm2mOperation = { kind: 'observe', path: P('/3/0/7'), attributes: { pmin: 5, pmax: 15 } }
    expect(classifyRequest(incoming(buildRequest(obs, c), 0), { ...c, side: 'client' })).toEqual(obs)
    const oc: Lwm2mOperation = {
      kind: 'observeComposite',
      paths: [P('/1/0/1'), P('/3/0/16')],
      contentFormat: 112,
      attributes: { pmin: 30, pmax: 45 },
    }
    expect(classifyRequest(incoming(buildRequest(oc, c), 0), { ...c, side: 'client' })).toEqual(oc)
  })

  it('round-trips the Bootstrap, Registration and Send operations for their receivers', () => {
    const cases: [ReceiverSide, Lwm2mOperation][] = [
      [
        'bootstrapServer',
        { kind: 'bootstrapRequest', params: { endpoint: 'n1', preferredContentFormat: 112 } },
      ],
      ['bootstrapServer', { kind: 'bootstrapPackRequest', params: { endpoint: 'n1' }, accept: 112 }],
      ['clientBootstrap', { kind: 'bootstrapFinish' }],
      ['clientBootstrap', { kind: 'bootstrapDiscover', path: Lwm2mPath.ROOT }],
      ['clientBootstrap', { kind: 'bootstrapRead', path: P('/1/0'), accept: 110 }],
      ['clientBootstrap', { kind: 'bootstrapWrite', path: P('/1/0'), node: server, contentFormat: 11542 }],
      ['clientBootstrap', { kind: 'bootstrapDelete', path: P('/0') }],
      [
        'server',
        {
          kind: 'register',
          params: { endpoint: 'n1', version: '1.1', lifetime: 300, queueMode: true },
          version: '1.1',
          links: '</1/0>',
        },
      ],
      ['server', { kind: 'update', location: ['rd', 'x1'], params: { lifetime: 20 } }],
      ['server', { kind: 'deregister', location: ['rd', 'x1'] }],
      [
        'server',
        {
          kind: 'send',
          data: [{ timestamp: 1700000000, nodes: new Map([['/3/0/0', manufacturer]]) }],
          contentFormat: 110,
        },
      ],
    ]
    for (const [side, op] of cases) {
      const { version: _negotiated, ...forBuild } = op as Lwm2mOperation & { version?: unknown }
      expect(classify(side, buildRequest(forBuild as Lwm2mOperation, ctx))).toEqual(op)
    }
  })

  it('tells Execute from the partial update of a multiple-instance resource by the model', () => {
    expect(classify('client', { method: 'POST', path: '/3/0/4' }).kind).toBe('execute')
    expect(classify('client', { method: 'POST', path: '/16/0/1' }).kind).toBe('execute')
    // Voltage is readable only: neither Execute nor a partial update applies.
    const voltageTlv = CODECS.require(11542).encode(voltage, P('/3/0/7'), MODELS)
    expect(
      refused(() =>
        classify('client', { method: 'POST', path: '/3/0/7', contentFormat: 11542, payload: voltageTlv }),
      ).coapCode,
    ).toBe(0x85)
    // Identity is a writable multiple-instance resource: POST is its partial update.
    expect(
      classify('client', {
        method: 'POST',
        path: '/16/0/0',
        contentFormat: 11542,
        payload: CODECS.require(11542).encode(identity, P('/16/0/0'), MODELS),
      }),
    ).toEqual({
      kind: 'write',
      path: P('/16/0/0'),
      mode: 'partialUpdate',
      node: identity,
      contentFormat: 11542,
    })
    // Without a model, a multi-value Content-Format means a partial update (TLV carries no
    // types: the values come back as Opaque).
    const blobs = multipleResource(1, 'opaque', [Uint8Array.of(1), Uint8Array.of(2, 3)])
    const w = classify('client', {
      method: 'POST',
      path: '/9/0/1',
      contentFormat: 11542,
      payload: CODECS.require(11542).encode(blobs, P('/9/0/1'), MODELS),
    })
    expect(w).toEqual({
      kind: 'write',
      path: P('/9/0/1'),
      mode: 'partialUpdate',
      node: blobs,
      contentFormat: 11542,
    })
  })

  it('answers 4.00 Bad Request (Transport TS table 6.7-3)', () => {
    expect(
      refused(() => classify('client', { method: 'PUT', path: '/3/0/7', query: ['lt=6', 'gt=1'] })).coapCode,
    ).toBe(0x80)
    expect(
      refused(() => classify('client', { method: 'PUT', path: '/3/0/0', query: ['gt=1'] })).coapCode,
    ).toBe(0x80) // string resource
    expect(
      refused(() => classify('client', { method: 'PUT', path: '/3/0', query: ['foo=1'] })).coapCode,
    ).toBe(0x80)
    expect(
      refused(() => classify('client', { method: 'POST', path: '/3/0/4', payload: "0='a" })).coapCode,
    ).toBe(0x80)
    expect(refused(() => classify('client', { method: 'PUT', path: '/3/0/0', payload: 'x' })).coapCode).toBe(
      0x80,
    ) // no Content-Format
    expect(
      refused(() =>
        // A Resource TLV that claims 20 bytes and has 1 (Core TS section 7.4.3).
        classify('client', {
          method: 'PUT',
          path: '/3/0/0',
          contentFormat: 11542,
          payload: Uint8Array.of(0xc8, 0x00, 0x14, 0x41),
        }),
      ).coapCode,
    ).toBe(0x80)
    expect(
      refused(() => classify('client', { method: 'GET', path: '/3', accept: 40, query: ['depth=9'] }))
        .coapCode,
    ).toBe(0x80)
    expect(
      refused(() => classify('client', { method: 'GET', path: '/3/0/7', query: ['pmin'] }, {}, 0)).coapCode,
    ).toBe(0x80)
    expect(
      refused(() =>
        classify('client', { method: 'GET', path: '/3/0/7', query: ['epmin=1'] }, { version: '1.0' }, 0),
      ).coapCode,
    ).toBe(0x80)
  })

  it('answers 4.00 to a Bootstrap-Write of a multiple-instance object whose TLVs name no instance', () => {
    const bare = CODECS.require(11542).encode(server, P('/1/0'), MODELS)
    expect(
      refused(() =>
        classify('clientBootstrap', { method: 'PUT', path: '/1', contentFormat: 11542, payload: bare }),
      ).coapCode,
    ).toBe(0x80)
  })

  it('answers 4.01 to Device Management on Security, OSCORE and COSE objects (Core TS 1.2 section 6.3)', () => {
    expect(refused(() => classify('client', { method: 'GET', path: '/0' })).coapCode).toBe(0x81)
    expect(
      refused(() => classify('client', { method: 'PUT', path: '/21/0', query: ['pmin=30', 'pmax=45'] }))
        .coapCode,
    ).toBe(0x81)
  })

  it('answers 4.04 for a URI that is no LwM2M path', () => {
    expect(refused(() => classify('client', { method: 'GET', path: '/abc' })).coapCode).toBe(0x84)
    expect(refused(() => classify('client', { method: 'GET', path: '/1/2/3/4/5' })).coapCode).toBe(0x84)
    expect(
      refused(() => classify('client', { method: 'GET', path: '/3/0' }, { rootPath: '/lwm2m' })).coapCode,
    ).toBe(0x84)
    expect(refused(() => classify('server', { method: 'POST', path: '/nothing' })).coapCode).toBe(0x84)
  })

  it('answers 4.05 Method Not Allowed for operations on levels they do not apply to', () => {
    expect(refused(() => classify('client', { method: 'POST', path: '/3/0/7/1' })).coapCode).toBe(0x85) // Execute on a resource instance
    expect(refused(() => classify('client', { method: 'DELETE', path: '/3' })).coapCode).toBe(0x85)
    expect(
      refused(() => classify('client', { method: 'PUT', path: '/3', contentFormat: 11542, payload: '{}' }))
        .coapCode,
    ).toBe(0x85)
    expect(refused(() => classify('client', { method: 'GET', path: '/' })).coapCode).toBe(0x85)
    expect(
      refused(() => classify('client', { method: 'FETCH', path: '/3', contentFormat: 110, payload: '[]' }))
        .coapCode,
    ).toBe(0x85)
    expect(refused(() => classify('client', { method: 'PATCH', path: '/3/0' })).coapCode).toBe(0x85)
    expect(refused(() => classify('server', { method: 'GET', path: '/rd' })).coapCode).toBe(0x85)
  })

  it('answers 4.06 Not Acceptable for an Accept no codec produces', () => {
    // application/json (50) is no LwM2M content format: no codec here produces it.
    expect(refused(() => classify('client', { method: 'GET', path: '/3/0', accept: 50 })).coapCode).toBe(0x86)
    expect(
      refused(() => classify('client', { method: 'GET', path: '/3/0/7', accept: 50 }, {}, 0)).coapCode,
    ).toBe(0x86)
    // LwM2M CBOR (11544) is one of the registered formats: a Read may ask for it.
    expect(classify('client', { method: 'GET', path: '/3/0', accept: 11544 })).toEqual({
      kind: 'read',
      path: P('/3/0'),
      accept: 11544,
    })
    // TLV carries no set of nodes: it cannot answer a Read-Composite (Core TS 1.2 section 6.3.8)
    // nor a Bootstrap-Pack (section 6.1.7.7).
    expect(
      refused(() =>
        classify('client', {
          method: 'FETCH',
          path: '/',
          contentFormat: 110,
          payload: CODECS.require(110).encodePaths!([P('/3/0/0')]),
          accept: 11542,
        }),
      ).coapCode,
    ).toBe(0x86)
    expect(
      refused(() => classify('bootstrapServer', { method: 'GET', path: '/bspack', accept: 11542 })).coapCode,
    ).toBe(0x86)
  })

  it('answers 4.12 to a Register of an unsupported LwM2M version, 4.00 to a malformed Register', () => {
    expect(
      refused(() => classify('server', { method: 'POST', path: '/rd', query: ['ep=a', 'lwm2m=1.3'] }))
        .coapCode,
    ).toBe(0x8c)
    expect(
      refused(() =>
        classify(
          'server',
          { method: 'POST', path: '/rd', query: ['ep=a', 'lwm2m=1.2'] },
          { supportedVersions: ['1.1'] },
        ),
      ).coapCode,
    ).toBe(0x8c)
    expect(
      refused(() => classify('server', { method: 'POST', path: '/rd', query: ['lt=60'] })).coapCode,
    ).toBe(0x80)
    expect(
      refused(() => classify('server', { method: 'POST', path: '/rd', query: ['ep=a', 'zz=1'] })).coapCode,
    ).toBe(0x80)
    expect(
      classify(
        'server',
        { method: 'POST', path: '/rd', query: ['ep=a', 'zz=1'] },
        { unknownParameters: 'keep' },
      ).kind,
    ).toBe('register')
  })

  it('answers 4.15 Unsupported Content-Format', () => {
    expect(
      refused(() => classify('client', { method: 'PUT', path: '/3/0/0', contentFormat: 9999, payload: 'x' }))
        .coapCode,
    ).toBe(0x8f)
    expect(
      refused(() =>
        classify('client', { method: 'POST', path: '/3/0/4', contentFormat: 11542, payload: 'x' }),
      ).coapCode,
    ).toBe(0x8f)
    expect(
      refused(() => classify('bootstrapServer', { method: 'POST', path: '/bs', query: ['pct=0'] })).coapCode,
    ).toBe(0x8f)
    expect(
      refused(() => classify('server', { method: 'POST', path: '/dp', contentFormat: 0, payload: '{}' }))
        .coapCode,
    ).toBe(0x8f)
  })

  it('reads the 1.0 binding of an Update by the registration version', () => {
    const op = classify(
      'server',
      { method: 'POST', path: '/rd/a', query: ['b=UQ'] },
      { registrationVersion: () => '1.0' },
    )
    expect(op).toMatchObject({ kind: 'update', params: { queueMode: true } })
    expect(
      refused(() => classify('server', { method: 'POST', path: '/rd/a', query: ['b=UQ'] })).coapCode,
    ).toBe(0x80)
  })
})

describe('Create without instance id (Core TS 1.2 section 6.3.6)', () => {
  const noId = portfolio(65535)
  const code = (fn: () => unknown) => {
    try {
      fn()
    } catch (e) {
      return Lwm2mError.isInstance(e) ? e.code : 'not an Lwm2mError'
    }
    return 'no error'
  }

  it('goes in TLV as the resource TLVs alone, and comes back with id 65535 for the client to pick', () => {
    const req = buildRequest({ kind: 'create', path: P('/16'), instances: [noId], contentFormat: 11542 }, ctx)
    // No Object Instance TLV (type 00) in front: the first TLV is the Multiple Resource TLV of Identity.
    expect((req.payload as Uint8Array)[0]! >> 6).toBe(2)
    expect(classify('client', req)).toEqual({
      kind: 'create',
      path: P('/16'),
      instances: [noId],
      contentFormat: 11542,
    })
  })

  it('gives instance 0 in a single-instance object, the only id the client could pick', () => {
    const noIdDevice = instance(65535, [utcOffset])
    const req = buildRequest(
      { kind: 'create', path: P('/3'), instances: [noIdDevice], contentFormat: 11542 },
      ctx,
    )
    expect(classify('client', req)).toMatchObject({ kind: 'create', instances: [instance(0, [utcOffset])] })
  })

  it('reads an empty TLV payload as an instance without id and without values', () => {
    const req = buildRequest(
      { kind: 'create', path: P('/16'), instances: [instance(65535)], contentFormat: 11542 },
      ctx,
    )
    expect((req.payload as Uint8Array).length).toBe(0)
    expect(classify('client', req)).toMatchObject({ kind: 'create', instances: [instance(65535)] })
  })

  it('is refused in formats that name every value by its full path (SenML, LwM2M CBOR, OMA JSON)', () => {
    for (const f of [110, 112, 11543, 11544]) {
      expect(
        code(() =>
          buildRequest({ kind: 'create', path: P('/16'), instances: [noId], contentFormat: f }, ctx),
        ),
      ).toBe('LWM2M_UNSUPPORTED_FORMAT')
    }
  })

  it('creates one instance only, and an instance id is given once', () => {
    expect(
      code(() =>
        buildRequest(
          { kind: 'create', path: P('/16'), instances: [noId, portfolio(1)], contentFormat: 11542 },
          ctx,
        ),
      ),
    ).toBe('LWM2M_INVALID_VALUE')
    expect(
      code(() =>
        buildRequest(
          { kind: 'create', path: P('/16'), instances: [portfolio(1), portfolio(1)], contentFormat: 11542 },
          ctx,
        ),
      ),
    ).toBe('LWM2M_INVALID_VALUE')
  })
})

describe('Send formats (Core TS 1.2 section 6.4.6)', () => {
  const data = [{ timestamp: undefined, nodes: new Map([['/3/0/0', manufacturer]]) }]

  it('refuses to send in a format Send does not use, and answers 4.15 to one', () => {
    expect(() => buildRequest({ kind: 'send', data, contentFormat: 11543 }, ctx)).toThrow(/cannot carry Send/)
    const omaJson = CODECS.require(11543).encodeTimestamped!(data, MODELS)
    expect(
      refused(() =>
        classify('server', { method: 'POST', path: '/dp', contentFormat: 11543, payload: omaJson }),
      ).coapCode,
    ).toBe(0x8f)
  })

  it('never drops a timestamp: LwM2M CBOR carries none, so timestamped data is refused in it', () => {
    const timed = [{ timestamp: 1_700_000_000, nodes: data[0]!.nodes }]
    expect(() => buildRequest({ kind: 'send', data: timed, contentFormat: 11544 }, ctx)).toThrow(
      /timestamped/,
    )
    expect(classify('server', buildRequest({ kind: 'send', data, contentFormat: 11544 }, ctx))).toEqual({
      kind: 'send',
      data,
      contentFormat: 11544,
    })
  })

  it('refuses a Send without data', () => {
    expect(() => buildRequest({ kind: 'send', data: [], contentFormat: 110 }, ctx)).toThrow(/needs data/)
  })
})

describe('answering', () => {
  it('encodes a Read answer in the Accept, or in the first preferred format that fits', () => {
    const read = { kind: 'read', path: P('/3/0/0') } as const
    expect(buildResponse(read, { node: manufacturer }, ctx, { preferredFormats: [0, 110] })).toMatchObject({
      code: 0x45,
      contentFormat: 0,
    })
    const inst = { kind: 'read', path: P('/3/0') } as const
    expect(buildResponse(inst, { node: device }, ctx, { preferredFormats: [0, 11542] })).toMatchObject({
      contentFormat: 11542,
    })
    expect(buildResponse({ ...inst, accept: 110 }, { node: device }, ctx)).toMatchObject({
      contentFormat: 110,
    })
    expect(refused(() => buildResponse({ ...inst, accept: 0 }, { node: device }, ctx)).coapCode).toBe(0x86)
  })

  it('gives 2.01 with Location-Path for Register and Create, 2.02 for deletes, 2.04 otherwise', () => {
    expect(
      buildResponse({ kind: 'register', params: { queueMode: false } }, { location: ['rd', '5a3f'] }, ctx),
    ).toEqual({ code: 0x41, locationPath: ['rd', '5a3f'] })
    expect(
      buildResponse(
        { kind: 'create', path: P('/16'), instances: [device], contentFormat: 11542 },
        { instance: P('/16/1') },
        ctx,
      ),
    ).toEqual({
      code: 0x41,
      locationPath: ['16', '1'],
    })
    expect(buildResponse({ kind: 'deregister', location: ['rd', 'x'] }, {}, ctx)).toEqual({ code: 0x42 })
    expect(buildResponse({ kind: 'writeAttributes', path: P('/3'), attributes: {} }, {}, ctx)).toEqual({
      code: 0x44,
    })
    expect(buildResponse({ kind: 'discover', path: P('/3') }, { links: '</3>' }, ctx)).toEqual({
      code: 0x45,
      contentFormat: 40,
      payload: '</3>',
    })
  })

  it('turns errors into answers: their code, 4.00 for other typed errors, 5.00 for the rest', () => {
    expect(errorResponse(new Lwm2mResponseError(0x84, 'gone')).code).toBe(0x84)
    expect(errorResponse(new Lwm2mError('LWM2M_INVALID_ATTRIBUTES', 'bad')).code).toBe(0x80)
    expect(errorResponse(new Lwm2mError('LWM2M_UNSUPPORTED_FORMAT', 'x')).code).toBe(0x8f)
    expect(errorResponse(new TypeError('secret detail'))).toEqual({ code: 0xa0, payload: 'internal error' })
  })
})
