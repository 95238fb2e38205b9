import { Reader, Writer } from '../bytes.js'
import { CertificateType, EC_CURVE_TYPE_NAMED, HANDSHAKE_HEADER_LENGTH, HandshakeType } from './types.js'

/** One handshake message or fragment of one (RFC 6347 section 4.2.2). `body` is a view. */
export interface HandshakeFragment {
  readonly type: number
  /** Length of the whole message. */
  readonly length: number
  readonly messageSeq: number
  readonly fragmentOffset: number
  readonly body: Uint8Array
}

/** The most a handshake message may claim to be before it is refused (bounds reassembly). */
export const MAX_HANDSHAKE_MESSAGE = 0x10000

/** Splits a handshake record's content into its fragments (several may share a record). */
export function decodeHandshakeFragments(content: Uint8Array): HandshakeFragment[] {
  const r = new Reader(content)
  const out: HandshakeFragment[] = []
  while (r.remaining > 0) {
    const type = r.u8('handshake type')
    const length = r.u24('handshake length')
    const messageSeq = r.u16('message_seq')
    const fragmentOffset = r.u24('fragment_offset')
    const fragmentLength = r.u24('fragment_length')
    if (fragmentOffset + fragmentLength > length) r.fail('fragment runs past the message length', 47)
    const body = r.view(fragmentLength, 'handshake fragment')
    out.push({ type, length, messageSeq, fragmentOffset, body })
  }
  return out
}

/** The full message with its 12-byte header (fragment_offset 0, fragment_length = length). */
export function encodeHandshake(type: number, messageSeq: number, body: Uint8Array): Uint8Array {
  return encodeHandshakeFragment(type, messageSeq, body, 0, body.length)
}

/** One fragment of a message (RFC 6347 section 4.2.3). */
export function encodeHandshakeFragment(
  type: number,
  messageSeq: number,
  body: Uint8Array,
  offset: number,
  length: number,
): Uint8Array {
  const out = new Uint8Array(HANDSHAKE_HEADER_LENGTH + length)
  out[0] = type
  out[1] = body.length >>> 16
  out[2] = (body.length >>> 8) & 0xff
  out[3] = body.length & 0xff
  out[4] = messageSeq >>> 8
  out[5] = messageSeq & 0xff
  out[6] = offset >>> 16
  out[7] = (offset >>> 8) & 0xff
  out[8] = offset & 0xff
  out[9] = length >>> 16
  out[10] = (length >>> 8) & 0xff
  out[11] = length & 0xff
  out.set(body.subarray(offset, offset + length), HANDSHAKE_HEADER_LENGTH)
  return out
}

// ---------------------------------------------------------------- extensions

/** A hello extension (RFC 5246 section 7.4.1.4). */
export interface Extension {
  readonly type: number
  readonly data: Uint8Array
}

function readExtensions(r: Reader): Extension[] {
  const block = r.sub(r.u16('extensions length'), 'extensions')
  const list: Extension[] = []
  const seen = new Set<number>()
  while (block.remaining > 0) {
    const type = block.u16('extension type')
    // RFC 5246 section 7.4.1.4: no two extensions of the same type.
    if (seen.has(type)) block.fail(`duplicate extension ${type}`, 47)
    seen.add(type)
    list.push({ type, data: block.vector(2, 'extension data') })
  }
  return list
}

function writeExtensions(w: Writer, ext: readonly Extension[]): void {
  w.block(2, (b) => {
    for (const e of ext) b.u16(e.type).vector(2, e.data)
  })
}

export function findExtension(list: readonly Extension[] | undefined, type: number): Extension | undefined {
  return list?.find((e) => e.type === type)
}

/** server_name (RFC 6066 section 3): the host_name, or undefined when the list has none. */
export function decodeServerName(data: Uint8Array): string | undefined {
  const r = new Reader(data)
  const list = r.sub(r.u16('server_name_list length'), 'server_name_list')
  r.expectEnd('server_name')
  if (list.remaining === 0) list.fail('empty server_name_list')
  let host: string | undefined
  while (list.remaining > 0) {
    const t = list.u8('name_type')
    const name = list.vector(2, 'server name', 1)
    if (t === 0) {
      if (host !== undefined) list.fail('two host_name entries', 47)
      host = Buffer.from(name).toString('latin1')
      if (!/^[\x21-\x7e]+$/.test(host)) list.fail('host_name is not printable ASCII', 47)
    }
  }
  return host
}

