import { type Clock, type Logger, systemClock } from '@lwm2m/coap'
import type { ObjectModel } from '@lwm2m/core'
import { ObjectsError } from '../errors.js'
import { locationModel } from '../generated/object-6.js'
import { type DefinedObject, defineObject, type ResourceContent } from '../object/define-object.js'

/** A position: the resources of the Location object. */
export interface Position {
  /** /6/0/0, decimal degrees. */
  readonly latitude: number
  /** /6/0/1, decimal degrees. */
  readonly longitude: number
  /** /6/0/2, metres. */
  readonly altitude?: number
  /** /6/0/3, metres: the radius of the area the position lies in. */
  readonly radius?: number
  /** /6/0/4, the 3GPP TS 23.032 velocity encoding. */
  readonly velocity?: Uint8Array
  /** /6/0/6, m/s. */
  readonly speed?: number
  /** /6/0/5, when the position was measured (default: now, from the clock). */
  readonly timestamp?: Date
}

export interface LocationObjectOptions {
  /** The position known at start (default latitude 0, longitude 0). */
  readonly position?: Position
  readonly clock?: Clock
  readonly model?: ObjectModel
  readonly logger?: Logger
}

export interface LocationObject extends DefinedObject {
  /** Records a new position (its timestamp defaults to now) and notifies observers of what changed. */
  update(position: Partial<Position>): void
}

/** The LwM2M Location object (6): where the device is, fed by the application. */
export function createLocationObject(options: LocationObjectOptions = {}): LocationObject {
  const model = options.model ?? locationModel
  if (model.id !== 6)
    throw new ObjectsError(
      'OBJECTS_INVALID_ARGUMENT',
      `the Location object takes an object 6 model, not ${model.id}`,
    )
  const clock = options.clock ?? systemClock
  const values = (p: Partial<Position>): Record<number, ResourceContent> => {
    const out: Record<number, ResourceContent> = {}
    const put = (id: number, v: ResourceContent | undefined) => {
      if (v !== undefined && model.resources.has(id)) out[id] = v
    }
    put(0, p.latitude)
    put(1, p.longitude)
    put(2, p.altitude)
    put(3, p.radius)
    put(4, p.velocity)
    put(5, p.timestamp ?? new Date(clock.now()))
    put(6, p.speed)
    return out
  }
  const base = defineObject(model, {
    instances: { 0: values(options.position ?? { latitude: 0, longitude: 0 }) },
    ...(options.logger !== undefined ? { logger: options.logger } : {}),
  })
  const object = base as LocationObject
  object.update = (position) => {
    for (const [id, value] of Object.entries(values(position))) base.set(0, Number(id), value)
  }
  return object
}
