import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { DtlsCodecError } from '../errors.js'
import {
  clientHelloCookieInput,
  decodeCertificate,
  decodeCertificateRequest,
  decodeCertificateVerify,
  decodeClientHello,
  decodeEcdheClientKeyExchange,
  decodeEcdheServerKeyExchange,
  decodeFinished,
  decodeHandshakeFragments,
  decodeHelloVerifyRequest,
  decodeOpaque8,
  decodePskClientKeyExchange,
  decodePskServerKeyExchange,
  decodeServerHello,
  decodeServerName,
  decodeU8List,
  decodeU16List,
  encodeCertificate,
  encodeCertificateRequest,
  encodeCertificateVerify,
  encodeClientHello,
  encodeEcdheParams,
  encodeEcdheServerKeyExchange,
  encodeHandshake,
  encodeHelloVerifyRequest,
  encodeServerHello,
  encodeServerName,
} from './messages.js'

const bytes = (min: number, max: number) =>
  fc.uint8Array({ minLength: min, maxLength: max }).map((b) => Array.from(b))
const extensions = fc.uniqueArray(
  fc.record({ type: fc.integer({ min: 0, max: 0xffff }), data: bytes(0, 40) }),
  {
    selector: (e) => e.type,
    maxLength: 6,
  },
)
const plain = (v: unknown): unknown =>
  JSON.parse(JSON.stringify(v, (_, x) => (x instanceof Uint8Array ? Array.from(x) : x)))
const u8 = (a: number[]): Uint8Array => Uint8Array.from(a)

/** Every decoder in this file: arbitrary input must decode or throw DtlsCodecError. */
const decoders: Array<[string, (b: Uint8Array) => unknown]> = [
  ['fragments', decodeHandshakeFragments],
  ['ClientHello', decodeClientHello],
  ['ServerHello', decodeServerHello],
  ['HelloVerifyRequest', decodeHelloVerifyRequest],
  ['Certificate x509', (b) => decodeCertificate(b, 0)],
  ['Certificate rpk', (b) => decodeCertificate(b, 2)],
  ['PSK ServerKeyExchange', decodePskServerKeyExchange],
  ['ECDHE ServerKeyExchange', decodeEcdheServerKeyExchange],
  ['CertificateRequest', decodeCertificateRequest],
  ['PSK ClientKeyExchange', decodePskClientKeyExchange],
  ['ECDHE ClientKeyExchange', decodeEcdheClientKeyExchange],
  ['CertificateVerify', decodeCertificateVerify],
  ['Finished', decodeFinished],
  ['server_name', decodeServerName],
  ['u16 list', (b) => decodeU16List(b, 'x')],
  ['u8 list', (b) => decodeU8List(b, 'x')],
  ['opaque8', (b) => decodeOpaque8(b, 'x')],
]

