import { encodeBase64, isObjectLink, Lwm2mPath, type ResourceType, type ResourceValue } from '@lwm2m/core'

/** A value JSON can carry as it is. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue }

const MAX_DEPTH = 32

/**
 * A resource value in JSON, by its type (the JSON schema of the tool, see the README):
 * integers as numbers while they are safe integers and as decimal strings beyond; floats
 * as numbers, `"NaN"`, `"Infinity"`, `"-Infinity"` for the non-finite ones; opaque as
 * base64; time as an ISO 8601 string (`2024-05-01T12:00:00.000Z`); object links as
 * `"oid:iid"`; strings and booleans as they are.
 */
export function jsonResourceValue(type: ResourceType | undefined, value: ResourceValue): JsonValue {
  if (typeof value === 'bigint') return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString()
  if (typeof value === 'number') {
    if (Number.isFinite(value)) return Object.is(value, -0) ? 0 : value
    return Number.isNaN(value) ? 'NaN' : value > 0 ? 'Infinity' : '-Infinity'
  }
  if (typeof value === 'string' || typeof value === 'boolean') return value
  if (value instanceof Uint8Array) return encodeBase64(value)
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString()
  if (isObjectLink(value)) return `${value.objectId}:${value.instanceId}`
  return type === undefined ? null : toJson(value)
}

/**
 * Any value made plain for JSON, deterministically: bigint as a decimal string (a number
 * when it is a safe integer), Uint8Array as base64, Date as an ISO string, Map as an
 * object (keys as text, in the map's order), Set as an array, Lwm2mPath as its text,
 * errors as `{ name, message, code }`, non-finite numbers as text; undefined fields are
 * left out; nesting deeper than 32 levels becomes null.
 */
export function toJson(value: unknown, depth = 0): JsonValue {
  if (depth > MAX_DEPTH) return null
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value
    case 'number':
    case 'bigint':
      return jsonResourceValue(undefined, value)
    case 'undefined':
    case 'function':
    case 'symbol':
      return null
  }
  if (value === null) return null
  if (value instanceof Uint8Array || value instanceof Date) return jsonResourceValue(undefined, value)
  if (value instanceof Lwm2mPath) return value.toString()
  if (Array.isArray(value)) return value.map((v) => toJson(v, depth + 1))
  if (value instanceof Set) return [...value].map((v) => toJson(v, depth + 1))
  if (value instanceof Map) {
    const out: { [key: string]: JsonValue } = {}
    for (const [k, v] of value) {
      if (v !== undefined) out[String(k)] = toJson(v, depth + 1)
    }
    return out
  }
  if (value instanceof Error) {
    const out: { [key: string]: JsonValue } = { name: value.name, message: value.message }
    const code = (value as { code?: unknown }).code
    if (typeof code === 'string') out.code = code
    return out
  }
  const out: { [key: string]: JsonValue } = {}
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (v !== undefined && typeof v !== 'function') out[k] = toJson(v, depth + 1)
  }
  return out
}

/** One line of JSON (no newline inside): what `--json` prints for each event and result. */
export function jsonLine(value: unknown): string {
  return JSON.stringify(toJson(value))
}
