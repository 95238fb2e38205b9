import { type ClientOptions, createClient, type Lwm2mClient, type TransportFactories } from '@lwm2m/client'
import { type Clock, type Logger, silentLogger, systemClock } from '@lwm2m/coap'
import type { Lwm2mVersion } from '@lwm2m/core'
import { createSecurityObject, createServerObject } from '@lwm2m/objects'
import type { AccountSecurity } from '../transports/client-transports.js'
import { createSimulatedDevice, modelFor, type SimulatedDevice } from './device.js'

/** Options of {@link createSimulatedClient}. */
export interface SimulatedClientOptions {
  readonly endpoint: string
  /** The LwM2M Server URI (/0/0/0). */
  readonly serverUri: string
  readonly version: Lwm2mVersion
  /** Registration lifetime, seconds. */
  readonly lifetime: number
  /** "U"; queue mode adds Q. */
  readonly binding: string
  readonly queueMode: boolean
  /** Queue mode: awake time after the last exchange, ms. */
  readonly awakeTime?: number
  /** Temperature walk interval, ms. */
  readonly interval: number
  readonly startTemperature?: number
  readonly firmwareVersion: string
  /** The account's security fields (from the transport provider). */
  readonly security: AccountSecurity
  readonly transports?: TransportFactories
  /** Deadline of the client's own requests (Register, Update, Send), ms. */
  readonly requestTimeout?: number
  /** Reboot was executed (after the client restarted its registration). */
  readonly onReboot?: () => void
  readonly onFirmwareUpdate?: (bytes: number) => void
  readonly clock?: Clock
  readonly logger?: Logger
  readonly random?: () => number
}

/** A client with the simulated device's objects, and its Security and Server accounts. */
export interface SimulatedClient {
  readonly client: Lwm2mClient
  readonly device: SimulatedDevice
  /** De-registers (unless told not to), stops the client and the device's timers. */
  stop(options?: { readonly deregister?: boolean }): Promise<void>
}

/**
 * The tool's simulated device as an LwM2M client of one server: short server id 1, Send
 * allowed (Mute Send false), notifications stored while the server is unreachable. Reboot
 * (/3/0/4) de-registers and registers again. Not started: call `client.start()`.
 */
export function createSimulatedClient(options: SimulatedClientOptions): SimulatedClient {
  const clock = options.clock ?? systemClock
  const logger = options.logger ?? silentLogger
  const v = options.version
  let client: Lwm2mClient | undefined
  let stopped = false
  const device = createSimulatedDevice({
    endpoint: options.endpoint,
    version: v,
    interval: options.interval,
    firmwareVersion: options.firmwareVersion,
    supportedBindings: options.queueMode ? 'UQ' : 'U',
    ...(options.startTemperature === undefined ? {} : { startTemperature: options.startTemperature }),
    onReboot: async () => {
      if (client === undefined || stopped) return
      await client.stop({ deregister: true })
      if (stopped) return
      await client.start()
      options.onReboot?.()
    },
    ...(options.onFirmwareUpdate === undefined ? {} : { onFirmwareUpdate: options.onFirmwareUpdate }),
    clock,
    logger,
    ...(options.random === undefined ? {} : { random: options.random }),
  })
  const binding = v === '1.0' && options.queueMode ? `${options.binding}Q` : options.binding
  const clientOptions: ClientOptions = {
    endpoint: options.endpoint,
    version: v,
    lifetime: options.lifetime,
    binding,
    queueMode: options.queueMode,
    objects: [
      createSecurityObject({
        model: modelFor(0, v),
        accounts: [{ serverUri: options.serverUri, shortServerId: 1, ...options.security }],
        logger,
      }),
      createServerObject({
        model: modelFor(1, v),
        servers: [
          {
            shortServerId: 1,
            lifetime: options.lifetime,
            binding,
            notificationStoring: true,
            ...(v === '1.0' ? {} : { muteSend: false }),
          },
        ],
        logger,
      }),
      ...device.objects,
    ],
    clock,
    logger,
    ...(options.awakeTime === undefined ? {} : { awakeTime: options.awakeTime }),
    ...(options.transports === undefined ? {} : { transports: options.transports }),
    ...(options.requestTimeout === undefined ? {} : { coap: { requestTimeout: options.requestTimeout } }),
  }
  client = createClient(clientOptions)
  const made = client
  return {
    client: made,
    device,
    async stop(stopOptions = {}) {
      stopped = true
      try {
        await made.stop({ deregister: stopOptions.deregister ?? true })
      } finally {
        await device.close()
      }
    },
  }
}
