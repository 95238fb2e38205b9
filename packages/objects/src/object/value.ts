import type { ObjectLink, ResourceModel, ResourceType, ResourceValue } from '@lwm2m/core'

const INT64_MIN = -(2n ** 63n)
const INT64_MAX = 2n ** 63n - 1n
const UINT64_MAX = 2n ** 64n - 1n

function isObjectLink(value: unknown): value is ObjectLink {
  if (typeof value !== 'object' || value === null) return false
  const { objectId, instanceId } = value as Partial<ObjectLink>
  return (
    Number.isInteger(objectId) &&
    Number.isInteger(instanceId) &&
    (objectId as number) >= 0 &&
    (objectId as number) <= 65535 &&
    (instanceId as number) >= 0 &&
    (instanceId as number) <= 65535
  )
}

/**
 * True when `value` is a valid {@link ResourceValue} of `type` (the mapping of
 * @lwm2m/core: integers as safe numbers or bigint within 64 bits, unsigned not
 * negative, time as a valid Date, opaque as Uint8Array, ...). `none` has no value.
 */
export function isValueOfType(type: ResourceType, value: unknown): value is ResourceValue {
  switch (type) {
    case 'string':
    case 'corelnk':
      return typeof value === 'string'
    case 'integer':
      return typeof value === 'bigint'
        ? value >= INT64_MIN && value <= INT64_MAX
        : Number.isSafeInteger(value)
    case 'unsigned':
      return typeof value === 'bigint'
        ? value >= 0n && value <= UINT64_MAX
        : Number.isSafeInteger(value) && (value as number) >= 0
    case 'float':
      return typeof value === 'number'
    case 'boolean':
      return typeof value === 'boolean'
    case 'opaque':
      return value instanceof Uint8Array
    case 'time':
      return value instanceof Date && !Number.isNaN(value.getTime())
    case 'objlnk':
      return isObjectLink(value)
    case 'none':
      return false
  }
}

/** A numeric range or length limit read from a DDF RangeEnumeration. */
export interface ValueRange {
  /** `value` bounds the number itself; `length` bounds a string's UTF-8 bytes or an opaque value's bytes. */
  readonly kind: 'value' | 'length'
  readonly min: number
  readonly max: number
}

const RANGE = /^\s*(-?\d+(?:\.\d+)?)\s*\.\.\s*(-?\d+(?:\.\d+)?)\s*(?:bytes?)?\s*$/i

/**
 * The range a resource's RangeEnumeration states, when it is of the plain form "a..b":
 * for numeric types the value's bounds, for string and opaque the length's ("0..255"
 * on Server URI). Other forms (lists, prose) give undefined: no check.
 */
export function resourceRange(
  resource: Pick<ResourceModel, 'type' | 'rangeEnumeration'>,
): ValueRange | undefined {
  const m = RANGE.exec(resource.rangeEnumeration)
  if (m === null) return undefined
  const min = Number(m[1])
  const max = Number(m[2])
  if (!(min <= max)) return undefined
  switch (resource.type) {
    case 'integer':
    case 'unsigned':
    case 'float':
      return { kind: 'value', min, max }
    case 'string':
    case 'opaque':
      return Number.isInteger(min) && Number.isInteger(max) && min >= 0
        ? { kind: 'length', min, max }
        : undefined
    default:
      return undefined
  }
}

const encoder = new TextEncoder()

/** True when `value` lies in `range` (values of other types are not this check's business). */
export function isInRange(range: ValueRange, value: ResourceValue): boolean {
  if (range.kind === 'value') {
    if (typeof value === 'number') return value >= range.min && value <= range.max
    if (typeof value === 'bigint')
      return value >= BigInt(Math.ceil(range.min)) && value <= BigInt(Math.floor(range.max))
    return true
  }
  const length =
    typeof value === 'string'
      ? encoder.encode(value).length
      : value instanceof Uint8Array
        ? value.length
        : undefined
  return length === undefined || (length >= range.min && length <= range.max)
}

/** Value equality for resource values: bytes by content, dates by time, links by ids. */
export function valuesEqual(a: ResourceValue, b: ResourceValue): boolean {
  if (a === b) return true
  if (a instanceof Uint8Array && b instanceof Uint8Array) {
    if (a.length !== b.length) return false
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
    return true
  }
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime()
  if (typeof a === 'number' && typeof b === 'number') return Number.isNaN(a) && Number.isNaN(b)
  if (typeof a === 'bigint' && typeof b === 'number') return Number.isInteger(b) && a === BigInt(b)
  if (typeof a === 'number' && typeof b === 'bigint') return Number.isInteger(a) && BigInt(a) === b
  if (
    typeof a === 'object' &&
    typeof b === 'object' &&
    !(a instanceof Uint8Array) &&
    !(b instanceof Uint8Array)
  ) {
    if (a instanceof Date || b instanceof Date) return false
    return a.objectId === b.objectId && a.instanceId === b.instanceId
  }
  return false
}

/** A copy that shares nothing mutable with the input (decoded opaque values are often views of a datagram). */
export function copyValue<T extends ResourceValue>(value: T): T {
  if (value instanceof Uint8Array) return value.slice() as T
  if (value instanceof Date) return new Date(value.getTime()) as T
  if (typeof value === 'object') return { objectId: value.objectId, instanceId: value.instanceId } as T
  return value
}

/** A short description of a value's kind for error messages (never the value itself). */
export function describeValue(value: unknown): string {
  if (value === null) return 'null'
  if (value instanceof Uint8Array) return `${value.length} bytes`
  if (value instanceof Date) return 'a Date'
  if (Array.isArray(value)) return 'an array'
  if (value instanceof Map) return 'a Map'
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`
}
