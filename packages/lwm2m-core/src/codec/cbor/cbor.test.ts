// RFC 8949 as LwM2M uses it (Core TS 1.1 section 7.4.5 CBOR, 1.2 section 7.4.6), and what
// we rely on from the CBOR library: exact 64-bit integers, half/single floats, tag 1.
import { describe, expect, it } from 'vitest'
import { hex, MODELS, toHex } from '../../../test/fixtures/spec.js'
import { Lwm2mCodecError } from '../../errors.js'
import { resourceInstance, singleResource } from '../../node/build.js'
import { Lwm2mPath } from '../../path/path.js'
import { INT64_MIN, UINT64_MAX } from '../../value/integer.js'
import { NO_MODELS } from '../models.js'
import { cborDecode, cborEncode } from './cbor.js'
import { cborCodec } from './cbor-codec.js'
import { checkCbor } from './well-formed.js'

const p = Lwm2mPath.parse

describe('the CBOR library under our formats (RFC 8949)', () => {
  it('decodes integers exactly: bigint beyond 2^53, over the whole 64-bit range', () => {
    expect(cborDecode(60, hex('1bffffffffffffffff'))).toBe(UINT64_MAX)
    expect(cborDecode(60, hex('1b0020000000000001'))).toBe(2n ** 53n + 1n)
    expect(cborDecode(60, hex('3b7fffffffffffffff'))).toBe(INT64_MIN)
    // 8-byte encodings come back as bigint even when safe; the LwM2M layers normalize them.
    expect(cborDecode(60, hex('1b001fffffffffffff'))).toBe(2n ** 53n - 1n)
    expect(cborDecode(60, hex('1a5182428f'))).toBe(1367491215)
  })

  it('decodes half, single and double floats', () => {
    expect(cborDecode(60, hex('f93e00'))).toBe(1.5)
    expect(cborDecode(60, hex('f90001'))).toBe(2 ** -24)
    expect(cborDecode(60, hex('fa3f8ccccd'))).toBe(Math.fround(1.1))
    expect(cborDecode(60, hex('fb3fb999999999999a'))).toBe(0.1)
  })

  it('encodes bigints as 64-bit integers and maps in insertion order', () => {
    expect(toHex(cborEncode(2n ** 63n - 1n))).toBe('1b7fffffffffffffff')
    expect(toHex(cborEncode(UINT64_MAX))).toBe('1bffffffffffffffff')
    expect(
      toHex(
        cborEncode(
          new Map<unknown, unknown>([
            [[3, 0], 1],
            [-2, 'a'],
          ]),
        ),
      ),
    ).toBe('a282030001216161')
  })
})

describe('well-formedness check before the library (RFC 8949 section 3, appendix F)', () => {
  const at = (h: string) => checkCbor(hex(h))
  it('returns the offset of the first problem', () => {
    expect(at('0000')).toEqual({ offset: 1, message: '1 bytes after the data item' })
    expect(at('1a0000')?.offset).toBe(0)
    expect(at('8201')?.offset).toBe(0)
    expect(at('826161c3')?.offset).toBe(3)
    expect(at('62c328')?.offset).toBe(1)
    expect(at('c200')?.message).toMatch(/tag 2/)
    expect(at('1c')?.message).toMatch(/reserved/)
    expect(at('ff')?.message).toMatch(/break/)
    expect(at('f801')?.message).toMatch(/simple value/)
    expect(at('bf00ff')?.message).toMatch(/without value/)
    expect(at('5f4101ff')).toBeUndefined()
    expect(at('5f6101ff')?.message).toMatch(/same type/)
  })
})

describe('CBOR content format 60 (Core TS 1.1 section 7.4.5)', () => {
  const codec = cborCodec()
  it('Time is tag 1 around integer seconds; decoders also take a plain integer', () => {
    const node = singleResource(13, 'time', new Date(1367491215000))
    expect(toHex(codec.encode(node, p('/3/0/13'), MODELS))).toBe('c11a5182428f')
    expect(codec.decode(hex('1a5182428f'), p('/3/0/13'), MODELS)).toEqual(node)
    expect(codec.decode(hex('c11a5182428f'), p('/3/0/13'), NO_MODELS)).toEqual(node)
  })

  it('the model types integer items of Float resources; without a model items type themselves', () => {
    expect(codec.decode(hex('01'), p('/3308/0/5900'), MODELS)).toEqual(singleResource(5900, 'float', 1))
    expect(codec.decode(hex('01'), p('/3308/0/5900'), NO_MODELS)).toEqual(singleResource(5900, 'integer', 1))
    expect(codec.decode(hex('f93e00'), p('/9/0/1'), NO_MODELS)).toEqual(singleResource(1, 'float', 1.5))
    expect(codec.decode(hex('1bffffffffffffffff'), p('/9/0/1'), NO_MODELS)).toEqual(
      singleResource(1, 'unsigned', UINT64_MAX),
    )
    expect(codec.decode(hex('43010203'), p('/9/0/1/2'), NO_MODELS)).toEqual(
      resourceInstance(2, 'opaque', Uint8Array.of(1, 2, 3)),
    )
    expect(codec.decode(hex('f5'), p('/9/0/1'), NO_MODELS)).toEqual(singleResource(1, 'boolean', true))
  })

  it('Objlnk is the text "oid:iid"', () => {
    const node = singleResource(17, 'objlnk', { objectId: 21, instanceId: 3 })
    expect(toHex(codec.encode(node, p('/0/0/17'), MODELS))).toBe('6432313a33')
    expect(codec.decode(hex('6432313a33'), p('/0/0/17'), MODELS)).toEqual(node)
  })

  it('refuses items that do not fit the model type, with the path', () => {
    try {
      codec.decode(hex('6161'), p('/3/0/9'), MODELS)
      throw new Error('expected an error')
    } catch (e) {
      expect(e).toBeInstanceOf(Lwm2mCodecError)
      expect((e as Lwm2mCodecError).path).toBe('/3/0/9')
    }
    expect(() => codec.decode(hex('1b8000000000000000'), p('/3/0/9'), MODELS)).toThrow(/signed 64-bit/)
    expect(() => codec.decode(hex('f6'), p('/9/0/1'), NO_MODELS)).toThrow(Lwm2mCodecError)
  })
})
