import type { PeerIdentity } from '@lwm2m/coap'
import { describe, expect, it } from 'vitest'
import { checkEndpointSecurity, identityMatches } from './check.js'
import { describeIdentity, identityKey, sameIdentity } from './identity.js'
import { commonName } from './security-store.js'

const peer = { address: '10.0.0.1', port: 5684 }

describe('checkEndpointSecurity (the check that an identity may use an endpoint name)', () => {
  it('requires the configured identity, refuses plain CoAP for a secured name', () => {
    const info = { endpoint: 'a', mode: 'psk' as const, identity: 'id-a' }
    expect(
      checkEndpointSecurity(
        'a',
        info,
        { ...peer, identity: { mode: 'psk', identity: 'id-a' } },
        { allowUnsecured: true },
      ),
    ).toEqual({
      allowed: true,
    })
    expect(checkEndpointSecurity('a', info, peer, { allowUnsecured: true })).toMatchObject({ allowed: false })
    expect(
      checkEndpointSecurity(
        'a',
        info,
        { ...peer, identity: { mode: 'psk', identity: 'id-b' } },
        { allowUnsecured: true },
      ),
    ).toMatchObject({ allowed: false, reason: expect.stringContaining('may not use endpoint a') })
  })

  it('refuses an authenticated peer without info; plain CoAP follows allowUnsecured', () => {
    const secure = { ...peer, identity: { mode: 'psk' as const, identity: 'x' } }
    expect(checkEndpointSecurity('a', undefined, secure, { allowUnsecured: true }).allowed).toBe(false)
    expect(checkEndpointSecurity('a', undefined, peer, { allowUnsecured: true }).allowed).toBe(true)
    expect(checkEndpointSecurity('a', undefined, peer, { allowUnsecured: false }).allowed).toBe(false)
  })

  it('matches RPK by key bytes and X.509 by subject or common name', () => {
    const key = Uint8Array.of(1, 2, 3)
    expect(
      identityMatches(
        { endpoint: 'a', mode: 'rpk', publicKey: key },
        { mode: 'rpk', publicKey: Uint8Array.of(1, 2, 3) },
      ),
    ).toBe(true)
    expect(
      identityMatches(
        { endpoint: 'a', mode: 'rpk', publicKey: key },
        { mode: 'rpk', publicKey: Uint8Array.of(1, 2) },
      ),
    ).toBe(false)
    const cert = new Uint8Array(0)
    expect(
      identityMatches(
        { endpoint: 'dev', mode: 'x509' },
        { mode: 'x509', certificate: cert, subject: 'O=x, CN=dev' },
      ),
    ).toBe(true)
    expect(
      identityMatches(
        { endpoint: 'dev', mode: 'x509' },
        { mode: 'x509', certificate: cert, subject: 'CN=devx' },
      ),
    ).toBe(false)
    expect(
      identityMatches(
        { endpoint: 'dev', mode: 'x509', subject: 'CN=a' },
        { mode: 'x509', certificate: cert, subject: 'CN=a' },
      ),
    ).toBe(true)
    expect(identityMatches({ endpoint: 'dev', mode: 'x509' }, { mode: 'psk', identity: 'dev' })).toBe(false)
  })

  it('sameIdentity is equality of identityKey, for every mode', () => {
    const ids: PeerIdentity[] = [
      { mode: 'psk', identity: 'x' },
      { mode: 'psk', identity: 'y' },
      { mode: 'rpk', publicKey: Uint8Array.of(1, 2, 3) },
      { mode: 'rpk', publicKey: Uint8Array.of(1, 2, 4) },
      { mode: 'rpk', publicKey: Uint8Array.of(1, 2) },
      { mode: 'x509', certificate: Uint8Array.of(1), subject: 'CN=a' },
      { mode: 'x509', certificate: Uint8Array.of(2), subject: 'CN=a' },
      { mode: 'x509', certificate: Uint8Array.of(1), subject: 'CN=b' },
    ]
    for (const a of ids) {
      for (const b of ids) expect(sameIdentity(a, b)).toBe(identityKey(a) === identityKey(b))
    }
    // An equal key in another buffer is the same identity.
    expect(
      sameIdentity(
        { mode: 'rpk', publicKey: Uint8Array.of(9, 8) },
        { mode: 'rpk', publicKey: Uint8Array.of(9, 8) },
      ),
    ).toBe(true)
  })

  it('reads common names and describes identities', () => {
    expect(commonName('CN=node-1')).toBe('node-1')
    expect(commonName('C=FR, O="ACME, Inc", CN = node-2 ')).toBe('node-2')
    expect(commonName('O=ACME')).toBeUndefined()
    expect(identityKey({ mode: 'psk', identity: 'x' })).toBe('psk:x')
    expect(identityKey({ mode: 'rpk', publicKey: Uint8Array.of(255) })).toBe('rpk:/w==')
    expect(sameIdentity(undefined, undefined)).toBe(true)
    expect(sameIdentity({ mode: 'psk', identity: 'x' }, undefined)).toBe(false)
    expect(describeIdentity(undefined)).toMatch(/plain CoAP/)
    expect(describeIdentity({ mode: 'x509', certificate: new Uint8Array(0), subject: 'CN=a' })).toMatch(
      /CN=a/,
    )
  })
})
