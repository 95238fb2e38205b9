import { createECDH, type ECDH, type KeyObject, sign, timingSafeEqual, verify } from 'node:crypto'
import { isIP } from 'node:net'
import type { PeerIdentity } from '@lwm2m/coap'
import { equalBytes } from '../bytes.js'
import type { Connection, FlightItem, Handshake } from '../connection/connection.js'
import type { ClientCredentials } from '../connection/host.js'
import { peerPublicKey } from '../credentials/keys.js'
import { subjectString, verifyPeerChain } from '../credentials/x509.js'
import { pskPremaster } from '../crypto/prf.js'
import type { CipherSuite } from '../crypto/suites.js'
import { DtlsHandshakeError } from '../errors.js'
import { AlertDescription } from '../record/alert.js'
import { DTLS_1_2 } from '../record/types.js'
import type { SessionState } from '../session/session.js'
import type { HandshakeInfo } from '../transport/options.js'
import { computeMasterSecret, computeVerifyData, deriveCipherStates } from './key-schedule.js'
import {
  type ClientHello,
  decodeCertificate,
  decodeCertificateRequest,
  decodeEcdheServerKeyExchange,
  decodeEmpty,
  decodeFinished,
  decodeHelloVerifyRequest,
  decodeOpaque8,
  decodePskServerKeyExchange,
  decodeServerHello,
  type Extension,
  encodeCertificate,
  encodeCertificateVerify,
  encodeClientHello,
  encodeEcdheClientKeyExchange,
  encodeOpaque8,
  encodePskClientKeyExchange,
  encodeServerName,
  encodeU8List,
  encodeU16List,
  findExtension,
  type ServerHello,
} from './messages.js'
import type { HandshakeMessage } from './reassembler.js'
import { Transcript } from './transcript.js'
import {
  CertificateType,
  CLIENT_CERT_ECDSA_SIGN,
  ExtensionType,
  HandshakeType,
  NAMED_CURVE_SECP256R1,
  SIG_ECDSA_SHA256,
} from './types.js'

type State =
  | 'wait_server_hello'
  | 'wait_certificate'
  | 'wait_server_key_exchange'
  | 'wait_certificate_request_or_done'
  | 'wait_psk_key_exchange_or_done'
  | 'wait_server_hello_done'
  | 'wait_change_cipher_spec'
  | 'wait_finished'
  | 'done'

function fatal(alert: number, message: string, cause?: unknown): DtlsHandshakeError {
  return new DtlsHandshakeError('DTLS_HANDSHAKE_FAILED', message, alert, false, cause)
}

/**
 * The client side of the DTLS 1.2 handshake (RFC 6347 section 4.2, RFC 5246 section 7):
 * the cookie exchange, full handshakes with PSK or ECDHE_ECDSA (raw public keys or X.509,
 * with client authentication when asked), abbreviated handshakes with a cached session,
 * the extended master secret, renegotiation_info, server_name and Connection ID.
 */
export class ClientHandshake implements Handshake {
  private readonly conn: Connection
  private readonly creds: ClientCredentials
  private readonly cached: SessionState | undefined
  private readonly transcript = new Transcript()
  private state: State = 'wait_server_hello'
  private readonly clientRandom: Uint8Array
  private serverRandom!: Uint8Array
  private hello!: ClientHello
  private helloVerifyCount = 0
  private suite!: CipherSuite
  private ems = false
  private resumed = false
  private sessionId: Uint8Array = new Uint8Array(0)
  private masterSecret: Uint8Array | undefined
  private serverCertType: number = CertificateType.x509
  private clientCertType: number = CertificateType.x509
  private serverKey: KeyObject | undefined
  private serverPoint: Uint8Array | undefined
  private certificateRequested = false
  private identity: PeerIdentity | undefined
  private readonly info: HandshakeInfo

  constructor(conn: Connection, creds: ClientCredentials, cached: SessionState | undefined) {
    this.conn = conn
    this.creds = creds
    this.cached = cached
    this.clientRandom = conn.host.config.random(32)
    conn.clientRandom = this.clientRandom
    this.info =
      creds.serverName === undefined
        ? { peer: { address: conn.address, port: conn.port } }
        : { peer: { address: conn.address, port: conn.port }, serverName: creds.serverName }
  }

  get awaitingFinished(): boolean {
    return this.state === 'wait_finished'
  }

