import type { CoapResponse } from '@lwm2m/coap'
import { describe, expect, it } from 'vitest'
import { NO_MODELS } from '../codec/models.js'
import { createCodecRegistry, defaultCodecs } from '../codec/registry.js'
import { instance, multipleResource, singleResource } from '../node/build.js'
import { Lwm2mPath } from '../path/path.js'
import { parseNotification } from './notification.js'
import { parseResponse } from './response.js'
import { Lwm2mResponseError } from './response-error.js'

const P = (t: string) => Lwm2mPath.parse(t)
const codecs = createCodecRegistry(defaultCodecs())
const ctx = { codecs, models: NO_MODELS }
const utf8 = (s: string) => new TextEncoder().encode(s)

function response(code: number, contentFormat: number | undefined, payload: Uint8Array): CoapResponse {
  return {
    code,
    options: [],
    payload,
    peer: { address: '127.0.0.1', port: 5683 },
    type: 2,
    contentFormat,
    observe: 3,
    locationPath: [],
    locationQuery: [],
    maxAge: undefined,
    etag: undefined,
  }
}

describe('parseNotification (Core TS 1.2 section 7.4.4: notifications with historical data)', () => {
  it('reads an undated SenML notification like parseResponse, without samples', () => {
    const op = { kind: 'observe', path: P('/3303/0/5700') } as const
    const res = response(0x45, 110, utf8('[{"bn":"/3303/0/5700","v":21.5}]'))
    const r = parseNotification(op, res, ctx)
    expect(r.node).toEqual(parseResponse(op, res, ctx).node)
    expect(r.node).toEqual(singleResource(5700, 'float', 21.5))
    expect(r.timestamped).toBeUndefined()
  })

  it('keeps every dated sample and gives the newest as the node', () => {
    const op = { kind: 'observe', path: P('/3303/0/5700') } as const
    const doc = '[{"bn":"/3303/0/5700","bt":1700000000,"v":20},{"t":10,"v":21},{"t":5,"v":22}]'
    const r = parseNotification(op, response(0x45, 110, utf8(doc)), ctx)
    expect(r.timestamped?.map((g) => g.timestamp)).toEqual([1700000000, 1700000010, 1700000005])
    expect(r.timestamped?.map((g) => g.nodes.get('/3303/0/5700'))).toEqual([
      singleResource(5700, 'integer', 20),
      singleResource(5700, 'integer', 21),
      singleResource(5700, 'integer', 22),
    ])
    expect(r.node).toEqual(singleResource(5700, 'integer', 21))
    expect(r.contentFormat).toBe(110)
  })

  it('keeps the time of a single dated sample (SenML CBOR)', () => {
    const op = { kind: 'observe', path: P('/3/0') } as const
    const node = instance(0, [singleResource(9, 'integer', 80), multipleResource(7, 'integer', [3800, 5000])])
    const payload = codecs.require(112).encodeTimestamped!(
      [{ timestamp: 1700000000, nodes: new Map([['/3/0', node]]) }],
      NO_MODELS,
    )
    const r = parseNotification(op, response(0x45, 112, payload), ctx)
    expect(r.node).toEqual(node)
    expect(r.timestamped).toEqual([{ timestamp: 1700000000, nodes: new Map([['/3/0', node]]) }])
  })

  it('reads formats without times (TLV) with the plain decoder', () => {
    const op = { kind: 'observe', path: P('/3/0/9') } as const
    const payload = codecs.require(11542).encode(singleResource(9, 'integer', 80), P('/3/0/9'), NO_MODELS)
    const r = parseNotification(op, response(0x45, 11542, payload), ctx)
    expect(r.timestamped).toBeUndefined()
    expect(r.node.kind).toBe('resource')
  })

  it('reads an empty notification of an object as an object without instances', () => {
    const r = parseNotification({ kind: 'observe', path: P('/3303') }, response(0x45, 110, utf8('[]')), ctx)
    expect(r.node).toEqual({ kind: 'object', id: 3303, instances: new Map() })
  })

  it('gives composite notifications per requested path, the newest sample of each', () => {
    const op = {
      kind: 'observeComposite',
      paths: [P('/3303/0/5700'), P('/3/0/9')],
      contentFormat: 110,
    } as const
    const doc =
      '[{"bn":"/","bt":100,"n":"3303/0/5700","v":1},{"n":"3/0/9","v":50},{"bt":200,"n":"3303/0/5700","v":2}]'
    const r = parseNotification(op, response(0x45, 110, utf8(doc)), ctx)
    expect(r.nodes.get('/3303/0/5700')).toEqual(singleResource(5700, 'integer', 2))
    expect(r.nodes.get('/3/0/9')).toEqual(singleResource(9, 'integer', 50))
    expect(r.timestamped).toHaveLength(2)
  })

  it('throws Lwm2mResponseError for an error notification', () => {
    const op = { kind: 'observe', path: P('/3/0') } as const
    expect(() => parseNotification(op, response(0x84, undefined, new Uint8Array(0)), ctx)).toThrow(
      Lwm2mResponseError,
    )
  })
})

describe('parseResponse of composite answers (Core TS 1.2 section 6.3.8)', () => {
  it('gives each requested path the node under it, or null', () => {
    const op = {
      kind: 'readComposite',
      paths: [P('/3/0'), P('/1/0/1'), P('/5/0')],
      contentFormat: 110,
    } as const
    const doc = '[{"bn":"/","n":"3/0/9","v":80},{"n":"3/0/0","vs":"ACME"},{"n":"1/0/1","v":300}]'
    const r = parseResponse(op, response(0x45, 110, utf8(doc)), ctx)
    expect(r.nodes.get('/3/0')).toEqual(
      instance(0, [singleResource(9, 'integer', 80), singleResource(0, 'string', 'ACME')]),
    )
    expect(r.nodes.get('/1/0/1')).toEqual(singleResource(1, 'integer', 300))
    expect(r.nodes.get('/5/0')).toBeNull()
  })
})
