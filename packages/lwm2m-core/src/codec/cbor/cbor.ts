import { Decoder, Encoder, Tag } from 'cbor-x/decode'
import { Lwm2mCodecError } from '../../errors.js'
import { walkCbor } from './well-formed.js'

/**
 * The CBOR library under the CBOR-based formats: cbor-x (pure JavaScript entry point; the
 * optional native string extractor is not loaded), chosen by measurement (see the
 * package README). Every input is first checked by {@link checkCbor}, so that the
 * library only ever sees well-formed, bounded input and errors carry byte offsets.
 */

const encoder = new Encoder({
  useRecords: false,
  mapsAsObjects: false,
  tagUint8Array: false,
  pack: false,
  useFloat32: 0,
})

const decoder = new Decoder({
  useRecords: false,
  mapsAsObjects: false,
  int64AsType: 'auto',
} as ConstructorParameters<typeof Decoder>[0])

/** Encodes a CBOR data item (maps as Map, numbers as ints or float64, bigint as 64-bit ints). */
export function cborEncode(value: unknown): Uint8Array {
  const out = encoder.encode(value)
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength)
}

/** Decodes exactly one CBOR data item; throws Lwm2mCodecError (with the byte offset) for `format`. */
export function cborDecode(format: number, bytes: Uint8Array): unknown {
  return cborDecodeWithOffsets(format, bytes).value
}

/**
 * Like {@link cborDecode}, and also tells where each element of the top-level array (or
 * each key and value of the top-level map) starts, for messages about one record.
 */
export function cborDecodeWithOffsets(format: number, bytes: Uint8Array): { value: unknown; tops: number[] } {
  const r = walkCbor(bytes)
  if ('problem' in r)
    throw new Lwm2mCodecError(format, `CBOR: ${r.problem.message}`, { offset: r.problem.offset })
  try {
    return { value: decoder.decode(bytes), tops: r.tops }
  } catch (e) {
    throw new Lwm2mCodecError(format, `CBOR: ${(e as Error).message}`, { offset: 0 })
  }
}

/** A CBOR tag 1 (epoch-based date/time) around whole seconds. */
export function epochSeconds(seconds: number): unknown {
  return new Tag(seconds, 1)
}

export { Tag }
