import {
  type ConnectivityMonitoringObject,
  createConnectivityMonitoringObject,
  type DeviceObject,
  NetworkBearer,
  type SecurityObject,
  type ServerObject,
} from '@lwm2m/objects'
import type { ClientConfiguration, ConfigurationContext } from './context.js'
import { deviceObject, SRV_PLUS, securityObject, serverObject } from './shorthands.js'

/**
 * The Connectivity Monitoring values of C.5 (/4/0/0..10), with two instances each of the
 * multiple resources 1, 4, 5 and 7: an LTE-FDD modem that also sees a WLAN, with an IPv4 and
 * an IPv6 address, their routers, and two APNs.
 */
export const C5_CONNECTIVITY = {
  networkBearer: NetworkBearer.LTE_FDD,
  availableNetworkBearers: [NetworkBearer.LTE_FDD, NetworkBearer.WLAN],
  /** RSRP in dBm (LTE: -140 .. -44). */
  radioSignalStrength: -93,
  /** RSRQ in dB (LTE: -20 .. -3). */
  linkQuality: -10,
  ipAddresses: ['192.0.2.10', '2001:db8::10'],
  routerIpAddresses: ['192.0.2.1', '2001:db8::1'],
  /** Percent. */
  linkUtilization: 12,
  apn: ['internet', 'ims'],
  /** 28-bit E-UTRAN cell identity. */
  cellId: 0x0a1b2c3,
  smnc: 1,
  smcc: 262,
} as const

/** C.5, C.1 + Connectivity Monitoring: PSK-ACC + SRV+ + DEV + EXE + /4/0/0..10. */
export interface C5 extends ClientConfiguration {
  readonly security: SecurityObject
  readonly server: ServerObject
  readonly device: DeviceObject
  readonly connectivity: ConnectivityMonitoringObject
}

export function c5(ctx: ConfigurationContext): C5 {
  const security = securityObject(ctx)
  const server = serverObject(SRV_PLUS)
  const device = deviceObject(ctx)
  const connectivity = createConnectivityMonitoringObject({ ...C5_CONNECTIVITY })
  return {
    id: 'C.5',
    objects: [security, server, device, connectivity],
    security,
    server,
    device,
    connectivity,
  }
}
