/**
 * Small test doubles of the NodeCodec contract for the operation-mapping tests: a JSON
 * rendering of nodes under the numbers of text/plain (single values only), SenML JSON and
 * TLV. They stand in for the real codecs, which another part of this package provides.
 */

import type { ModelLookup, NodeCodec } from '../src/codec/types.js'
import { Lwm2mCodecError } from '../src/errors.js'
import type { Lwm2mNode, ObjectInstance, Resource } from '../src/node/types.js'
import type { CodecLookup } from '../src/operations/context.js'
import { Lwm2mPath } from '../src/path/path.js'

const enc = new TextEncoder()
const dec = new TextDecoder()

function toPlain(v: unknown): unknown {
  if (v instanceof Map) return { $map: [...v.entries()].map(([k, x]) => [k, toPlain(x)]) }
  if (v === null || typeof v !== 'object') return v
  if (Array.isArray(v)) return v.map(toPlain)
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, toPlain(x)]))
}
function fromPlain(v: unknown): unknown {
  if (v === null || typeof v !== 'object') return v
  if (Array.isArray(v)) return v.map(fromPlain)
  if ('$map' in (v as object))
    return new Map((v as { $map: [unknown, unknown][] }).$map.map(([k, x]) => [k, fromPlain(x)]))
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, fromPlain(x)]))
}
function parse(format: number, payload: Uint8Array): unknown {
  try {
    return fromPlain(JSON.parse(dec.decode(payload)))
  } catch {
    throw new Lwm2mCodecError(format, 'not JSON', { offset: 0 })
  }
}

export function jsonCodec(
  format: number,
  options: { composite?: boolean; singleOnly?: boolean } = {},
): NodeCodec {
  const codec: NodeCodec = {
    format,
    canEncode: (node) => !options.singleOnly || node.kind === 'resource' || node.kind === 'resourceInstance',
    encode: (node) => enc.encode(JSON.stringify(toPlain(node))),
    decode: (payload, path) => {
      const node = parse(format, payload) as Lwm2mNode
      if (typeof node !== 'object' || node === null || typeof node.kind !== 'string') {
        throw new Lwm2mCodecError(format, 'not a node', { path: path.toString() })
      }
      return node
    },
  }
  if (!options.composite) return codec
  return {
    ...codec,
    encodeNodes: (nodes) => enc.encode(JSON.stringify(toPlain(nodes))),
    decodeNodes: (payload) => {
      const nodes = parse(format, payload)
      if (!(nodes instanceof Map)) throw new Lwm2mCodecError(format, 'not a node map', { offset: 0 })
      return nodes as Map<string, Lwm2mNode | null>
    },
    encodePaths: (paths) => enc.encode(JSON.stringify(paths.map(String))),
    decodePaths: (payload) => {
      const paths = parse(format, payload)
      if (!Array.isArray(paths) || !paths.every((p) => typeof p === 'string')) {
        throw new Lwm2mCodecError(format, 'not a path list', { offset: 0 })
      }
      return paths.map((p) => Lwm2mPath.parse(p))
    },
    encodeTimestamped: (data) => enc.encode(JSON.stringify(toPlain(data))),
    decodeTimestamped: (payload) => {
      const data = parse(format, payload)
      if (!Array.isArray(data)) throw new Lwm2mCodecError(format, 'not a list', { offset: 0 })
      return data as never
    },
  }
}

export const doubles: CodecLookup = new Map<number, NodeCodec>([
  [0, jsonCodec(0, { singleOnly: true })],
  [110, jsonCodec(110, { composite: true })],
  [112, jsonCodec(112, { composite: true })],
  [11542, jsonCodec(11542)],
])

export const noModels: ModelLookup = { getObjectModel: () => undefined }

export const manufacturer: Resource = { kind: 'resource', id: 0, type: 'string', value: 'ACME' }
export const device: ObjectInstance = { kind: 'instance', id: 0, resources: new Map([[0, manufacturer]]) }
