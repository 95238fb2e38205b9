import { randomBytes } from 'node:crypto'
import { createSocket, type Socket } from 'node:dgram'
import { EventEmitter } from 'node:events'
import { isIPv6 } from 'node:net'
import {
  type DatagramHandler,
  type Logger,
  literalLookup,
  type Peer,
  peerKey,
  type SendCallback,
  silentLogger,
  systemClock,
  type TimerHandle,
  type Transport,
  type TransportAddress,
  type TransportEvents,
  transportSymbol,
} from '@lwm2m/coap'
import { toHex } from '../bytes.js'
import { Connection } from '../connection/connection.js'
import type {
  ClientCredentials,
  ConnectionHost,
  ResolvedConfig,
  ResolvedRpk,
  ResolvedX509,
  ServerCredentials,
} from '../connection/host.js'
import { spkiDer, toPrivateKey, toPublicKey } from '../credentials/keys.js'
import { toCertificates } from '../credentials/x509.js'
import { CIPHER_SUITES, type CipherSuite, recordOverhead, suiteByName } from '../crypto/suites.js'
import { DtlsError } from '../errors.js'
import { ClientHandshake } from '../handshake/client-handshake.js'
import { CookieJar } from '../handshake/cookie.js'
import {
  clientHelloCookieInput,
  decodeClientHello,
  decodeHandshakeFragments,
  encodeHandshake,
  encodeHelloVerifyRequest,
} from '../handshake/messages.js'
import { ServerHandshake } from '../handshake/server-handshake.js'
import { HandshakeType } from '../handshake/types.js'
import { decodeDatagram, encodeRecord } from '../record/codec.js'
import { ContentType, DTLS_1_0, type DtlsRecord } from '../record/types.js'
import { BoundedCache } from '../session/cache.js'
import type { SessionState } from '../session/session.js'
import type {
  DtlsClientOptions,
  DtlsClientPeerOptions,
  DtlsCommonOptions,
  DtlsServerOptions,
  RpkOptions,
  X509Options,
} from './options.js'

/** Counters for monitoring and tests. */
export interface DtlsStats {
  /** Established sessions. */
  readonly sessions: number
  /** Handshakes in progress (after the cookie exchange on a server). */
  readonly handshakes: number
  /** Entries in the session cache. */
  readonly cachedSessions: number
  /** Connection IDs in use. */
  readonly connectionIds: number
  /** HelloVerifyRequests sent (server). */
  readonly helloVerifyRequests: number
}

/** What is known of an established session. */
export interface DtlsSessionInfo {
  /** The peer, with its authenticated identity. */
  readonly peer: Peer
  readonly cipherSuite: string | undefined
  /** True when it was resumed with an abbreviated handshake (RFC 5246 section 7.3). */
  readonly resumed: boolean
  /** True when a Connection ID is used in either direction (RFC 9146). */
  readonly connectionId: boolean
}

/** Events of a DTLS transport. */
export interface DtlsTransportEvents {
  /** A handshake completed; `peer.identity` is the authenticated identity. */
  session: [peer: Peer]
  /** A handshake failed (the error says why; `alert` names the alert sent or received). */
  handshakeFailed: [peer: Peer, error: DtlsError]
  /** An established session ended (close_notify, fatal alert, idle expiry, close()). */
  sessionClosed: [peer: Peer, error: DtlsError]
  /**
   * A session's peer moved to a new address (RFC 9146 section 6: its newest authenticated
   * record, with the Connection ID, came from there): `to` keeps the identity of `from`.
   */
  peerMoved: [from: Peer, to: Peer]
}

const DEFAULT_SUITE_ORDER: readonly string[] = [
  'TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8',
  'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256',
  'TLS_PSK_WITH_AES_128_CCM_8',
  'TLS_PSK_WITH_AES_128_CBC_SHA256',
]

