import { Lwm2mCodecError } from '../../errors.js'
import type { ResourceType } from '../../model/types.js'
import type { ObjectLink, ResourceValue } from '../../node/types.js'
import { checkValue, secondsToTime, timeToSeconds } from '../../value/check.js'
import { normalizeInteger } from '../../value/integer.js'
import { formatObjectLink, parseObjectLink } from '../../value/object-link.js'
import { epochSeconds, Tag } from './cbor.js'

/**
 * The CBOR data item of a value (Core TS 1.1 section 7.4.5, used by CBOR and LwM2M
 * CBOR): String and Corelnk as text strings, Integer and Unsigned as integers (64-bit),
 * Float as a float (cbor-x writes integral floats as integers: decoders type them by the
 * model), Boolean as true/false, Opaque as a byte string, Time as tag 1 around integer
 * seconds (as Leshan writes CBOR) or, with `timeTag` false, as plain integer seconds (as
 * the LwM2M CBOR examples of Core TS 1.2 do), Objlnk as the text "oid:iid". Decoders
 * accept both Time forms. `value` must already be checked.
 */
export function valueToCbor(type: ResourceType, value: ResourceValue, timeTag = true): unknown {
  switch (type) {
    case 'time':
      return timeTag ? epochSeconds(timeToSeconds(value as Date)) : timeToSeconds(value as Date)
    case 'objlnk':
      return formatObjectLink(value as ObjectLink)
    default:
      return value
  }
}

/** A decoded CBOR item as a typed value, by the model's type or, without one, by the item's own type. */
export function cborToValue(
  format: number,
  item: unknown,
  type: ResourceType | undefined,
  where: string,
): { type: ResourceType; value: ResourceValue } {
  const fail = (why: string): never => {
    throw new Lwm2mCodecError(format, why, { path: where })
  }
  if (type === undefined) {
    if (typeof item === 'string') return { type: 'string', value: item }
    if (typeof item === 'boolean') return { type: 'boolean', value: item }
    if (item instanceof Uint8Array) return { type: 'opaque', value: item.slice() }
    if (item instanceof Date) return { type: 'time', value: checked('time', item, where, format) }
    if (typeof item === 'bigint' || (typeof item === 'number' && Number.isSafeInteger(item))) {
      const n = normalizeInteger(item)!
      return n !== undefined && (typeof n === 'number' || (n >= -(2n ** 63n) && n < 2n ** 63n))
        ? { type: 'integer', value: checked('integer', n, where, format) }
        : { type: 'unsigned', value: checked('unsigned', n, where, format) }
    }
    if (typeof item === 'number') return { type: 'float', value: item }
    return fail(`a CBOR ${describe(item)} is not an LwM2M value`)
  }
  switch (type) {
    case 'string':
    case 'corelnk':
      if (typeof item !== 'string') fail(`expected a text string for ${type}, got ${describe(item)}`)
      return { type, value: item as string }
    case 'none':
      return { type, value: '' }
    case 'boolean':
      if (typeof item !== 'boolean') fail(`expected true or false, got ${describe(item)}`)
      return { type, value: item as boolean }
    case 'opaque':
      if (!(item instanceof Uint8Array)) fail(`expected a byte string, got ${describe(item)}`)
      return { type, value: (item as Uint8Array).slice() }
    case 'integer':
    case 'unsigned': {
      const n = normalizeInteger(item)
      if (n === undefined) fail(`expected an integer, got ${describe(item)}`)
      return { type, value: checked(type, n, where, format) }
    }
    case 'float':
      if (typeof item === 'number') return { type, value: item }
      if (typeof item === 'bigint') return { type, value: Number(item) }
      return fail(`expected a number, got ${describe(item)}`)
    case 'time': {
      if (item instanceof Date) return { type, value: checked('time', item, where, format) }
      const n = normalizeInteger(item)
      if (n === undefined) fail(`expected tag 1 or integer seconds, got ${describe(item)}`)
      return { type, value: checked('time', n, where, format) }
    }
    case 'objlnk': {
      const link = typeof item === 'string' ? parseObjectLink(item) : undefined
      if (link === undefined) fail(`expected an object link "oid:iid", got ${describe(item)}`)
      return { type, value: link as ObjectLink }
    }
  }
}

function checked(type: ResourceType, value: unknown, where: string, format: number): ResourceValue {
  try {
    return type === 'time' && !(value instanceof Date)
      ? secondsToTime(value as number, where)
      : checkValue(type, value, where)
  } catch (e) {
    throw new Lwm2mCodecError(format, (e as Error).message, { path: where })
  }
}

/** A short name of a decoded CBOR item's type, for messages. */
export function describe(item: unknown): string {
  if (item === null) return 'null'
  if (item === undefined) return 'undefined'
  if (item instanceof Uint8Array) return 'byte string'
  if (item instanceof Map) return 'map'
  if (Array.isArray(item)) return 'array'
  if (item instanceof Date) return 'date'
  if (item instanceof Tag) return `tag ${item.tag}`
  if (typeof item === 'string') return 'text string'
  if (typeof item === 'number') return Number.isInteger(item) ? 'integer' : 'float'
  if (typeof item === 'bigint') return 'integer'
  return typeof item
}