export function encodeServerName(host: string): Uint8Array {
  const name = Buffer.from(host, 'latin1')
  return new Writer().block(2, (w) => w.u8(0).vector(2, name)).finish()
}

/** A list of uint16 with a 2-byte length (supported_groups, signature_algorithms). */
export function decodeU16List(data: Uint8Array, what: string): number[] {
  const r = new Reader(data)
  const v = r.vector(2, what, 2)
  r.expectEnd(what)
  if (v.length % 2 !== 0) r.fail(`${what}: odd length`)
  const out: number[] = []
  for (let i = 0; i < v.length; i += 2) out.push((v[i]! << 8) | v[i + 1]!)
  return out
}

export function encodeU16List(values: readonly number[]): Uint8Array {
  return new Writer()
    .block(2, (w) => {
      for (const v of values) w.u16(v)
    })
    .finish()
}

/** A list of uint8 with a 1-byte length (ec_point_formats, client certificate types). */
export function decodeU8List(data: Uint8Array, what: string): number[] {
  const r = new Reader(data)
  const v = r.vector(1, what, 1)
  r.expectEnd(what)
  return Array.from(v)
}

export function encodeU8List(values: readonly number[]): Uint8Array {
  return new Writer().vector(1, Uint8Array.from(values)).finish()
}

/** An opaque<0..255> as the whole extension (renegotiation_info, connection_id). */
export function decodeOpaque8(data: Uint8Array, what: string): Uint8Array {
  const r = new Reader(data)
  const v = r.vector(1, what)
  r.expectEnd(what)
  return v
}

export function encodeOpaque8(value: Uint8Array): Uint8Array {
  return new Writer().vector(1, value).finish()
}

// ---------------------------------------------------------------- hellos

/** ClientHello (RFC 5246 section 7.4.1.2 with the DTLS cookie of RFC 6347 section 4.2.1). */
export interface ClientHello {
  readonly version: number
  readonly random: Uint8Array
  readonly sessionId: Uint8Array
  readonly cookie: Uint8Array
  readonly cipherSuites: readonly number[]
  readonly compressionMethods: readonly number[]
  /** Undefined when the hello ends without an extensions block. */
  readonly extensions?: readonly Extension[]
}

export function decodeClientHello(body: Uint8Array): ClientHello {
  const r = new Reader(body)
  const version = r.u16('client_version')
  const random = r.view(32, 'random')
  const sessionId = r.vector(1, 'session_id', 0, 32)
  const cookie = r.vector(1, 'cookie', 0, 255)
  const suites = r.vector(2, 'cipher_suites', 2)
  if (suites.length % 2 !== 0) r.fail('cipher_suites: odd length')
  const cipherSuites: number[] = []
  for (let i = 0; i < suites.length; i += 2) cipherSuites.push((suites[i]! << 8) | suites[i + 1]!)
  const compressionMethods = Array.from(r.vector(1, 'compression_methods', 1))
  const extensions = r.remaining > 0 ? readExtensions(r) : undefined
  r.expectEnd('ClientHello')
  return extensions === undefined
    ? { version, random, sessionId, cookie, cipherSuites, compressionMethods }
    : { version, random, sessionId, cookie, cipherSuites, compressionMethods, extensions }
}

export function encodeClientHello(h: ClientHello): Uint8Array {
  const w = new Writer(512)
  w.u16(h.version).bytes(h.random).vector(1, h.sessionId).vector(1, h.cookie)
  w.block(2, (b) => {
    for (const s of h.cipherSuites) b.u16(s)
  })
  w.vector(1, Uint8Array.from(h.compressionMethods))
  if (h.extensions !== undefined) writeExtensions(w, h.extensions)
  return w.finish()
}

/**
 * The bytes a cookie is computed over (RFC 6347 section 4.2.1: the client's parameters):
 * the whole ClientHello body with the cookie left out, so that the retransmitted hello
 * with the cookie maps to the same value.
 */
export function clientHelloCookieInput(body: Uint8Array): Uint8Array {
  const sidLen = body[34] ?? 0
  const cookieAt = 35 + sidLen
  const cookieLen = body[cookieAt] ?? 0
  const out = new Uint8Array(body.length - cookieLen)
  out.set(body.subarray(0, cookieAt + 1), 0)
  out[cookieAt] = 0
  out.set(body.subarray(cookieAt + 1 + cookieLen), cookieAt + 1)
  return out
}

export interface ServerHello {
  readonly version: number
  readonly random: Uint8Array
  readonly sessionId: Uint8Array
  readonly cipherSuite: number
  readonly compressionMethod: number
  readonly extensions?: readonly Extension[]
}

