/** The security identity a secure transport authenticated for a peer (DESIGN.md, "Swapping"). */
export type PeerIdentity =
  /** Pre-shared key: the PSK identity the peer used, as UTF-8 text. */
  | { readonly mode: 'psk'; readonly identity: string }
  /** Raw public key (RFC 7250): the peer's SubjectPublicKeyInfo, DER. */
  | { readonly mode: 'rpk'; readonly publicKey: Uint8Array }
  /** X.509: the peer's end-entity certificate (DER) and its subject, e.g. "CN=node-1". */
  | { readonly mode: 'x509'; readonly certificate: Uint8Array; readonly subject: string }

/** A remote party: where a datagram came from or goes to, and who it proved to be. */
export interface Peer {
  /** IPv4 or IPv6 address literal (no brackets). */
  readonly address: string
  readonly port: number
  /** Filled in by secure transports only, for every datagram of an authenticated session. */
  readonly identity?: PeerIdentity
}

/** The local address a transport is bound to. */
export interface TransportAddress {
  readonly address: string
  readonly port: number
  readonly family: 'IPv4' | 'IPv6'
}

/** Receives each datagram with the peer it came from. */
export type DatagramHandler = (datagram: Uint8Array, peer: Peer) => void

/** Called once a datagram was handed to the network, or failed to be. */
export type SendCallback = (error?: Error) => void

/**
 * What a transport tells its user beside datagrams. Every member is optional: a transport
 * calls those it has reason to, and a user may leave out those it does not care about.
 */
export interface TransportEvents {
  /**
   * The peer that was at `from` is now at `to`, in the same secure session: a NAT rebinding
   * carried over by a DTLS Connection ID (RFC 9146 section 6), where the newest authenticated
   * record moves the peer. Called before the first datagram from `to` is handed up; from then on
   * the transport sends to `to` and no longer knows `from`. `to` keeps the peer's identity.
   */
  readonly peerMoved?: (from: Peer, to: Peer) => void
}

export const transportSymbol: unique symbol = Symbol.for('@lwm2m/coap/transport') as never

/**
 * Datagram in, datagram out, per peer: the only way @lwm2m/coap reaches the network.
 * Implementations: the UDP transport, the in-memory transport, @lwm2m/dtls, or
 * anyone's adapter. Every implementation should pass `transportCompliance` from
 * `@lwm2m/coap/testing`.
 */
export interface Transport {
  readonly [transportSymbol]: true
  /** The URI scheme this transport serves: "coap" or "coaps". */
  readonly scheme: 'coap' | 'coaps'
  /** Largest datagram the transport can carry, if it knows (for choosing block sizes). */
  readonly maxDatagramSize?: number
  /**
   * Binds and starts delivering datagrams to `handler`, and what else happens to peers to
   * `events` (if the transport has any to tell). Called once.
   */
  open(handler: DatagramHandler, events?: TransportEvents): Promise<void>
  /**
   * Sends one datagram; errors go to `callback` (never thrown for network errors), or are
   * logged by the transport when there is no callback. Secure transports report a handshake
   * that failed to the callbacks of the datagrams that waited for it.
   */
  send(datagram: Uint8Array, peer: Peer, callback?: SendCallback): void
  /** The bound address, once open. */
  address(): TransportAddress
  /** Stops receiving and releases the socket. Idempotent. */
  close(): Promise<void>
}

/** True for a Transport from any copy of this package. */
export function isTransport(value: unknown): value is Transport {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as Record<symbol, unknown>)[transportSymbol] === true
  )
}

/** A stable string key for a peer's address: "1.2.3.4:5683" or "[::1]:5683". */
export function peerKey(peer: Pick<Peer, 'address' | 'port'>): string {
  return peer.address.includes(':') ? `[${peer.address}]:${peer.port}` : `${peer.address}:${peer.port}`
}
