import { createHash, generateKeyPairSync, type KeyObject } from 'node:crypto'
import { parseCoapUri } from '@lwm2m/coap'
import { instance, multipleResource, type Resource, singleResource } from '@lwm2m/core'
import { SecretBytes } from '@lwm2m/objects'
import { describe, expect, it } from 'vitest'
import { type SecurityInstance, securityInstance } from '../accounts/accounts.js'
import { ClientError } from '../errors.js'
import { dtlsCredentials } from './credentials.js'

const URI = parseCoapUri('coaps://lwm2m.example.com:5684')
const enc = (s: string) => new TextEncoder().encode(s)

/** A Security instance node as the client reads it (Core TS 1.1 section E.1). */
function security(mode: number, extra: Resource[] = [], id = 0): SecurityInstance {
  return securityInstance(
    instance(id, [
      singleResource(0, 'string', 'coaps://lwm2m.example.com:5684'),
      singleResource(1, 'boolean', false),
      singleResource(2, 'integer', mode),
      singleResource(10, 'integer', 1),
      ...extra,
    ]),
  )
}

function p256(): { privateKey: KeyObject; publicKey: KeyObject } {
  return generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
}
const der = (k: KeyObject, type: 'spki' | 'pkcs8' | 'sec1') =>
  new Uint8Array(k.export({ format: 'der', type } as never) as Buffer)
const pem = (k: KeyObject, type: 'spki' | 'pkcs8') =>
  enc(k.export({ format: 'pem', type } as never) as string)
const jwk = (k: KeyObject) => k.export({ format: 'jwk' }) as { d?: string; x: string; y: string }
const b64u = (s: string) => new Uint8Array(Buffer.from(s, 'base64url'))
function rawPoint(k: KeyObject, prefix: boolean): Uint8Array {
  const { x, y } = jwk(k)
  return new Uint8Array([...(prefix ? [4] : []), ...b64u(x), ...b64u(y)])
}

function expectSecurityError(f: () => unknown, message: RegExp): ClientError {
  try {
    f()
  } catch (e) {
    expect(ClientError.isInstance(e) && e.code).toBe('CLIENT_SECURITY')
    expect((e as Error).message).toMatch(message)
    return e as ClientError
  }
  throw new Error('no error thrown')
}