function resolveSuites(
  names: readonly string[] | undefined,
  psk: boolean,
  certificates: boolean,
): CipherSuite[] {
  const list = (names ?? DEFAULT_SUITE_ORDER).map((n) => {
    const s = suiteByName(n)
    if (s === undefined) {
      throw new DtlsError(
        'DTLS_INVALID_ARGUMENT',
        `unknown cipher suite ${n}; known: ${CIPHER_SUITES.map((c) => c.name).join(', ')}`,
      )
    }
    return s
  })
  return list.filter((s) => (s.keyExchange === 'psk' ? psk : certificates))
}

function resolveRpk(o: RpkOptions | undefined): ResolvedRpk | undefined {
  if (o === undefined) return undefined
  const privateKey = toPrivateKey(o.privateKey)
  const publicKey = toPublicKey(o.publicKey ?? privateKey)
  return { privateKey, spki: spkiDer(publicKey), verifyPeer: o.verifyPeer }
}

function resolveX509(o: X509Options | undefined): ResolvedX509 | undefined {
  if (o === undefined) return undefined
  const privateKey = toPrivateKey(o.privateKey)
  const chain = toCertificates(o.certificateChain)
  return {
    privateKey,
    chain: chain.map((c) => new Uint8Array(c.raw)),
    anchors: toCertificates(o.trustAnchors ?? []),
    verifyPeer: o.verifyPeer,
  }
}

function positive(name: string, v: number | undefined, dflt: number, min = 0): number {
  if (v === undefined) return dflt
  if (!Number.isFinite(v) || v < min)
    throw new DtlsError('DTLS_INVALID_ARGUMENT', `${name} must be a number >= ${min}`)
  return v
}

function resolveConfig(o: DtlsCommonOptions, role: 'client' | 'server'): ResolvedConfig {
  const l = o.limits ?? {}
  const cid = o.connectionId
  const cidLength = cid === false ? false : positive('connectionId', cid, role === 'server' ? 6 : 0)
  if (cidLength !== false && cidLength > 32)
    throw new DtlsError('DTLS_INVALID_ARGUMENT', 'connectionId must be 0..32 bytes')
  const initial = positive('retransmission.initial', o.retransmission?.initial, 1000, 1)
  return {
    mtu: positive('mtu', o.mtu, 1280, 256),
    retransmitInitial: initial,
    retransmitMax: Math.max(initial, positive('retransmission.max', o.retransmission?.max, 60_000, 1)),
    limits: {
      maxSessions: positive('limits.maxSessions', l.maxSessions, 10_000),
      maxHandshakes: positive('limits.maxHandshakes', l.maxHandshakes, 1000),
      maxReassemblyBytes: positive('limits.maxReassemblyBytes', l.maxReassemblyBytes, 65_536, 1024),
      maxQueuedBytes: positive('limits.maxQueuedBytes', l.maxQueuedBytes, 65_536),
      idleTimeout: positive('limits.idleTimeout', l.idleTimeout, 30 * 60_000, 1),
      sessionCacheSize: positive('limits.sessionCacheSize', l.sessionCacheSize, 10_000),
      sessionLifetime: positive('limits.sessionLifetime', l.sessionLifetime, 24 * 3_600_000, 1),
    },
    cidLength,
    requireExtendedMasterSecret: o.requireExtendedMasterSecret ?? false,
    replayWindow: positive('replayWindow', o.replayWindow, 64, 1),
    clock: o.clock ?? systemClock,
    random: o.random ?? ((n) => randomBytes(n)),
  }
}

/**
 * DTLS 1.2 over one UDP socket, as a `Transport` for @lwm2m/coap (scheme "coaps"). The
 * server answers handshakes after a stateless cookie exchange; the client starts a
 * handshake when it first sends to a server and queues data until the session is up.
 * Every datagram handed up carries the peer's authenticated identity.
 */
