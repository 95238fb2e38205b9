import { Lwm2mError } from '../errors.js'
import type { ResourceType } from '../model/types.js'
import type { ResourceValue } from '../node/types.js'
import { INT64_MAX, INT64_MIN, integerInRange, normalizeInteger, UINT64_MAX } from './integer.js'
import { isObjectLink } from './object-link.js'

/** Every resource type, in the order of Core TS Appendix C. */
export const RESOURCE_TYPES: readonly ResourceType[] = [
  'string',
  'integer',
  'unsigned',
  'float',
  'boolean',
  'opaque',
  'time',
  'objlnk',
  'corelnk',
  'none',
]

/** The largest Time value a JavaScript Date holds, in seconds (8.64e12). */
export const MAX_TIME_SECONDS = 8.64e12

function invalid(type: ResourceType, value: unknown, where: string | undefined, why: string): never {
  const shown =
    typeof value === 'bigint'
      ? `${value}n`
      : typeof value === 'string'
        ? JSON.stringify(value)
        : String(value)
  const at = where === undefined ? '' : ` at ${where}`
  throw new Lwm2mError('LWM2M_INVALID_VALUE', `invalid ${type} value ${shown.slice(0, 80)}${at}: ${why}`)
}

/**
 * Checks that `value` is a valid value of `type` (Core TS Appendix C) and returns it in
 * canonical form: integers as `number` when safe and `bigint` otherwise, Time as a Date
 * of whole seconds. Throws Lwm2mError LWM2M_INVALID_VALUE otherwise; `where` (a path)
 * goes into the message.
 *
 * - string, corelnk: any well-formed string (no lone surrogates); none (executable resources): the empty string only
 * - integer: -2^63 .. 2^63-1; unsigned: 0 .. 2^64-1 (a `number` must be a safe integer)
 * - float: any number (NaN and infinities included; text and JSON formats refuse them)
 * - boolean, opaque (Uint8Array), objlnk (ids 0..65535)
 * - time: a valid Date, or a number / bigint of seconds; sub-second parts are dropped
 */
export function checkValue(type: ResourceType, value: unknown, where?: string): ResourceValue {
  switch (type) {
    case 'string':
    case 'corelnk':
      if (typeof value !== 'string') invalid(type, value, where, 'expected a string')
      // A lone surrogate has no UTF-8 form: every format would change it.
      if (!(value as unknown as { isWellFormed(): boolean }).isWellFormed()) {
        invalid(type, value, where, 'a string with a lone surrogate has no UTF-8 form')
      }
      return value
    case 'none':
      if (value !== '') invalid(type, value, where, 'a resource of type none carries no value (use "")')
      return value
    case 'integer': {
      const n = normalizeInteger(value)
      if (n === undefined) invalid(type, value, where, 'expected an integer (a bigint beyond 2^53)')
      if (!integerInRange(n, INT64_MIN, INT64_MAX))
        invalid(type, value, where, 'outside the signed 64-bit range')
      return n
    }
    case 'unsigned': {
      const n = normalizeInteger(value)
      if (n === undefined) invalid(type, value, where, 'expected an integer (a bigint beyond 2^53)')
      if (!integerInRange(n, 0n, UINT64_MAX)) invalid(type, value, where, 'outside 0..2^64-1')
      return n
    }
    case 'float':
      if (typeof value !== 'number') invalid(type, value, where, 'expected a number')
      return value
    case 'boolean':
      if (typeof value !== 'boolean') invalid(type, value, where, 'expected a boolean')
      return value
    case 'opaque':
      if (!(value instanceof Uint8Array)) invalid(type, value, where, 'expected a Uint8Array')
      return value
    case 'time':
      return timeValue(value, where)
    case 'objlnk':
      if (!isObjectLink(value))
        invalid(type, value, where, 'expected { objectId, instanceId } with ids 0..65535')
      return value
  }
  return invalid(type, value, where, 'unknown resource type')
}

function timeValue(value: unknown, where: string | undefined): Date {
  let seconds: number
  if (value instanceof Date) {
    const ms = value.getTime()
    if (Number.isNaN(ms)) invalid('time', value, where, 'an invalid Date')
    seconds = Math.floor(ms / 1000)
    if (seconds * 1000 === ms) return value
  } else if (typeof value === 'number' || typeof value === 'bigint') {
    const n =
      typeof value === 'number' && Number.isFinite(value) ? Math.floor(value) : normalizeInteger(value)
    if (typeof n !== 'number') invalid('time', value, where, `outside +-${MAX_TIME_SECONDS} seconds`)
    seconds = n
  } else {
    return invalid('time', value, where, 'expected a Date or seconds since 1970')
  }
  if (Math.abs(seconds) > MAX_TIME_SECONDS)
    invalid('time', value, where, `outside +-${MAX_TIME_SECONDS} seconds`)
  return new Date(seconds * 1000)
}

/** Seconds since 1970 of a Time value (whole seconds; sub-second parts dropped). */
export function timeToSeconds(value: Date): number {
  return Math.floor(value.getTime() / 1000)
}

/** A Time value from seconds since 1970; throws LWM2M_INVALID_VALUE outside the Date range. */
export function secondsToTime(seconds: number | bigint, where?: string): Date {
  return timeValue(seconds, where)
}

/**
 * True if `a` and `b` are the same value of `type`: integers by numeric value (a safe
 * bigint equals its number), floats with NaN equal to NaN and -0 equal to 0, opaque
 * byte for byte, Time to the second, object links by ids.
 */
export function valuesEqual(type: ResourceType, a: ResourceValue, b: ResourceValue): boolean {
  switch (type) {
    case 'integer':
    case 'unsigned': {
      const x = normalizeInteger(a)
      return x !== undefined && x === normalizeInteger(b)
    }
    case 'float':
      return a === b || (typeof a === 'number' && typeof b === 'number' && Number.isNaN(a) && Number.isNaN(b))
    case 'opaque': {
      if (!(a instanceof Uint8Array) || !(b instanceof Uint8Array) || a.length !== b.length) return false
      for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
      return true
    }
    case 'time':
      return a instanceof Date && b instanceof Date && timeToSeconds(a) === timeToSeconds(b)
    case 'objlnk':
      return isObjectLink(a) && isObjectLink(b) && a.objectId === b.objectId && a.instanceId === b.instanceId
    default:
      return a === b
  }
}
