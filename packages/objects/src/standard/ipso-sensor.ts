import { type Clock, type Logger, silentLogger, systemClock, type TimerHandle } from '@lwm2m/coap'
import type { ObjectModel } from '@lwm2m/core'
import { ObjectsError } from '../errors.js'
import { temperatureModel } from '../generated/object-3303.js'
import { humidityModel } from '../generated/object-3304.js'
import {
  type DefinedObject,
  defineObject,
  type ReadHandler,
  type ResourceContent,
} from '../object/define-object.js'
import type { Awaitable } from '../object/result.js'

/** IPSO resource ids shared by the sensor objects (3300-series, LwM2M registry "reusable resources"). */
export const IpsoResource = {
  SensorValue: 5700,
  SensorUnits: 5701,
  MinMeasuredValue: 5601,
  MaxMeasuredValue: 5602,
  MinRangeValue: 5603,
  MaxRangeValue: 5604,
  ResetMinAndMaxMeasuredValues: 5605,
  ApplicationType: 5750,
  SensorType: 5751,
  Timestamp: 5518,
  FractionalTimestamp: 6050,
} as const

/** One sensor: an instance of the object. */
export interface IpsoSensorInit {
  /** Instance id (default: the position in the list). */
  readonly id?: number
  /** The value known at start (default 0, or the first sample). */
  readonly value?: number
  /** Reads the sensor: called on every Read of the Sensor Value, or every `samplingInterval`. */
  readonly sample?: () => Awaitable<number>
  /** Sensor Units (5701), e.g. "Cel" (SenML units). */
  readonly units?: string
  /** Min Range Value (5603) and Max Range Value (5604): what the sensor can measure. */
  readonly minRange?: number
  readonly maxRange?: number
  /** Application Type (5750), writable by servers. */
  readonly applicationType?: string
  /** Sensor Type (5751) where the model has it (Generic Sensor 3300). */
  readonly sensorType?: string
}

export interface IpsoSensorObjectOptions {
  readonly sensors?: readonly IpsoSensorInit[]
  /**
   * Sample every sensor that has a `sample` function this often (milliseconds), with the
   * clock's timers; observers hear of each new value. Without it, a Read samples.
   */
  readonly samplingInterval?: number
  readonly clock?: Clock
  readonly logger?: Logger
}

export interface IpsoSensorObject extends DefinedObject {
  /** Records a measurement: Sensor Value, Min/Max Measured Value and Timestamp change, observers are told. */
  record(instanceId: number, value: number): void
  /** Samples the sensors that have a sample function now (all, or one) and records the values. */
  sampleNow(instanceId?: number): Promise<void>
}

/**
 * A generic IPSO sensor (Generic Sensor 3300 and the objects built like it: Temperature
 * 3303, Humidity 3304, Illuminance 3301, Barometer 3315, ...) on any model that has a
 * Sensor Value (5700): the application feeds values with `record` or a `sample`
 * function; Min/Max Measured Value follow, Reset Min and Max Measured Values (5605)
 * sets both to the current value, Timestamp (5518) and Fractional Timestamp (6050)
 * where the model has them.
 */
