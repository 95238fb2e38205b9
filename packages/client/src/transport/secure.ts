import { isIP } from 'node:net'
import type { Clock, Logger, Peer, Transport } from '@lwm2m/coap'
import { ClientError } from '../errors.js'
import {
  type DtlsCipherSuiteName,
  type DtlsCredentialOptions,
  type DtlsCredentials,
  dtlsCredentials,
} from '../security/credentials.js'
import type { TransportContext, TransportFactory } from './factories.js'

/** DTLS settings handed to `dtlsClient` of @lwm2m/dtls as they are (see its README for each). */
export interface SecureTransportDtlsOptions {
  /** Local address to bind (default all addresses of the server's family). */
  readonly host?: string
  /** Local port (default 0: OS-chosen). */
  readonly port?: number
  readonly type?: 'udp4' | 'udp6'
  readonly mtu?: number
  readonly retransmission?: { readonly initial?: number; readonly max?: number }
  /** Connection ID (RFC 9146) length we ask for; default 0 (we use the server's CID only). */
  readonly connectionId?: number | false
  readonly requireExtendedMasterSecret?: boolean
  readonly replayWindow?: number
  readonly limits?: Readonly<Record<string, number>>
  /** Suites to offer when the Security instance has no /0/x/16. */
  readonly cipherSuites?: readonly DtlsCipherSuiteName[]
  readonly random?: (n: number) => Uint8Array
}

/** What `dtlsClient` of @lwm2m/dtls is called with. */
export interface SecureDtlsClientOptions extends SecureTransportDtlsOptions, DtlsCredentials {
  readonly clock: Clock
  readonly logger: Logger
}

/** A DTLS client transport: a Transport that reports failed handshakes (DtlsTransport of @lwm2m/dtls). */
export interface DtlsClientTransport extends Transport {
  on?(event: 'handshakeFailed', listener: (peer: Peer, error: Error) => void): unknown
}

/** The part of @lwm2m/dtls this package uses. */
export interface DtlsModule {
  dtlsClient(options: SecureDtlsClientOptions): DtlsClientTransport
}

/** Options of {@link secureTransport}. */
export interface SecureTransportOptions extends DtlsCredentialOptions {
  /** DTLS settings (Connection ID, retransmission, MTU, limits ...). */
  readonly dtls?: SecureTransportDtlsOptions
  /**
   * @lwm2m/dtls itself, or a function that loads it. Default: `import('@lwm2m/dtls')` the first
   * time a `coaps` server is reached, so that a client with NoSec servers only never loads it
   * and need not have it installed.
   */
  readonly module?: DtlsModule | (() => Promise<DtlsModule>)
  /** A last say over the credentials taken from the Security instance (a custom `verifyPeer`, ...). */
  readonly credentials?: (credentials: DtlsCredentials, context: TransportContext) => DtlsCredentials
}

async function loadDefault(): Promise<DtlsModule> {
  // Typed against the real package at build time: a mismatch of the option shapes fails the build.
  const dtls: DtlsModule = await import('@lwm2m/dtls')
  return dtls
}

async function load(module: SecureTransportOptions['module']): Promise<DtlsModule> {
  if (module !== undefined && typeof module !== 'function') return module
  try {
    return await (module ?? loadDefault)()
  } catch (cause) {
    throw new ClientError(
      'CLIENT_TRANSPORT',
      'a coaps:// server needs @lwm2m/dtls: install it (npm install @lwm2m/dtls) or give transports.coaps',
      { cause },
    )
  }
}

/**
 * The `coaps` transport factory: a DTLS 1.2 client of @lwm2m/dtls set up from the server
 * account's Security instance (see {@link dtlsCredentials}: PSK, raw public keys or
 * certificates by /0/x/2, the server's key or certificate /0/x/4 checked as /0/x/13 and /0/x/15
 * say, the host name of the Server URI or /0/x/14 checked with certificates). The client calls
 * it for each connection, so a changed Server URI or key means a new transport and a new
 * handshake. The secret key goes to the DTLS layer only; nothing here logs it.
 *
 * It is the default `transports.coaps`; give it yourself for other settings:
 * `transports: { coaps: secureTransport({ dtls: { connectionId: 4 } }) }`.
 */
export function secureTransport(options: SecureTransportOptions = {}): TransportFactory {
  return async (context) => {
    // Credentials first: a Security instance that cannot secure the connection fails before loading DTLS.
    const taken = dtlsCredentials(context.security, context.uri, options)
    const credentials = options.credentials === undefined ? taken : options.credentials(taken, context)
    const dtls = await load(options.module)
    const settings = options.dtls ?? {}
    const type = settings.type ?? (isIP(context.uri.host) === 6 ? 'udp6' : 'udp4')
    context.logger.debug('coaps: DTLS client', {
      shortServerId: context.shortServerId,
      mode: credentials.psk ? 'psk' : credentials.rpk ? 'rpk' : credentials.x509 ? 'x509' : 'none',
      ...(credentials.psk === undefined ? {} : { identity: credentials.psk.identity }),
      ...(credentials.serverName === undefined ? {} : { serverName: credentials.serverName }),
    })
    const transport = dtls.dtlsClient({
      ...settings,
      ...credentials,
      type,
      clock: context.clock,
      logger: context.logger,
    })
    // A failed handshake fails the requests waiting for it at once, with the reason.
    const unreachable = context.unreachable
    if (unreachable !== undefined && typeof transport.on === 'function') {
      transport.on('handshakeFailed', (_peer, error) => unreachable(error))
    }
    return transport
  }
}

/** The default `coaps` factory: {@link secureTransport} with its defaults. */
export const defaultCoapsTransport: TransportFactory = secureTransport()
