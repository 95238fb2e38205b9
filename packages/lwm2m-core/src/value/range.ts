import { Lwm2mError } from '../errors.js'
import type { ResourceModel, ResourceType } from '../model/types.js'
import type { ResourceValue } from '../node/types.js'
import { timeToSeconds } from './check.js'

/**
 * What a DDF `RangeEnumeration` allows, when it can be read: a range ("0..100",
 * "-158..-44"), a list ("10,26"), or a maximum ("32 bytes"). `of` says whether it
 * constrains the value (numeric types) or its length in bytes (string, opaque,
 * corelnk: "0..255 bytes", "16,32,48").
 */
export interface RangeConstraint {
  readonly of: 'value' | 'length'
  readonly min?: number
  readonly max?: number
  /** Allowed values (or lengths), when the text is an enumeration. */
  readonly values?: readonly number[]
}

const NUM = '-?(?:0|[1-9][0-9]*)(?:\\.[0-9]+)?'
const RANGE = new RegExp(`^(${NUM})\\s*\\.\\.\\s*(${NUM})$`)
const LIST = new RegExp(`^${NUM}(?:\\s*,\\s*${NUM})+$`)
const SINGLE = new RegExp(`^${NUM}$`)

const NUMERIC: ReadonlySet<ResourceType> = new Set(['integer', 'unsigned', 'float', 'time'])
const SIZED: ReadonlySet<ResourceType> = new Set(['string', 'opaque', 'corelnk'])

/**
 * Reads a RangeEnumeration for a resource of `type`; undefined when it says nothing
 * machine-checkable (empty, prose such as "8-Bits", or a type without ranges).
 *
 * Numeric types: "a..b" and "a,b,c" constrain the value; a bare number is ambiguous in
 * the OMA registry (LogClass "255") and is ignored. String, opaque and corelnk: the
 * numbers are byte lengths, with or without a "bytes" suffix; a bare "N" or "N bytes"
 * is a maximum length (BSSID "12", Data Description "32 bytes").
 */
export function parseRangeEnumeration(text: string, type: ResourceType): RangeConstraint | undefined {
  let t = text.trim()
  if (t === '') return undefined
  if (SIZED.has(type)) {
    t = t.replace(/\s*bytes?$/i, '')
    const r = RANGE.exec(t)
    if (r) return nonNegative({ of: 'length', min: Number(r[1]), max: Number(r[2]) })
    if (LIST.test(t)) return nonNegative({ of: 'length', values: t.split(',').map((s) => Number(s.trim())) })
    if (SINGLE.test(t)) return nonNegative({ of: 'length', min: 0, max: Number(t) })
    return undefined
  }
  if (!NUMERIC.has(type)) return undefined
  const r = RANGE.exec(t)
  if (r) {
    const min = Number(r[1])
    const max = Number(r[2])
    return min <= max ? { of: 'value', min, max } : undefined
  }
  if (LIST.test(t)) return { of: 'value', values: t.split(',').map((s) => Number(s.trim())) }
  return undefined
}

function nonNegative(c: RangeConstraint): RangeConstraint | undefined {
  const all = [c.min ?? 0, c.max ?? 0, ...(c.values ?? [])]
  return all.every((n) => Number.isInteger(n) && n >= 0) && (c.min ?? 0) <= (c.max ?? Infinity)
    ? c
    : undefined
}

const utf8 = new TextEncoder()

function measure(value: ResourceValue): number | bigint | undefined {
  if (typeof value === 'number' || typeof value === 'bigint') return value
  if (typeof value === 'string') return utf8.encode(value).length
  if (value instanceof Uint8Array) return value.length
  if (value instanceof Date) return timeToSeconds(value)
  return undefined
}

/** True if `value` satisfies `constraint`. */
export function satisfiesRange(value: ResourceValue, constraint: RangeConstraint): boolean {
  const m = measure(value)
  if (m === undefined) return true
  if (typeof m === 'number' && Number.isNaN(m)) return false
  if (constraint.values !== undefined)
    return constraint.values.some((v) =>
      typeof m === 'bigint' ? Number.isInteger(v) && BigInt(v) === m : v === m,
    )
  if (constraint.min !== undefined && m < constraint.min) return false
  if (constraint.max !== undefined && m > constraint.max) return false
  return true
}

const cache = new WeakMap<ResourceModel, RangeConstraint | null>()

/** The parsed constraint of a resource model (cached per model object). */
export function rangeOf(model: ResourceModel): RangeConstraint | undefined {
  let c = cache.get(model)
  if (c === undefined) {
    c = parseRangeEnumeration(model.rangeEnumeration, model.type) ?? null
    cache.set(model, c)
  }
  return c ?? undefined
}

/**
 * Checks a value against its resource model's RangeEnumeration; throws Lwm2mError
 * LWM2M_INVALID_VALUE when it is out of range. Values of resources whose range text
 * cannot be read pass.
 */
export function checkRange(value: ResourceValue, model: ResourceModel, where?: string): void {
  const c = rangeOf(model)
  if (c === undefined || satisfiesRange(value, c)) return
  const at = where === undefined ? '' : ` at ${where}`
  const what = c.of === 'length' ? 'length' : 'value'
  throw new Lwm2mError(
    'LWM2M_INVALID_VALUE',
    `${model.name} (${model.id})${at}: ${what} outside the range "${model.rangeEnumeration}"`,
  )
}
