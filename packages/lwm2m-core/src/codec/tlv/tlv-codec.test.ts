// Core TS section 7.4.3 (TLV): type byte, 8/16-bit identifiers, 0-24-bit lengths, value widths.
import { describe, expect, it } from 'vitest'
import { hex, MODELS, toHex } from '../../../test/fixtures/spec.js'
import { Lwm2mCodecError } from '../../errors.js'
import { instance, multipleResource, resourceInstance, singleResource } from '../../node/build.js'
import { Lwm2mPath } from '../../path/path.js'
import { INT64_MIN, UINT64_MAX } from '../../value/integer.js'
import { modelLookup, NO_MODELS } from '../models.js'
import { tlvCodec } from './tlv-codec.js'

const tlv = tlvCodec()
const p = Lwm2mPath.parse
const enc = (node: Parameters<typeof tlv.encode>[0], path: string) =>
  toHex(tlv.encode(node, p(path), NO_MODELS))
const where = (f: () => unknown) => {
  try {
    f()
  } catch (e) {
    expect(e).toBeInstanceOf(Lwm2mCodecError)
    const c = e as Lwm2mCodecError
    return c.offset ?? c.path
  }
  return 'no error'
}

const T = modelLookup([
  {
    id: 9001,
    name: 'T',
    description: '',
    version: '1.0',
    lwm2mVersion: '1.1',
    urn: 'x',
    multiple: true,
    mandatory: false,
    resources: new Map(
      (['integer', 'unsigned', 'float', 'boolean', 'objlnk', 'time', 'string'] as const).map((type, id) => [
        id,
        {
          id,
          name: type,
          operations: 'RW',
          multiple: false,
          mandatory: false,
          type,
          rangeEnumeration: '',
          units: '',
          description: '',
        },
      ]),
    ),
  },
])

describe('TLV value widths (Core TS 7.4.3, data types)', () => {
  it("integers use the smallest of 1, 2, 4, 8 bytes, two's complement", () => {
    expect(enc(singleResource(0, 'integer', 127), '/9001/0/0')).toBe('c1007f')
    expect(enc(singleResource(0, 'integer', 128), '/9001/0/0')).toBe('c2000080')
    expect(enc(singleResource(0, 'integer', -129), '/9001/0/0')).toBe('c200ff7f')
    expect(enc(singleResource(0, 'integer', 2 ** 31), '/9001/0/0')).toBe('c800080000000080000000')
    expect(enc(singleResource(0, 'integer', INT64_MIN), '/9001/0/0')).toBe('c800088000000000000000')
  })

  it('unsigned integers are unsigned, up to 2^64-1 in 8 bytes', () => {
    expect(enc(singleResource(1, 'unsigned', 255), '/9001/0/1')).toBe('c101ff')
    expect(enc(singleResource(1, 'unsigned', UINT64_MAX), '/9001/0/1')).toBe('c80108ffffffffffffffff')
    const back = tlv.decode(hex('c80108ffffffffffffffff'), p('/9001/0/1'), T)
    expect(back).toEqual(singleResource(1, 'unsigned', UINT64_MAX))
  })

  it('floats take 4 bytes when float32 holds them exactly, else 8', () => {
    expect(enc(singleResource(2, 'float', 1.5), '/9001/0/2')).toBe('c4023fc00000')
    expect(enc(singleResource(2, 'float', 0.1), '/9001/0/2')).toBe('c802083fb999999999999a')
    expect(tlv.decode(hex('c4023fc00000'), p('/9001/0/2'), T)).toEqual(singleResource(2, 'float', 1.5))
  })

  it('refuses impossible widths with the path: 3-byte integer, 2-byte boolean, boolean 2, 3-byte objlnk', () => {
    expect(where(() => tlv.decode(hex('c300010203'), p('/9001/0/0'), T))).toBe('/9001/0/0')
    expect(where(() => tlv.decode(hex('c2030101'), p('/9001/0/3'), T))).toBe('/9001/0/3')
    expect(where(() => tlv.decode(hex('c10302'), p('/9001/0/3'), T))).toBe('/9001/0/3')
    expect(where(() => tlv.decode(hex('c304000000'), p('/9001/0/4'), T))).toBe('/9001/0/4')
    expect(where(() => tlv.decode(hex('c3062b3030'), p('/9001/0/6'), T))).toBe('no error')
    expect(where(() => tlv.decode(hex('c206c328'), p('/9001/0/6'), T))).toBe('/9001/0/6')
  })
})

