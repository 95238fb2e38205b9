import {
  type DefinedObject,
  type DeviceObject,
  defineObject,
  portfolioModel,
  type SecurityObject,
  type ServerObject,
} from '@lwm2m/objects'
import type { ClientConfiguration, ConfigurationContext } from './context.js'
import { deviceObject, SRV_PLUS, securityObject, serverObject } from './shorthands.js'

/**
 * The identities of /16/0/0 in C.12. The ETS prints them with leading spaces, "Develce" and a
 * `"vs "` key (inventory 10.1); these are the values it means.
 */
export const C12_IDENTITIES = [
  'Host Device ID #1',
  'Host Device Manufacturer #1',
  'Host Device Model #1',
  'Host Device Software Version #1',
] as const

/** C.12, C.1 + Portfolio: PSK-ACC + SRV+ + DEV + /16/0/0/0..3. */
export interface C12 extends ClientConfiguration {
  readonly security: SecurityObject
  readonly server: ServerObject
  readonly device: DeviceObject
  readonly portfolio: DefinedObject
}

export function c12(ctx: ConfigurationContext): C12 {
  const security = securityObject(ctx)
  const server = serverObject(SRV_PLUS)
  const device = deviceObject(ctx)
  const portfolio = defineObject(portfolioModel, { instances: { 0: { 0: [...C12_IDENTITIES] } } })
  return { id: 'C.12', objects: [security, server, device, portfolio], security, server, device, portfolio }
}
