import { type Clock, type Logger, silentLogger, systemClock } from '@lwm2m/coap'
import type { ObjectLink, ObjectModel, ResourceValue } from '@lwm2m/core'
import { ObjectsError } from '../errors.js'
import { deviceModel } from '../generated/object-3.js'
import {
  type DefinedObject,
  defineObject,
  type ReadHandler,
  type ResourceContent,
} from '../object/define-object.js'
import { createEmitter, type Emitter } from './events.js'
import { onlyDefined, sources, type Value } from './value-source.js'

/** Available Power Sources values (/3/0/6). */
export const PowerSource = {
  DC: 0,
  InternalBattery: 1,
  ExternalBattery: 2,
  FuelCell: 3,
  PowerOverEthernet: 4,
  USB: 5,
  AC: 6,
  Solar: 7,
} as const

/** Error Code values (/3/0/11): 0 means no error. */
export const DeviceErrorCode = {
  NoError: 0,
  LowBatteryPower: 1,
  ExternalPowerSupplyOff: 2,
  GpsModuleFailure: 3,
  LowReceivedSignalStrength: 4,
  OutOfMemory: 5,
  SmsFailure: 6,
  IpConnectivityFailure: 7,
  PeripheralMalfunction: 8,
} as const

/** One power source: its type (/3/0/6), and its voltage in mV (/3/0/7) and current in mA (/3/0/8). */
export interface PowerSourceInit {
  readonly type: number
  readonly voltage?: number
  readonly current?: number
}

export interface DeviceObjectOptions {
  readonly manufacturer?: Value<string>
  readonly modelNumber?: Value<string>
  readonly serialNumber?: Value<string>
  readonly firmwareVersion?: Value<string>
  readonly deviceType?: Value<string>
  readonly hardwareVersion?: Value<string>
  readonly softwareVersion?: Value<string>
  /** Supported Binding and Modes (/3/0/16), default "U". */
  readonly supportedBindings?: string
  /** Power sources (/3/0/6-8), as multiple resources with matching instance ids; change them with `setPowerSources`. */
  readonly powerSources?: readonly PowerSourceInit[]
  /** Battery Level in % (/3/0/9). */
  readonly batteryLevel?: Value<number>
  /** Battery Status (/3/0/20, 0..6). */
  readonly batteryStatus?: Value<number>
  /** Memory Free in KB (/3/0/10). */
  readonly memoryFree?: Value<number>
  /** Memory Total in KB (/3/0/21). */
  readonly memoryTotal?: Value<number>
  /** UTC Offset (/3/0/14), e.g. "+02:00". Writable by servers. */
  readonly utcOffset?: string
  /** Timezone (/3/0/15), e.g. "Europe/Berlin". Writable by servers. */
  readonly timezone?: string
  /** External device info (/3/0/22, LwM2M 1.1+): links to objects describing attached devices. */
  readonly extDevInfo?: readonly ObjectLink[]
  /** Current Time (/3/0/13) comes from this clock plus what servers wrote; default the system clock. */
  readonly clock?: Clock
  /**
   * Whether the device has the optional Current Time resource (/3/0/13); default true. A
   * device without a clock worth reporting leaves it out, and Discover does not list it.
   */
  readonly currentTime?: boolean
  /** Whether the device has the optional Reset Error Code resource (/3/0/12); default true. */
  readonly resetErrorCode?: boolean
  /** Reboot (/3/0/4) executed: called after the response was sent. */
  readonly onReboot?: () => void | Promise<void>
  /** Factory Reset (/3/0/5): present only when given; called after the response was sent. */
  readonly onFactoryReset?: () => void | Promise<void>
  /** A server wrote Current Time: the new time (the object's clock follows it in any case). */
  readonly onTimeWrite?: (time: Date) => void | Promise<void>
  /** Default Device 1.2; `deviceModelV1_0` for LwM2M 1.0. */
  readonly model?: ObjectModel
  readonly logger?: Logger
}

export interface DeviceObjectEvents extends Record<string, unknown> {
  reboot: undefined
  factoryReset: undefined
  timeWrite: Date
}

/** The Device object with the application's side: error codes, power sources, the values it holds. */
export interface DeviceObject extends DefinedObject, Emitter<DeviceObjectEvents> {
  /** The current Error Code list (/3/0/11). */
  errorCodes(): number[]
  /** Adds an error code (once); the list shows 0 only when there is none. */
  addErrorCode(code: number): void
  /** Clears the error codes (what Reset Error Code, /3/0/12, does). */
  resetErrorCodes(): void
  /** Replaces the power sources (/3/0/6-8). */
  setPowerSources(sources: readonly PowerSourceInit[]): void
  /** Changes held values by resource name and notifies observers. */
  update(
    values: Partial<
      Record<
        | 'manufacturer'
        | 'modelNumber'
        | 'serialNumber'
        | 'firmwareVersion'
        | 'deviceType'
        | 'hardwareVersion'
        | 'softwareVersion'
        | 'batteryLevel'
        | 'batteryStatus'
        | 'memoryFree'
        | 'memoryTotal'
        | 'utcOffset'
        | 'timezone',
        ResourceValue
      >
    >,
  ): void
  /** The time the object reports as Current Time. */
  now(): Date
}

