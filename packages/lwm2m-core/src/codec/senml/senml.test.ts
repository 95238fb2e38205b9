// SenML (RFC 8428) as LwM2M uses it (Core TS 7.4.4 JSON, 7.4.5 CBOR).
import { describe, expect, it } from 'vitest'
import { hex, MODELS } from '../../../test/fixtures/spec.js'
import { Lwm2mCodecError, Lwm2mError } from '../../errors.js'
import { instance, multipleResource, singleResource } from '../../node/build.js'
import { Lwm2mPath } from '../../path/path.js'
import { UINT64_MAX } from '../../value/integer.js'
import { NO_MODELS } from '../models.js'
import { omaJsonCodec } from '../oma-json/oma-json-codec.js'
import { senmlCborCodec } from './senml-cbor-codec.js'
import { senmlJsonCodec } from './senml-json-codec.js'

const json = senmlJsonCodec()
const cbor = senmlCborCodec()
const p = Lwm2mPath.parse
const u = (s: string) => new TextEncoder().encode(s)
const t = (b: Uint8Array) => new TextDecoder().decode(b)
const fails = (f: () => unknown) => {
  try {
    f()
  } catch (e) {
    expect(e).toBeInstanceOf(Lwm2mCodecError)
    const c = e as Lwm2mCodecError
    return c.path ?? c.offset
  }
  return 'no error'
}

describe('SenML JSON values', () => {
  it('writes 64-bit integers exactly and reads them back exactly (JSON.parse would round them)', () => {
    const node = singleResource(1, 'unsigned', UINT64_MAX)
    const out = t(json.encode(node, p('/9/0/1'), NO_MODELS))
    expect(out).toBe('[{"bn":"/9/0/1","v":18446744073709551615}]')
    expect(json.decode(u(out), p('/9/0/1'), NO_MODELS)).toEqual(node)
  })

  it('Opaque is base64url without padding in "vd"; Objlnk is "vlo"', () => {
    const node = instance(0, [
      singleResource(3, 'opaque', Uint8Array.of(0xfb, 0xff)),
      singleResource(17, 'objlnk', { objectId: 1, instanceId: 2 }),
    ])
    const out = t(json.encode(node, p('/0/0'), MODELS))
    expect(out).toBe('[{"bn":"/0/0/","n":"3","vd":"-_8"},{"n":"17","vlo":"1:2"}]')
    expect(json.decode(u(out), p('/0/0'), MODELS)).toEqual(node)
  })

  it('refuses NaN and infinities, which JSON cannot write', () => {
    try {
      json.encode(singleResource(5900, 'float', Number.NaN), p('/3308/0/5900'), MODELS)
      throw new Error('expected an error')
    } catch (e) {
      expect(Lwm2mError.isInstance(e) && e.code).toBe('LWM2M_INVALID_VALUE')
    }
  })

  it('without a model the label types the value', () => {
    const doc =
      '[{"bn":"/9/0/","n":"0","v":1},{"n":"1","v":1.5},{"n":"2","vs":"x"},{"n":"3","vb":true},{"n":"4","vd":"AQ"},{"n":"5","vlo":"3:0"}]'
    expect(json.decode(u(doc), p('/9/0'), NO_MODELS)).toEqual(
      instance(0, [
        singleResource(0, 'integer', 1),
        singleResource(1, 'float', 1.5),
        singleResource(2, 'string', 'x'),
        singleResource(3, 'boolean', true),
        singleResource(4, 'opaque', Uint8Array.of(1)),
        singleResource(5, 'objlnk', { objectId: 3, instanceId: 0 }),
      ]),
    )
  })
})