describe('TLV headers (Core TS 7.4.3)', () => {
  it('16-bit identifiers and 8/16/24-bit lengths', () => {
    expect(enc(resourceInstance(310, 'integer', 1), '/2/0/2/310')).toBe('61013601')
    const big = new Uint8Array(70_000).fill(7)
    const out = tlv.encode(singleResource(5, 'opaque', big), p('/9999/0/5'), NO_MODELS)
    expect(toHex(out.subarray(0, 5))).toBe('d805011170')
    expect(out.length).toBe(5 + 70_000)
    expect(tlv.decode(out, p('/9999/0/5'), NO_MODELS)).toEqual(singleResource(5, 'opaque', big))
    expect(enc(singleResource(300, 'string', 'x'.repeat(300)), '/9999/0/300').slice(0, 10)).toBe('f0012c012c')
  })

  it('refuses a value longer than 24 bits of length', () => {
    expect(() =>
      tlv.encode(singleResource(5, 'opaque', new Uint8Array(0x1000000)), p('/9999/0/5'), NO_MODELS),
    ).toThrow(/do not fit a TLV/)
  })

  it('errors carry the offset of the TLV that breaks: truncated header, length past the end', () => {
    expect(where(() => tlv.decode(hex('c800'), p('/3/0'), MODELS))).toBe(0)
    expect(where(() => tlv.decode(hex('c10964c80005616263'), p('/3/0'), MODELS))).toBe(3)
  })
})

describe('TLV shapes peers send', () => {
  it('an instance wrapped in its Object Instance TLV, and the object without it for single-instance objects', () => {
    const inst = instance(0, [singleResource(9, 'integer', 100)])
    expect(tlv.decode(hex('080003c10964'), p('/3/0'), MODELS)).toEqual(inst)
    const obj = tlv.decode(hex('c10964'), p('/3'), MODELS)
    expect(obj.kind === 'object' && obj.instances.get(0)).toEqual(inst)
    // Server (/1) has several instances: resources without an instance TLV are never taken
    // for instance 0. They are the instance of a Create without id (Core TS 1.2 section
    // 6.3.6), which gets the reserved id MAX_ID (65535) for the client to replace.
    const created = tlv.decode(hex('c10001'), p('/1'), MODELS)
    expect(created.kind === 'object' && [...created.instances.keys()]).toEqual([65535])
    expect(created.kind === 'object' && created.instances.get(65535)).toEqual(
      instance(65535, [singleResource(0, 'integer', 1)]),
    )
  })

  it('a Create without instance id: the resource TLVs without Object Instance TLV (Core TS 1.2 section 6.3.6)', () => {
    const newServer = instance(65535, [singleResource(0, 'integer', 1), singleResource(1, 'integer', 300)])
    expect(tlv.canEncode(newServer, p('/1'))).toBe(true)
    const bytes = tlv.encode(newServer, p('/1'), MODELS)
    // Short Server ID 1 and Lifetime 300, no Object Instance TLV around them.
    expect(toHex(bytes)).toBe('c10001c201012c')
    expect(tlv.decode(bytes, p('/1'), MODELS)).toEqual({
      kind: 'object',
      id: 1,
      instances: new Map([[65535, newServer]]),
    })
    // An instance with an id of its own is no Create without id: at an object path it needs its object.
    expect(tlv.canEncode(instance(2, []), p('/1'))).toBe(false)
    expect(() => tlv.encode(instance(2, []), p('/1'), MODELS)).toThrow(/cannot carry/)
    // The id-less form is only for an object path.
    expect(tlv.canEncode(newServer, p('/1/0'))).toBe(false)
  })

  it('a multiple resource as bare Resource Instance TLVs', () => {
    expect(tlv.decode(hex('41000141 0105'), p('/3/0/6'), MODELS)).toEqual(
      multipleResource(6, 'integer', [1, 5]),
    )
  })

  it('without a model every value is Opaque (TLV carries no types)', () => {
    expect(tlv.decode(hex('c10964'), p('/3/0/9'), NO_MODELS)).toEqual(
      singleResource(9, 'opaque', Uint8Array.of(100)),
    )
  })

  it('the model decides multiplicity: a Resource TLV for a multiple resource is refused', () => {
    expect(where(() => tlv.decode(hex('c10601'), p('/3/0'), MODELS))).toBe(0)
  })
})
