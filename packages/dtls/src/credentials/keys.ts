import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto'
import { DtlsError, DtlsHandshakeError } from '../errors.js'
import { AlertDescription } from '../record/alert.js'

/** A key as a KeyObject, a PEM string, or DER bytes (PKCS#8 for private keys, SPKI for public keys). */
export type KeyInput = KeyObject | string | Uint8Array

function isP256(key: KeyObject): boolean {
  return key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1'
}

/** A P-256 private key from any {@link KeyInput}; throws DTLS_INVALID_ARGUMENT otherwise. */
export function toPrivateKey(input: KeyInput): KeyObject {
  let key: KeyObject
  try {
    key =
      typeof input === 'string'
        ? createPrivateKey(input)
        : input instanceof Uint8Array
          ? createPrivateKey({ key: Buffer.from(input), format: 'der', type: 'pkcs8' })
          : input
  } catch (cause) {
    throw new DtlsError('DTLS_INVALID_ARGUMENT', 'cannot read the private key (PEM or PKCS#8 DER expected)', {
      cause,
    })
  }
  if (key.type !== 'private' || !isP256(key)) {
    throw new DtlsError('DTLS_INVALID_ARGUMENT', 'the private key must be an EC key on P-256 (secp256r1)')
  }
  return key
}

/** A P-256 public key from any {@link KeyInput} (a private key gives its public half). */
export function toPublicKey(input: KeyInput): KeyObject {
  let key: KeyObject
  try {
    key =
      typeof input === 'string'
        ? createPublicKey(input)
        : input instanceof Uint8Array
          ? createPublicKey({ key: Buffer.from(input), format: 'der', type: 'spki' })
          : input.type === 'private'
            ? createPublicKey(input)
            : input
  } catch (cause) {
    throw new DtlsError('DTLS_INVALID_ARGUMENT', 'cannot read the public key (PEM or SPKI DER expected)', {
      cause,
    })
  }
  if (!isP256(key)) throw new DtlsError('DTLS_INVALID_ARGUMENT', 'the public key must be an EC key on P-256')
  return key
}

/** The SubjectPublicKeyInfo DER of a key (what RFC 7250 puts on the wire). */
export function spkiDer(key: KeyObject): Uint8Array {
  return new Uint8Array(key.export({ format: 'der', type: 'spki' }))
}

/** Parses a peer's raw public key; a malformed or non-P-256 key fails the handshake. */
export function peerPublicKey(spki: Uint8Array): KeyObject {
  let key: KeyObject
  try {
    key = createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' })
  } catch (cause) {
    throw new DtlsHandshakeError(
      'DTLS_HANDSHAKE_FAILED',
      'the peer sent a malformed public key',
      AlertDescription.bad_certificate,
      false,
      cause,
    )
  }
  if (!isP256(key)) {
    throw new DtlsHandshakeError(
      'DTLS_HANDSHAKE_FAILED',
      'the peer public key is not on P-256',
      AlertDescription.unsupported_certificate,
    )
  }
  return key
}