describe('handshake message codecs (RFC 5246 section 7.4, RFC 6347 section 4.3.2)', () => {
  it.each(decoders)('%s: arbitrary bytes decode or throw DtlsCodecError', (_, decode) => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (b) => {
        try {
          decode(b)
        } catch (e) {
          expect(e).toBeInstanceOf(DtlsCodecError)
          expect((e as DtlsCodecError).offset).toBeGreaterThanOrEqual(0)
          expect((e as DtlsCodecError).offset).toBeLessThanOrEqual(b.length)
        }
      }),
      { numRuns: 1500 },
    )
  })

  it('ClientHello round-trips, and the cookie input ignores the cookie', () => {
    const arb = fc.record({
      version: fc.integer({ min: 0, max: 0xffff }),
      random: bytes(32, 32),
      sessionId: bytes(0, 32),
      cookie: bytes(0, 255),
      cipherSuites: fc.array(fc.integer({ min: 0, max: 0xffff }), { minLength: 1, maxLength: 20 }),
      compressionMethods: fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 4 }),
      extensions: fc.option(extensions, { nil: undefined }),
    })
    fc.assert(
      fc.property(arb, bytes(0, 64), (h, otherCookie) => {
        const { extensions: ext, ...rest } = h
        const hello = {
          ...rest,
          random: u8(h.random),
          sessionId: u8(h.sessionId),
          cookie: u8(h.cookie),
          ...(ext === undefined ? {} : { extensions: ext.map((e) => ({ type: e.type, data: u8(e.data) })) }),
        }
        const enc = encodeClientHello(hello)
        expect(plain(decodeClientHello(enc))).toEqual(plain(hello))
        const enc2 = encodeClientHello({ ...hello, cookie: u8(otherCookie) })
        expect(
          Buffer.from(clientHelloCookieInput(enc)).equals(Buffer.from(clientHelloCookieInput(enc2))),
        ).toBe(true)
      }),
    )
  })

  it('ServerHello, HelloVerifyRequest, Certificate, CertificateRequest, CertificateVerify round-trip', () => {
    fc.assert(
      fc.property(
        bytes(32, 32),
        bytes(0, 32),
        fc.integer({ min: 0, max: 0xffff }),
        fc.option(extensions, { nil: undefined }),
        fc.array(bytes(1, 50), { maxLength: 4 }),
        (random, sid, suite, ext, certs) => {
          const sh = {
            version: 0xfefd,
            random: u8(random),
            sessionId: u8(sid),
            cipherSuite: suite,
            compressionMethod: 0,
            ...(ext === undefined
              ? {}
              : { extensions: ext.map((e) => ({ type: e.type, data: u8(e.data) })) }),
          }
          expect(plain(decodeServerHello(encodeServerHello(sh)))).toEqual(plain(sh))
          const hvr = { version: 0xfeff, cookie: u8(sid) }
          expect(plain(decodeHelloVerifyRequest(encodeHelloVerifyRequest(hvr)))).toEqual(plain(hvr))
          const chain = certs.map(u8)
          expect(plain(decodeCertificate(encodeCertificate({ kind: 'x509', chain }), 0))).toEqual(
            plain({ kind: 'x509', chain }),
          )
          if (chain[0] !== undefined) {
            const rpk = { kind: 'rpk', publicKey: chain[0] } as const
            expect(plain(decodeCertificate(encodeCertificate(rpk), 2))).toEqual(plain(rpk))
          }
          const cr = { certificateTypes: [64], signatureAlgorithms: [0x0403, suite], authorities: chain }
          expect(plain(decodeCertificateRequest(encodeCertificateRequest(cr)))).toEqual(plain(cr))
          if (sid.length > 0) {
            const cv = { signatureAlgorithm: 0x0403, signature: u8(sid) }
            expect(plain(decodeCertificateVerify(encodeCertificateVerify(cv)))).toEqual(plain(cv))
            const params = encodeEcdheParams(23, u8(random))
            const ske = decodeEcdheServerKeyExchange(encodeEcdheServerKeyExchange(params, 0x0403, u8(sid)))
            expect(plain(ske)).toEqual(
              plain({
                curve: 23,
                publicPoint: u8(random),
                params,
                signatureAlgorithm: 0x0403,
                signature: u8(sid),
              }),
            )
          }
        },
      ),
    )
  })

  it('server_name round-trips printable host names (RFC 6066 section 3)', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[a-z0-9.-]{1,60}$/), (host) => {
        expect(decodeServerName(encodeServerName(host))).toBe(host)
      }),
    )
  })

  it('handshake fragments round-trip with their headers', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 255 }),
        fc.integer({ min: 0, max: 0xffff }),
        bytes(0, 200),
        (t, seq, body) => {
          const [f] = decodeHandshakeFragments(encodeHandshake(t, seq, u8(body)))
          expect(plain(f)).toEqual(
            plain({ type: t, length: body.length, messageSeq: seq, fragmentOffset: 0, body: u8(body) }),
          )
        },
      ),
    )
  })

  it('rejects duplicate extensions (RFC 5246 section 7.4.1.4)', () => {
    const hello = {
      version: 0xfefd,
      random: new Uint8Array(32),
      sessionId: new Uint8Array(0),
      cookie: new Uint8Array(0),
      cipherSuites: [0xc0a8],
      compressionMethods: [0],
      extensions: [
        { type: 23, data: new Uint8Array(0) },
        { type: 23, data: new Uint8Array(0) },
      ],
    }
    expect(() => decodeClientHello(encodeClientHello(hello))).toThrow(/duplicate extension/)
  })
})
