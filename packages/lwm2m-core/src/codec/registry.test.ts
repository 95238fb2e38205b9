import { describe, expect, it } from 'vitest'
import { deviceInstance, MODELS } from '../../test/fixtures/spec.js'
import { Lwm2mError } from '../errors.js'
import { singleResource } from '../node/build.js'
import { Lwm2mPath } from '../path/path.js'
import { createCodecRegistry, defaultCodecs } from './registry.js'
import { textCodec } from './single/text-codec.js'
import { tlvCodec } from './tlv/tlv-codec.js'
import type { NodeCodec } from './types.js'

describe('codec registry keyed by content-format number', () => {
  const registry = createCodecRegistry(defaultCodecs())

  it('holds every LwM2M 1.0-1.2 format and the pre-IANA numbers of TLV and JSON (Core TS 7.4)', () => {
    expect([...registry.formats].sort((a, b) => a - b)).toEqual([0, 42, 60, 110, 112, 11542, 11543, 11544])
    expect(registry.get(1542)?.format).toBe(11542)
    expect(registry.get(1543)?.format).toBe(11543)
    expect(registry.has(40)).toBe(false)
    try {
      registry.require(40)
      throw new Error('expected an error')
    } catch (e) {
      expect(Lwm2mError.isInstance(e) && e.code).toBe('LWM2M_UNSUPPORTED_FORMAT')
    }
  })

  it('select takes the first preferred format that can carry the node', () => {
    const path = Lwm2mPath.parse('/3/0')
    expect(registry.select(deviceInstance(), path, [0, 11542])?.format).toBe(11542)
    expect(
      registry.select(singleResource(0, 'string', 'x'), Lwm2mPath.parse('/3/0/0'), [42, 0])?.format,
    ).toBe(0)
    expect(registry.select(deviceInstance(), path)?.format).toBe(112)
  })

  it('a later codec for the same number replaces the earlier one (injectable)', () => {
    const custom: NodeCodec = { ...textCodec(), encode: () => new TextEncoder().encode('custom') }
    const r = createCodecRegistry([...defaultCodecs(), custom])
    expect(
      new TextDecoder().decode(
        r.require(0).encode(singleResource(0, 'string', 'x'), Lwm2mPath.parse('/3/0/0'), MODELS),
      ),
    ).toBe('custom')
    expect(r.codecs.length).toBe(defaultCodecs().length)
    expect(createCodecRegistry([tlvCodec()]).formats).toEqual([11542])
  })
})