export class DtlsTransport extends EventEmitter<DtlsTransportEvents> implements Transport, ConnectionHost {
  readonly [transportSymbol] = true as const
  readonly scheme = 'coaps' as const
  readonly role: 'client' | 'server'
  readonly maxDatagramSize: number
  readonly config: ResolvedConfig
  readonly logger: Logger
  readonly sessionCache: BoundedCache<SessionState>

  private readonly options: DtlsServerOptions | DtlsClientOptions
  private readonly serverCreds: ServerCredentials | undefined
  private readonly clientCreds: ClientCredentials | undefined
  private readonly cookies: CookieJar | undefined
  private socket: Socket | undefined
  private handler: DatagramHandler | undefined
  private events: TransportEvents | undefined
  private readonly byAddress = new Map<string, Connection>()
  private readonly byCid = new Map<string, Connection>()
  private handshakeCount = 0
  private sessionCount = 0
  private hvrCount = 0
  private sweepTimer: TimerHandle | undefined
  private closing = false
  private readonly ownCidLength: number

  constructor(role: 'server', options: DtlsServerOptions)
  constructor(role: 'client', options: DtlsClientOptions)
  constructor(role: 'client' | 'server', options: DtlsServerOptions | DtlsClientOptions) {
    super()
    this.role = role
    this.options = options
    this.config = resolveConfig(options, role)
    this.logger = options.logger ?? silentLogger
    this.ownCidLength = this.config.cidLength === false ? 0 : this.config.cidLength
    this.sessionCache = new BoundedCache(
      this.config.clock,
      this.config.limits.sessionCacheSize,
      this.config.limits.sessionLifetime,
    )
    this.maxDatagramSize =
      this.config.mtu - recordOverhead(suiteByName('TLS_PSK_WITH_AES_128_CBC_SHA256'), 33)
    if (role === 'server') {
      const o = options as DtlsServerOptions
      const rpk = resolveRpk(o.rpk)
      const x509 = resolveX509(o.x509)
      const suites = resolveSuites(
        o.cipherSuites,
        o.psk !== undefined,
        rpk !== undefined || x509 !== undefined,
      )
      if (suites.length === 0) {
        throw new DtlsError(
          'DTLS_INVALID_ARGUMENT',
          'no usable cipher suite: configure psk, rpk or x509 credentials',
        )
      }
      this.serverCreds = {
        suites,
        psk: o.psk,
        rpk,
        x509,
        requireClientAuthentication: o.requireClientAuthentication ?? true,
        serverName: o.serverName,
      }
      this.cookies = new CookieJar(this.config.clock, this.config.random, o.cookieRotation ?? 300_000)
    } else {
      const o = options as DtlsClientOptions
      this.clientCreds = this.resolveClientCreds(o, o.peerOptions === undefined)
    }
  }

  private resolveClientCreds(o: DtlsClientPeerOptions, strict: boolean): ClientCredentials | undefined {
    const rpk = resolveRpk(o.rpk)
    const x509 = resolveX509(o.x509)
    const suites = resolveSuites(o.cipherSuites, o.psk !== undefined, rpk !== undefined || x509 !== undefined)
    if (suites.length === 0) {
      if (strict)
        throw new DtlsError(
          'DTLS_INVALID_ARGUMENT',
          'no usable cipher suite: configure psk, rpk or x509 credentials',
        )
      return undefined
    }
    return { suites, psk: o.psk, rpk, x509, serverName: o.serverName }
  }

  // ------------------------------------------------------------ Transport