export function decodeServerHello(body: Uint8Array): ServerHello {
  const r = new Reader(body)
  const version = r.u16('server_version')
  const random = r.view(32, 'random')
  const sessionId = r.vector(1, 'session_id', 0, 32)
  const cipherSuite = r.u16('cipher_suite')
  const compressionMethod = r.u8('compression_method')
  const extensions = r.remaining > 0 ? readExtensions(r) : undefined
  r.expectEnd('ServerHello')
  return extensions === undefined
    ? { version, random, sessionId, cipherSuite, compressionMethod }
    : { version, random, sessionId, cipherSuite, compressionMethod, extensions }
}

export function encodeServerHello(h: ServerHello): Uint8Array {
  const w = new Writer(256)
  w.u16(h.version).bytes(h.random).vector(1, h.sessionId).u16(h.cipherSuite).u8(h.compressionMethod)
  if (h.extensions !== undefined) writeExtensions(w, h.extensions)
  return w.finish()
}

/** HelloVerifyRequest (RFC 6347 section 4.2.1). */
export interface HelloVerifyRequest {
  readonly version: number
  readonly cookie: Uint8Array
}

export function decodeHelloVerifyRequest(body: Uint8Array): HelloVerifyRequest {
  const r = new Reader(body)
  const version = r.u16('server_version')
  const cookie = r.vector(1, 'cookie', 0, 255)
  r.expectEnd('HelloVerifyRequest')
  return { version, cookie }
}

export function encodeHelloVerifyRequest(h: HelloVerifyRequest): Uint8Array {
  return new Writer(40).u16(h.version).vector(1, h.cookie).finish()
}

// ---------------------------------------------------------------- certificates

/** Certificate: an X.509 chain (RFC 5246 section 7.4.2) or a raw public key (RFC 7250 section 3). */
export type CertificateMessage =
  | { readonly kind: 'x509'; readonly chain: readonly Uint8Array[] }
  | { readonly kind: 'rpk'; readonly publicKey: Uint8Array }

export function decodeCertificate(body: Uint8Array, certificateType: number): CertificateMessage {
  const r = new Reader(body)
  if (certificateType === CertificateType.raw_public_key) {
    const publicKey = r.vector(3, 'ASN.1_subjectPublicKeyInfo', 1)
    r.expectEnd('Certificate')
    return { kind: 'rpk', publicKey }
  }
  const list = r.sub(r.u24('certificate_list length'), 'certificate_list')
  r.expectEnd('Certificate')
  const chain: Uint8Array[] = []
  while (list.remaining > 0) chain.push(list.vector(3, 'ASN.1Cert', 1))
  return { kind: 'x509', chain }
}

export function encodeCertificate(m: CertificateMessage): Uint8Array {
  const w = new Writer(1024)
  if (m.kind === 'rpk') return w.vector(3, m.publicKey).finish()
  w.block(3, (b) => {
    for (const c of m.chain) b.vector(3, c)
  })
  return w.finish()
}

// ---------------------------------------------------------------- key exchange

/** ServerKeyExchange for PSK suites (RFC 4279 section 2). */
export function decodePskServerKeyExchange(body: Uint8Array): Uint8Array {
  const r = new Reader(body)
  const hint = r.vector(2, 'psk_identity_hint')
  r.expectEnd('ServerKeyExchange')
  return hint
}

export function encodePskServerKeyExchange(hint: Uint8Array): Uint8Array {
  return new Writer().vector(2, hint).finish()
}

/** ServerKeyExchange for ECDHE_ECDSA (RFC 8422 section 5.4). `params` is the signed ServerECDHParams. */
export interface EcdheServerKeyExchange {
  readonly curve: number
  readonly publicPoint: Uint8Array
  readonly params: Uint8Array
  readonly signatureAlgorithm: number
  readonly signature: Uint8Array
}

export function decodeEcdheServerKeyExchange(body: Uint8Array): EcdheServerKeyExchange {
  const r = new Reader(body)
  const curveType = r.u8('curve_type')
  if (curveType !== EC_CURVE_TYPE_NAMED) r.fail(`curve_type ${curveType} is not named_curve`, 47)
  const curve = r.u16('namedcurve')
  const publicPoint = r.vector(1, 'ECPoint', 1)
  const params = body.subarray(0, r.offset)
  const signatureAlgorithm = r.u16('SignatureAndHashAlgorithm')
  const signature = r.vector(2, 'signature', 1)
  r.expectEnd('ServerKeyExchange')
  return { curve, publicPoint, params, signatureAlgorithm, signature }
}

