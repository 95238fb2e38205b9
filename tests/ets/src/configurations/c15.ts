import {
  binaryAppDataContainerModel,
  type DefinedObject,
  type DeviceObject,
  defineObject,
  type SecurityObject,
  type ServerObject,
} from '@lwm2m/objects'
import type { ClientConfiguration, ConfigurationContext } from './context.js'
import { deviceObject, SRV_PLUS, securityObject, serverObject } from './shorthands.js'

/** /19/0/0/0 of C.15: the device's data for the server (the ETS has a base64 JSON meter reading). */
export const C15_DATA = new TextEncoder().encode('{"meter":"ets-1","kWh":1234.5}')

/**
 * C.15, Binary App Data Container: PSK-ACC + SRV+ + DEV + /19/0 (client to server data, /19/0/0
 * holds one opaque instance) and /19/1 (server to client data, /19/1/0 empty).
 */
export interface C15 extends ClientConfiguration {
  readonly security: SecurityObject
  readonly server: ServerObject
  readonly device: DeviceObject
  readonly appData: DefinedObject
}

export function c15(ctx: ConfigurationContext): C15 {
  const security = securityObject(ctx)
  const server = serverObject(SRV_PLUS)
  const device = deviceObject(ctx)
  const appData = defineObject(binaryAppDataContainerModel, {
    instances: { 0: { 0: [C15_DATA] }, 1: { 0: [] } },
  })
  return { id: 'C.15', objects: [security, server, device, appData], security, server, device, appData }
}