  async open(handler: DatagramHandler, events?: TransportEvents): Promise<void> {
    if (this.socket !== undefined)
      throw new DtlsError('DTLS_INVALID_ARGUMENT', 'the transport is already open')
    this.handler = handler
    this.events = events
    const host = this.options.host ?? '0.0.0.0'
    const type = this.options.type ?? (isIPv6(host) ? 'udp6' : 'udp4')
    const socket = createSocket({ type, lookup: literalLookup })
    this.socket = socket
    socket.on('message', (msg, rinfo) => this.handleDatagram(msg, rinfo.address, rinfo.port))
    socket.on('error', (e) => this.logger.warn('dtls: socket error', { error: String(e) }))
    await new Promise<void>((resolve, reject) => {
      const onError = (e: Error): void =>
        reject(new DtlsError('DTLS_SOCKET', `cannot bind ${host}: ${e.message}`, { cause: e }))
      socket.once('error', onError)
      socket.bind(this.options.port ?? (this.role === 'server' ? 5684 : 0), host, () => {
        socket.off('error', onError)
        resolve()
      })
    })
    this.armSweep()
  }

  address(): TransportAddress {
    if (this.socket === undefined) throw new DtlsError('DTLS_INVALID_ARGUMENT', 'the transport is not open')
    const a = this.socket.address()
    return { address: a.address, port: a.port, family: a.family === 'IPv6' ? 'IPv6' : 'IPv4' }
  }

  send(datagram: Uint8Array, peer: Peer, callback?: SendCallback): void {
    if (this.socket === undefined || this.closing) {
      this.sendFailed(peer, new DtlsError('DTLS_CLOSED', 'the transport is not open'), callback)
      return
    }
    let conn = this.byAddress.get(peerKey(peer))
    if (conn === undefined || conn.closed) {
      if (this.role === 'server') {
        const err = new DtlsError('DTLS_NO_SESSION', `no DTLS session with ${peerKey(peer)}`)
        this.sendFailed(peer, err, callback)
        return
      }
      try {
        conn = this.connect(peer)
      } catch (e) {
        this.sendFailed(peer, e as Error, callback)
        return
      }
    }
    conn.sendApplicationData(datagram, callback)
  }

  /** A send that failed before reaching a session: to its callback, else to the log. */
  private sendFailed(peer: Peer, error: Error, callback: SendCallback | undefined): void {
    if (callback !== undefined) callback(error)
    else this.logger.debug('dtls: send failed', { peer: peerKey(peer), error: error.message })
  }

  async close(): Promise<void> {
    if (this.closing) return
    this.closing = true
    if (this.sweepTimer !== undefined) this.config.clock.clearTimeout(this.sweepTimer)
    for (const c of [...this.byAddress.values(), ...this.byCid.values()]) c.close()
    this.byAddress.clear()
    this.byCid.clear()
    const s = this.socket
    if (s !== undefined) await new Promise<void>((resolve) => s.close(() => resolve()))
  }

  // ------------------------------------------------------------ public helpers

  stats(): DtlsStats {
    return {
      sessions: this.sessionCount,
      handshakes: this.handshakeCount,
      cachedSessions: this.sessionCache.size,
      connectionIds: this.byCid.size,
      helloVerifyRequests: this.hvrCount,
    }
  }

  /** The established session with a peer, if any: its identity, cipher suite and how it was made. */
  session(peer: Pick<Peer, 'address' | 'port'>): DtlsSessionInfo | undefined {
    const c = this.byAddress.get(peerKey(peer))
    if (c === undefined || !c.established) return undefined
    const suite = CIPHER_SUITES.find((s) => s.id === c.cipherSuite)?.name
    return {
      peer: c.peer,
      cipherSuite: suite,
      resumed: c.resumed,
      connectionId: c.peerCid.length > 0 || c.ownCid.length > 0,
    }
  }

  /** Ends the session with a peer (close_notify). */
  closeSession(peer: Pick<Peer, 'address' | 'port'>): void {
    this.byAddress.get(peerKey(peer))?.close()
  }

  /** Forgets the cached session for resumption with a server (client) . */
  forgetCachedSession(peer: Pick<Peer, 'address' | 'port'>): void {
    this.sessionCache.delete(peerKey(peer))
  }

  // ------------------------------------------------------------ receiving