  acceptChangeCipherSpec(): boolean {
    if (this.state !== 'wait_change_cipher_spec') return false
    this.state = 'wait_finished'
    return true
  }

  /** Sends the first ClientHello. */
  start(): void {
    const creds = this.creds
    const conn = this.conn
    const hasEcdhe = creds.suites.some((s) => s.keyExchange === 'ecdhe_ecdsa')
    const extensions: Extension[] = []
    if (creds.serverName !== undefined && isIP(creds.serverName) === 0) {
      extensions.push({ type: ExtensionType.server_name, data: encodeServerName(creds.serverName) })
    }
    if (hasEcdhe) {
      extensions.push({ type: ExtensionType.supported_groups, data: encodeU16List([NAMED_CURVE_SECP256R1]) })
      extensions.push({ type: ExtensionType.ec_point_formats, data: encodeU8List([0]) })
      extensions.push({ type: ExtensionType.signature_algorithms, data: encodeU16List([SIG_ECDSA_SHA256]) })
      // RFC 7250: offer raw public keys when we have one; X.509 is the default when the extension is absent.
      if (creds.rpk !== undefined) {
        const serverTypes =
          creds.x509 !== undefined
            ? [CertificateType.raw_public_key, CertificateType.x509]
            : [CertificateType.raw_public_key]
        extensions.push({ type: ExtensionType.server_certificate_type, data: encodeU8List(serverTypes) })
        const clientTypes =
          creds.x509 !== undefined
            ? [CertificateType.raw_public_key, CertificateType.x509]
            : [CertificateType.raw_public_key]
        extensions.push({ type: ExtensionType.client_certificate_type, data: encodeU8List(clientTypes) })
      }
    }
    extensions.push({ type: ExtensionType.extended_master_secret, data: new Uint8Array(0) })
    extensions.push({ type: ExtensionType.renegotiation_info, data: encodeOpaque8(new Uint8Array(0)) })
    const cidLength = conn.host.config.cidLength
    if (cidLength !== false) {
      conn.ownCid = cidLength > 0 ? conn.host.allocateCid(conn) : new Uint8Array(0)
      extensions.push({ type: ExtensionType.connection_id, data: encodeOpaque8(conn.ownCid) })
    }
    this.hello = {
      version: DTLS_1_2,
      random: this.clientRandom,
      sessionId: this.cached?.id ?? new Uint8Array(0),
      cookie: new Uint8Array(0),
      cipherSuites: creds.suites.map((s) => s.id),
      compressionMethods: [0],
      extensions,
    }
    this.sendHello()
  }

  private sendHello(): void {
    this.transcript.reset()
    const m = this.conn.message(HandshakeType.client_hello, encodeClientHello(this.hello))
    this.transcript.add(m.raw)
    this.conn.sendFlight([m.item], false)
  }

  handle(m: HandshakeMessage, raw: Uint8Array): void | Promise<void> {
    switch (this.state) {
      case 'wait_server_hello':
        if (m.type === HandshakeType.hello_verify_request) return this.onHelloVerifyRequest(m.body)
        if (m.type === HandshakeType.server_hello) return this.onServerHello(m.body, raw)
        break
      case 'wait_certificate':
        if (m.type === HandshakeType.certificate) return this.onCertificate(m.body, raw)
        break
      case 'wait_server_key_exchange':
        if (m.type === HandshakeType.server_key_exchange) return this.onEcdheServerKeyExchange(m.body, raw)
        break
      case 'wait_certificate_request_or_done':
        if (m.type === HandshakeType.certificate_request) return this.onCertificateRequest(m.body, raw)
        if (m.type === HandshakeType.server_hello_done) return this.onServerHelloDone(m.body, raw)
        break
      case 'wait_psk_key_exchange_or_done':
        if (m.type === HandshakeType.server_key_exchange) {
          decodePskServerKeyExchange(m.body) // the hint is parsed and not used
          this.transcript.add(raw)
          this.state = 'wait_server_hello_done'
          return
        }
        if (m.type === HandshakeType.server_hello_done) return this.onServerHelloDone(m.body, raw)
        break
      case 'wait_server_hello_done':
        if (m.type === HandshakeType.server_hello_done) return this.onServerHelloDone(m.body, raw)
        break
      case 'wait_finished':
        if (m.type === HandshakeType.finished) return this.onFinished(m.body, raw)
        break
      default:
        break
    }
    if (m.type === HandshakeType.hello_request) return // RFC 5246 section 7.4.1.1: ignored during a handshake
    throw fatal(
      AlertDescription.unexpected_message,
      `unexpected handshake message ${m.type} in state ${this.state}`,
    )
  }

