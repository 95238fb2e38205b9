import {
  createLocationObject,
  type DeviceObject,
  type LocationObject,
  type Position,
  type SecurityObject,
  type ServerObject,
} from '@lwm2m/objects'
import type { ClientConfiguration, ConfigurationContext } from './context.js'
import { deviceObject, SRV_PLUS, securityObject, serverObject } from './shorthands.js'

/**
 * The Location values of C.7 (/6/0/0..6): 43.5723, 153.21760, altitude 140 m, radius 100 m,
 * a velocity, timestamp 1367491215 and speed 3 m/s. The velocity is a 3GPP TS 23.032 section
 * 8.12 "Horizontal Velocity": velocity type 0, bearing 45 degrees, horizontal speed 11 km/h
 * (3 m/s rounded).
 */
export const C7_POSITION: Position = {
  latitude: 43.5723,
  longitude: 153.2176,
  altitude: 140,
  radius: 100,
  velocity: new Uint8Array([0x00, 0x2d, 0x00, 0x0b]),
  timestamp: new Date(1367491215 * 1000),
  speed: 3,
}

/** C.7, C.1 + Location: PSK-ACC + SRV+ + DEV + EXE + /6/0/0..6. */
export interface C7 extends ClientConfiguration {
  readonly security: SecurityObject
  readonly server: ServerObject
  readonly device: DeviceObject
  readonly location: LocationObject
}

export function c7(ctx: ConfigurationContext): C7 {
  const security = securityObject(ctx)
  const server = serverObject(SRV_PLUS)
  const device = deviceObject(ctx)
  const location = createLocationObject({ position: C7_POSITION, clock: ctx.clock })
  return { id: 'C.7', objects: [security, server, device, location], security, server, device, location }
}
