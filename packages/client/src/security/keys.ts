import {
  createECDH,
  createHash,
  createPrivateKey,
  createPublicKey,
  type KeyObject,
  timingSafeEqual,
  X509Certificate,
} from 'node:crypto'
import { ClientError } from '../errors.js'

// Readers for the key material of a Security instance (/0/x/3, /0/x/4, /0/x/5). The LwM2M
// specification leaves the encoding to the implementations, so the common ones are read:
// DER (SubjectPublicKeyInfo, PKCS#8, SEC1, X.509), PEM text, and the raw P-256 forms some
// constrained clients store (a 32-byte private scalar, a 64- or 65-byte public point).
// No message of these errors ever contains key bytes.

const PEM = /^\s*-----BEGIN /

function pemText(bytes: Uint8Array): string | undefined {
  if (bytes.length < 11) return undefined
  const head = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.length, 64)).toString('latin1')
  return PEM.test(head)
    ? Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('utf8')
    : undefined
}

function der(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length)
}

function isP256(key: KeyObject): boolean {
  return key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1'
}

function bad(where: string, what: string, cause?: unknown): never {
  throw new ClientError('CLIENT_SECURITY', `${where}: ${what}`, cause === undefined ? undefined : { cause })
}

const b64url = (b: Uint8Array): string => der(b).toString('base64url')

/** The x and y coordinates of a raw P-256 point: 65 bytes 04||X||Y or 64 bytes X||Y. */
function rawPoint(bytes: Uint8Array): { x: Uint8Array; y: Uint8Array } | undefined {
  if (bytes.length === 65 && bytes[0] === 4) return { x: bytes.subarray(1, 33), y: bytes.subarray(33) }
  if (bytes.length === 64) return { x: bytes.subarray(0, 32), y: bytes.subarray(32) }
  return undefined
}

/**
 * A P-256 public key from /0/x/3 (RPK mode) or /0/x/4: SubjectPublicKeyInfo DER, PEM, or a
 * raw point (65 bytes uncompressed, or 64 bytes X||Y).
 */
export function readPublicKey(bytes: Uint8Array, where: string): KeyObject {
  if (bytes.length === 0) bad(where, 'no public key')
  let key: KeyObject
  try {
    const pem = pemText(bytes)
    const point = pem === undefined ? rawPoint(bytes) : undefined
    key =
      pem !== undefined
        ? createPublicKey(pem)
        : point !== undefined
          ? createPublicKey({
              key: { kty: 'EC', crv: 'P-256', x: b64url(point.x), y: b64url(point.y) },
              format: 'jwk',
            })
          : createPublicKey({ key: der(bytes), format: 'der', type: 'spki' })
  } catch (cause) {
    return bad(where, 'not a public key (SubjectPublicKeyInfo DER, PEM or a raw P-256 point expected)', cause)
  }
  if (!isP256(key)) bad(where, 'the public key is not on P-256 (secp256r1), the curve of the LwM2M suites')
  return key
}

/**
 * A P-256 private key from /0/x/5: PKCS#8 DER, SEC1 DER, PEM, or the raw 32-byte scalar
 * (its public half is then computed).
 */
export function readPrivateKey(bytes: Uint8Array, where: string): KeyObject {
  if (bytes.length === 0) bad(where, 'no private key')
  let key: KeyObject
  try {
    const pem = pemText(bytes)
    if (pem !== undefined) key = createPrivateKey(pem)
    else if (bytes.length === 32) {
      const ecdh = createECDH('prime256v1')
      ecdh.setPrivateKey(der(bytes))
      const point = ecdh.getPublicKey()
      key = createPrivateKey({
        key: {
          kty: 'EC',
          crv: 'P-256',
          d: b64url(bytes),
          x: b64url(point.subarray(1, 33)),
          y: b64url(point.subarray(33)),
        },
        format: 'jwk',
      })
    } else {
      try {
        key = createPrivateKey({ key: der(bytes), format: 'der', type: 'pkcs8' })
      } catch {
        key = createPrivateKey({ key: der(bytes), format: 'der', type: 'sec1' })
      }
    }
  } catch (cause) {
    return bad(
      where,
      'not a private key (PKCS#8 or SEC1 DER, PEM, or a 32-byte P-256 scalar expected)',
      cause,
    )
  }
  if (!isP256(key)) bad(where, 'the private key is not on P-256 (secp256r1), the curve of the LwM2M suites')
  return key
}

/** The certificates of /0/x/3 or /0/x/4: one DER certificate, or PEM text with one or more. */
export function readCertificates(bytes: Uint8Array, where: string): X509Certificate[] {
  if (bytes.length === 0) bad(where, 'no certificate')
  const pem = pemText(bytes)
  try {
    if (pem === undefined) return [new X509Certificate(der(bytes))]
    const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? []
    if (blocks.length === 0) bad(where, 'no PEM certificate found')
    return blocks.map((b) => new X509Certificate(b))
  } catch (cause) {
    if (ClientError.isInstance(cause)) throw cause
    return bad(where, 'not an X.509 certificate (DER or PEM expected)', cause)
  }
}

/** The SubjectPublicKeyInfo DER of a key. */
export function spkiOf(key: KeyObject): Uint8Array {
  const pub = key.type === 'private' ? createPublicKey(key) : key
  return new Uint8Array(pub.export({ format: 'der', type: 'spki' }))
}

/** True when both keys (public, or the public half of a private one) are the same public key. */
export function samePublicKey(a: KeyObject, b: KeyObject): boolean {
  return equalBytes(spkiOf(a), spkiOf(b))
}

/** Constant-time comparison (for lengths that match). */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b)
}

/** Matching Type (/0/x/13, Core TS 1.1 section E.1): 0 exact, 1 SHA-256, 2 SHA-384, 3 SHA-512. */
export type MatchingType = 0 | 1 | 2 | 3
const HASHES = ['', 'sha256', 'sha384', 'sha512'] as const

/**
 * Does `presented` (a certificate's DER or a SubjectPublicKeyInfo) match `expected` of
 * /0/x/4 under the Matching Type: the bytes themselves (0) or their hash (1..3)?
 */
export function matchesExpected(
  presented: Uint8Array,
  expected: Uint8Array,
  matching: MatchingType,
): boolean {
  if (matching === 0) return equalBytes(presented, expected)
  return equalBytes(new Uint8Array(createHash(HASHES[matching]).update(presented).digest()), expected)
}
