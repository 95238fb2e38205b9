import { isObjectLink, type ResourceValue } from '@lwm2m/core'

/** Opaque values longer than this are shown cut, with their length. */
export const MAX_SHOWN_BYTES = 32

function hex(bytes: Uint8Array): string {
  let out = ''
  for (const b of bytes) out += b.toString(16).padStart(2, '0')
  return out
}

/**
 * A resource value for people: strings as they are (quoted when empty, when they have
 * blanks at either end or control characters), numbers in decimal, booleans as
 * true/false, opaque as hex (`0x0a1b`, cut after 32 bytes with the length), time as an
 * ISO date to the second, object links as `oid:iid`.
 */
export function formatValue(value: ResourceValue): string {
  if (typeof value === 'string') {
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this looks for
    return value === '' || /^\s|\s$|[\u0000-\u001f\u007f]/.test(value) ? JSON.stringify(value) : value
  }
  if (typeof value === 'number') return Object.is(value, -0) ? '0' : String(value)
  if (typeof value === 'bigint' || typeof value === 'boolean') return String(value)
  if (value instanceof Uint8Array) {
    if (value.length === 0) return '0x (empty)'
    if (value.length <= MAX_SHOWN_BYTES) return `0x${hex(value)}`
    return `0x${hex(value.subarray(0, MAX_SHOWN_BYTES))}... (${value.length} bytes)`
  }
  if (value instanceof Date) {
    // LwM2M time is whole seconds.
    return Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString().replace(/\.[0-9]{3}Z$/, 'Z')
  }
  if (isObjectLink(value)) return `${value.objectId}:${value.instanceId}`
  return String(value)
}

/** A value with its unit ("21.5 Cel"), the unit left out when there is none. */
export function formatValueWithUnit(value: ResourceValue, unit: string | undefined): string {
  const text = formatValue(value)
  return unit === undefined || unit === '' ? text : `${text} ${unit}`
}
