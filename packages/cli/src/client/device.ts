import { networkInterfaces } from 'node:os'
import { type Clock, type Logger, silentLogger, systemClock } from '@lwm2m/coap'
import type { Lwm2mVersion, ObjectModel } from '@lwm2m/core'
import {
  type ConnectivityMonitoringObject,
  createConnectivityMonitoringObject,
  createDeviceObject,
  createFirmwareUpdateObject,
  createLocationObject,
  createModelRegistry,
  createTemperatureObject,
  type DefinedObject,
  type DeviceObject,
  defaultObjectVersion,
  defineObject,
  type FirmwareUpdateObject,
  type IpsoSensorObject,
  type LocationObject,
  NetworkBearer,
  PowerSource,
  setPointModel,
  standardModels,
} from '@lwm2m/objects'

/** Options of {@link createSimulatedDevice}. */
export interface SimulatedDeviceOptions {
  readonly endpoint: string
  /** The LwM2M version: the objects follow the versions it implies. */
  readonly version: Lwm2mVersion
  /** How often the temperature takes a step of its random walk, ms. */
  readonly interval: number
  /** The temperature it starts at (°C); default 21.5. */
  readonly startTemperature?: number
  /** The firmware version it reports (/3/0/3). */
  readonly firmwareVersion: string
  /** Supported binding modes (/3/0/16), "U" or "UQ". */
  readonly supportedBindings: string
  /** Reboot (/3/0/4) was executed. */
  readonly onReboot?: () => void | Promise<void>
  /** A firmware package is installed (Execute /5/0/2). */
  readonly onFirmwareUpdate?: (bytes: number) => void | Promise<void>
  readonly clock?: Clock
  /** A random number in [0, 1), for the walk; default Math.random. */
  readonly random?: () => number
  readonly logger?: Logger
}

/** The objects of the simulated device (Security and Server are the client's accounts, made apart). */
export interface SimulatedDevice {
  readonly device: DeviceObject
  readonly connectivity: ConnectivityMonitoringObject
  readonly location: LocationObject
  readonly firmware: FirmwareUpdateObject
  readonly temperature: IpsoSensorObject
  /** Set points (3308): a server may create and delete them. */
  readonly setPoints: DefinedObject
  /** Every object, in id order. */
  readonly objects: readonly DefinedObject[]
  /** Stops the walk and the objects' timers. */
  close(): Promise<void>
}

const registry = createModelRegistry(standardModels)

/** The model of `objectId` a client of `version` implies (Core TS 1.2 Appendix E). */
export function modelFor(objectId: number, version: Lwm2mVersion): ObjectModel {
  const model = registry.resolve(objectId, defaultObjectVersion(objectId, version)).model
  if (model === undefined) throw new TypeError(`no model of object ${objectId}`)
  return model
}

/** The non-internal IPv4 addresses of this machine (at most 4), for the Connectivity Monitoring object. */
function localAddresses(): string[] {
  const out: string[] = []
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) out.push(a.address)
  }
  return out.length > 0 ? out.slice(0, 4) : ['127.0.0.1']
}

/**
 * One step of the temperature's walk: a small random move, pulled gently back towards the
 * start value so that it wanders without drifting away; rounded to hundredths.
 */
export function walkStep(current: number, mean: number, random: () => number): number {
  const next = current + (random() - 0.5) * 0.4 + (mean - current) * 0.05
  return Math.round(next * 100) / 100
}

/**
 * The objects of the tool's simulated device: Device (3), Connectivity Monitoring (4),
 * Firmware Update (5, push), Location (6), a Temperature sensor (3303) whose value takes a
 * gentle random walk every `interval`, and Set Points (3308) that servers may create and
 * delete; each in the version the LwM2M version implies.
 */
export function createSimulatedDevice(options: SimulatedDeviceOptions): SimulatedDevice {
  const clock = options.clock ?? systemClock
  const random = options.random ?? Math.random
  const logger = options.logger ?? silentLogger
  const v = options.version
  const mean = options.startTemperature ?? 21.5
  let celsius = mean
  const device = createDeviceObject({
    model: modelFor(3, v),
    manufacturer: '@lwm2m',
    modelNumber: 'lwm2m-cli simulated device',
    serialNumber: options.endpoint,
    firmwareVersion: options.firmwareVersion,
    deviceType: 'thermometer',
    hardwareVersion: '1.0',
    softwareVersion: `Node.js ${process.versions.node}`,
    supportedBindings: options.supportedBindings,
    powerSources: [
      { type: PowerSource.DC, voltage: 5000, current: 120 },
      { type: PowerSource.InternalBattery, voltage: 3700, current: 0 },
    ],
    batteryLevel: 87,
    batteryStatus: 0,
    memoryFree: 512,
    memoryTotal: 1024,
    utcOffset: '+00:00',
    timezone: 'UTC',
    clock,
    logger,
    ...(options.onReboot === undefined ? {} : { onReboot: options.onReboot }),
  })
  const connectivity = createConnectivityMonitoringObject({
    model: modelFor(4, v),
    networkBearer: NetworkBearer.Ethernet,
    availableNetworkBearers: [NetworkBearer.Ethernet, NetworkBearer.WLAN],
    radioSignalStrength: 0,
    linkQuality: 100,
    ipAddresses: localAddresses(),
    logger,
  })
  const location = createLocationObject({
    model: modelFor(6, v),
    position: { latitude: 48.8584, longitude: 2.2945, altitude: 35, radius: 10 },
    clock,
    logger,
  })
  const firmware = createFirmwareUpdateObject({
    model: modelFor(5, v),
    apply: async (pkg) => {
      await options.onFirmwareUpdate?.(pkg.bytes.length)
    },
    clock,
    logger,
  })
  const temperature = createTemperatureObject({
    model: modelFor(3303, v),
    sensors: [
      {
        value: celsius,
        units: 'Cel',
        minRange: -40,
        maxRange: 85,
        applicationType: 'room',
        sample: () => {
          celsius = walkStep(Number(temperature.get(0, 5700) ?? celsius), mean, random)
          return celsius
        },
      },
    ],
    samplingInterval: options.interval,
    clock,
    logger,
  })
  const setPoints = defineObject(setPointModel, {
    instances: { 0: { 5900: mean, 5701: 'Cel', 5750: 'comfort' } },
    maxInstances: 32,
    // A set point created without units is in degrees Celsius, as the sensor is.
    create: ({ resources }) => (resources.has(5701) ? undefined : { 5701: 'Cel' }),
    logger,
  })
  const objects = [device, connectivity, firmware, location, temperature, setPoints]
  return {
    device,
    connectivity,
    location,
    firmware,
    temperature,
    setPoints,
    objects,
    async close() {
      await Promise.all(objects.map((o) => o.close?.()))
    },
  }
}
