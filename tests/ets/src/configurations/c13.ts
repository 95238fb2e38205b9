import {
  createSecurityObject,
  createServerObject,
  type DeviceObject,
  SecurityMode,
  type SecurityObject,
  type ServerObject,
} from '@lwm2m/objects'
import type { ClientConfiguration, ConfigurationContext } from './context.js'
import { deviceObject } from './shorthands.js'

/**
 * C.13, Bootstrap-Server contact (PSK): BS-ACC in Security instance 1 (/0/1/0 the
 * Bootstrap-Server URI, /0/1/1 true, /0/1/2 PSK, /0/1/3 identity, /0/1/5 key) + DEV. The Server
 * object is supported but has no instance. `serverUri` of the context is the Bootstrap-Server's.
 * No case runs with it yet: the bootstrap cases wait for a Bootstrap-Server.
 */
export interface C13 extends ClientConfiguration {
  readonly security: SecurityObject
  readonly server: ServerObject
  readonly device: DeviceObject
}

export function c13(ctx: ConfigurationContext): C13 {
  const s = ctx.security
  const security = createSecurityObject({
    accounts: {
      1: {
        serverUri: ctx.serverUri,
        bootstrapServer: true,
        ...(s.mode === 'psk'
          ? { securityMode: SecurityMode.PreSharedKey, publicKeyOrIdentity: s.identity, secretKey: s.key }
          : { securityMode: SecurityMode.NoSec }),
      },
    },
  })
  const server = createServerObject({ servers: [] })
  const device = deviceObject(ctx)
  return { id: 'C.13', objects: [security, server, device], security, server, device }
}
