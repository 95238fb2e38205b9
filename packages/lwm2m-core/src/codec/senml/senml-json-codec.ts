import { Lwm2mCodecError, Lwm2mError } from '../../errors.js'
import { decodeBase64Url, encodeBase64Url } from '../../value/base64.js'
import { type JsonObject, type JsonValue, parseJsonWithOffsets } from '../json/json-parse.js'
import type { NodeCodec } from '../types.js'
import type { SenmlOut, SenmlRecord, SenmlValue } from './records.js'
import { senmlCodec } from './senml-codec.js'

const FORMAT = 110
const utf8 = new TextEncoder()

/** JSON text of a number; SenML JSON has no NaN or infinities. */
export function jsonNumber(v: number | bigint, what: string): string {
  if (typeof v === 'bigint') return v.toString()
  if (!Number.isFinite(v))
    throw new Lwm2mError('LWM2M_INVALID_VALUE', `${what}: ${v} cannot be written in JSON`)
  return String(v)
}

function valueJson(v: SenmlValue, where: string): string {
  switch (v.label) {
    case 'v':
      return `"v":${jsonNumber(v.value, where)}`
    case 'vs':
      return `"vs":${JSON.stringify(v.value)}`
    case 'vb':
      return `"vb":${v.value}`
    case 'vd':
      return `"vd":"${encodeBase64Url(v.value)}"`
    case 'vlo':
      return `"vlo":"${v.value}"`
  }
}

/** Writes records as a SenML JSON pack: [{"bn":..,"bt":..,"n":..,"v":..},...] in that label order. */
export function serializeSenmlJson(records: readonly SenmlOut[]): Uint8Array {
  let s = '['
  for (let i = 0; i < records.length; i++) {
    const r = records[i]!
    let rec = ''
    if (r.bn !== undefined) rec += `"bn":${JSON.stringify(r.bn)}`
    if (r.bt !== undefined) rec += `${rec ? ',' : ''}"bt":${jsonNumber(r.bt, 'bt')}`
    if (r.n !== undefined) rec += `${rec ? ',' : ''}"n":${JSON.stringify(r.n)}`
    if (r.value !== undefined) rec += `${rec ? ',' : ''}${valueJson(r.value, (r.bn ?? '') + (r.n ?? ''))}`
    s += i === 0 ? `{${rec}}` : `,{${rec}}`
  }
  return utf8.encode(`${s}]`)
}

/** Reads a SenML JSON pack into records (RFC 8428 section 5: labels, types, must-understand). */
export function parseSenmlJson(format: number, payload: Uint8Array): SenmlRecord[] {
  const { value, offsetOf } = parseJsonWithOffsets(format, payload)
  if (!Array.isArray(value)) throw new Lwm2mCodecError(format, 'a SenML pack is a JSON array', { offset: 0 })
  const out: SenmlRecord[] = []
  for (const item of value) {
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      throw new Lwm2mCodecError(format, 'a SenML record is a JSON object', { offset: 0 })
    }
    out.push(record(format, item, offsetOf(item) ?? 0))
  }
  return out
}

function record(format: number, o: JsonObject, at: number): SenmlRecord {
  const bad = (label: string, want: string): never => {
    throw new Lwm2mCodecError(format, `SenML label "${label}" must be ${want}`, { offset: at })
  }
  const num = (label: string, v: JsonValue): number => {
    if (typeof v === 'bigint') return Number(v)
    if (typeof v !== 'number') bad(label, 'a number')
    return v as number
  }
  const str = (label: string, v: JsonValue): string => (typeof v === 'string' ? v : bad(label, 'a string'))
  const r: SenmlRecord = { at }
  for (const key in o) {
    const v = o[key]!
    switch (key) {
      case 'bn':
        r.bn = str(key, v)
        break
      case 'bt':
        r.bt = num(key, v)
        break
      case 'bv':
        r.bv = num(key, v)
        break
      case 'bver':
        r.bver = num(key, v)
        break
      case 'n':
        r.n = str(key, v)
        break
      case 't':
        r.t = num(key, v)
        break
      case 'v':
        if (typeof v !== 'number' && typeof v !== 'bigint') bad(key, 'a number')
        r.v = v as number | bigint
        break
      case 'vs':
        r.vs = str(key, v)
        break
      case 'vb':
        if (typeof v !== 'boolean') bad(key, 'true or false')
        r.vb = v as boolean
        break
      case 'vd': {
        const bytes = decodeBase64Url(str(key, v))
        if (bytes === undefined) bad(key, 'base64url')
        r.vd = bytes as Uint8Array
        break
      }
      case 'vlo':
        r.vlo = str(key, v)
        break
      case 'bu':
      case 'u':
        str(key, v)
        break
      case 'bs':
      case 's':
      case 'ut':
        num(key, v)
        break
      default:
        if (key.endsWith('_')) {
          throw new Lwm2mCodecError(format, `must-understand SenML label "${key}" is not supported`, {
            offset: at,
          })
        }
    }
  }
  return r
}

/**
 * SenML JSON (application/senml+json, content format 110, LwM2M 1.1+, Core TS section
 * 7.4.4 and RFC 8428): Opaque as base64url in "vd", Objlnk as "oid:iid" in "vlo",
 * integers exact over 64 bits (big integers written and read as plain JSON numbers).
 */
export function senmlJsonCodec(): NodeCodec {
  return senmlCodec(FORMAT, {
    parse: (payload) => parseSenmlJson(FORMAT, payload),
    serialize: serializeSenmlJson,
  })
}