describe('SenML resolution and rules (RFC 8428 sections 4.4-4.6)', () => {
  it('base value adds to "v"; base time to "t"', () => {
    const doc = '[{"bn":"/3/0/","bv":100,"n":"9","v":-20}]'
    expect(json.decode(u(doc), p('/3/0/9'), MODELS)).toEqual(singleResource(9, 'integer', 80))
  })

  it('refuses a newer version, must-understand labels, two values, and names that are not paths', () => {
    expect(fails(() => json.decode(u('[{"bver":11,"n":"/3/0/9","v":1}]'), p('/3/0/9'), MODELS))).toBe(1)
    expect(fails(() => json.decode(u('[{"n":"/3/0/9","v":1,"x_":2}]'), p('/3/0/9'), MODELS))).toBe(1)
    expect(fails(() => json.decode(u('[{"n":"/3/0/9","v":1,"vs":"1"}]'), p('/3/0/9'), MODELS))).toBe(1)
    expect(fails(() => json.decode(u('[{"n":"/3/0/9"},{"n":"3/0/9","v":1}]'), p('/3/0/9'), MODELS))).toBe(16)
    expect(fails(() => json.decode(u('[{"n":"/3/0/9","v":1,"n":"/3/0/9"}]'), p('/3/0/9'), MODELS))).toBe(21)
  })

  it('a "__proto__" label is a member, never the prototype (and, ending in "_", a must-understand label)', () => {
    const doc = '[{"__proto__":{"n":"/9/9/9"},"n":"/3/0/9","v":7}]'
    expect(fails(() => json.decode(u(doc), p('/3/0/9'), MODELS))).toBe(1)
    expect(({} as Record<string, unknown>).n).toBeUndefined()
    const oma = '{"bn":"/3/0/","e":[{"__proto__":{"n":"x"},"n":"9","v":7}]}'
    expect(omaJsonCodec().decode(u(oma), p('/3/0/9'), MODELS)).toEqual(singleResource(9, 'integer', 7))
  })

  it('type mismatches and values outside the request name the path', () => {
    expect(fails(() => json.decode(u('[{"n":"/3/0/9","vs":"1"}]'), p('/3/0/9'), MODELS))).toBe('/3/0/9')
    expect(fails(() => json.decode(u('[{"n":"/3/1/9","v":1}]'), p('/3/0'), MODELS))).toBe('/3/1/9')
    expect(fails(() => json.decode(u('[{"n":"/3/0/9","v":1.5}]'), p('/3/0/9'), MODELS))).toBe('/3/0/9')
  })

  it('decodeNodes groups a Send payload per resource; a record without value is null', () => {
    const doc = '[{"bn":"/3/0/","n":"7/0","v":3800},{"n":"7/1","v":5000},{"n":"9","v":80},{"n":"15"}]'
    const nodes = json.decodeNodes!(u(doc), MODELS)
    expect([...nodes.keys()]).toEqual(['/3/0/7', '/3/0/9', '/3/0/15'])
    expect(nodes.get('/3/0/7')).toEqual(multipleResource(7, 'integer', [3800, 5000]))
    expect(nodes.get('/3/0/15')).toBeNull()
  })
})

describe('SenML CBOR', () => {
  it('numeric labels, "vlo" as text label, "vd" as a byte string', () => {
    const node = instance(0, [
      singleResource(3, 'opaque', Uint8Array.of(1, 2)),
      singleResource(17, 'objlnk', { objectId: 1, instanceId: 2 }),
    ])
    const out = cbor.encode(node, p('/0/0'), MODELS)
    expect(Buffer.from(out).toString('hex')).toBe(
      '82a3216' + '52f302f302f' + '00613308420102' + 'a200623137' + '63766c6f' + '63313a32',
    )
    expect(cbor.decode(out, p('/0/0'), MODELS)).toEqual(node)
  })

  it("errors point at the record's byte offset", () => {
    // [{0: "/3/0/9", 2: 1}, {0: 5}]: the second record's name is not text.
    expect(
      fails(() => cbor.decode(hex('82a2006' + '62f332f302f39' + '0201a10005'), p('/3/0/9'), MODELS)),
    ).toBe(12)
  })
})