  /** RFC 6347 section 4.2.1: repeat the ClientHello with the cookie. */
  private onHelloVerifyRequest(body: Uint8Array): void {
    const hvr = decodeHelloVerifyRequest(body)
    if (++this.helloVerifyCount > 4)
      throw fatal(AlertDescription.unexpected_message, 'too many HelloVerifyRequests')
    if (hvr.version !== DTLS_1_2 && hvr.version !== 0xfeff) {
      throw fatal(AlertDescription.protocol_version, `HelloVerifyRequest version ${hvr.version.toString(16)}`)
    }
    this.hello = { ...this.hello, cookie: new Uint8Array(hvr.cookie) }
    this.sendHello()
  }

  private onServerHello(body: Uint8Array, raw: Uint8Array): void {
    const sh: ServerHello = decodeServerHello(body)
    if (sh.version !== DTLS_1_2)
      throw fatal(AlertDescription.protocol_version, 'the server did not choose DTLS 1.2')
    const suite = this.creds.suites.find((s) => s.id === sh.cipherSuite)
    if (suite === undefined)
      throw fatal(AlertDescription.illegal_parameter, 'the server chose a cipher suite we did not offer')
    if (sh.compressionMethod !== 0)
      throw fatal(AlertDescription.illegal_parameter, 'the server chose compression')
    const offered = new Set((this.hello.extensions ?? []).map((e) => e.type))
    for (const e of sh.extensions ?? []) {
      // RFC 5246 section 7.4.1.4: only extensions the client offered may come back.
      if (!offered.has(e.type))
        throw fatal(AlertDescription.unsupported_extension, `the server sent extension ${e.type} unasked`)
    }
    const reneg = findExtension(sh.extensions, ExtensionType.renegotiation_info)
    if (reneg !== undefined && decodeOpaque8(reneg.data, 'renegotiation_info').length !== 0) {
      throw fatal(
        AlertDescription.handshake_failure,
        'renegotiation_info is not empty (RFC 5746 section 3.4)',
      )
    }
    this.suite = suite
    this.serverRandom = sh.random
    this.sessionId = sh.sessionId
    this.ems = findExtension(sh.extensions, ExtensionType.extended_master_secret) !== undefined
    const cid = findExtension(sh.extensions, ExtensionType.connection_id)
    if (cid !== undefined) this.conn.peerCid = new Uint8Array(decodeOpaque8(cid.data, 'connection_id'))
    else if (this.conn.ownCid.length > 0) {
      // The server did not take up the extension: our CID is not used (RFC 9146 section 3).
      this.conn.host.releaseCid(this.conn)
      this.conn.ownCid = new Uint8Array(0)
    }
    const sct = findExtension(sh.extensions, ExtensionType.server_certificate_type)
    if (sct !== undefined) {
      if (sct.data.length !== 1)
        throw fatal(AlertDescription.decode_error, 'server_certificate_type must hold one type')
      this.serverCertType = sct.data[0]!
      if (
        this.serverCertType !== CertificateType.x509 &&
        this.serverCertType !== CertificateType.raw_public_key
      ) {
        throw fatal(AlertDescription.illegal_parameter, 'unknown server certificate type')
      }
    }
    const cct = findExtension(sh.extensions, ExtensionType.client_certificate_type)
    if (cct !== undefined) {
      if (cct.data.length !== 1)
        throw fatal(AlertDescription.decode_error, 'client_certificate_type must hold one type')
      this.clientCertType = cct.data[0]!
    }
    if (
      this.serverCertType === CertificateType.x509 &&
      suite.keyExchange === 'ecdhe_ecdsa' &&
      this.creds.x509 === undefined
    ) {
      throw fatal(
        AlertDescription.unsupported_certificate,
        'the server uses X.509 and no trust for it is configured',
      )
    }
    this.transcript.add(raw)
    const cached = this.cached
    if (cached !== undefined && sh.sessionId.length > 0 && equalBytes(sh.sessionId, cached.id)) {
      // Abbreviated handshake (RFC 5246 section 7.3).
      if (sh.cipherSuite !== cached.cipherSuite)
        throw fatal(AlertDescription.illegal_parameter, 'resumed with another cipher suite')
      // RFC 7627 section 5.3: the extended master secret must be used as it was in the original session.
      if (this.ems !== cached.extendedMasterSecret) {
        throw fatal(AlertDescription.handshake_failure, 'resumption changes the extended master secret use')
      }
      this.resumed = true
      this.masterSecret = cached.masterSecret
      this.identity = cached.identity
      const keys = deriveCipherStates(suite, cached.masterSecret, this.clientRandom, this.serverRandom)
      this.conn.setPendingKeys(keys.server, keys.client)
      this.state = 'wait_change_cipher_spec'
      return
    }
    if (!this.ems && this.conn.host.config.requireExtendedMasterSecret) {
      throw fatal(
        AlertDescription.handshake_failure,
        'the server does not support the extended master secret (RFC 7627)',
      )
    }
    this.state = suite.keyExchange === 'psk' ? 'wait_psk_key_exchange_or_done' : 'wait_certificate'
  }

