import { Lwm2mCodecError, type Lwm2mError } from '../../errors.js'
import type { ResourceType } from '../../model/types.js'
import type { ObjectLink, ResourceValue } from '../../node/types.js'
import { checkValue, secondsToTime, timeToSeconds } from '../../value/check.js'
import { normalizeInteger } from '../../value/integer.js'
import { utf8ErrorOffset } from '../../value/utf8.js'
import { utf8Bytes } from '../../value/utf8-encode.js'

/**
 * Values in TLV (Core TS section 7.4.3, Table "Data Types"): String and Corelnk in UTF-8,
 * Integer and Time as 1, 2, 4 or 8 byte two's complement, Unsigned as 1, 2, 4 or 8 byte
 * unsigned, Float as 4 or 8 byte IEEE 754, Boolean as one byte 0 or 1, Opaque raw,
 * Objlnk as two 16-bit ids, None empty. All big-endian; encoders use the smallest width
 * that holds the value exactly.
 */

const utf8Decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

function signedBytes(v: number | bigint): Uint8Array {
  if (typeof v === 'number' && v >= -0x80000000 && v <= 0x7fffffff) {
    if (v >= -0x80 && v <= 0x7f) return Uint8Array.of(v & 0xff)
    if (v >= -0x8000 && v <= 0x7fff) return Uint8Array.of((v >> 8) & 0xff, v & 0xff)
    return Uint8Array.of((v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff)
  }
  const out = new Uint8Array(8)
  new DataView(out.buffer).setBigInt64(0, BigInt(v))
  return out
}

function unsignedBytes(v: number | bigint): Uint8Array {
  if (typeof v === 'number' && v <= 0xffffffff) {
    if (v <= 0xff) return Uint8Array.of(v)
    if (v <= 0xffff) return Uint8Array.of(v >> 8, v & 0xff)
    return Uint8Array.of((v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff)
  }
  const out = new Uint8Array(8)
  new DataView(out.buffer).setBigUint64(0, BigInt(v))
  return out
}

/** The TLV value bytes of a value of `type` (checked and normalized first). */
export function tlvValueBytes(type: ResourceType, raw: ResourceValue, where: string): Uint8Array {
  const value = checkValue(type, raw, where)
  switch (type) {
    case 'string':
    case 'corelnk':
    case 'none':
      return utf8Bytes(value as string)
    case 'integer':
      return signedBytes(value as number | bigint)
    case 'unsigned':
      return unsignedBytes(value as number | bigint)
    case 'time':
      return signedBytes(timeToSeconds(value as Date))
    case 'float': {
      const f = value as number
      if (Math.fround(f) === f || Number.isNaN(f)) {
        const out = new Uint8Array(4)
        new DataView(out.buffer).setFloat32(0, f)
        return out
      }
      const out = new Uint8Array(8)
      new DataView(out.buffer).setFloat64(0, f)
      return out
    }
    case 'boolean':
      return Uint8Array.of(value ? 1 : 0)
    case 'opaque':
      return value as Uint8Array
    case 'objlnk': {
      const link = value as ObjectLink
      return Uint8Array.of(
        link.objectId >> 8,
        link.objectId & 0xff,
        link.instanceId >> 8,
        link.instanceId & 0xff,
      )
    }
  }
}

/**
 * Where a value sits, for error messages only: a path text, or the ids of one (built into
 * text only when an error needs it, not for every value decoded).
 */
export type ValueWhere = string | readonly number[]

function whereText(where: ValueWhere): string {
  return typeof where === 'string' ? where : `/${where.join('/')}`
}

function valueError(format: number, why: string, where: ValueWhere): never {
  throw new Lwm2mCodecError(format, why, { path: whereText(where) })
}

function view(bytes: Uint8Array, start: number, len: number): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset + start, len)
}

