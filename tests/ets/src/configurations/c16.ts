import {
  type DefinedObject,
  type DeviceObject,
  defineObject,
  eventLogModel,
  type SecurityObject,
  type ServerObject,
} from '@lwm2m/objects'
import type { ClientConfiguration, ConfigurationContext } from './context.js'
import { deviceObject, SRV_PLUS, securityObject, serverObject } from './shorthands.js'

/** LogStatus (/20/x/4013) bits: bit 0 stopped, bit 1 LogData holds valid data, bit 2 an error occurred. */
export const LogStatus = { Stopped: 1, ValidData: 2, Error: 4 } as const

/** /20/0/4014 of C.16: the collected log (opaque). */
export const C16_LOG = new TextEncoder().encode('boot;ok;ets')

/**
 * C.16, Event Log: PSK-ACC + SRV+ + DEV + /20/0 with LogClass 4010 = 0, LogStatus 4013 = 3
 * (stopped, valid data) and LogData 4014. The ETS also gives LogStart 4011 the value "0,100";
 * in Object 20 (1.0 and 2.1) LogStart is an executable resource (inventory 10.2), so the device
 * implements it as one: Start clears bit 0 of LogStatus (running) and, unless its argument 0 is
 * 1 ("extend"), empties the collected data; LogStop (4012) sets bit 0 again.
 */
export interface C16 extends ClientConfiguration {
  readonly security: SecurityObject
  readonly server: ServerObject
  readonly device: DeviceObject
  readonly eventLog: DefinedObject
}

export function c16(ctx: ConfigurationContext): C16 {
  const security = securityObject(ctx)
  const server = serverObject(SRV_PLUS)
  const device = deviceObject(ctx)
  const status = (): number => Number(eventLog.get(0, 4013) ?? 0)
  const eventLog: DefinedObject = defineObject(eventLogModel, {
    instances: { 0: { 4010: 0, 4013: LogStatus.Stopped | LogStatus.ValidData, 4014: C16_LOG } },
    execute: {
      4011: (args) => {
        const extend = /^0='?1'?/.test(args)
        if (!extend) eventLog.set(0, 4014, new Uint8Array(0))
        eventLog.set(0, 4013, status() & ~LogStatus.Stopped & (extend ? 0xff : ~LogStatus.ValidData))
      },
      4012: () => {
        eventLog.set(0, 4013, status() | LogStatus.Stopped)
      },
    },
  })
  return { id: 'C.16', objects: [security, server, device, eventLog], security, server, device, eventLog }
}