const NAMES = {
  manufacturer: 0,
  modelNumber: 1,
  serialNumber: 2,
  firmwareVersion: 3,
  batteryLevel: 9,
  memoryFree: 10,
  utcOffset: 14,
  timezone: 15,
  deviceType: 17,
  hardwareVersion: 18,
  softwareVersion: 19,
  batteryStatus: 20,
  memoryTotal: 21,
} as const

/**
 * The LwM2M Device object (3): identity, power, memory, error codes, time, and the
 * Reboot and Factory Reset actions (answered 2.04 first, then run: Core TS 1.1 E.4).
 * Values are plain or computed (`batteryLevel: () => battery.percent()`); Current
 * Time follows the injected clock and moves with what a server writes.
 */
export function createDeviceObject(options: DeviceObjectOptions = {}): DeviceObject {
  const model = options.model ?? deviceModel
  if (model.id !== 3)
    throw new ObjectsError(
      'OBJECTS_INVALID_ARGUMENT',
      `the Device object takes an object 3 model, not ${model.id}`,
    )
  const left = new Set<number>([
    ...(options.currentTime === false ? [13] : []),
    ...(options.resetErrorCode === false ? [12] : []),
  ])
  const has = (id: number) => model.resources.has(id) && !left.has(id)
  const logger = options.logger ?? silentLogger
  const clock = options.clock ?? systemClock
  const events = createEmitter<DeviceObjectEvents>(logger, 'Device object')
  if (options.onReboot !== undefined) events.on('reboot', options.onReboot)
  if (options.onFactoryReset !== undefined) events.on('factoryReset', options.onFactoryReset)
  if (options.onTimeWrite !== undefined) events.on('timeWrite', options.onTimeWrite)
  let timeOffset = 0
  const now = () => new Date(clock.now() + timeOffset)

  const given = sources(
    onlyDefined(
      {
        0: options.manufacturer,
        1: options.modelNumber,
        2: options.serialNumber,
        3: options.firmwareVersion,
        9: options.batteryLevel,
        10: options.memoryFree,
        14: options.utcOffset,
        15: options.timezone,
        16: options.supportedBindings ?? 'U',
        17: options.deviceType,
        18: options.hardwareVersion,
        19: options.softwareVersion,
        20: options.batteryStatus,
        21: options.memoryTotal,
        22: options.extDevInfo,
      },
      has,
    ),
  )
  const initial: Record<number, ResourceContent> = { ...given.initial, 11: [DeviceErrorCode.NoError] }
  const powerValues = (list: readonly PowerSourceInit[]): Record<number, ResourceContent> => {
    const out: Record<number, ResourceContent> = { 6: new Map(list.map((s, i) => [i, s.type])) }
    if (list.some((s) => s.voltage !== undefined))
      out[7] = new Map(list.flatMap((s, i) => (s.voltage === undefined ? [] : [[i, s.voltage]])))
    if (list.some((s) => s.current !== undefined))
      out[8] = new Map(list.flatMap((s, i) => (s.current === undefined ? [] : [[i, s.current]])))
    return out
  }
  if (options.powerSources !== undefined) Object.assign(initial, powerValues(options.powerSources))
  const read: Record<number, ReadHandler> = { ...given.read }
  if (has(13)) read[13] = () => now()

  const base = defineObject(model, {
    instances: { 0: initial },
    read,
    write: has(13)
      ? {
          13: (value) => {
            timeOffset = (value as Date).getTime() - clock.now()
            void events.emit('timeWrite', value as Date)
          },
        }
      : {},
    execute: {
      4: () => ({ afterResponse: () => events.emit('reboot', undefined) }),
      ...(options.onFactoryReset !== undefined && has(5)
        ? { 5: () => ({ afterResponse: () => events.emit('factoryReset', undefined) }) }
        : {}),
      ...(has(12) ? { 12: () => void object.resetErrorCodes() } : {}),
    },
    ...(options.logger !== undefined ? { logger: options.logger } : {}),
  })

  const object = base as DeviceObject
  object.on = events.on
  object.now = now
  object.errorCodes = () => {
    const v = base.get(0, 11)
    return v instanceof Map ? [...v.values()].map(Number) : [DeviceErrorCode.NoError]
  }
  object.addErrorCode = (code) => {
    const codes = object.errorCodes().filter((c) => c !== DeviceErrorCode.NoError)
    if (!codes.includes(code)) base.set(0, 11, [...codes, code])
  }
  object.resetErrorCodes = () => base.set(0, 11, [DeviceErrorCode.NoError])
  object.setPowerSources = (list) => {
    const values = powerValues(list)
    for (const id of [6, 7, 8]) {
      if (values[id] !== undefined) base.set(0, id, values[id]!)
      else base.unset(0, id)
    }
  }
  object.update = (values) => {
    for (const [name, value] of Object.entries(values)) {
      const id = NAMES[name as keyof typeof NAMES]
      if (id === undefined || value === undefined || !has(id)) continue
      base.set(0, id, value)
    }
  }
  return object
}
