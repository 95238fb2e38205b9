import { generateKeyPairSync } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseCoapUri, silentLogger } from '@lwm2m/coap'
import { afterAll, describe, expect, it } from 'vitest'
import { coapsClientTransport } from './coaps-client.js'
import { coapsServerTransport, readSecurityFile, securityEntries } from './coaps-server.js'
import { hexBytes, keyMaterial, pskSpec } from './key-material.js'

const dir = mkdtempSync(join(tmpdir(), 'lwm2m-cli-keys-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
const pair = generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
const spkiHex = Buffer.from(pair.publicKey.export({ format: 'der', type: 'spki' })).toString('hex')

describe('credentials on the command line', () => {
  it('--psk endpoint:identity:hexkey; the identity may hold colons', () => {
    expect(pskSpec('ep:id:0a0b')).toEqual({ endpoint: 'ep', identity: 'id', key: Uint8Array.of(10, 11) })
    expect(pskSpec('ep:urn:imei:1:ff').identity).toBe('urn:imei:1')
    for (const bad of ['ep', 'ep:id', ':id:00', 'ep::00', 'ep:id:', 'ep:id:xyz', 'ep:id:abc']) {
      expect(() => pskSpec(bad), bad).toThrow(/--psk|hex/)
    }
  })

  it('key material: inline PEM, a file, or hex; errors never repeat the key', () => {
    const pem = pair.publicKey.export({ format: 'pem', type: 'spki' }) as string
    const file = join(dir, 'k.pem')
    writeFileSync(file, pem)
    expect(new TextDecoder().decode(keyMaterial(pem, 'x'))).toBe(pem.trim())
    expect(new TextDecoder().decode(keyMaterial(file, 'x'))).toBe(pem)
    expect(keyMaterial('0x0102', 'x')).toEqual(Uint8Array.of(1, 2))
    expect(() => keyMaterial('no-such-file.pem', '--key')).toThrow(/--key: no file no-such-file.pem/)
    expect(() => hexBytes('secretsecret', '--psk-key')).toThrow(/--psk-key takes hex digits/)
    try {
      hexBytes('abc', '--psk-key')
    } catch (e) {
      expect(String(e)).not.toContain('abc')
    }
  })

  it('a security file: psk, rpk (file relative to it, PEM or hex) and x509 entries; bad ones say where', () => {
    writeFileSync(join(dir, 'pub.pem'), pair.publicKey.export({ format: 'pem', type: 'spki' }))
    const path = join(dir, 'sec.json')
    writeFileSync(
      path,
      JSON.stringify({
        entries: [
          { endpoint: 'a', mode: 'psk', identity: 'a-id', key: '0011' },
          { endpoint: 'b', mode: 'rpk', publicKey: 'pub.pem' },
          { endpoint: 'c', mode: 'rpk', publicKey: spkiHex },
          { endpoint: 'd', mode: 'x509' },
          { endpoint: 'e', mode: 'x509', subject: 'CN=e, O=ACME' },
        ],
      }),
    )
    const infos = readSecurityFile(path)
    expect(infos.map((i) => [i.endpoint, i.mode])).toEqual([
      ['a', 'psk'],
      ['b', 'rpk'],
      ['c', 'rpk'],
      ['d', 'x509'],
      ['e', 'x509'],
    ])
    expect(infos[1]).toEqual(infos[2] && { ...infos[2], endpoint: 'b' })
    writeFileSync(path, JSON.stringify([{ endpoint: 'a', mode: 'psk', identity: 'x' }]))
    expect(() => readSecurityFile(path)).toThrow(/entry 0: "key" must be a non-empty string/)
    writeFileSync(path, JSON.stringify([{ endpoint: 'a', mode: 'oscore' }]))
    expect(() => readSecurityFile(path)).toThrow(/"mode" must be "psk", "rpk" or "x509"/)
    writeFileSync(path, '{')
    expect(() => readSecurityFile(path)).toThrow(/--security-file/)
  })

  it('the server provider: DTLS only with credentials or --coaps-port, never with --no-coaps; one identity per endpoint', () => {
    const ctx = { logger: silentLogger }
    expect(coapsServerTransport.resolve({}, ctx)).toBeUndefined()
    expect(coapsServerTransport.resolve({ coaps: false, psk: ['a:a:00'] }, ctx)).toBeUndefined()
    expect(() => coapsServerTransport.resolve({ psk: ['a:same:00', 'b:same:01'] }, ctx)).toThrow(
      /already belongs to endpoint a/,
    )
    expect(() => coapsServerTransport.resolve({ x509: ['a'] }, ctx)).toThrow(
      /--server-key, --server-cert and --ca/,
    )
    expect(securityEntries({ rpk: [`b:${spkiHex}`], x509: ['c'] }).map((i) => i.mode)).toEqual([
      'rpk',
      'x509',
    ])
  })

  it('the client provider: one mode at a time, each with all it needs', () => {
    const uri = parseCoapUri('coaps://127.0.0.1:5684')
    expect(coapsClientTransport.account({ pskIdentity: 'id', pskKey: '0102' }, uri)).toMatchObject({
      securityMode: 0,
      publicKeyOrIdentity: 'id',
      secretKey: Uint8Array.of(1, 2),
    })
    expect(
      coapsClientTransport.account({ pskIdentity: 'id', pskKey: '0102', sni: 'x.example' }, uri),
    ).toMatchObject({
      resources: { 14: 'x.example' },
    })
    expect(() => coapsClientTransport.account({ pskIdentity: 'id' }, uri)).toThrow(
      /both --psk-identity and --psk-key/,
    )
    expect(() => coapsClientTransport.account({ pskKey: '00', rpkKey: 'k' }, uri)).toThrow(/one mode/)
    expect(() => coapsClientTransport.account({ rpkKey: '00' }, uri)).toThrow(/--server-public-key/)
    expect(() => coapsClientTransport.account({ cert: '00', key: '00' }, uri)).toThrow(
      /one of --ca or --server-cert/,
    )
    expect(coapsClientTransport.account({ cert: '00', key: '00', ca: '01' }, uri)).toMatchObject({
      securityMode: 2,
      resources: { 15: 2 },
    })
    expect(coapsClientTransport.account({ cert: '00', key: '00', serverCert: '01' }, uri)).toMatchObject({
      resources: { 15: 3 },
    })
    expect(() => coapsClientTransport.account({}, uri)).toThrow(/needs credentials/)
  })
})