export function createIpsoSensorObject(
  model: ObjectModel,
  options: IpsoSensorObjectOptions = {},
): IpsoSensorObject {
  const R = IpsoResource
  if (model.resources.get(R.SensorValue)?.type !== 'float') {
    throw new ObjectsError(
      'OBJECTS_INVALID_ARGUMENT',
      `object ${model.id} has no Sensor Value (5700) resource`,
    )
  }
  const has = (id: number) => model.resources.has(id)
  const clock = options.clock ?? systemClock
  const logger = options.logger ?? silentLogger
  const samplers = new Map<number, () => Awaitable<number>>()
  const sensors = options.sensors ?? [{}]
  const sampleOnRead = options.samplingInterval === undefined && sensors.some((s) => s.sample !== undefined)
  // With a getter on 5700 (sampling on read) the value lives in this table, else in the object itself.
  const sideValues = new Map<number, number>()
  const instances: Record<number, Record<number, ResourceContent>> = {}
  sensors.forEach((s, i) => {
    const id = s.id ?? i
    const values: Record<number, ResourceContent> = {}
    const put = (rid: number, v: ResourceContent | undefined) => {
      if (v !== undefined && has(rid)) values[rid] = v
    }
    const value = s.value ?? 0
    if (sampleOnRead) sideValues.set(id, value)
    else put(R.SensorValue, value)
    put(R.MinMeasuredValue, value)
    put(R.MaxMeasuredValue, value)
    put(R.SensorUnits, s.units)
    put(R.MinRangeValue, s.minRange)
    put(R.MaxRangeValue, s.maxRange)
    put(R.ApplicationType, s.applicationType)
    put(R.SensorType, s.sensorType)
    const t = clock.now()
    put(R.Timestamp, new Date(Math.floor(t / 1000) * 1000))
    put(R.FractionalTimestamp, (t % 1000) / 1000)
    instances[id] = values
    if (s.sample !== undefined) samplers.set(id, s.sample)
  })

  const read: Record<number, ReadHandler> = {}
  if (sampleOnRead) {
    read[R.SensorValue] = async ({ instanceId }) => {
      const sample = samplers.get(instanceId)
      if (sample !== undefined) object.record(instanceId, await sample(), false)
      return object.get(instanceId, R.SensorValue)
    }
  }
  let timer: TimerHandle | undefined
  let closed = false
  const base = defineObject(model, {
    instances,
    read,
    execute: has(R.ResetMinAndMaxMeasuredValues)
      ? {
          [R.ResetMinAndMaxMeasuredValues]: (_args, { instanceId }) => {
            const current = Number(object.get(instanceId, R.SensorValue) ?? 0)
            if (has(R.MinMeasuredValue)) object.set(instanceId, R.MinMeasuredValue, current)
            if (has(R.MaxMeasuredValue)) object.set(instanceId, R.MaxMeasuredValue, current)
          },
        }
      : {},
    create: false,
    delete: false,
    close: () => {
      closed = true
      if (timer !== undefined) clock.clearTimeout(timer)
      timer = undefined
    },
    ...(options.logger !== undefined ? { logger: options.logger } : {}),
  })

  const object = base as IpsoSensorObject & {
    record(instanceId: number, value: number, notify?: boolean): void
  }
  const baseGet = base.get
  object.get = (iid, rid) =>
    rid === R.SensorValue && read[R.SensorValue] !== undefined
      ? (sideValues.get(iid) ?? baseGet(iid, rid))
      : baseGet(iid, rid)
  object.record = (iid, value, notify = true) => {
    if (!base.hasInstance(iid))
      throw new ObjectsError('OBJECTS_INVALID_ARGUMENT', `object ${model.id} has no instance ${iid}`)
    if (typeof value !== 'number')
      throw new ObjectsError('OBJECTS_INVALID_ARGUMENT', 'a sensor value is a number')
    const t = clock.now()
    if (sampleOnRead) {
      sideValues.set(iid, value)
      if (notify) base.changed(iid, R.SensorValue)
    } else base.set(iid, R.SensorValue, value)
    const min = Number(baseGet(iid, R.MinMeasuredValue) ?? value)
    const max = Number(baseGet(iid, R.MaxMeasuredValue) ?? value)
    if (has(R.MinMeasuredValue) && value < min) base.set(iid, R.MinMeasuredValue, value)
    if (has(R.MaxMeasuredValue) && value > max) base.set(iid, R.MaxMeasuredValue, value)
    if (has(R.Timestamp)) base.set(iid, R.Timestamp, new Date(Math.floor(t / 1000) * 1000))
    if (has(R.FractionalTimestamp)) base.set(iid, R.FractionalTimestamp, (t % 1000) / 1000)
  }
  object.sampleNow = async (only) => {
    for (const [iid, sample] of samplers) {
      if (only !== undefined && iid !== only) continue
      try {
        object.record(iid, await sample())
      } catch (error) {
        logger.warn(`object ${model.id}: sampling instance ${iid} failed`, {
          error: error instanceof Error ? error.message : String(error),
        })
      }
    }
  }
  const interval = options.samplingInterval
  if (interval !== undefined && samplers.size > 0) {
    if (!(interval > 0))
      throw new ObjectsError('OBJECTS_INVALID_ARGUMENT', 'samplingInterval must be positive')
    const tick = () => {
      if (closed) return
      timer = clock.setTimeout(() => {
        void object.sampleNow().finally(tick)
      }, interval)
    }
    tick()
  }
  return object
}

/** An IPSO Temperature object (3303); units default to "Cel". */
export function createTemperatureObject(
  options: IpsoSensorObjectOptions & { readonly model?: ObjectModel } = {},
): IpsoSensorObject {
  return createIpsoSensorObject(options.model ?? temperatureModel, withUnits(options, 'Cel'))
}

/** An IPSO Humidity object (3304); units default to "%RH". */
export function createHumidityObject(
  options: IpsoSensorObjectOptions & { readonly model?: ObjectModel } = {},
): IpsoSensorObject {
  return createIpsoSensorObject(options.model ?? humidityModel, withUnits(options, '%RH'))
}

function withUnits(options: IpsoSensorObjectOptions, units: string): IpsoSensorObjectOptions {
  return { ...options, sensors: (options.sensors ?? [{}]).map((s) => ({ units, ...s })) }
}
