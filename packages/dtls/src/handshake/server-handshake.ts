import { createECDH, type ECDH, type KeyObject, sign, timingSafeEqual, verify } from 'node:crypto'
import type { PeerIdentity } from '@lwm2m/coap'
import { toHex } from '../bytes.js'
import type { Connection, FlightItem, Handshake } from '../connection/connection.js'
import type { ServerCredentials } from '../connection/host.js'
import { peerPublicKey } from '../credentials/keys.js'
import { subjectString, verifyPeerChain } from '../credentials/x509.js'
import { pskPremaster } from '../crypto/prf.js'
import { type CipherSuite, EMPTY_RENEGOTIATION_INFO_SCSV, suiteById } from '../crypto/suites.js'
import { DtlsHandshakeError } from '../errors.js'
import { AlertDescription } from '../record/alert.js'
import { DTLS_1_2 } from '../record/types.js'
import type { SessionState } from '../session/session.js'
import type { HandshakeInfo } from '../transport/options.js'
import { computeMasterSecret, computeVerifyData, deriveCipherStates } from './key-schedule.js'
import {
  type ClientHello,
  decodeCertificate,
  decodeCertificateVerify,
  decodeEcdheClientKeyExchange,
  decodeFinished,
  decodeOpaque8,
  decodePskClientKeyExchange,
  decodeServerName,
  decodeU8List,
  decodeU16List,
  type Extension,
  encodeCertificate,
  encodeCertificateRequest,
  encodeEcdheParams,
  encodeEcdheServerKeyExchange,
  encodeOpaque8,
  encodePskServerKeyExchange,
  encodeServerHello,
  findExtension,
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
  | 'start'
  | 'wait_certificate'
  | 'wait_client_key_exchange'
  | 'wait_certificate_verify'
  | 'wait_change_cipher_spec'
  | 'wait_finished'
  | 'done'

function fatal(alert: number, message: string, cause?: unknown): DtlsHandshakeError {
  return new DtlsHandshakeError('DTLS_HANDSHAKE_FAILED', message, alert, false, cause)
}

const utf8 = new TextDecoder('utf-8', { fatal: true })

/**
 * The server side of the DTLS 1.2 handshake (RFC 6347 section 4.2, RFC 5246 section 7),
 * started once a ClientHello carried a valid cookie: full handshakes with PSK (RFC 4279)
 * or ECDHE_ECDSA (RFC 8422) with raw public keys (RFC 7250) or X.509, abbreviated
 * handshakes from the session cache, the extended master secret (RFC 7627), secure
 * renegotiation signalling (RFC 5746), server_name (RFC 6066) and Connection ID (RFC 9146).
 */
export class ServerHandshake implements Handshake {
  private readonly conn: Connection
  private readonly creds: ServerCredentials
  private readonly transcript = new Transcript()
  private state: State = 'start'
  private suite!: CipherSuite
  private clientRandom!: Uint8Array
  private readonly serverRandom: Uint8Array
  private sessionId: Uint8Array = new Uint8Array(0)
  private ems = false
  private masterSecret: Uint8Array | undefined
  private resumed = false
  private ecdh: ECDH | undefined
  private clientCertType: number = CertificateType.x509
  private serverCertType: number = CertificateType.x509
  private requestClientCert = false
  private clientKey: KeyObject | undefined
  private identity: PeerIdentity | undefined
  private serverName: string | undefined
  private info!: HandshakeInfo

  constructor(conn: Connection, creds: ServerCredentials) {
    this.conn = conn
    this.creds = creds
    this.serverRandom = conn.host.config.random(32)
  }

  get awaitingFinished(): boolean {
    return this.state === 'wait_finished'
  }

  acceptChangeCipherSpec(): boolean {
    if (this.state !== 'wait_change_cipher_spec') return false
    this.state = 'wait_finished'
    return true
  }

  /** Processes the (cookie-verified) ClientHello and sends the server's flight. */
  async start(hello: ClientHello, raw: Uint8Array): Promise<void> {
    const conn = this.conn
    this.clientRandom = hello.random
    this.transcript.add(raw)
    this.info = { peer: { address: conn.address, port: conn.port } }

    // RFC 6347 section 4.1: DTLS 1.2 is {254, 253}; a lower-numbered version is newer.
    if (hello.version > DTLS_1_2)
      throw fatal(AlertDescription.protocol_version, 'the client does not offer DTLS 1.2')
    if (!hello.compressionMethods.includes(0)) {
      throw fatal(AlertDescription.illegal_parameter, 'the client does not offer the null compression method')
    }
    const ext = hello.extensions
    // RFC 5746 section 3.6: an initial ClientHello's renegotiation_info must be empty.
    const reneg = findExtension(ext, ExtensionType.renegotiation_info)
    if (reneg !== undefined && decodeOpaque8(reneg.data, 'renegotiation_info').length !== 0) {
      throw fatal(
        AlertDescription.handshake_failure,
        'renegotiation_info is not empty in an initial handshake',
      )
    }
    const secureRenegotiation =
      reneg !== undefined || hello.cipherSuites.includes(EMPTY_RENEGOTIATION_INFO_SCSV)
    const clientEms = findExtension(ext, ExtensionType.extended_master_secret) !== undefined
    if (this.conn.host.config.requireExtendedMasterSecret && !clientEms) {
      throw fatal(
        AlertDescription.handshake_failure,
        'the client does not support the extended master secret (RFC 7627)',
      )
    }
    const sni = findExtension(ext, ExtensionType.server_name)
    if (sni !== undefined) {
      const name = decodeServerName(sni.data)
      if (name !== undefined) {
        this.serverName = name
        this.info = { peer: this.info.peer, serverName: name }
      }
    }
    if (this.creds.serverName !== undefined) {
      const ok = await this.creds.serverName(this.serverName, this.info)
      if (conn.closed) return
      if (!ok)
        throw fatal(AlertDescription.unrecognized_name, `server name ${this.serverName ?? '(none)'} refused`)
    }

    const cidExt = findExtension(ext, ExtensionType.connection_id)
    const cidLength = conn.host.config.cidLength
    let cidReply: Uint8Array | undefined
    if (cidExt !== undefined && cidLength !== false) {
      conn.peerCid = new Uint8Array(decodeOpaque8(cidExt.data, 'connection_id'))
      conn.ownCid = cidLength > 0 ? conn.host.allocateCid(conn) : new Uint8Array(0)
      cidReply = conn.ownCid
    }

    // Resumption (RFC 5246 section 7.3) unless the extended master secret use differs (RFC 7627 section 5.3).
    let cached: SessionState | undefined
    if (hello.sessionId.length > 0) {
      cached = conn.host.sessionCache.get(toHex(hello.sessionId))
      if (
        cached !== undefined &&
        (!hello.cipherSuites.includes(cached.cipherSuite) ||
          cached.extendedMasterSecret !== clientEms ||
          !this.creds.suites.some((s) => s.id === cached!.cipherSuite))
      ) {
        cached = undefined
      }
    }

    const extensions: Extension[] = []
    if (secureRenegotiation)
      extensions.push({ type: ExtensionType.renegotiation_info, data: encodeOpaque8(new Uint8Array(0)) })
    if (clientEms) extensions.push({ type: ExtensionType.extended_master_secret, data: new Uint8Array(0) })
    if (sni !== undefined && this.serverName !== undefined)
      extensions.push({ type: ExtensionType.server_name, data: new Uint8Array(0) })
    if (cidReply !== undefined)
      extensions.push({ type: ExtensionType.connection_id, data: encodeOpaque8(cidReply) })
    this.ems = clientEms

    if (cached !== undefined) {
      this.resumeSession(hello, cached, extensions)
      return
    }
    this.fullHandshake(hello, extensions)
  }

  private resumeSession(hello: ClientHello, cached: SessionState, extensions: Extension[]): void {
    const conn = this.conn
    this.resumed = true
    this.suite = suiteById(cached.cipherSuite)!
    this.sessionId = cached.id
    this.masterSecret = cached.masterSecret
    this.identity = cached.identity
    const sh = conn.message(
      HandshakeType.server_hello,
      encodeServerHello({
        version: DTLS_1_2,
        random: this.serverRandom,
        sessionId: cached.id,
        cipherSuite: cached.cipherSuite,
        compressionMethod: 0,
        // An empty extensions block is left out: some clients re-serialise the hello for the transcript without it.
        ...(extensions.length > 0 ? { extensions } : {}),
      }),
    )
    this.transcript.add(sh.raw)
    const keys = deriveCipherStates(this.suite, cached.masterSecret, hello.random, this.serverRandom)
    conn.setPendingKeys(keys.client, keys.server)
    const ccs = conn.changeCipherSpec()
    const fin = conn.message(
      HandshakeType.finished,
      computeVerifyData(cached.masterSecret, 'server', this.transcript.hash()),
    )
    this.transcript.add(fin.raw)
    this.state = 'wait_change_cipher_spec'
    // RFC 5246 section 7.3: in the abbreviated handshake the server's flight is retransmitted until the client's Finished.
    conn.sendFlight([sh.item, ccs, fin.item], false)
  }

  private chooseSuite(hello: ClientHello): CipherSuite {
    const ext = hello.extensions
    const groups = findExtension(ext, ExtensionType.supported_groups)
    const curveOk =
      groups === undefined || decodeU16List(groups.data, 'supported_groups').includes(NAMED_CURVE_SECP256R1)
    const formats = findExtension(ext, ExtensionType.ec_point_formats)
    const formatOk = formats === undefined || decodeU8List(formats.data, 'ec_point_formats').includes(0)
    const sigs = findExtension(ext, ExtensionType.signature_algorithms)
    const sigOk =
      sigs === undefined || decodeU16List(sigs.data, 'signature_algorithms').includes(SIG_ECDSA_SHA256)
    const serverTypes = findExtension(ext, ExtensionType.server_certificate_type)
    const offeredServerTypes =
      serverTypes === undefined
        ? [CertificateType.x509]
        : decodeU8List(serverTypes.data, 'server_certificate_type')
    let serverType: number | undefined
    for (const t of offeredServerTypes) {
      if (t === CertificateType.raw_public_key && this.creds.rpk !== undefined) {
        serverType = t
        break
      }
      if (t === CertificateType.x509 && this.creds.x509 !== undefined) {
        serverType = t
        break
      }
    }
    let certTypeMismatch = false
    for (const s of this.creds.suites) {
      if (!hello.cipherSuites.includes(s.id)) continue
      if (s.keyExchange === 'psk') {
        if (this.creds.psk !== undefined) return s
        continue
      }
      if (!curveOk || !formatOk || !sigOk) continue
      if (serverType === undefined) {
        certTypeMismatch = true
        continue
      }
      this.serverCertType = serverType
      return s
    }
    if (certTypeMismatch) {
      throw fatal(
        AlertDescription.unsupported_certificate,
        'no server certificate type in common with the client (RFC 7250)',
      )
    }
    throw fatal(AlertDescription.handshake_failure, 'no cipher suite in common with the client')
  }

  private fullHandshake(hello: ClientHello, extensions: Extension[]): void {
    const conn = this.conn
    this.suite = this.chooseSuite(hello)
    const ext = hello.extensions
    const clientTypesExt = findExtension(ext, ExtensionType.client_certificate_type)
    const serverTypesExt = findExtension(ext, ExtensionType.server_certificate_type)
    if (this.suite.keyExchange === 'ecdhe_ecdsa') {
      if (serverTypesExt !== undefined) {
        extensions.push({
          type: ExtensionType.server_certificate_type,
          data: Uint8Array.of(this.serverCertType),
        })
      }
      if (this.creds.requireClientAuthentication) {
        const offered =
          clientTypesExt === undefined
            ? [CertificateType.x509]
            : decodeU8List(clientTypesExt.data, 'client_certificate_type')
        const canVerifyRpk = this.creds.rpk !== undefined
        const canVerifyX509 = this.creds.x509 !== undefined
        const pick = offered.find(
          (t) =>
            (t === CertificateType.raw_public_key && canVerifyRpk) ||
            (t === CertificateType.x509 && canVerifyX509),
        )
        if (pick === undefined) {
          throw fatal(
            AlertDescription.unsupported_certificate,
            'no client certificate type in common with the client (RFC 7250)',
          )
        }
        this.clientCertType = pick
        this.requestClientCert = true
        if (clientTypesExt !== undefined) {
          extensions.push({ type: ExtensionType.client_certificate_type, data: Uint8Array.of(pick) })
        }
      }
    }
    if (conn.host.config.limits.sessionCacheSize > 0) this.sessionId = conn.host.config.random(32)
    const items: FlightItem[] = []
    const add = (type: number, body: Uint8Array): void => {
      const m = conn.message(type, body)
      this.transcript.add(m.raw)
      items.push(m.item)
    }
    add(
      HandshakeType.server_hello,
      encodeServerHello({
        version: DTLS_1_2,
        random: this.serverRandom,
        sessionId: this.sessionId,
        cipherSuite: this.suite.id,
        compressionMethod: 0,
        // An empty extensions block is left out: some clients re-serialise the hello for the transcript without it.
        ...(extensions.length > 0 ? { extensions } : {}),
      }),
    )
    if (this.suite.keyExchange === 'ecdhe_ecdsa') {
      const key = this.serverCertType === CertificateType.raw_public_key ? this.creds.rpk! : this.creds.x509!
      add(
        HandshakeType.certificate,
        encodeCertificate(
          this.serverCertType === CertificateType.raw_public_key
            ? { kind: 'rpk', publicKey: this.creds.rpk!.spki }
            : { kind: 'x509', chain: this.creds.x509!.chain },
        ),
      )
      this.ecdh = createECDH('prime256v1')
      this.ecdh.generateKeys()
      const params = encodeEcdheParams(NAMED_CURVE_SECP256R1, this.ecdh.getPublicKey())
      const signed = Buffer.concat([this.clientRandom, this.serverRandom, params])
      const signature = sign('sha256', signed, { key: key.privateKey, dsaEncoding: 'der' })
      add(
        HandshakeType.server_key_exchange,
        encodeEcdheServerKeyExchange(params, SIG_ECDSA_SHA256, signature),
      )
      if (this.requestClientCert) {
        add(
          HandshakeType.certificate_request,
          encodeCertificateRequest({
            certificateTypes: [CLIENT_CERT_ECDSA_SIGN],
            signatureAlgorithms: [SIG_ECDSA_SHA256],
            authorities: [],
          }),
        )
      }
    } else if (this.creds.psk?.hint !== undefined) {
      add(
        HandshakeType.server_key_exchange,
        encodePskServerKeyExchange(Buffer.from(this.creds.psk.hint, 'utf8')),
      )
    }
    add(HandshakeType.server_hello_done, new Uint8Array(0))
    this.state = this.requestClientCert ? 'wait_certificate' : 'wait_client_key_exchange'
    conn.sendFlight(items, false)
  }

  handle(m: HandshakeMessage, raw: Uint8Array): void | Promise<void> {
    switch (this.state) {
      case 'wait_certificate':
        if (m.type === HandshakeType.certificate) return this.onCertificate(m.body, raw)
        break
      case 'wait_client_key_exchange':
        if (m.type === HandshakeType.client_key_exchange) return this.onClientKeyExchange(m.body, raw)
        break
      case 'wait_certificate_verify':
        if (m.type === HandshakeType.certificate_verify) return this.onCertificateVerify(m.body, raw)
        break
      case 'wait_finished':
        if (m.type === HandshakeType.finished) return this.onFinished(m.body, raw)
        break
      default:
        break
    }
    throw fatal(
      AlertDescription.unexpected_message,
      `unexpected handshake message ${m.type} in state ${this.state}`,
    )
  }

  private async onCertificate(body: Uint8Array, raw: Uint8Array): Promise<void> {
    const msg = decodeCertificate(body, this.clientCertType)
    if (msg.kind === 'x509' && msg.chain.length === 0) {
      // RFC 5246 section 7.4.6: client authentication required and none given.
      throw fatal(AlertDescription.handshake_failure, 'the client sent no certificate')
    }
    this.transcript.add(raw)
    if (msg.kind === 'rpk') {
      this.clientKey = peerPublicKey(msg.publicKey)
      const rpk = this.creds.rpk
      const ok =
        rpk?.verifyPeer !== undefined && (await rpk.verifyPeer(new Uint8Array(msg.publicKey), this.info))
      if (this.conn.closed) return
      if (!ok) throw fatal(AlertDescription.certificate_unknown, 'the client raw public key is not trusted')
      this.identity = { mode: 'rpk', publicKey: new Uint8Array(msg.publicKey) }
    } else {
      const x = this.creds.x509!
      const chain = await verifyPeerChain(msg.chain, x, this.conn.host.config.clock.now(), this.info)
      if (this.conn.closed) return
      const leaf = chain[0]!
      this.clientKey = leaf.publicKey
      this.identity = {
        mode: 'x509',
        certificate: new Uint8Array(msg.chain[0]!),
        subject: subjectString(leaf),
      }
    }
    this.state = 'wait_client_key_exchange'
  }

  private onClientKeyExchange(body: Uint8Array, raw: Uint8Array): void | Promise<void> {
    if (this.suite.keyExchange === 'psk') {
      const idBytes = decodePskClientKeyExchange(body)
      let identity: string
      try {
        identity = utf8.decode(idBytes)
      } catch (e) {
        throw fatal(AlertDescription.decode_error, 'the PSK identity is not UTF-8', e)
      }
      const psk = this.creds.psk!
      const found = psk.key(identity, this.info)
      const finish = (key: Uint8Array | undefined): void => {
        if (this.conn.closed) return
        // RFC 4279 section 2: an unknown identity ends the handshake with unknown_psk_identity.
        if (key === undefined)
          throw fatal(AlertDescription.unknown_psk_identity, `unknown PSK identity "${identity}"`)
        this.identity = { mode: 'psk', identity }
        this.transcript.add(raw)
        this.deriveKeys(pskPremaster(key))
        this.state = 'wait_change_cipher_spec'
      }
      if (found instanceof Promise) return found.then(finish)
      finish(found)
      return
    }
    const point = decodeEcdheClientKeyExchange(body)
    if (point.length !== 65 || point[0] !== 4)
      throw fatal(
        AlertDescription.illegal_parameter,
        'the client ECDH point is not an uncompressed P-256 point',
      )
    let premaster: Uint8Array
    try {
      premaster = this.ecdh!.computeSecret(point)
    } catch (e) {
      throw fatal(AlertDescription.illegal_parameter, 'the client ECDH point is not on P-256', e)
    }
    this.transcript.add(raw)
    this.deriveKeys(premaster)
    this.state = this.clientKey !== undefined ? 'wait_certificate_verify' : 'wait_change_cipher_spec'
  }

  private deriveKeys(premaster: Uint8Array): void {
    // RFC 7627 section 3: the session hash covers everything up to and including ClientKeyExchange.
    this.masterSecret = computeMasterSecret(
      premaster,
      this.clientRandom,
      this.serverRandom,
      this.ems,
      this.transcript.hash(),
    )
    const keys = deriveCipherStates(this.suite, this.masterSecret, this.clientRandom, this.serverRandom)
    this.conn.setPendingKeys(keys.client, keys.server)
  }

  private onCertificateVerify(body: Uint8Array, raw: Uint8Array): void {
    const cv = decodeCertificateVerify(body)
    if (cv.signatureAlgorithm !== SIG_ECDSA_SHA256) {
      throw fatal(AlertDescription.illegal_parameter, 'CertificateVerify is not ecdsa_secp256r1_sha256')
    }
    let ok = false
    try {
      ok = verify(
        'sha256',
        this.transcript.bytes(),
        { key: this.clientKey!, dsaEncoding: 'der' },
        cv.signature,
      )
    } catch {
      ok = false
    }
    if (!ok) throw fatal(AlertDescription.decrypt_error, 'the CertificateVerify signature does not verify')
    this.transcript.add(raw)
    this.state = 'wait_change_cipher_spec'
  }

  private onFinished(body: Uint8Array, raw: Uint8Array): void {
    const got = decodeFinished(body)
    const expected = computeVerifyData(this.masterSecret!, 'client', this.transcript.hash())
    if (!timingSafeEqual(got, expected))
      throw fatal(AlertDescription.decrypt_error, 'the client Finished does not verify')
    this.transcript.add(raw)
    const conn = this.conn
    this.state = 'done'
    if (this.resumed) {
      conn.complete(this.identity!, this.session(), false, true)
      return
    }
    const ccs = conn.changeCipherSpec()
    const fin = conn.message(
      HandshakeType.finished,
      computeVerifyData(this.masterSecret!, 'server', this.transcript.hash()),
    )
    conn.sendFlight([ccs, fin.item], true)
    conn.complete(this.identity!, this.session(), true)
  }

  private session(): SessionState | undefined {
    if (this.sessionId.length === 0) return undefined
    return {
      id: this.sessionId,
      cipherSuite: this.suite.id,
      masterSecret: this.masterSecret!,
      extendedMasterSecret: this.ems,
      identity: this.identity!,
    }
  }
}
