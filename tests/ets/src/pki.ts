/**
 * The certificates of C.17 and C.18 (ETS INT 1.2 App. C: client.crt, client.key, server.crt
 * issued for server.example.com). No archive of them is published with ETS 1.2, so each run
 * makes its own: a CA, the server's certificate for server.example.com and the client's for its
 * endpoint name, on P-256 keys (the LwM2M ECDSA suites). The X.509 structures (RFC 5280) are
 * written here in DER and signed with node:crypto, so that no tool outside Node is needed.
 */
import { createPrivateKey, generateKeyPairSync, type KeyObject, sign, X509Certificate } from 'node:crypto'

/** A key and its certificate: PEM for the server's DTLS transport, DER for a Security instance. */
export interface KeyAndCertificate {
  readonly keyPem: string
  /** PKCS#8 DER (/0/x/5). */
  readonly keyDer: Uint8Array
  readonly certPem: string
  /** DER (/0/x/3, /0/x/4). */
  readonly certDer: Uint8Array
  readonly certificate: X509Certificate
}

export interface EtsPki {
  readonly ca: KeyAndCertificate
  /** server.crt: CN and subjectAltName DNS server.example.com. */
  readonly server: KeyAndCertificate
  /** client.crt: CN = the endpoint name (the server's security store ties it to the endpoint). */
  readonly client: KeyAndCertificate
}

// ---- DER (X.690) ---------------------------------------------------------------------

function length(n: number): number[] {
  if (n < 0x80) return [n]
  const bytes: number[] = []
  for (let v = n; v > 0; v >>= 8) bytes.unshift(v & 0xff)
  return [0x80 | bytes.length, ...bytes]
}

function tlv(tag: number, content: Uint8Array | number[]): Uint8Array {
  const body = content instanceof Uint8Array ? [...content] : content
  return Uint8Array.from([tag, ...length(body.length), ...body])
}

const concat = (...parts: Uint8Array[]): Uint8Array => Uint8Array.from(parts.flatMap((p) => [...p]))
const sequence = (...parts: Uint8Array[]) => tlv(0x30, concat(...parts))
const set = (...parts: Uint8Array[]) => tlv(0x31, concat(...parts))
const octets = (content: Uint8Array) => tlv(0x04, content)
const bits = (content: Uint8Array, unused = 0) => tlv(0x03, [unused, ...content])
const utf8 = (text: string) => tlv(0x0c, new TextEncoder().encode(text))
const explicit = (n: number, content: Uint8Array) => tlv(0xa0 | n, content)
const TRUE = tlv(0x01, [0xff])

function integer(value: number): Uint8Array {
  const bytes: number[] = []
  for (let v = value; v > 0; v = Math.floor(v / 256)) bytes.unshift(v % 256)
  if (bytes.length === 0 || bytes[0]! & 0x80) bytes.unshift(0)
  return tlv(0x02, bytes)
}

function oid(dotted: string): Uint8Array {
  const [a, b, ...rest] = dotted.split('.').map(Number)
  const out = [a! * 40 + b!]
  for (const arc of rest) {
    const chunk: number[] = [arc & 0x7f]
    for (let v = arc >> 7; v > 0; v >>= 7) chunk.unshift(0x80 | (v & 0x7f))
    out.push(...chunk)
  }
  return tlv(0x06, out)
}

/** UTCTime (RFC 5280 section 4.1.2.5.1: YYMMDDHHMMSSZ, years 1950-2049). */
function utcTime(ms: number): Uint8Array {
  const d = new Date(ms)
  const two = (n: number) => String(n).padStart(2, '0')
  const text = `${two(d.getUTCFullYear() % 100)}${two(d.getUTCMonth() + 1)}${two(d.getUTCDate())}${two(d.getUTCHours())}${two(d.getUTCMinutes())}${two(d.getUTCSeconds())}Z`
  return tlv(0x17, new TextEncoder().encode(text))
}

// ---- X.509 (RFC 5280) ------------------------------------------------------------------

