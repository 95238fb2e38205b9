import { Lwm2mError } from '../errors.js'
import type { Lwm2mNode } from '../node/types.js'
import type { Lwm2mPath } from '../path/path.js'
import { cborCodec } from './cbor/cbor-codec.js'
import { lwm2mCborCodec } from './lwm2m-cbor/lwm2m-cbor-codec.js'
import { omaJsonCodec } from './oma-json/oma-json-codec.js'
import { senmlCborCodec } from './senml/senml-cbor-codec.js'
import { senmlJsonCodec } from './senml/senml-json-codec.js'
import { opaqueCodec } from './single/opaque-codec.js'
import { textCodec } from './single/text-codec.js'
import { tlvCodec } from './tlv/tlv-codec.js'
import type { NodeCodec } from './types.js'

/** Content formats by number: what a role consults to encode and decode payloads. */
export interface CodecRegistry {
  /** The codec for a content-format number (or one of its aliases, 1542 for TLV). */
  get(format: number): NodeCodec | undefined
  /** Like {@link CodecRegistry.get}; throws Lwm2mError LWM2M_UNSUPPORTED_FORMAT when none. */
  require(format: number): NodeCodec
  has(format: number): boolean
  /** The registered codecs, in registration order. */
  readonly codecs: readonly NodeCodec[]
  /** The primary numbers of the registered formats. */
  readonly formats: readonly number[]
  /** The first format among `preferred` (then among all) whose codec can carry `node` at `path`. */
  select(node: Lwm2mNode, path: Lwm2mPath, preferred?: readonly number[]): NodeCodec | undefined
}

/**
 * A registry over `codecs`, keyed by content-format number and alias. A later codec
 * for the same number replaces an earlier one (so that an application can override
 * one format and keep the defaults).
 */
export function createCodecRegistry(codecs: Iterable<NodeCodec>): CodecRegistry {
  const byNumber = new Map<number, NodeCodec>()
  const list: NodeCodec[] = []
  for (const c of codecs) {
    const old = byNumber.get(c.format)
    if (old !== undefined) list.splice(list.indexOf(old), 1)
    list.push(c)
    byNumber.set(c.format, c)
    for (const a of c.aliases ?? []) byNumber.set(a, c)
  }
  const registry: CodecRegistry = {
    get: (format) => byNumber.get(format),
    require(format) {
      const c = byNumber.get(format)
      if (c === undefined)
        throw new Lwm2mError('LWM2M_UNSUPPORTED_FORMAT', `no codec for content format ${format}`)
      return c
    },
    has: (format) => byNumber.has(format),
    codecs: list,
    formats: list.map((c) => c.format),
    select(node, path, preferred = []) {
      for (const f of preferred) {
        const c = byNumber.get(f)
        if (c?.canEncode(node, path)) return c
      }
      return list.find((c) => c.canEncode(node, path))
    },
  }
  return registry
}

/**
 * Every content format of LwM2M 1.0-1.2, newest first for {@link CodecRegistry.select}:
 * SenML CBOR (112), SenML JSON (110), LwM2M CBOR (11544), TLV (11542, 1542),
 * OMA JSON (11543, 1543), CBOR (60), text/plain (0), octet-stream (42).
 */
export function defaultCodecs(): NodeCodec[] {
  return [
    senmlCborCodec(),
    senmlJsonCodec(),
    lwm2mCborCodec(),
    tlvCodec(),
    omaJsonCodec(),
    cborCodec(),
    textCodec(),
    opaqueCodec(),
  ]
}