describe('DTLS credentials from a Security instance (Core TS 1.1 section E.1)', () => {
  it('mode 0 (PSK): identity /3 as UTF-8, the key /5 as the Security object keeps it', () => {
    const key = SecretBytes.copyOf([1, 2, 3, 4, 5, 6, 7, 8])
    const s = security(0, [singleResource(3, 'opaque', enc('node-1')), singleResource(5, 'opaque', key)])
    const creds = dtlsCredentials(s, URI)
    expect(creds.psk?.identity).toBe('node-1')
    expect(creds.psk?.key).toBe(key)
    expect(String(creds.psk?.key)).toBe('[redacted]')
    expect(creds.serverName).toBeUndefined()
    expect(creds.rpk).toBeUndefined()
    expect(creds.x509).toBeUndefined()
  })

  it('SNI (/14) becomes server_name; DTLS/TLS Ciphersuite (/16) the suites offered, IANA values', () => {
    const s = security(0, [
      singleResource(3, 'opaque', enc('id')),
      singleResource(5, 'opaque', Uint8Array.of(1)),
      singleResource(14, 'string', 'lwm2m.example.net'),
      multipleResource(16, 'unsigned', [0xc0a8, 0x1301, 0x00ae]),
    ])
    const creds = dtlsCredentials(s, URI)
    expect(creds.serverName).toBe('lwm2m.example.net')
    // Suites @lwm2m/dtls does not offer are left out of the list: 0x1301 is TLS_AES_128_GCM_SHA256,
    // a (D)TLS 1.3 suite, and the transport speaks DTLS 1.2 only (see its README).
    expect(creds.cipherSuites).toEqual(['TLS_PSK_WITH_AES_128_CCM_8', 'TLS_PSK_WITH_AES_128_CBC_SHA256'])
    const none = security(0, [
      singleResource(3, 'opaque', enc('id')),
      singleResource(5, 'opaque', Uint8Array.of(1)),
      multipleResource(16, 'unsigned', [0x1301]),
    ])
    expectSecurityError(() => dtlsCredentials(none, URI), /none of the cipher suites of \/16 \(0x1301\)/)
  })

  it('refuses what cannot secure the connection: NoSec, EST, a missing identity or key, a non-UTF-8 identity', () => {
    expectSecurityError(
      () => dtlsCredentials(security(3), URI),
      /Security Mode 3 \(NoSec\) cannot secure coaps/,
    )
    expectSecurityError(() => dtlsCredentials(security(4), URI), /Security Mode 4 \(certificate with EST\)/)
    expectSecurityError(
      () => dtlsCredentials(security(0, [singleResource(5, 'opaque', Uint8Array.of(1))]), URI),
      /without a PSK identity/,
    )
    expectSecurityError(
      () => dtlsCredentials(security(0, [singleResource(3, 'opaque', enc('id'))]), URI),
      /without a key/,
    )
    expectSecurityError(
      () =>
        dtlsCredentials(
          security(0, [
            singleResource(3, 'opaque', Uint8Array.of(0xff, 0xfe)),
            singleResource(5, 'opaque', Uint8Array.of(1)),
          ]),
          URI,
        ),
      /not UTF-8/,
    )
    expectSecurityError(
      () => dtlsCredentials(security(0, [singleResource(13, 'unsigned', 7)]), URI),
      /Matching Type \(13\) 7/,
    )
  })

  it('mode 1 (RPK): every usual encoding of our key and of the server key; the server key must match /4', () => {
    const client = p256()
    const server = p256()
    const spki = der(server.publicKey, 'spki')
    const privates: [string, Uint8Array][] = [
      ['PKCS#8 DER', der(client.privateKey, 'pkcs8')],
      ['SEC1 DER', der(client.privateKey, 'sec1')],
      ['PEM', pem(client.privateKey, 'pkcs8')],
      ['raw 32-byte scalar', b64u(jwk(client.privateKey).d!)],
    ]
    const serverKeys: [string, Uint8Array][] = [
      ['SPKI DER', spki],
      ['PEM', pem(server.publicKey, 'spki')],
      ['raw point 04||X||Y', rawPoint(server.publicKey, true)],
      ['raw X||Y', rawPoint(server.publicKey, false)],
    ]
    for (const [what, key] of privates) {
      for (const [how, serverKey] of serverKeys) {
        const s = security(1, [
          singleResource(3, 'opaque', der(client.publicKey, 'spki')),
          singleResource(4, 'opaque', serverKey),
          singleResource(5, 'opaque', key),
        ])
        const rpk = dtlsCredentials(s, URI).rpk!
        expect(der(rpk.publicKey, 'spki'), `${what} / ${how}`).toEqual(der(client.publicKey, 'spki'))
        expect(rpk.verifyPeer(spki), `${what} / ${how}`).toBe(true)
        expect(rpk.verifyPeer(der(p256().publicKey, 'spki'))).toBe(false)
      }
    }
  })

  it('mode 1: Matching Type (/13) 1-3 compares hashes; /3 must belong to /5; other curves are refused', () => {
    const client = p256()
    const server = p256()
    const spki = der(server.publicKey, 'spki')
    for (const [type, alg] of [
      [1, 'sha256'],
      [2, 'sha384'],
      [3, 'sha512'],
    ] as const) {
      const s = security(1, [
        singleResource(4, 'opaque', new Uint8Array(createHash(alg).update(spki).digest())),
        singleResource(5, 'opaque', der(client.privateKey, 'pkcs8')),
        singleResource(13, 'unsigned', type),
      ])
      const rpk = dtlsCredentials(s, URI).rpk!
      expect(rpk.verifyPeer(spki)).toBe(true)
      expect(rpk.verifyPeer(der(p256().publicKey, 'spki'))).toBe(false)
    }
    const mismatched = security(1, [
      singleResource(3, 'opaque', der(p256().publicKey, 'spki')),
      singleResource(4, 'opaque', spki),
      singleResource(5, 'opaque', der(client.privateKey, 'pkcs8')),
    ])
    expectSecurityError(
      () => dtlsCredentials(mismatched, URI),
      /public key \/3 does not belong to the private key \/5/,
    )
    const p384 = generateKeyPairSync('ec', { namedCurve: 'secp384r1' })
    const other = security(1, [
      singleResource(4, 'opaque', spki),
      singleResource(5, 'opaque', der(p384.privateKey, 'pkcs8')),
    ])
    expectSecurityError(() => dtlsCredentials(other, URI), /not on P-256/)
    const garbage = security(1, [
      singleResource(4, 'opaque', spki),
      singleResource(5, 'opaque', Uint8Array.of(1, 2, 3)),
    ])
    expectSecurityError(() => dtlsCredentials(garbage, URI), /\/0\/0\/5: not a private key/)
    const noServerKey = security(1, [singleResource(5, 'opaque', der(client.privateKey, 'pkcs8'))])
    expectSecurityError(() => dtlsCredentials(noServerKey, URI), /\/0\/0\/4: no public key/)
  })

  it('no error message carries key bytes', () => {
    const secret = Uint8Array.from({ length: 40 }, (_, i) => 0xa0 + i)
    const s = security(1, [singleResource(4, 'opaque', secret), singleResource(5, 'opaque', secret)])
    const e = expectSecurityError(() => dtlsCredentials(s, URI), /./)
    const text = `${e.message} ${String(e.cause)}`
    expect(text).not.toContain(Buffer.from(secret).toString('hex'))
    expect(text).not.toContain(Buffer.from(secret).toString('base64'))
    expect(text).not.toContain(Array.from(secret).join(','))
  })

  it('mode 2 (X.509) without a certificate fails before any handshake', () => {
    expectSecurityError(() => dtlsCredentials(security(2), URI), /\/0\/0\/3: no certificate/)
    expectSecurityError(
      () =>
        dtlsCredentials(
          security(2, [singleResource(3, 'opaque', enc('-----BEGIN CERTIFICATE-----\nAAAA'))]),
          URI,
        ),
      /\/0\/0\/3: no PEM certificate found/,
    )
  })
})
