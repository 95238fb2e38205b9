import { X509Certificate } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { generatePki, hasOpenssl, type Pki } from '../../test/support/pki.js'
import { DtlsHandshakeError } from '../errors.js'
import { subjectString, toCertificates, verifyCertificateChain } from './x509.js'

const der = (pem: string): Uint8Array => new Uint8Array(new X509Certificate(pem).raw)

describe.skipIf(!hasOpenssl() && process.env.CI !== 'true')(
  'certificate chain verification (RFC 5246 section 7.4.2)',
  () => {
    let pki: Pki
    beforeAll(() => {
      pki = generatePki()
    })
    afterAll(() => pki?.cleanup())

    const alertOf = (f: () => unknown): number | undefined => {
      try {
        f()
      } catch (e) {
        expect(DtlsHandshakeError.isInstance(e)).toBe(true)
        return (e as DtlsHandshakeError).alert
      }
      return undefined
    }

    it('accepts a leaf issued by the trust anchor, and a chain that carries the anchor', () => {
      const ca = toCertificates([pki.caCert])
      expect(verifyCertificateChain([der(pki.clientCert)], ca, Date.now())[0]!.subject).toBe('CN=node-1')
      expect(verifyCertificateChain([der(pki.clientCert), der(pki.caCert)], ca, Date.now())).toHaveLength(2)
      expect(subjectString(new X509Certificate(pki.serverCert))).toBe('CN=localhost')
    })

    it('refuses expired or not yet valid certificates with certificate_expired', () => {
      const ca = toCertificates([pki.caCert])
      expect(
        alertOf(() => verifyCertificateChain([der(pki.clientCert)], ca, Date.now() + 10 * 86_400_000)),
      ).toBe(45)
      expect(alertOf(() => verifyCertificateChain([der(pki.clientCert)], ca, Date.now() - 86_400_000))).toBe(
        45,
      )
    })

    it('refuses another CA (unknown_ca), a broken link (bad_certificate) and garbage (bad_certificate)', () => {
      const ca = toCertificates([pki.caCert])
      expect(alertOf(() => verifyCertificateChain([der(pki.rogueCert)], ca, Date.now()))).toBe(48)
      expect(
        alertOf(() => verifyCertificateChain([der(pki.clientCert), der(pki.serverCert)], ca, Date.now())),
      ).toBe(42)
      expect(
        alertOf(() => verifyCertificateChain([Uint8Array.of(0x30, 0x03, 1, 2, 3)], ca, Date.now())),
      ).toBe(42)
      expect(alertOf(() => verifyCertificateChain([], ca, Date.now()))).toBe(42)
    })

    it('accepts a pinned end-entity certificate as its own anchor', () => {
      const pinned = toCertificates([pki.serverCert])
      expect(verifyCertificateChain([der(pki.serverCert)], pinned, Date.now())).toHaveLength(1)
    })

    it('splits PEM bundles', () => {
      expect(toCertificates([pki.caCert + pki.serverCert])).toHaveLength(2)
    })
  },
)
