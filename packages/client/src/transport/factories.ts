import { isIP } from 'node:net'
import type { Clock, CoapUri, Logger, Transport } from '@lwm2m/coap'
import { udp } from '@lwm2m/coap'
import type { SecurityInstance } from '../accounts/accounts.js'

/** What a transport factory is told about the server it must reach. */
export interface TransportContext {
  /** The Server URI (/0/x/0), taken apart. */
  readonly uri: CoapUri
  /**
   * The account's Security instance: security mode, identity, keys (the secret key as
   * the implementation keeps it, SecretBytes for the standard Security object).
   */
  readonly security: SecurityInstance
  readonly shortServerId: number
  readonly clock: Clock
  readonly logger: Logger
  /**
   * Tells the connection that its server cannot be reached for now, with the reason (a failed
   * DTLS handshake: wrong key, unknown identity, untrusted certificate): the requests in flight
   * fail at once with it, instead of at their deadline. Given by the client.
   */
  readonly unreachable?: (error: Error) => void
}

/** Makes the transport of one server connection. Called each time the client (re)connects. */
export type TransportFactory = (context: TransportContext) => Transport | Promise<Transport>

/**
 * The transports by Server URI scheme. `coap` defaults to a UDP socket on an OS-chosen
 * port (udp6 for an IPv6 server); `coaps` defaults to `secureTransport()`: the DTLS client
 * of @lwm2m/dtls (an optional peer dependency, loaded on first use) set up from
 * `context.security` (PSK identity and key, raw public keys or certificates by /0/x/2).
 */
export interface TransportFactories {
  readonly coap?: TransportFactory
  readonly coaps?: TransportFactory
}

/** The default `coap` factory: plain UDP, family by the server's address. */
export const defaultCoapTransport: TransportFactory = ({ uri, logger }) =>
  udp({ type: isIP(uri.host) === 6 ? 'udp6' : 'udp4', logger })
