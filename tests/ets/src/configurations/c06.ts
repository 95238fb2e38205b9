import { MAX_ID } from '@lwm2m/core'
import type { DeviceObject } from '@lwm2m/objects'
import type { C3 } from './c03.js'
import { C4_POWER } from './c04.js'
import type { ConfigurationContext } from './context.js'
import { deviceObject, SRV_PLUS, securityObject, serverObject } from './shorthands.js'

/** The optional Device values of C.6 as the device starts (int-651 writes 13, 14, 15 and restores them). */
export const C6_DEVICE = {
  memoryFree: 15,
  utcOffset: '+01:00',
  timezone: 'Europe/Berlin',
  deviceType: 'Smart Meter',
  hardwareVersion: '1.0',
  softwareVersion: '1.0',
  batteryStatus: 0,
  memoryTotal: 128,
} as const

/** C.6, C.4 + every optional Device resource: 10, 13 (Current Time), 14, 15, 17-21, 22 (ExtDevInfo) and the executables 5 and 12. */
export interface C6 extends C3 {
  readonly device: DeviceObject
  /** Factory Reset (/3/0/5) runs done so far. */
  readonly factoryResets: () => number
}

export function c6(ctx: ConfigurationContext): C6 {
  const security = securityObject(ctx)
  const server = serverObject(SRV_PLUS)
  let resets = 0
  const device: DeviceObject = deviceObject(ctx, {
    ...C4_POWER,
    ...C6_DEVICE,
    // ExtDevInfo: this device is embedded in no host device; the link is the null link (65535:65535).
    extDevInfo: [{ objectId: MAX_ID, instanceId: MAX_ID }],
    currentTime: true,
    resetErrorCode: true,
    onFactoryReset: () => {
      resets++
      device.update({ utcOffset: C6_DEVICE.utcOffset, timezone: C6_DEVICE.timezone })
    },
  })
  return {
    id: 'C.6',
    objects: [security, server, device],
    security,
    server,
    device,
    factoryResets: () => resets,
  }
}
