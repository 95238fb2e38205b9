import type { DeviceObject, SecurityObject, ServerObject } from '@lwm2m/objects'
import type { ClientConfiguration, ConfigurationContext } from './context.js'
import { deviceObject, SRV, securityObject, serverObject } from './shorthands.js'

/** C.1, Basic Configuration (PSK, no SMS): PSK-ACC + SRV + DEV + the executables /1/0/8 and /3/0/4. */
export interface C1 extends ClientConfiguration {
  readonly security: SecurityObject
  readonly server: ServerObject
  readonly device: DeviceObject
}

export function c1(ctx: ConfigurationContext): C1 {
  const security = securityObject(ctx)
  const server = serverObject(SRV)
  const device = deviceObject(ctx)
  return { id: 'C.1', objects: [security, server, device], security, server, device }
}
