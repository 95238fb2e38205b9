import type { X509Certificate } from 'node:crypto'
import type { Clock, Logger, Peer } from '@lwm2m/coap'
import type { KeyInput } from '../credentials/keys.js'
import type { CertificateInput } from '../credentials/x509.js'
import type { CipherSuiteName } from '../crypto/suites.js'

/** What a credential callback knows about the handshake asking. */
export interface HandshakeInfo {
  /** The peer's address and port (no identity yet). */
  readonly peer: Peer
  /** The host name the client asked for (RFC 6066 server_name), if any. */
  readonly serverName?: string
}

/** A value or a promise of it: credential look-ups may go to a store. */
export type MaybePromise<T> = T | Promise<T>

/** Server-side PSK: keys looked up by identity (RFC 4279). */
export interface PskServerOptions {
  /** The key for `identity`, or undefined when the identity is unknown (alert unknown_psk_identity). */
  readonly key: (identity: string, info: HandshakeInfo) => MaybePromise<Uint8Array | undefined>
  /** A psk_identity_hint to send in ServerKeyExchange. None by default (some clients cannot handle one). */
  readonly hint?: string
}

/** Client-side PSK: the identity and key to use. */
export interface PskClientOptions {
  readonly identity: string
  readonly key: Uint8Array
}

/** Raw public keys (RFC 7250) on P-256. */
export interface RpkOptions {
  /** Our P-256 private key. */
  readonly privateKey: KeyInput
  /** Our public key; derived from the private key when left out. */
  readonly publicKey?: KeyInput
  /** Trust decision for the peer's key (SubjectPublicKeyInfo, DER). Without it every key is refused. */
  readonly verifyPeer?: (publicKey: Uint8Array, info: HandshakeInfo) => MaybePromise<boolean>
}

/** X.509 certificates with P-256 keys. */
export interface X509Options {
  /** Our P-256 private key. */
  readonly privateKey: KeyInput
  /** Our certificate chain, end-entity first (PEM bundle strings are split). */
  readonly certificateChain: readonly CertificateInput[]
  /** Certificates the peer's chain must lead to. */
  readonly trustAnchors?: readonly CertificateInput[]
  /**
   * A further trust decision after the chain verified against `trustAnchors` (or the only
   * one, when there are no anchors). Without anchors and without this, every chain is refused.
   */
  readonly verifyPeer?: (chain: readonly X509Certificate[], info: HandshakeInfo) => MaybePromise<boolean>
}

/** Flight retransmission (RFC 6347 section 4.2.4.1). */
export interface RetransmissionOptions {
  /** First timeout, milliseconds (default 1000). */
  readonly initial?: number
  /** Largest timeout; the handshake fails once a wait this long ends unanswered (default 60000). */
  readonly max?: number
}

/** Resource limits; every one has a default. */
export interface DtlsLimits {
  /** Established sessions at once (default 10000). */
  readonly maxSessions?: number
  /** Handshakes in progress at once, after the cookie exchange (default 1000). */
  readonly maxHandshakes?: number
  /** Bytes of handshake messages buffered for reassembly per peer (default 65536). */
  readonly maxReassemblyBytes?: number
  /** Bytes of application data queued per peer while its handshake runs (default 65536). */
  readonly maxQueuedBytes?: number
  /** Sessions without traffic for this long are closed, milliseconds (default 30 minutes). */
  readonly idleTimeout?: number
  /** Entries in the session cache for resumption (default 10000; 0 disables resumption). */
  readonly sessionCacheSize?: number
  /** How long a cached session can be resumed, milliseconds (default 24 hours). */
  readonly sessionLifetime?: number
}

/** Options both roles share. */
export interface DtlsCommonOptions {
  /** Local address to bind (default "0.0.0.0" for a server, "0.0.0.0" for a client). */
  readonly host?: string
  /** Local port (default 5684 for a server, 0 for a client). */
  readonly port?: number
  /** "udp4" or "udp6"; default from `host`. */
  readonly type?: 'udp4' | 'udp6'
  /** Cipher suites in order of preference; default: every suite the configured credentials allow. */
  readonly cipherSuites?: readonly CipherSuiteName[]
  /** Largest datagram to send (handshake flights are fragmented to fit; default 1280). */
  readonly mtu?: number
  readonly retransmission?: RetransmissionOptions
  readonly limits?: DtlsLimits
  /**
   * Connection ID (RFC 9146): the length of the CIDs we ask the peer to use (0: we only use
   * the peer's). Default 6 for a server, 0 for a client; `false` disables the extension.
   */
  readonly connectionId?: number | false
  /** Refuse peers that do not support the extended master secret (RFC 7627; default false). */
  readonly requireExtendedMasterSecret?: boolean
  /** Anti-replay window size in records (RFC 6347 section 4.1.2.6; default 64). */
  readonly replayWindow?: number
  readonly clock?: Clock
  readonly logger?: Logger
  /** Source of random bytes (default node:crypto randomBytes). */
  readonly random?: (n: number) => Uint8Array
}

export interface DtlsServerOptions extends DtlsCommonOptions {
  readonly psk?: PskServerOptions
  readonly rpk?: RpkOptions
  readonly x509?: X509Options
  /** Ask clients for a certificate or raw public key on the ECDHE_ECDSA suites (default true). */
  readonly requireClientAuthentication?: boolean
  /**
   * Sees the client's server_name (RFC 6066) before anything else is decided; returning
   * false ends the handshake with unrecognized_name.
   */
  readonly serverName?: (name: string | undefined, info: HandshakeInfo) => MaybePromise<boolean>
  /** How often the cookie secret rotates, milliseconds (default 300000). */
  readonly cookieRotation?: number
}

/** Credentials for one server, for clients that talk to several with different ones. */
export interface DtlsClientPeerOptions {
  readonly psk?: PskClientOptions
  readonly rpk?: RpkOptions
  readonly x509?: X509Options
  /** Host name to send as server_name (RFC 6066) and, with X.509, to check the certificate against. */
  readonly serverName?: string
  readonly cipherSuites?: readonly CipherSuiteName[]
}

export interface DtlsClientOptions extends DtlsCommonOptions, DtlsClientPeerOptions {
  /** Per-server credentials; what it returns replaces the top-level ones for that server. */
  readonly peerOptions?: (peer: Peer) => DtlsClientPeerOptions | undefined
}