/** UTF-8 text of `bytes[start, end)`, or undefined when it is not well-formed. */
function utf8Text(bytes: Uint8Array, start: number, end: number): string | undefined {
  // Short ASCII text (most LwM2M strings) is copied here: it is valid UTF-8 as it stands,
  // and cheaper to read than through a validation pass and a TextDecoder call.
  if (end - start <= 64) {
    let text = ''
    for (let i = start; i < end; i++) {
      const c = bytes[i]!
      if (c > 0x7f) return utf8TextChecked(bytes, start, end)
      text += String.fromCharCode(c)
    }
    return text
  }
  return utf8TextChecked(bytes, start, end)
}

function utf8TextChecked(bytes: Uint8Array, start: number, end: number): string | undefined {
  if (utf8ErrorOffset(bytes, start, end) >= 0) return undefined
  return utf8Decoder.decode(bytes.subarray(start, end))
}

/**
 * Reads a TLV value of `type` from `bytes[start, end)`. Without a type (no model) the
 * value is Opaque: TLV does not say what its bytes are. Throws Lwm2mCodecError.
 */
export function tlvValue(
  format: number,
  bytes: Uint8Array,
  start: number,
  end: number,
  type: ResourceType | undefined,
  where: ValueWhere,
): { type: ResourceType; value: ResourceValue } {
  const len = end - start
  switch (type) {
    case undefined:
    case 'opaque':
      return { type: 'opaque', value: bytes.slice(start, end) }
    case 'string':
    case 'corelnk': {
      const text = utf8Text(bytes, start, end)
      if (text === undefined) return valueError(format, `${type} is not valid UTF-8`, where)
      return { type, value: text }
    }
    case 'none':
      return { type, value: '' }
    case 'integer':
    case 'time': {
      let n: number | bigint
      if (len === 1) n = (bytes[start]! << 24) >> 24
      else if (len === 2) n = ((bytes[start]! << 24) | (bytes[start + 1]! << 16)) >> 16
      else if (len === 4)
        n = (bytes[start]! << 24) | (bytes[start + 1]! << 16) | (bytes[start + 2]! << 8) | bytes[start + 3]!
      else if (len === 8) n = normalizeInteger(view(bytes, start, len).getBigInt64(0))!
      else return valueError(format, `a ${type} takes 1, 2, 4 or 8 bytes, not ${len}`, where)
      if (type === 'integer') return { type, value: n }
      try {
        return { type, value: secondsToTime(n, whereText(where)) }
      } catch (e) {
        return valueError(format, (e as Lwm2mError).message, where)
      }
    }
    case 'unsigned': {
      let n: number | bigint
      if (len === 1) n = bytes[start]!
      else if (len === 2) n = (bytes[start]! << 8) | bytes[start + 1]!
      else if (len === 4)
        n =
          ((bytes[start]! << 24) |
            (bytes[start + 1]! << 16) |
            (bytes[start + 2]! << 8) |
            bytes[start + 3]!) >>>
          0
      else if (len === 8) n = normalizeInteger(view(bytes, start, len).getBigUint64(0))!
      else return valueError(format, `an unsigned integer takes 1, 2, 4 or 8 bytes, not ${len}`, where)
      return { type, value: n }
    }
    case 'float':
      if (len === 4) return { type, value: view(bytes, start, len).getFloat32(0) }
      if (len === 8) return { type, value: view(bytes, start, len).getFloat64(0) }
      return valueError(format, `a float takes 4 or 8 bytes, not ${len}`, where)
    case 'boolean':
      if (len !== 1 || bytes[start]! > 1) valueError(format, 'a boolean is one byte, 0 or 1', where)
      return { type, value: bytes[start] === 1 }
    case 'objlnk':
      if (len !== 4) valueError(format, `an object link takes 4 bytes, not ${len}`, where)
      return {
        type,
        value: {
          objectId: (bytes[start]! << 8) | bytes[start + 1]!,
          instanceId: (bytes[start + 2]! << 8) | bytes[start + 3]!,
        },
      }
  }
}
