import {
  apnConnectionProfileModel,
  bearerSelectionModel,
  cellularConnectivityModel,
  type DefinedObject,
  type DeviceObject,
  defineObject,
  type SecurityObject,
  type ServerObject,
  wlanConnectivityModel,
} from '@lwm2m/objects'
import type { ClientConfiguration, ConfigurationContext } from './context.js'
import { deviceObject, SRV, securityObject, serverObject } from './shorthands.js'

/**
 * The Cellular Connectivity (10) values of C.10. Appendix C is written for an older
 * numbering of Object 10 (inventory 10.2); we provision the object as the OMA registry
 * publishes it (version 1.1), which the LwM2M TS makes the reference:
 * - PSM Timer /10/0/4 = 3600 s and Active Timer /10/0/5 = 600 s, as given;
 * - "/10/0/6 = 40" (Serving PLMN rate control) moved to the APN profile in 1.1: /11/0/26 = 40;
 * - "/10/0/8 = 20.48" and "/10/0/9 = 51.2" are eDRX parameters, single octets in the object
 *   (TS 24.008 section 10.5.5.32: Paging Time Window in bits 8-5, eDRX value in bits 4-1):
 *   0x02 is an eDRX cycle of 20.48 s; 51.2 s is no eDRX value of that table, so the NB-S1
 *   octet is 0x22 (eDRX 20.48 s, PTW 7.68 s), an octet as the object defines it;
 * - Activated Profile Names /10/0/11 (mandatory) links the one active APN profile, 11:0.
 */
export const C10_CELLULAR = {
  4: 3600,
  5: 600,
  8: Uint8Array.of(0x02),
  9: Uint8Array.of(0x22),
} as const

/** The APN profile /11/0 of C.10: a name, Enable status true, PAP, and the rate control moved from /10/0/6. */
export const C10_APN = { 0: 'internet', 3: true, 4: 0, 26: 40 } as const

/**
 * The WLAN interface /12/0 of C.10: interface name, Enable false (0), Status 0 (disabled),
 * BSSID (the MAC, 12 hex digits; the ETS lists it twice, once as 0, E!), SSID, Mode 1
 * (client), Channel 0, Standard 0, Authentication Mode 0.
 */
export const C10_WLAN = {
  0: 'wlan0',
  1: false,
  3: 0,
  4: '0023a5f0c1d2',
  5: 'ets',
  8: 1,
  9: 0,
  14: 0,
  15: 0,
} as const

/** C.10, connectivity management: PSK-ACC + SRV + DEV + /10/0, /11/0 and /12/0. */
export interface C10 extends ClientConfiguration {
  readonly security: SecurityObject
  readonly server: ServerObject
  readonly device: DeviceObject
  readonly cellular: DefinedObject
  readonly apn: DefinedObject
  readonly wlan: DefinedObject
  readonly bearer: DefinedObject
}

/**
 * The device's connection manager, as far as the objects show it: Activated Profile Names
 * (/10/0/11) lists the APN profiles whose Enable status (/11/x/3) is true.
 */
export function connectionManager(cellular: DefinedObject, apn: DefinedObject): void {
  const refresh = (): void => {
    const active = apn.instances().filter((i) => apn.get(i, 3) === true)
    cellular.set(
      0,
      11,
      active.map((instanceId) => ({ objectId: 11, instanceId })),
    )
  }
  apn.onChange(() => refresh())
  refresh()
}

/** Preferred Communications Bearer values (/13/0/0) of Object 13. */
export const Bearer = { Auto: 0, Cellular: 1, Wlan: 7 } as const

/**
 * The device's bearer selection: the first Preferred Communications Bearer (/13/0/0) decides.
 * WLAN preferred enables the WLAN interface (/12/0/1 true, Status /12/0/3 = 1 "UP") and the
 * device talks over it; a 3GPP bearer (or auto) preferred disables WLAN again. Each switch is a
 * change of network: the device reconnects from its new address (`onNetworkChange`).
 */
export function bearerSelection(
  bearer: DefinedObject,
  wlan: DefinedObject,
  onNetworkChange: (() => void | Promise<void>) | undefined,
): void {
  let onWlan = false
  bearer.onChange(() => {
    const preferred = bearer.get(0, 0)
    const first = preferred instanceof Map ? [...preferred.values()][0] : undefined
    const wantWlan = first === Bearer.Wlan
    if (wantWlan === onWlan) return
    onWlan = wantWlan
    wlan.set(0, 1, wantWlan)
    wlan.set(0, 3, wantWlan ? 1 : 0)
    void onNetworkChange?.()
  })
}

export function c10(ctx: ConfigurationContext, cellularExtra: Record<number, number> = {}): C10 {
  const security = securityObject(ctx)
  const server = serverObject(SRV)
  const device = deviceObject(ctx)
  const cellular = defineObject(cellularConnectivityModel, {
    instances: { 0: { ...C10_CELLULAR, 11: [{ objectId: 11, instanceId: 0 }], ...cellularExtra } },
  })
  const apn = defineObject(apnConnectionProfileModel, { instances: { 0: C10_APN } })
  const wlan = defineObject(wlanConnectivityModel, { instances: { 0: C10_WLAN } })
  // Bearer Selection (13) is supported with no instance: int-1350 creates /13/0.
  const bearer = defineObject(bearerSelectionModel, { instances: [], create: true, delete: true })
  connectionManager(cellular, apn)
  bearerSelection(bearer, wlan, ctx.onNetworkChange)
  return {
    id: 'C.10',
    objects: [security, server, device, cellular, apn, wlan, bearer],
    security,
    server,
    device,
    cellular,
    apn,
    wlan,
    bearer,
  }
}