export function encodeEcdheParams(curve: number, publicPoint: Uint8Array): Uint8Array {
  return new Writer(80).u8(EC_CURVE_TYPE_NAMED).u16(curve).vector(1, publicPoint).finish()
}

export function encodeEcdheServerKeyExchange(
  params: Uint8Array,
  signatureAlgorithm: number,
  signature: Uint8Array,
): Uint8Array {
  return new Writer(160).bytes(params).u16(signatureAlgorithm).vector(2, signature).finish()
}

/** CertificateRequest (RFC 5246 section 7.4.4). */
export interface CertificateRequest {
  readonly certificateTypes: readonly number[]
  readonly signatureAlgorithms: readonly number[]
  readonly authorities: readonly Uint8Array[]
}

export function decodeCertificateRequest(body: Uint8Array): CertificateRequest {
  const r = new Reader(body)
  const certificateTypes = Array.from(r.vector(1, 'certificate_types', 1))
  const sigs = r.vector(2, 'supported_signature_algorithms', 2)
  if (sigs.length % 2 !== 0) r.fail('supported_signature_algorithms: odd length')
  const signatureAlgorithms: number[] = []
  for (let i = 0; i < sigs.length; i += 2) signatureAlgorithms.push((sigs[i]! << 8) | sigs[i + 1]!)
  const cas = r.sub(r.u16('certificate_authorities length'), 'certificate_authorities')
  r.expectEnd('CertificateRequest')
  const authorities: Uint8Array[] = []
  while (cas.remaining > 0) authorities.push(cas.vector(2, 'DistinguishedName', 1))
  return { certificateTypes, signatureAlgorithms, authorities }
}

export function encodeCertificateRequest(m: CertificateRequest): Uint8Array {
  const w = new Writer(64)
  w.vector(1, Uint8Array.from(m.certificateTypes))
  w.block(2, (b) => {
    for (const s of m.signatureAlgorithms) b.u16(s)
  })
  w.block(2, (b) => {
    for (const a of m.authorities) b.vector(2, a)
  })
  return w.finish()
}

/** ClientKeyExchange for PSK (RFC 4279 section 2): the identity. */
export function decodePskClientKeyExchange(body: Uint8Array): Uint8Array {
  const r = new Reader(body)
  const identity = r.vector(2, 'psk_identity', 0, 65535)
  r.expectEnd('ClientKeyExchange')
  return identity
}

export function encodePskClientKeyExchange(identity: Uint8Array): Uint8Array {
  return new Writer().vector(2, identity).finish()
}

/** ClientKeyExchange for ECDHE (RFC 8422 section 5.7): the client's ephemeral point. */
export function decodeEcdheClientKeyExchange(body: Uint8Array): Uint8Array {
  const r = new Reader(body)
  const point = r.vector(1, 'ECPoint', 1)
  r.expectEnd('ClientKeyExchange')
  return point
}

export function encodeEcdheClientKeyExchange(point: Uint8Array): Uint8Array {
  return new Writer(80).vector(1, point).finish()
}

/** CertificateVerify (RFC 5246 section 7.4.8). */
export interface CertificateVerify {
  readonly signatureAlgorithm: number
  readonly signature: Uint8Array
}

export function decodeCertificateVerify(body: Uint8Array): CertificateVerify {
  const r = new Reader(body)
  const signatureAlgorithm = r.u16('SignatureAndHashAlgorithm')
  const signature = r.vector(2, 'signature', 1)
  r.expectEnd('CertificateVerify')
  return { signatureAlgorithm, signature }
}

export function encodeCertificateVerify(m: CertificateVerify): Uint8Array {
  return new Writer(96).u16(m.signatureAlgorithm).vector(2, m.signature).finish()
}

/** Finished (RFC 5246 section 7.4.9): 12 bytes of verify_data for TLS 1.2 suites. */
export function decodeFinished(body: Uint8Array): Uint8Array {
  const r = new Reader(body)
  const v = r.view(12, 'verify_data')
  r.expectEnd('Finished')
  return v
}

/** An empty body (ServerHelloDone, HelloRequest). */
export function decodeEmpty(body: Uint8Array, what: string): void {
  new Reader(body).expectEnd(what)
}

/** True for message types a peer may send (used to reject unknown types with unexpected_message). */
export function isKnownHandshakeType(t: number): boolean {
  return (Object.values(HandshakeType) as number[]).includes(t)
}
