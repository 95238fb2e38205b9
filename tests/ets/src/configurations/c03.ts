import type { DeviceObject, SecurityObject, ServerObject } from '@lwm2m/objects'
import type { ClientConfiguration, ConfigurationContext } from './context.js'
import { deviceObject, SRV_PLUS, securityObject, serverObject } from './shorthands.js'

/**
 * C.3, superset of C.1: PSK-ACC + SRV+ (pmin 1, pmax 10, Disable Timeout 86400) + DEV + the
 * executables, with the optional Disable /1/0/4. The ETS prints /1/0/6 as an opaque
 * `"vd":false` (ETS erratum, inventory 10.1); Notification Storing is a Boolean.
 */
export interface C3 extends ClientConfiguration {
  readonly security: SecurityObject
  readonly server: ServerObject
  readonly device: DeviceObject
}

export function c3(ctx: ConfigurationContext): C3 {
  const security = securityObject(ctx)
  const server = serverObject(SRV_PLUS)
  const device = deviceObject(ctx)
  return { id: 'C.3', objects: [security, server, device], security, server, device }
}

/** /1/0 of C.3 as a server reads it (the values the restoring steps of int-205, 215, 220 come back to). */
export const C3_SERVER_VALUES = {
  '/1/0/0': 1,
  '/1/0/1': 86400,
  '/1/0/2': 1,
  '/1/0/3': 10,
  '/1/0/5': 86400,
  '/1/0/6': false,
  '/1/0/7': 'U',
} as const
