import type { DeviceObject, SecurityObject, ServerObject } from '@lwm2m/objects'
import type { ClientConfiguration, ConfigurationContext } from './context.js'
import { deviceObject, SRV, securityObject, serverObject } from './shorthands.js'

/**
 * C.17, certificate: /0/0/0 = coaps://server.example.com (the context's URI), /0/0/2 = 2
 * (Certificate), /0/0/3 client.crt, /0/0/4 server.crt, /0/0/5 client.key, /0/0/10 = 1; SRV +
 * DEV + the executables. The context must carry `security.mode: 'x509'`. C.18 is the same
 * with `coaps://server-fail.example.com`.
 */
export interface C17 extends ClientConfiguration {
  readonly security: SecurityObject
  readonly server: ServerObject
  readonly device: DeviceObject
}

export function c17(ctx: ConfigurationContext): C17 {
  if (ctx.security.mode !== 'x509') throw new Error('C.17 provisions certificates: give security.mode x509')
  const security = securityObject(ctx)
  const server = serverObject(SRV)
  const device = deviceObject(ctx)
  return { id: 'C.17', objects: [security, server, device], security, server, device }
}
