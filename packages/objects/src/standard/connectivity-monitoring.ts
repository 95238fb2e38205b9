import type { Logger } from '@lwm2m/coap'
import type { ObjectModel, ResourceValue } from '@lwm2m/core'
import { ObjectsError } from '../errors.js'
import { connectivityMonitoringModel } from '../generated/object-4.js'
import { type DefinedObject, defineObject } from '../object/define-object.js'
import { onlyDefined, sources, type Value } from './value-source.js'

/** Network Bearer values (/4/0/0, /4/0/1; Core TS 1.1 E.5). */
export const NetworkBearer = {
  GSM: 0,
  TD_SCDMA: 1,
  WCDMA: 2,
  CDMA2000: 3,
  WiMAX: 4,
  LTE_TDD: 5,
  LTE_FDD: 6,
  NB_IoT: 7,
  WLAN: 21,
  Bluetooth: 22,
  IEEE_802_15_4: 23,
  Ethernet: 41,
  DSL: 42,
  PLC: 43,
} as const

/** The values of the Connectivity Monitoring object, by name: plain or computed. */
export interface ConnectivityMonitoringValues {
  /** /4/0/0 (mandatory). */
  readonly networkBearer: Value<number>
  /** /4/0/1 (mandatory). */
  readonly availableNetworkBearers: Value<readonly number[]>
  /** /4/0/2 in dBm (mandatory). */
  readonly radioSignalStrength: Value<number>
  /** /4/0/3. */
  readonly linkQuality?: Value<number>
  /** /4/0/4 (mandatory). */
  readonly ipAddresses: Value<readonly string[]>
  /** /4/0/5. */
  readonly routerIpAddresses?: Value<readonly string[]>
  /** /4/0/6 in %. */
  readonly linkUtilization?: Value<number>
  /** /4/0/7. */
  readonly apn?: Value<readonly string[]>
  /** /4/0/8. */
  readonly cellId?: Value<number>
  /** /4/0/9. */
  readonly smnc?: Value<number>
  /** /4/0/10. */
  readonly smcc?: Value<number>
  /** /4/0/11 in dB (1.1+). */
  readonly signalSnr?: Value<number>
  /** /4/0/12 (1.1+). */
  readonly lac?: Value<number>
  /** /4/0/13 (1.2+). */
  readonly coverageEnhancementLevel?: Value<number>
}

const IDS: Readonly<Record<keyof ConnectivityMonitoringValues, number>> = {
  networkBearer: 0,
  availableNetworkBearers: 1,
  radioSignalStrength: 2,
  linkQuality: 3,
  ipAddresses: 4,
  routerIpAddresses: 5,
  linkUtilization: 6,
  apn: 7,
  cellId: 8,
  smnc: 9,
  smcc: 10,
  signalSnr: 11,
  lac: 12,
  coverageEnhancementLevel: 13,
}

export interface ConnectivityMonitoringObjectOptions extends ConnectivityMonitoringValues {
  /** Default Connectivity Monitoring 1.3; `connectivityMonitoringModelV1_0` for LwM2M 1.0. */
  readonly model?: ObjectModel
  readonly logger?: Logger
}

export interface ConnectivityMonitoringObject extends DefinedObject {
  /** Changes plain values by name and notifies observers of those that changed. */
  update(
    values: Partial<Record<keyof ConnectivityMonitoringValues, ResourceValue | readonly ResourceValue[]>>,
  ): void
  /** Tells observers that computed values changed (all of them when no name is given). */
  refresh(...names: (keyof ConnectivityMonitoringValues)[]): void
}

/** The LwM2M Connectivity Monitoring object (4): the bearer, signal and addresses the device has. */
export function createConnectivityMonitoringObject(
  options: ConnectivityMonitoringObjectOptions,
): ConnectivityMonitoringObject {
  const model = options.model ?? connectivityMonitoringModel
  if (model.id !== 4)
    throw new ObjectsError('OBJECTS_INVALID_ARGUMENT', `this object takes an object 4 model, not ${model.id}`)
  const has = (id: number) => model.resources.has(id)
  const byId: Record<number, Value<ResourceValue | readonly ResourceValue[]> | undefined> = {}
  for (const [name, id] of Object.entries(IDS)) byId[id] = options[name as keyof ConnectivityMonitoringValues]
  const given = sources(onlyDefined(byId, has))
  const base = defineObject(model, {
    instances: { 0: given.initial },
    read: given.read,
    ...(options.logger !== undefined ? { logger: options.logger } : {}),
  })
  const object = base as ConnectivityMonitoringObject
  object.update = (values) => {
    for (const [name, value] of Object.entries(values)) {
      const id = IDS[name as keyof ConnectivityMonitoringValues]
      if (id !== undefined && value !== undefined && has(id)) base.set(0, id, value as ResourceValue)
    }
  }
  object.refresh = (...names) => {
    const ids = names.length === 0 ? Object.keys(given.read).map(Number) : names.map((n) => IDS[n])
    for (const id of ids) base.changed(0, id)
  }
  return object
}
