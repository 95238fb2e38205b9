import type { ValueRow } from './rows.js'

/** IPSO Sensor Units (5701): the unit of an IPSO sensor's values, given by the device itself. */
export const SENSOR_UNITS = 5701

/** The IPSO resources measured in the Sensor Units: Sensor Value, Min/Max Measured, Min/Max Range. */
const MEASURED: ReadonlySet<number> = new Set([5700, 5601, 5602, 5603, 5604])

const MAX_ENTRIES = 10_000

function split(path: string): { key: string; resourceId: number } | undefined {
  const ids = path.split('/')
  if (ids.length < 4) return undefined
  return { key: `/${ids[1]}/${ids[2]}`, resourceId: Number(ids[3]) }
}

/**
 * The units IPSO sensors gave in their Sensor Units resource (5701), learned from the values
 * read or notified, per endpoint and object instance: so that a Sensor Value (5700), whose
 * model has no unit, prints as `21.5 Cel`. Bounded: the oldest entries go beyond 10 000.
 */
export class SensorUnits {
  readonly #units = new Map<string, string>()

  /** Learns the units in `rows` (of `endpoint`) and gives the rows with units filled in. */
  apply(endpoint: string, rows: readonly ValueRow[]): ValueRow[] {
    for (const row of rows) {
      const at = split(row.path)
      if (at?.resourceId === SENSOR_UNITS && typeof row.value === 'string' && row.value !== '') {
        this.learn(endpoint, at.key, row.value)
      }
    }
    return rows.map((row) => {
      if (row.unit !== undefined) return row
      const at = split(row.path)
      if (at === undefined || !MEASURED.has(at.resourceId)) return row
      const unit = this.#units.get(`${endpoint} ${at.key}`)
      return unit === undefined ? row : { ...row, unit }
    })
  }

  /** Whether the unit of the instance `/o/i` of `endpoint` is known. */
  knows(endpoint: string, instance: string): boolean {
    return this.#units.has(`${endpoint} ${instance}`)
  }

  /** Forgets what an endpoint's sensors said (it registered anew, or left). */
  forget(endpoint: string): void {
    for (const key of this.#units.keys()) if (key.startsWith(`${endpoint} /`)) this.#units.delete(key)
  }

  learn(endpoint: string, instance: string, unit: string): void {
    const key = `${endpoint} ${instance}`
    this.#units.delete(key)
    this.#units.set(key, unit.slice(0, 40))
    if (this.#units.size > MAX_ENTRIES) {
      const oldest = this.#units.keys().next().value
      if (oldest !== undefined) this.#units.delete(oldest)
    }
  }
}

/** True for a path of an IPSO measured value whose unit the Sensor Units resource gives. */
export function isMeasuredValue(objectId: number, resourceId: number, hasSensorUnits: boolean): boolean {
  return hasSensorUnits && objectId >= 3200 && MEASURED.has(resourceId)
}
