import type { KeyObject, X509Certificate } from 'node:crypto'
import type { Clock, Logger } from '@lwm2m/coap'
import type { CipherSuite } from '../crypto/suites.js'
import type { BoundedCache } from '../session/cache.js'
import type { SessionState } from '../session/session.js'
import type { HandshakeInfo, MaybePromise, PskClientOptions, PskServerOptions } from '../transport/options.js'
import type { Connection } from './connection.js'

/** Resolved raw-public-key credentials. */
export interface ResolvedRpk {
  readonly privateKey: KeyObject
  readonly spki: Uint8Array
  readonly verifyPeer: ((publicKey: Uint8Array, info: HandshakeInfo) => MaybePromise<boolean>) | undefined
}

/** Resolved X.509 credentials. */
export interface ResolvedX509 {
  readonly privateKey: KeyObject
  readonly chain: readonly Uint8Array[]
  readonly anchors: readonly X509Certificate[]
  readonly verifyPeer:
    | ((chain: readonly X509Certificate[], info: HandshakeInfo) => MaybePromise<boolean>)
    | undefined
}

/** Options with every default applied. */
export interface ResolvedConfig {
  readonly mtu: number
  readonly retransmitInitial: number
  readonly retransmitMax: number
  readonly limits: {
    readonly maxSessions: number
    readonly maxHandshakes: number
    readonly maxReassemblyBytes: number
    readonly maxQueuedBytes: number
    readonly idleTimeout: number
    readonly sessionCacheSize: number
    readonly sessionLifetime: number
  }
  /** Length of the CIDs we ask for, or false when the extension is off. */
  readonly cidLength: number | false
  readonly requireExtendedMasterSecret: boolean
  readonly replayWindow: number
  readonly clock: Clock
  readonly random: (n: number) => Uint8Array
}

/** Server credentials, resolved. */
export interface ServerCredentials {
  readonly suites: readonly CipherSuite[]
  readonly psk: PskServerOptions | undefined
  readonly rpk: ResolvedRpk | undefined
  readonly x509: ResolvedX509 | undefined
  readonly requireClientAuthentication: boolean
  readonly serverName: ((name: string | undefined, info: HandshakeInfo) => MaybePromise<boolean>) | undefined
}

/** Client credentials for one server, resolved. */
export interface ClientCredentials {
  readonly suites: readonly CipherSuite[]
  readonly psk: PskClientOptions | undefined
  readonly rpk: ResolvedRpk | undefined
  readonly x509: ResolvedX509 | undefined
  readonly serverName: string | undefined
}

/** What a connection needs from the endpoint that owns it. */
export interface ConnectionHost {
  readonly config: ResolvedConfig
  readonly logger: Logger
  readonly sessionCache: BoundedCache<SessionState>
  sendDatagram(conn: Connection, datagram: Uint8Array, callback?: (error?: Error) => void): void
  onEstablished(conn: Connection): void
  onData(conn: Connection, data: Uint8Array): void
  onClosed(conn: Connection, error: Error, wasEstablished: boolean): void
  onAddressChange(conn: Connection, address: string, port: number): void
  /** Drops the session from the caches (after a fatal alert). */
  forgetSession(conn: Connection): void
  /** A fresh CID of the configured length, registered for `conn` (server). */
  allocateCid(conn: Connection): Uint8Array
  /** Forgets the CID `conn` asked for (the peer did not negotiate it). */
  releaseCid(conn: Connection): void
}
