import type { PeerIdentity } from '@lwm2m/coap'

/**
 * A stable text key for a security identity, for indexes: `psk:<identity>`,
 * `rpk:<base64 of the SubjectPublicKeyInfo>`, `x509:<subject>`.
 */
export function identityKey(identity: PeerIdentity): string {
  switch (identity.mode) {
    case 'psk':
      return `psk:${identity.identity}`
    case 'rpk':
      return `rpk:${Buffer.from(identity.publicKey.buffer, identity.publicKey.byteOffset, identity.publicKey.byteLength).toString('base64')}`
    case 'x509':
      return `x509:${identity.subject}`
  }
}

/**
 * True when both are absent or both name the same identity (what equal {@link identityKey}s
 * mean, compared in place: it runs on every Update and Send).
 */
export function sameIdentity(a: PeerIdentity | undefined, b: PeerIdentity | undefined): boolean {
  if (a === undefined || b === undefined) return a === b
  switch (a.mode) {
    case 'psk':
      return b.mode === 'psk' && a.identity === b.identity
    case 'rpk':
      return b.mode === 'rpk' && equalBytes(a.publicKey, b.publicKey)
    case 'x509':
      return b.mode === 'x509' && a.subject === b.subject
  }
}

/** Equal bytes, in a time that depends on the length only (they may be key material). */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  let diff = 0
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!
  return diff === 0
}

/** A short description for logs and diagnostics: "PSK identity node-1", "X.509 CN=node-1". */
export function describeIdentity(identity: PeerIdentity | undefined): string {
  if (identity === undefined) return 'no security (plain CoAP)'
  switch (identity.mode) {
    case 'psk':
      return `PSK identity "${identity.identity.slice(0, 64)}"`
    case 'rpk':
      return 'a raw public key'
    case 'x509':
      return `X.509 subject "${identity.subject.slice(0, 128)}"`
  }
}