  private async onCertificate(body: Uint8Array, raw: Uint8Array): Promise<void> {
    const msg = decodeCertificate(body, this.serverCertType)
    this.transcript.add(raw)
    if (msg.kind === 'rpk') {
      this.serverKey = peerPublicKey(msg.publicKey)
      const rpk = this.creds.rpk
      const ok =
        rpk?.verifyPeer !== undefined && (await rpk.verifyPeer(new Uint8Array(msg.publicKey), this.info))
      if (this.conn.closed) return
      if (!ok) throw fatal(AlertDescription.certificate_unknown, 'the server raw public key is not trusted')
      this.identity = { mode: 'rpk', publicKey: new Uint8Array(msg.publicKey) }
    } else {
      if (msg.chain.length === 0)
        throw fatal(AlertDescription.bad_certificate, 'the server sent no certificate')
      const chain = await verifyPeerChain(
        msg.chain,
        this.creds.x509!,
        this.conn.host.config.clock.now(),
        this.info,
      )
      if (this.conn.closed) return
      const leaf = chain[0]!
      const name = this.creds.serverName
      if (name !== undefined) {
        const matches =
          isIP(name) !== 0 ? leaf.checkIP(name) !== undefined : leaf.checkHost(name) !== undefined
        if (!matches)
          throw fatal(AlertDescription.certificate_unknown, `the server certificate is not for ${name}`)
      }
      this.serverKey = leaf.publicKey
      this.identity = {
        mode: 'x509',
        certificate: new Uint8Array(msg.chain[0]!),
        subject: subjectString(leaf),
      }
    }
    this.state = 'wait_server_key_exchange'
  }

  private onEcdheServerKeyExchange(body: Uint8Array, raw: Uint8Array): void {
    const ske = decodeEcdheServerKeyExchange(body)
    if (ske.curve !== NAMED_CURVE_SECP256R1)
      throw fatal(AlertDescription.illegal_parameter, 'the server chose a curve other than P-256')
    if (ske.publicPoint.length !== 65 || ske.publicPoint[0] !== 4) {
      throw fatal(
        AlertDescription.illegal_parameter,
        'the server ECDH point is not an uncompressed P-256 point',
      )
    }
    if (ske.signatureAlgorithm !== SIG_ECDSA_SHA256)
      throw fatal(AlertDescription.illegal_parameter, 'ServerKeyExchange is not signed with ECDSA/SHA-256')
    const signed = Buffer.concat([this.clientRandom, this.serverRandom, ske.params])
    let ok = false
    try {
      ok = verify('sha256', signed, { key: this.serverKey!, dsaEncoding: 'der' }, ske.signature)
    } catch {
      ok = false
    }
    if (!ok) throw fatal(AlertDescription.decrypt_error, 'the ServerKeyExchange signature does not verify')
    this.serverPoint = new Uint8Array(ske.publicPoint)
    this.transcript.add(raw)
    this.state = 'wait_certificate_request_or_done'
  }

  private onCertificateRequest(body: Uint8Array, raw: Uint8Array): void {
    const cr = decodeCertificateRequest(body)
    this.transcript.add(raw)
    this.certificateRequested = true
    if (
      !cr.certificateTypes.includes(CLIENT_CERT_ECDSA_SIGN) ||
      !cr.signatureAlgorithms.includes(SIG_ECDSA_SHA256)
    ) {
      // We can only sign with ECDSA/SHA-256: an empty Certificate follows and the server decides.
      this.certificateRequested = true
    }
    this.state = 'wait_server_hello_done'
  }