  /** One datagram from the socket (public so that tests can inject spoofed sources). */
  handleDatagram(msg: Uint8Array, address: string, port: number): void {
    if (this.closing) return
    try {
      this.dispatch(msg, address, port)
    } catch (e) {
      // Never let one datagram take the transport down.
      this.logger.error('dtls: unexpected error while handling a datagram', { error: String(e) })
    }
  }

  private dispatch(msg: Uint8Array, address: string, port: number): void {
    if (msg.length < 13) return
    const key = peerKey({ address, port })
    let conn: Connection | undefined
    if (msg[0] === ContentType.tls12_cid && this.ownCidLength > 0) {
      if (msg.length < 11 + this.ownCidLength) return
      conn = this.byCid.get(toHex(msg.subarray(11, 11 + this.ownCidLength)))
      if (conn === undefined) return
    } else {
      conn = this.byAddress.get(key)
    }
    const { records } = decodeDatagram(msg, this.ownCidLength)
    if (records.length === 0) return
    if (this.role === 'server') {
      const first = records[0]!
      if (
        first.epoch === 0 &&
        first.type === ContentType.handshake &&
        (conn === undefined || this.isNewClientHello(conn, first))
      ) {
        this.onClientHello(first, address, port, conn)
        return
      }
    }
    if (conn === undefined) return
    conn.receive(records, address, port)
  }

  /** A ClientHello at epoch 0 for an existing connection: new unless it repeats the running handshake's. */
  private isNewClientHello(conn: Connection, record: DtlsRecord): boolean {
    let random: Uint8Array | undefined
    try {
      const f = decodeHandshakeFragments(record.fragment)[0]
      if (f === undefined || f.type !== HandshakeType.client_hello || f.body.length < 34) return false
      random = f.body.subarray(2, 34)
    } catch {
      return false
    }
    if (conn.established) return true
    const r = conn.clientRandom
    return r === undefined || Buffer.compare(r, random) !== 0
  }

  /**
   * RFC 6347 section 4.2.1: a ClientHello without a valid cookie gets a HelloVerifyRequest
   * and allocates nothing; one with a valid cookie starts a handshake (within the limits).
   */
  private onClientHello(
    record: DtlsRecord,
    address: string,
    port: number,
    existing: Connection | undefined,
  ): void {
    let fragment: ReturnType<typeof decodeHandshakeFragments>[number] | undefined
    let hello: ReturnType<typeof decodeClientHello>
    try {
      fragment = decodeHandshakeFragments(record.fragment)[0]
      if (fragment === undefined || fragment.type !== HandshakeType.client_hello) return
      // Before the cookie nothing is reassembled: the ClientHello must come whole.
      if (fragment.fragmentOffset !== 0 || fragment.body.length !== fragment.length) return
      hello = decodeClientHello(fragment.body)
    } catch {
      return // malformed: dropped without state (no alert before the cookie)
    }
    const cookies = this.cookies!
    const params = clientHelloCookieInput(fragment.body)
    if (!cookies.verify(address, port, params, hello.cookie)) {
      const cookie = cookies.make(address, port, params)
      const hvr = encodeHandshake(
        HandshakeType.hello_verify_request,
        fragment.messageSeq,
        encodeHelloVerifyRequest({ version: DTLS_1_0, cookie }),
      )
      // The HelloVerifyRequest reuses the ClientHello's record sequence number (RFC 6347 section 4.2.1).
      const out = encodeRecord({
        type: ContentType.handshake,
        version: DTLS_1_0,
        epoch: 0,
        sequence: record.sequence,
        fragment: hvr,
      })
      this.hvrCount++
      this.socket?.send(out, port, address)
      return
    }
    const limits = this.config.limits
    if (
      this.handshakeCount >= limits.maxHandshakes ||
      this.sessionCount + this.handshakeCount >= limits.maxSessions
    ) {
      this.logger.warn('dtls: handshake refused, limit reached', { peer: peerKey({ address, port }) })
      return
    }
    if (existing !== undefined) {
      // RFC 6347 section 4.2.8: the client proved reachability, the old association goes.
      existing.shutdown(new DtlsError('DTLS_CLOSED', 'replaced by a new handshake from the same address'))
    }
    const conn = new Connection(this, 'server', address, port)
    conn.setSendSeq(fragment.messageSeq)
    conn.reassembler.next = fragment.messageSeq + 1
    conn.setInitialSequence(record.sequence)
    const body = new Uint8Array(fragment.body)
    conn.clientRandom = body.subarray(2, 34)
    const hs = new ServerHandshake(conn, this.serverCreds!)
    conn.handshake = hs
    this.byAddress.set(conn.key, conn)
    this.handshakeCount++
    conn.runAsync(
      hs.start(
        decodeClientHello(body),
        encodeHandshake(HandshakeType.client_hello, fragment.messageSeq, body),
      ),
    )
  }

