// Core TS 1.2 section 7.4.6 (LwM2M CBOR): nested maps, path compression, null, empty maps.
import { describe, expect, it } from 'vitest'
import { hex, MODELS, toHex } from '../../../test/fixtures/spec.js'
import { Lwm2mCodecError } from '../../errors.js'
import { instance, multipleResource, objectNode, singleResource } from '../../node/build.js'
import type { Lwm2mNode } from '../../node/types.js'
import { Lwm2mPath } from '../../path/path.js'
import { NO_MODELS } from '../models.js'
import { lwm2mCborCodec } from './lwm2m-cbor-codec.js'

const codec = lwm2mCborCodec()
const p = Lwm2mPath.parse
const where = (f: () => unknown) => {
  try {
    f()
  } catch (e) {
    expect(e).toBeInstanceOf(Lwm2mCodecError)
    return (e as Lwm2mCodecError).path ?? (e as Lwm2mCodecError).offset
  }
  return 'no error'
}

describe('LwM2M CBOR', () => {
  it('empty objects, instances and multiple resources travel as empty maps', () => {
    const obj = objectNode(1, [instance(0), instance(3, [multipleResource(7, 'string', [])])])
    const bytes = codec.encode(obj, p('/1'), NO_MODELS)
    expect(toHex(bytes)).toBe('a101a200a003a107a0')
    expect(codec.decode(bytes, p('/1'), NO_MODELS)).toEqual(
      objectNode(1, [instance(0), instance(3, [multipleResource(7, 'opaque', [])])]),
    )
  })

  it('null stands for a path without value in composite payloads', () => {
    const nodes = new Map<string, Lwm2mNode | null>([
      ['/3/0/9', singleResource(9, 'integer', 80)],
      ['/3/0/15', null],
    ])
    const bytes = codec.encodeNodes!(nodes, MODELS)
    expect(toHex(bytes)).toBe('a18203' + '00a2091850' + '0ff6')
    expect(codec.decodeNodes!(bytes, MODELS)).toEqual(nodes)
  })

  it('refuses keys that are not ids, paths deeper than 4, values above resources, with the path', () => {
    expect(where(() => codec.decode(hex('a1616101'), p('/3/0'), MODELS))).toBe('/')
    expect(where(() => codec.decode(hex('a1850300000000' + '01'), p('/3/0'), MODELS))).toBe('/3/0/0/0/0')
    expect(where(() => codec.decode(hex('a182030001'), p('/3/0'), MODELS))).toBe('/3/0')
    expect(where(() => codec.decode(hex('a1a1000101'), p('/3/0'), MODELS))).toBe('/')
    expect(where(() => codec.decode(hex('a1830300096161'), p('/3/0'), MODELS))).toBe('/3/0/9')
    expect(where(() => codec.decode(hex('01'), p('/3/0'), MODELS))).toBe(0)
  })
})
