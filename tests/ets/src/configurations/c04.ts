import { PowerSource } from '@lwm2m/objects'
import type { C3 } from './c03.js'
import type { ConfigurationContext } from './context.js'
import { deviceObject, SRV_PLUS, securityObject, serverObject } from './shorthands.js'

/**
 * The battery values of C.4: /3/0/6 = {0: 1 internal battery, 1: 2 external battery},
 * /3/0/7 = {0: 0, 1: 0} mV, /3/0/8 = {0: 0, 1: 0} mA, /3/0/9 = 0 %.
 */
export const C4_POWER = {
  powerSources: [
    { type: PowerSource.InternalBattery, voltage: 0, current: 0 },
    { type: PowerSource.ExternalBattery, voltage: 0, current: 0 },
  ],
  batteryLevel: 0,
} as const

/** C.4, C.3 + battery resources (/3/0/6, 7, 8 with two instances each, /3/0/9). */
export type C4 = C3

export function c4(ctx: ConfigurationContext): C4 {
  const security = securityObject(ctx)
  const server = serverObject(SRV_PLUS)
  const device = deviceObject(ctx, {
    powerSources: C4_POWER.powerSources,
    batteryLevel: C4_POWER.batteryLevel,
  })
  return { id: 'C.4', objects: [security, server, device], security, server, device }
}
