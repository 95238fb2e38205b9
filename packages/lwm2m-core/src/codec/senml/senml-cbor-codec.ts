import { Lwm2mCodecError } from '../../errors.js'
import { cborDecodeWithOffsets, cborEncode } from '../cbor/cbor.js'
import { describe } from '../cbor/cbor-values.js'
import type { NodeCodec } from '../types.js'
import type { SenmlOut, SenmlRecord } from './records.js'
import { senmlCodec } from './senml-codec.js'

const FORMAT = 112

/** SenML CBOR labels (RFC 8428 section 6, Table 4); "vlo" has no number and travels as text. */
export const SenmlCborLabel = {
  bver: -1,
  bn: -2,
  bt: -3,
  bu: -4,
  bv: -5,
  bs: -6,
  n: 0,
  u: 1,
  v: 2,
  vs: 3,
  vb: 4,
  s: 5,
  t: 6,
  ut: 7,
  vd: 8,
} as const

const VALUE_KEY = { v: 2, vs: 3, vb: 4, vd: 8, vlo: 'vlo' } as const

/** Writes records as a SenML CBOR pack: an array of maps keyed by the numeric labels. */
export function serializeSenmlCbor(records: readonly SenmlOut[]): Uint8Array {
  const pack: Map<number | string, unknown>[] = []
  for (const r of records) {
    const m = new Map<number | string, unknown>()
    if (r.bn !== undefined) m.set(-2, r.bn)
    if (r.bt !== undefined) m.set(-3, r.bt)
    if (r.n !== undefined) m.set(0, r.n)
    if (r.value !== undefined) m.set(VALUE_KEY[r.value.label], r.value.value)
    pack.push(m)
  }
  return cborEncode(pack)
}

/** Reads a SenML CBOR pack into records. */
export function parseSenmlCbor(format: number, payload: Uint8Array): SenmlRecord[] {
  const { value, tops } = cborDecodeWithOffsets(format, payload)
  if (!Array.isArray(value)) throw new Lwm2mCodecError(format, 'a SenML pack is a CBOR array', { offset: 0 })
  const out: SenmlRecord[] = []
  for (let i = 0; i < value.length; i++) {
    const at = tops[i] ?? 0
    const item: unknown = value[i]
    if (!(item instanceof Map))
      throw new Lwm2mCodecError(format, 'a SenML record is a CBOR map', { offset: at })
    out.push(record(format, item, at))
  }
  return out
}

function record(format: number, m: Map<unknown, unknown>, at: number): SenmlRecord {
  const bad = (label: unknown, want: string, v: unknown): never => {
    throw new Lwm2mCodecError(format, `SenML label ${String(label)} must be ${want}, not a ${describe(v)}`, {
      offset: at,
    })
  }
  const num = (label: unknown, v: unknown): number =>
    typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : bad(label, 'a number', v)
  const str = (label: unknown, v: unknown): string =>
    typeof v === 'string' ? v : bad(label, 'a text string', v)
  const r: SenmlRecord = { at }
  for (const [key, v] of m) {
    switch (key) {
      case -2:
        r.bn = str(key, v)
        break
      case -3:
        r.bt = num(key, v)
        break
      case -5:
        r.bv = num(key, v)
        break
      case -1:
        r.bver = num(key, v)
        break
      case 0:
        r.n = str(key, v)
        break
      case 6:
        r.t = num(key, v)
        break
      case 2:
        if (typeof v !== 'number' && typeof v !== 'bigint') bad(key, 'a number', v)
        r.v = v as number | bigint
        break
      case 3:
        r.vs = str(key, v)
        break
      case 4:
        if (typeof v !== 'boolean') bad(key, 'true or false', v)
        r.vb = v as boolean
        break
      case 8:
        if (!(v instanceof Uint8Array)) bad(key, 'a byte string', v)
        r.vd = (v as Uint8Array).slice()
        break
      case 'vlo':
        r.vlo = str(key, v)
        break
      case -4:
      case 1:
        str(key, v)
        break
      case -6:
      case 5:
      case 7:
        num(key, v)
        break
      default:
        if (typeof key === 'string' && key.endsWith('_')) {
          throw new Lwm2mCodecError(format, `must-understand SenML label "${key}" is not supported`, {
            offset: at,
          })
        }
        if (typeof key !== 'string' && typeof key !== 'number') {
          throw new Lwm2mCodecError(format, `a SenML label is a number or text, not a ${describe(key)}`, {
            offset: at,
          })
        }
    }
  }
  return r
}

/**
 * SenML CBOR (application/senml+cbor, content format 112, LwM2M 1.1+, Core TS section
 * 7.4.5 and RFC 8428 section 6): numeric labels, Opaque as byte strings in "vd" (8),
 * Objlnk as "oid:iid" under the text label "vlo", integers exact over 64 bits.
 */
export function senmlCborCodec(): NodeCodec {
  return senmlCodec(FORMAT, {
    parse: (payload) => parseSenmlCbor(FORMAT, payload),
    serialize: serializeSenmlCbor,
  })
}