  private connect(peer: Peer): Connection {
    const limits = this.config.limits
    if (
      this.handshakeCount >= limits.maxHandshakes ||
      this.sessionCount + this.handshakeCount >= limits.maxSessions
    ) {
      throw new DtlsError('DTLS_LIMIT', 'too many sessions or handshakes')
    }
    const o = this.options as DtlsClientOptions
    const override = o.peerOptions?.(peer)
    let creds = this.clientCreds
    if (override !== undefined) {
      const base: DtlsClientPeerOptions = {
        ...(o.psk === undefined ? {} : { psk: o.psk }),
        ...(o.rpk === undefined ? {} : { rpk: o.rpk }),
        ...(o.x509 === undefined ? {} : { x509: o.x509 }),
        ...(o.serverName === undefined ? {} : { serverName: o.serverName }),
        ...(o.cipherSuites === undefined ? {} : { cipherSuites: o.cipherSuites }),
      }
      creds = this.resolveClientCreds({ ...base, ...override }, true)
    }
    if (creds === undefined) {
      throw new DtlsError(
        'DTLS_INVALID_ARGUMENT',
        `no credentials for ${peerKey(peer)}: configure psk, rpk or x509`,
      )
    }
    const conn = new Connection(this, 'client', peer.address, peer.port)
    const cached = this.sessionCache.get(conn.key)
    const hs = new ClientHandshake(conn, creds, cached)
    conn.handshake = hs
    this.byAddress.set(conn.key, conn)
    this.handshakeCount++
    hs.start()
    return conn
  }

  // ------------------------------------------------------------ ConnectionHost

  sendDatagram(conn: Connection, datagram: Uint8Array, callback?: (error?: Error) => void): void {
    const s = this.socket
    if (s === undefined) {
      callback?.(new DtlsError('DTLS_CLOSED', 'the transport is not open'))
      return
    }
    if (callback === undefined) {
      s.send(datagram, conn.port, conn.address)
      return
    }
    s.send(datagram, conn.port, conn.address, (err) =>
      callback(err ? new DtlsError('DTLS_SOCKET', `send failed: ${err.message}`, { cause: err }) : undefined),
    )
  }

  onEstablished(conn: Connection): void {
    this.handshakeCount--
    this.sessionCount++
    const s = conn.session
    if (s !== undefined) this.sessionCache.set(this.role === 'server' ? toHex(s.id) : conn.key, s)
    this.logger.debug('dtls: session established', { peer: conn.key, identity: conn.identity?.mode })
    this.emit('session', conn.peer)
  }

  onData(conn: Connection, data: Uint8Array): void {
    this.handler?.(data, conn.peer)
  }