const ECDSA_WITH_SHA256 = sequence(oid('1.2.840.10045.4.3.2'))
const name = (cn: string) => sequence(set(sequence(oid('2.5.4.3'), utf8(cn))))
const extension = (id: string, critical: boolean, value: Uint8Array) =>
  sequence(oid(id), ...(critical ? [TRUE] : []), octets(value))

interface Issue {
  readonly serial: number
  readonly subject: string
  readonly issuer: string
  readonly publicKey: KeyObject
  readonly signer: KeyObject
  readonly ca: boolean
  readonly dnsName?: string
  readonly notBefore: number
  readonly notAfter: number
}

function certificate(o: Issue): Uint8Array {
  const extensions = [
    // basicConstraints: cA true for the CA, an empty sequence for an end entity.
    extension('2.5.29.19', true, o.ca ? sequence(TRUE) : sequence()),
    // keyUsage: keyCertSign (bit 5) for the CA, digitalSignature (bit 0) for an end entity.
    extension('2.5.29.15', true, o.ca ? bits(Uint8Array.of(0x04), 2) : bits(Uint8Array.of(0x80), 7)),
    // subjectAltName: dNSName [2].
    ...(o.dnsName === undefined
      ? []
      : [extension('2.5.29.17', false, sequence(tlv(0x82, new TextEncoder().encode(o.dnsName))))]),
  ]
  const tbs = sequence(
    explicit(0, integer(2)),
    integer(o.serial),
    ECDSA_WITH_SHA256,
    name(o.issuer),
    sequence(utcTime(o.notBefore), utcTime(o.notAfter)),
    name(o.subject),
    new Uint8Array(o.publicKey.export({ type: 'spki', format: 'der' })),
    explicit(3, sequence(...extensions)),
  )
  const signature = sign('sha256', tbs, { key: o.signer, dsaEncoding: 'der' })
  return sequence(tbs, ECDSA_WITH_SHA256, bits(new Uint8Array(signature)))
}

function pem(der: Uint8Array): string {
  const b64 = Buffer.from(der).toString('base64')
  return `-----BEGIN CERTIFICATE-----\n${b64.match(/.{1,64}/g)!.join('\n')}\n-----END CERTIFICATE-----\n`
}

function keyPair(): { privateKey: KeyObject; publicKey: KeyObject } {
  return generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
}

function bundle(der: Uint8Array, privateKey: KeyObject): KeyAndCertificate {
  return {
    keyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
    keyDer: new Uint8Array(privateKey.export({ type: 'pkcs8', format: 'der' })),
    certPem: pem(der),
    certDer: der,
    certificate: new X509Certificate(Buffer.from(der)),
  }
}

/**
 * Makes the CA and the two certificates, valid from an hour before the earliest of `times` to
 * two days after the latest: a test whose client runs on a fake clock and whose server on the
 * real one gives both times.
 */
export function makeEtsPki(
  endpoint: string,
  serverName = 'server.example.com',
  times: readonly number[] = [Date.now()],
): EtsPki {
  const validity = {
    notBefore: Math.min(...times) - 3_600_000,
    notAfter: Math.max(...times) + 2 * 86_400_000,
  }
  const ca = keyPair()
  const server = keyPair()
  const client = keyPair()
  const caName = 'ETS INT test CA'
  const caDer = certificate({
    serial: 1,
    subject: caName,
    issuer: caName,
    publicKey: ca.publicKey,
    signer: ca.privateKey,
    ca: true,
    ...validity,
  })
  const serverDer = certificate({
    serial: 2,
    subject: serverName,
    issuer: caName,
    publicKey: server.publicKey,
    signer: ca.privateKey,
    ca: false,
    dnsName: serverName,
    ...validity,
  })
  const clientDer = certificate({
    serial: 3,
    subject: endpoint,
    issuer: caName,
    publicKey: client.publicKey,
    signer: ca.privateKey,
    ca: false,
    ...validity,
  })
  return {
    ca: bundle(caDer, ca.privateKey),
    server: bundle(serverDer, server.privateKey),
    client: bundle(clientDer, client.privateKey),
  }
}

/** The key of a bundle as a KeyObject. */
export function privateKeyOf(k: KeyAndCertificate): KeyObject {
  return createPrivateKey(k.keyPem)
}
