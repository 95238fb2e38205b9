import type { ResourceModel, ResourceValue } from '@lwm2m/core'
import type { StoredContent } from '../object/define-object.js'
import { resourceRange, valuesEqual } from '../object/value.js'

function differentFrom(
  candidates: readonly ResourceValue[],
  current: ResourceValue | undefined,
): ResourceValue {
  if (current === undefined) return candidates[0]!
  return candidates.find((c) => !valuesEqual(c, current)) ?? candidates[0]!
}

/**
 * A value of the resource's type within its RangeEnumeration, different from `current`
 * where the type allows: what the compliance suite writes.
 */
export function sampleValue(resource: ResourceModel, current?: StoredContent): ResourceValue {
  const now = current instanceof Map ? current.values().next().value : current
  const range = resourceRange(resource)
  switch (resource.type) {
    case 'integer':
    case 'unsigned':
    case 'float': {
      if (range !== undefined) {
        const lo = resource.type === 'float' ? range.min : Math.ceil(range.min)
        const hi = resource.type === 'float' ? range.max : Math.floor(range.max)
        return differentFrom([hi, lo, Math.round((lo + hi) / 2)], now)
      }
      const base = typeof now === 'number' ? now : typeof now === 'bigint' ? Number(now) : 0
      const step = resource.type === 'float' ? 1.5 : 1
      return differentFrom([base + step, 7], now)
    }
    case 'boolean':
      return typeof now === 'boolean' ? !now : true
    case 'string': {
      const max = range?.max ?? 64
      const min = range?.min ?? 0
      const pick = (s: string) => s.slice(0, Math.max(min, Math.min(max, s.length))).padEnd(min, 'x')
      return differentFrom([pick('lwm2m compliance'), pick('another value')], now)
    }
    case 'corelnk':
      return differentFrom(['</3/0>', '</1/0>'], now)
    case 'opaque': {
      const size = range === undefined ? 3 : Math.max(range.min, Math.min(range.max, 3))
      return differentFrom([new Uint8Array(size).fill(0xa5), new Uint8Array(size).fill(0x5a)], now)
    }
    case 'time':
      return differentFrom([new Date(1_700_000_000_000), new Date(1_600_000_000_000)], now)
    case 'objlnk':
      return differentFrom(
        [
          { objectId: 3, instanceId: 0 },
          { objectId: 1, instanceId: 0 },
        ],
        now,
      )
    case 'none':
      throw new TypeError(`resource ${resource.id} is executable and has no value`)
  }
}

/** A value of another type than the resource's: a write of it must fail with BAD_REQUEST. */
export function wrongValue(resource: ResourceModel): ResourceValue {
  switch (resource.type) {
    case 'string':
    case 'corelnk':
      return 42
    case 'boolean':
      return 'yes'
    default:
      return 'not a value of this type'
  }
}
