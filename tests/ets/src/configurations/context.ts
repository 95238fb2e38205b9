import type { Clock } from '@lwm2m/coap'
import type { Lwm2mVersion } from '@lwm2m/core'
import type { ObjectImplementation } from '@lwm2m/objects'

/**
 * The credentials of a server account as the harness runs it. Appendix C provisions PSK
 * (Security Mode 0) or certificates (mode 2); over the in-memory network without DTLS the
 * same account is provisioned as NoSec (mode 3), since the cases run there test the
 * interfaces, not the security (which int-401 ... int-403 do over DTLS).
 */
export type AccountSecurity =
  | { readonly mode: 'nosec' }
  | { readonly mode: 'psk'; readonly identity: string; readonly key: Uint8Array }
  | {
      readonly mode: 'x509'
      /** client.crt, DER (/0/x/3). */
      readonly certificate: Uint8Array
      /** client.key, PKCS#8 DER (/0/x/5). */
      readonly privateKey: Uint8Array
      /** server.crt, DER (/0/x/4). */
      readonly serverCertificate: Uint8Array
    }

/** What a configuration is built from: where the server is, how to reach it, the device's clock. */
export interface ConfigurationContext {
  /** The LwM2M Server URI (/0/0/0). */
  readonly serverUri: string
  readonly security: AccountSecurity
  readonly clock: Clock
  readonly version: Lwm2mVersion
  /** What Reboot (/3/0/4) does: the harness restarts the client. */
  readonly onReboot?: () => void | Promise<void>
  /** The device moved to another bearer (another network address): the harness reconnects the client. */
  readonly onNetworkChange?: () => void | Promise<void>
}

/** A client set-up of Appendix C: the objects the client hosts, some of them named for the tests. */
export interface ClientConfiguration {
  /** "C.1", "C.3" ... */
  readonly id: string
  readonly objects: readonly ObjectImplementation[]
}

/** Builds a configuration. */
export type Configure<C extends ClientConfiguration> = (context: ConfigurationContext) => C
