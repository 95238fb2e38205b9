// Core TS 7.4.1 (text/plain) and 7.4.2 (application/octet-stream).
import { describe, expect, it } from 'vitest'
import { MODELS } from '../../../test/fixtures/spec.js'
import { Lwm2mCodecError, Lwm2mError } from '../../errors.js'
import { instance, resourceInstance, singleResource } from '../../node/build.js'
import { Lwm2mPath } from '../../path/path.js'
import { NO_MODELS } from '../models.js'
import { opaqueCodec } from './opaque-codec.js'
import { textCodec } from './text-codec.js'

const text = textCodec()
const p = Lwm2mPath.parse
const u = (s: string) => new TextEncoder().encode(s)

describe('text/plain', () => {
  it('types the text by the model: Time, Boolean, Integer of a resource instance', () => {
    expect(text.decode(u('1367491215'), p('/3/0/13'), MODELS)).toEqual(
      singleResource(13, 'time', new Date(1367491215000)),
    )
    expect(text.decode(u('1'), p('/1/0/6'), MODELS)).toEqual(singleResource(6, 'boolean', true))
    expect(text.decode(u('3800'), p('/3/0/7/0'), MODELS)).toEqual(resourceInstance(0, 'integer', 3800))
  })

  it('Opaque is base64 (LwM2M 1.1+); without a model the text is a String', () => {
    expect(
      new TextDecoder().decode(
        text.encode(singleResource(3, 'opaque', Uint8Array.of(1, 2, 3)), p('/0/0/3'), MODELS),
      ),
    ).toBe('AQID')
    expect(text.decode(u('AQID'), p('/0/0/3'), MODELS)).toEqual(
      singleResource(3, 'opaque', Uint8Array.of(1, 2, 3)),
    )
    expect(text.decode(u('AQID'), p('/0/0/3'), NO_MODELS)).toEqual(singleResource(3, 'string', 'AQID'))
  })

  it('bad text is a Lwm2mCodecError with the path; bad UTF-8 with the offset', () => {
    try {
      text.decode(u('abc'), p('/3/0/9'), MODELS)
      throw new Error('expected an error')
    } catch (e) {
      expect(e).toBeInstanceOf(Lwm2mCodecError)
      expect((e as Lwm2mCodecError).path).toBe('/3/0/9')
    }
    try {
      text.decode(Uint8Array.of(0x61, 0xff), p('/3/0/0'), MODELS)
      throw new Error('expected an error')
    } catch (e) {
      expect((e as Lwm2mCodecError).offset).toBe(1)
    }
  })

  it('carries single values only', () => {
    expect(text.canEncode(instance(0), p('/3/0'))).toBe(false)
    const code = (f: () => unknown) => {
      try {
        f()
      } catch (e) {
        return Lwm2mError.isInstance(e) ? e.code : 'other'
      }
      return 'none'
    }
    expect(code(() => text.decode(u('1'), p('/3/0'), MODELS))).toBe('LWM2M_UNSUPPORTED_FORMAT')
    expect(code(() => text.decode(u('1'), p('/3/0/6'), MODELS))).toBe('LWM2M_UNSUPPORTED_FORMAT')
  })
})

describe('application/octet-stream', () => {
  const opaque = opaqueCodec()
  it('carries Opaque resources byte for byte and copies them out of the payload', () => {
    const payload = Uint8Array.of(9, 8, 7)
    const node = opaque.decode(payload, p('/0/0/3'), MODELS)
    payload[0] = 0
    expect(node).toEqual(singleResource(3, 'opaque', Uint8Array.of(9, 8, 7)))
    expect(opaque.canEncode(singleResource(0, 'string', 'x'), p('/3/0/0'))).toBe(false)
    expect(() => opaque.decode(payload, p('/3/0/0'), MODELS)).toThrow(/cannot carry a string resource/)
  })
})
