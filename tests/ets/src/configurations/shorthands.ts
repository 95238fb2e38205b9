/**
 * The shorthands of ETS INT 1.2 Appendix C (inventory section 2): the server account
 * (PSK-ACC), the Server instance (SRV, SRV+) and the Device values (DEV), built with the
 * standard object implementations of @lwm2m/objects.
 */
import {
  createDeviceObject,
  createSecurityObject,
  createServerObject,
  type DeviceObject,
  type DeviceObjectOptions,
  type SecurityAccountInit,
  SecurityMode,
  type SecurityObject,
  type ServerAccountInit,
  type ServerObject,
} from '@lwm2m/objects'
import type { ConfigurationContext } from './context.js'

/** The Short Server ID of the account of C.1 and its supersets (/0/0/10, /1/0/0). */
export const SSID = 1

/**
 * PSK-ACC: /0/0/0 the server URI, /0/0/1 false, /0/0/2 Security Mode, /0/0/3 the PSK
 * identity, /0/0/5 the key, /0/0/10 = 1. The mode follows how the harness reaches the
 * server (see {@link ConfigurationContext.security}).
 */
export function serverAccount(ctx: ConfigurationContext): SecurityAccountInit {
  const base = { serverUri: ctx.serverUri, bootstrapServer: false, shortServerId: SSID }
  const s = ctx.security
  switch (s.mode) {
    case 'psk':
      return {
        ...base,
        securityMode: SecurityMode.PreSharedKey,
        publicKeyOrIdentity: s.identity,
        secretKey: s.key,
      }
    case 'x509':
      return {
        ...base,
        securityMode: SecurityMode.Certificate,
        publicKeyOrIdentity: s.certificate,
        serverPublicKey: s.serverCertificate,
        secretKey: s.privateKey,
      }
    default:
      return { ...base, securityMode: SecurityMode.NoSec }
  }
}

/** The Security object with the one server account of PSK-ACC. */
export function securityObject(ctx: ConfigurationContext): SecurityObject {
  return createSecurityObject({ accounts: [serverAccount(ctx)] })
}

/** SRV: /1/0/0 = 1, /1/0/1 = 86400, /1/0/6 = false, /1/0/7 = "U" (and the mandatory executable /1/0/8). */
export const SRV: ServerAccountInit = {
  shortServerId: SSID,
  lifetime: 86400,
  notificationStoring: false,
  binding: 'U',
}

/** SRV+: SRV with /1/0/2 = 1 (pmin), /1/0/3 = 10 (pmax), /1/0/5 = 86400 (Disable Timeout). */
export const SRV_PLUS: ServerAccountInit = {
  ...SRV,
  defaultMinPeriod: 1,
  defaultMaxPeriod: 10,
  disableTimeout: 86400,
}

export function serverObject(account: ServerAccountInit = SRV): ServerObject {
  return createServerObject({ servers: [account] })
}

/**
 * DEV: /3/0/0 manufacturer, /3/0/1 model, /3/0/2 serial number, /3/0/3 firmware version,
 * /3/0/11/0 = 0, /3/0/16 = "U", and the executable Reboot /3/0/4. The values are those of the
 * "LwM2M example client" of the Core TS examples. The device has no Current Time (13) and no
 * Reset Error Code (12): Appendix C lists them only in C.6.
 */
export const DEV = {
  manufacturer: 'Open Mobile Alliance',
  modelNumber: 'Lightweight M2M Client',
  serialNumber: '345000123',
  firmwareVersion: '1.0',
  supportedBindings: 'U',
} as const

export function deviceObject(ctx: ConfigurationContext, extra: DeviceObjectOptions = {}): DeviceObject {
  return createDeviceObject({
    ...DEV,
    clock: ctx.clock,
    currentTime: false,
    resetErrorCode: false,
    ...(ctx.onReboot === undefined ? {} : { onReboot: ctx.onReboot }),
    ...extra,
  })
}
