import { X509Certificate } from 'node:crypto'
import { DtlsError, DtlsHandshakeError } from '../errors.js'
import { AlertDescription } from '../record/alert.js'
import type { HandshakeInfo, MaybePromise } from '../transport/options.js'

/** A certificate as an X509Certificate, a PEM string, or DER bytes. */
export type CertificateInput = X509Certificate | string | Uint8Array

export function toCertificate(input: CertificateInput): X509Certificate {
  if (input instanceof X509Certificate) return input
  try {
    return new X509Certificate(typeof input === 'string' ? input : Buffer.from(input))
  } catch (cause) {
    throw new DtlsError('DTLS_INVALID_ARGUMENT', 'cannot read the certificate (PEM or DER expected)', {
      cause,
    })
  }
}

/** Every certificate of a PEM bundle (or the single certificate of another input). */
export function toCertificates(inputs: readonly CertificateInput[]): X509Certificate[] {
  const out: X509Certificate[] = []
  for (const i of inputs) {
    if (typeof i === 'string') {
      const blocks = i.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g)
      if (blocks === null) throw new DtlsError('DTLS_INVALID_ARGUMENT', 'no PEM certificate found')
      for (const b of blocks) out.push(toCertificate(b))
    } else out.push(toCertificate(i))
  }
  return out
}

/** "CN=node-1, O=ACME" from Node's multi-line subject. */
export function subjectString(cert: X509Certificate): string {
  return cert.subject
    .split('\n')
    .filter((l) => l.length > 0)
    .join(', ')
}

function fail(reason: string, alert: number): never {
  throw new DtlsHandshakeError('DTLS_HANDSHAKE_FAILED', reason, alert)
}

/**
 * Verifies a peer's chain (leaf first) at time `now` against trust anchors: every
 * certificate is within its validity period, each is issued and signed by the next, the
 * issuers are CAs, and the chain ends in (or is issued by) a trust anchor. The leaf key
 * must be EC P-256 (the LwM2M ECDSA suites). Throws a DtlsHandshakeError with the alert
 * RFC 5246 section 7.2.2 names: certificate_expired, bad_certificate, unknown_ca,
 * unsupported_certificate.
 */
export function verifyCertificateChain(
  der: readonly Uint8Array[],
  anchors: readonly X509Certificate[],
  now: number,
  requireAnchor = anchors.length > 0,
): X509Certificate[] {
  if (der.length === 0) fail('the peer sent no certificate', AlertDescription.bad_certificate)
  if (der.length > 10) fail('the certificate chain is longer than 10', AlertDescription.bad_certificate)
  const chain: X509Certificate[] = []
  for (const d of der) {
    try {
      chain.push(new X509Certificate(Buffer.from(d)))
    } catch {
      fail('the peer sent a certificate that does not parse', AlertDescription.bad_certificate)
    }
  }
  const leaf = chain[0]!
  const key = leaf.publicKey
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    fail('the peer certificate key is not EC P-256', AlertDescription.unsupported_certificate)
  }
  const anchorPrints = new Set(anchors.map((a) => a.fingerprint256))
  for (let i = 0; i < chain.length; i++) {
    const c = chain[i]!
    const from = Date.parse(c.validFrom)
    const to = Date.parse(c.validTo)
    if (!(from <= now && now <= to))
      fail(`certificate ${i} is outside its validity period`, AlertDescription.certificate_expired)
    if (anchorPrints.has(c.fingerprint256)) return chain
    const issuer = chain[i + 1]
    if (issuer === undefined && !requireAnchor) return chain
    if (issuer !== undefined) {
      if (!c.checkIssued(issuer) || !issuer.ca || !c.verify(issuer.publicKey)) {
        fail(`certificate ${i} is not issued by the next one in the chain`, AlertDescription.bad_certificate)
      }
      continue
    }
    for (const a of anchors) {
      if (c.checkIssued(a) && c.verify(a.publicKey)) {
        const af = Date.parse(a.validFrom)
        const at = Date.parse(a.validTo)
        if (!(af <= now && now <= at))
          fail('the trust anchor is outside its validity period', AlertDescription.certificate_expired)
        return chain
      }
    }
  }
  return fail('the certificate chain does not end in a trust anchor', AlertDescription.unknown_ca)
}

/**
 * The peer's chain checked against the trust anchors (when any), then by the
 * application's `verifyPeer` (when given). With neither, every chain is refused.
 */
export async function verifyPeerChain(
  der: readonly Uint8Array[],
  trust: {
    readonly anchors: readonly X509Certificate[]
    readonly verifyPeer:
      | ((chain: readonly X509Certificate[], info: HandshakeInfo) => MaybePromise<boolean>)
      | undefined
  },
  now: number,
  info: HandshakeInfo,
): Promise<X509Certificate[]> {
  if (trust.anchors.length === 0 && trust.verifyPeer === undefined) {
    fail(
      'no trust anchors and no verifyPeer callback: every certificate is refused',
      AlertDescription.unknown_ca,
    )
  }
  const chain = verifyCertificateChain(der, trust.anchors, now)
  if (trust.verifyPeer !== undefined && !(await trust.verifyPeer(chain, info))) {
    fail('the certificate chain was refused by verifyPeer', AlertDescription.certificate_unknown)
  }
  return chain
}