  onClosed(conn: Connection, error: Error, wasEstablished: boolean): void {
    if (wasEstablished) this.sessionCount--
    else this.handshakeCount--
    if (this.byAddress.get(conn.key) === conn) this.byAddress.delete(conn.key)
    if (conn.ownCid.length > 0) {
      const k = toHex(conn.ownCid)
      if (this.byCid.get(k) === conn) this.byCid.delete(k)
    }
    const err = DtlsError.isInstance(error)
      ? error
      : new DtlsError('DTLS_CLOSED', error.message, { cause: error })
    if (wasEstablished) this.emit('sessionClosed', conn.peer, err)
    else if (!this.closing) {
      this.logger.info('dtls: handshake failed', { peer: conn.key, error: err.message })
      this.emit('handshakeFailed', conn.peer, err)
    }
  }

  onAddressChange(conn: Connection, address: string, port: number): void {
    const from = conn.peer
    const oldKey = conn.key
    if (this.byAddress.get(oldKey) === conn) this.byAddress.delete(oldKey)
    conn.address = address
    conn.port = port
    conn.key = peerKey({ address, port })
    const displaced = this.byAddress.get(conn.key)
    if (displaced !== undefined && displaced !== conn && displaced.ownCid.length === 0) {
      displaced.shutdown(new DtlsError('DTLS_CLOSED', 'another session moved to this address'))
    }
    this.byAddress.set(conn.key, conn)
    this.logger.info('dtls: peer address changed (connection ID)', { from: oldKey, to: conn.key })
    // Before the record that moved the peer is handed up: the CoAP endpoint re-keys its state first.
    const to = conn.peer
    this.events?.peerMoved?.(from, to)
    this.emit('peerMoved', from, to)
  }

  forgetSession(conn: Connection): void {
    if (this.role === 'client') this.sessionCache.delete(conn.key)
    else if (conn.session !== undefined) this.sessionCache.delete(toHex(conn.session.id))
  }

  allocateCid(conn: Connection): Uint8Array {
    const n = this.ownCidLength
    for (let i = 0; i < 16; i++) {
      const cid = new Uint8Array(this.config.random(n))
      const k = toHex(cid)
      if (!this.byCid.has(k)) {
        this.byCid.set(k, conn)
        return cid
      }
    }
    throw new DtlsError('DTLS_LIMIT', 'cannot find a free connection ID')
  }

  releaseCid(conn: Connection): void {
    const k = toHex(conn.ownCid)
    if (this.byCid.get(k) === conn) this.byCid.delete(k)
  }

  // ------------------------------------------------------------ idle expiry

  private armSweep(): void {
    const idle = this.config.limits.idleTimeout
    const every = Math.min(60_000, Math.max(1000, Math.floor(idle / 4)))
    this.sweepTimer = this.config.clock.setTimeout(() => {
      this.sweep()
      if (!this.closing) this.armSweep()
    }, every)
  }

  /** Closes sessions idle longer than `limits.idleTimeout` and drops expired cache entries. */
  sweep(): void {
    const now = this.config.clock.now()
    const idle = this.config.limits.idleTimeout
    const seen = new Set<Connection>()
    for (const c of [...this.byAddress.values(), ...this.byCid.values()]) {
      if (seen.has(c)) continue
      seen.add(c)
      if (c.established && now - c.lastActivity >= idle) {
        this.logger.debug('dtls: idle session expired', { peer: c.key })
        c.close()
      }
    }
    this.sessionCache.sweep()
  }
}

/** A DTLS server transport (scheme "coaps"). */
export function dtlsServer(options: DtlsServerOptions): DtlsTransport {
  return new DtlsTransport('server', options)
}

/** A DTLS client transport: sending to a server starts the handshake. */
export function dtlsClient(options: DtlsClientOptions): DtlsTransport {
  return new DtlsTransport('client', options)
}

/** One factory for both roles. */
export function dtls(
  options: ({ role: 'server' } & DtlsServerOptions) | ({ role: 'client' } & DtlsClientOptions),
): DtlsTransport {
  return options.role === 'server'
    ? new DtlsTransport('server', options)
    : new DtlsTransport('client', options)
}