  private onServerHelloDone(body: Uint8Array, raw: Uint8Array): void {
    decodeEmpty(body, 'ServerHelloDone')
    this.transcript.add(raw)
    const conn = this.conn
    const items: FlightItem[] = []
    const add = (type: number, b: Uint8Array): void => {
      const m = conn.message(type, b)
      this.transcript.add(m.raw)
      items.push(m.item)
    }
    let signingKey: KeyObject | undefined
    if (this.certificateRequested) {
      if (this.clientCertType === CertificateType.raw_public_key && this.creds.rpk !== undefined) {
        add(HandshakeType.certificate, encodeCertificate({ kind: 'rpk', publicKey: this.creds.rpk.spki }))
        signingKey = this.creds.rpk.privateKey
      } else if (
        this.clientCertType === CertificateType.x509 &&
        this.creds.x509 !== undefined &&
        this.creds.x509.chain.length > 0
      ) {
        add(HandshakeType.certificate, encodeCertificate({ kind: 'x509', chain: this.creds.x509.chain }))
        signingKey = this.creds.x509.privateKey
      } else {
        add(HandshakeType.certificate, encodeCertificate({ kind: 'x509', chain: [] }))
      }
    }
    let premaster: Uint8Array
    if (this.suite.keyExchange === 'psk') {
      const psk = this.creds.psk
      if (psk === undefined) throw fatal(AlertDescription.internal_error, 'no PSK configured')
      add(HandshakeType.client_key_exchange, encodePskClientKeyExchange(Buffer.from(psk.identity, 'utf8')))
      premaster = pskPremaster(psk.key)
      this.identity = { mode: 'psk', identity: psk.identity }
    } else {
      const ecdh: ECDH = createECDH('prime256v1')
      ecdh.generateKeys()
      try {
        premaster = ecdh.computeSecret(this.serverPoint!)
      } catch (e) {
        throw fatal(AlertDescription.illegal_parameter, 'the server ECDH point is not on P-256', e)
      }
      add(HandshakeType.client_key_exchange, encodeEcdheClientKeyExchange(ecdh.getPublicKey()))
    }
    this.masterSecret = computeMasterSecret(
      premaster,
      this.clientRandom,
      this.serverRandom,
      this.ems,
      this.transcript.hash(),
    )
    const keys = deriveCipherStates(this.suite, this.masterSecret, this.clientRandom, this.serverRandom)
    conn.setPendingKeys(keys.server, keys.client)
    if (signingKey !== undefined) {
      const signature = sign('sha256', this.transcript.bytes(), { key: signingKey, dsaEncoding: 'der' })
      add(
        HandshakeType.certificate_verify,
        encodeCertificateVerify({ signatureAlgorithm: SIG_ECDSA_SHA256, signature }),
      )
    }
    items.push(conn.changeCipherSpec())
    add(HandshakeType.finished, computeVerifyData(this.masterSecret, 'client', this.transcript.hash()))
    this.state = 'wait_change_cipher_spec'
    conn.sendFlight(items, false)
  }

  private onFinished(body: Uint8Array, raw: Uint8Array): void {
    const got = decodeFinished(body)
    const expected = computeVerifyData(this.masterSecret!, 'server', this.transcript.hash())
    if (!timingSafeEqual(got, expected))
      throw fatal(AlertDescription.decrypt_error, 'the server Finished does not verify')
    this.transcript.add(raw)
    this.state = 'done'
    const conn = this.conn
    if (this.resumed) {
      const ccs = conn.changeCipherSpec()
      const fin = conn.message(
        HandshakeType.finished,
        computeVerifyData(this.masterSecret!, 'client', this.transcript.hash()),
      )
      conn.sendFlight([ccs, fin.item], true)
      conn.complete(this.identity!, this.cached, true, true)
      return
    }
    const session: SessionState | undefined =
      this.sessionId.length > 0
        ? {
            id: new Uint8Array(this.sessionId),
            cipherSuite: this.suite.id,
            masterSecret: this.masterSecret!,
            extendedMasterSecret: this.ems,
            identity: this.identity!,
          }
        : undefined
    conn.complete(this.identity!, session, false)
  }
}
