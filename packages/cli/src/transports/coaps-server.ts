import { createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { dirname } from 'node:path'
import { dtlsServer } from '@lwm2m/dtls'
import {
  createMemorySecurityStore,
  dtlsServerCredentials,
  type SecurityInfo,
  type ServerDtlsIdentity,
} from '@lwm2m/server'
import { CliError } from '../errors.js'
import { collect, hexBytes, keyMaterial, pskSpec } from './key-material.js'
import { parsePort } from './port.js'
import type { ParsedOptions, ServerTransportProvider } from './server-transports.js'

function invalid(message: string, cause?: unknown): never {
  throw new CliError('CLI_INVALID_OPTION', message, cause === undefined ? undefined : { cause })
}

function text(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('utf8')
}

function isPem(bytes: Uint8Array): boolean {
  return text(bytes.subarray(0, 64)).trimStart().startsWith('-----BEGIN ')
}

/** A public key as SubjectPublicKeyInfo DER, from PEM or DER (SPKI). */
function spki(bytes: Uint8Array, what: string): Uint8Array {
  try {
    const key = isPem(bytes)
      ? createPublicKey(text(bytes))
      : createPublicKey({ key: Buffer.from(bytes), format: 'der', type: 'spki' })
    return new Uint8Array(key.export({ format: 'der', type: 'spki' }))
  } catch (err) {
    return invalid(`${what}: not a public key (PEM, or SubjectPublicKeyInfo DER)`, err)
  }
}

/** A certificate as DER, from PEM or DER. */
function certificateDer(bytes: Uint8Array, what: string): Uint8Array {
  if (!isPem(bytes)) return bytes
  const m = /-----BEGIN CERTIFICATE-----([\s\S]+?)-----END CERTIFICATE-----/.exec(text(bytes))
  if (m === null) invalid(`${what}: no PEM certificate`)
  return new Uint8Array(Buffer.from(m[1]!.replace(/\s+/g, ''), 'base64'))
}

type FileEntry = { readonly [key: string]: unknown }

function field(entry: FileEntry, name: string, where: string): string {
  const v = entry[name]
  if (typeof v !== 'string' || v.length === 0) invalid(`${where}: "${name}" must be a non-empty string`)
  return v
}

/**
 * The entries of a security file: a JSON array (or `{ "entries": [...] }`) of
 * `{ "endpoint", "mode": "psk", "identity", "key": hex }`,
 * `{ "endpoint", "mode": "rpk", "publicKey": PEM, hex DER or a file }`,
 * `{ "endpoint", "mode": "x509", "subject"?: "CN=...", "certificate"?: PEM, hex DER or a file }`.
 */
export function readSecurityFile(path: string): SecurityInfo[] {
  let parsed: unknown
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'))
  } catch (err) {
    return invalid(`--security-file ${path}: ${(err as Error).message}`, err)
  }
  const list = Array.isArray(parsed) ? parsed : (parsed as { entries?: unknown } | null)?.entries
  if (!Array.isArray(list))
    invalid(`--security-file ${path}: a JSON array of entries (or { "entries": [...] }) expected`)
  const base = dirname(path)
  return list.map((raw, i): SecurityInfo => {
    const where = `--security-file ${path}, entry ${i}`
    if (typeof raw !== 'object' || raw === null) invalid(`${where}: an object expected`)
    const entry = raw as FileEntry
    const endpoint = field(entry, 'endpoint', where)
    switch (entry.mode) {
      case 'psk':
        return {
          endpoint,
          mode: 'psk',
          identity: field(entry, 'identity', where),
          key: hexBytes(field(entry, 'key', where), `${where}: "key"`),
        }
      case 'rpk':
        return {
          endpoint,
          mode: 'rpk',
          publicKey: spki(
            keyMaterial(field(entry, 'publicKey', where), `${where}: "publicKey"`, base),
            where,
          ),
        }
      case 'x509': {
        const subject = entry.subject === undefined ? undefined : field(entry, 'subject', where)
        const cert =
          entry.certificate === undefined
            ? undefined
            : certificateDer(
                keyMaterial(field(entry, 'certificate', where), `${where}: "certificate"`, base),
                where,
              )
        return {
          endpoint,
          mode: 'x509',
          ...(subject === undefined ? {} : { subject }),
          ...(cert === undefined ? {} : { certificate: cert }),
        }
      }
      default:
        return invalid(`${where}: "mode" must be "psk", "rpk" or "x509"`)
    }
  })
}

const list = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : [])

/** The security entries the options give: --psk, --rpk, --x509 and --security-file. */
export function securityEntries(options: ParsedOptions): SecurityInfo[] {
  const infos: SecurityInfo[] = []
  for (const spec of list(options.psk)) {
    const { endpoint, identity, key } = pskSpec(spec)
    infos.push({ endpoint, mode: 'psk', identity, key })
  }
  for (const spec of list(options.rpk)) {
    const at = spec.indexOf(':')
    if (at <= 0 || at === spec.length - 1)
      invalid('--rpk takes endpoint:public-key (a PEM or DER file, or hex DER)')
    const endpoint = spec.slice(0, at)
    infos.push({
      endpoint,
      mode: 'rpk',
      publicKey: spki(keyMaterial(spec.slice(at + 1), `--rpk ${endpoint}`), `--rpk ${endpoint}`),
    })
  }
  for (const endpoint of list(options.x509)) infos.push({ endpoint, mode: 'x509' })
  if (typeof options.securityFile === 'string') infos.push(...readSecurityFile(options.securityFile))
  return infos
}

function privateKeyText(value: string, what: string): string | Uint8Array {
  const bytes = keyMaterial(value, what)
  return isPem(bytes) ? text(bytes) : bytes
}

/**
 * DTLS for `lwm2m server` (coaps): the port, the clients' credentials (`--psk`, `--rpk`,
 * `--x509`, `--security-file`, into the server's security store, which also decides which
 * endpoint name each identity may use) and the server's own key and certificate. DTLS listens
 * when credentials or `--coaps-port` are given, unless `--no-coaps`. Without `--server-key`,
 * raw public key clients get an ephemeral server key, printed in the `listening` event.
 */
export const coapsServerTransport: ServerTransportProvider = {
  scheme: 'coaps',
  addOptions: (command) =>
    command
      .option(
        '--coaps-port <port>',
        'DTLS port (default 5684 once credentials are given; 0 picks a free one)',
      )
      .option('--no-coaps', 'no DTLS, even with credentials')
      .option('--psk <endpoint:identity:hexkey>', 'a client with a pre-shared key (repeatable)', collect)
      .option(
        '--rpk <endpoint:public-key>',
        'a client with a raw public key: PEM or DER file, or hex (repeatable)',
        collect,
      )
      .option(
        '--x509 <endpoint>',
        'a client with a certificate whose CN is the endpoint name, issued by --ca (repeatable)',
        collect,
      )
      .option('--security-file <file>', 'client credentials as JSON: [{ endpoint, mode: psk|rpk|x509, ... }]')
      .option(
        '--server-key <file>',
        "the server's P-256 private key (PEM or DER) for raw public keys and certificates",
      )
      .option('--server-cert <file>', "the server's certificate (chain), PEM or DER")
      .option('--ca <file>', 'the CA certificate(s) client certificates must lead to'),
  resolve(options, { logger }) {
    if (options.coaps === false) return undefined
    const infos = securityEntries(options)
    if (infos.length === 0 && options.coapsPort === undefined) return undefined
    const store = createMemorySecurityStore()
    for (const info of infos) {
      try {
        store.set(info)
      } catch (err) {
        invalid(`credentials of ${info.endpoint}: ${(err as Error).message}`, err)
      }
    }
    const host = String(options.host ?? '0.0.0.0')
    const port = parsePort(String(options.coapsPort ?? '5684'), '--coaps-port')
    const own: { -readonly [K in keyof ServerDtlsIdentity]: ServerDtlsIdentity[K] } = {}
    const announce: { [key: string]: string } = {}
    let privateKey: string | Uint8Array | KeyObject | undefined =
      typeof options.serverKey === 'string' ? privateKeyText(options.serverKey, '--server-key') : undefined
    if (privateKey === undefined && infos.some((i) => i.mode === 'rpk')) {
      privateKey = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey
      announce.serverPublicKey = Buffer.from(
        createPublicKey(privateKey).export({ format: 'der', type: 'spki' }),
      ).toString('hex')
    }
    if (privateKey !== undefined) own.rpk = { privateKey }
    const wantsX509 = infos.some((i) => i.mode === 'x509')
    if (typeof options.serverCert === 'string') {
      if (privateKey === undefined) invalid('--server-cert needs --server-key')
      const anchors = typeof options.ca === 'string' ? [text(keyMaterial(options.ca, '--ca'))] : []
      const chain = keyMaterial(options.serverCert, '--server-cert')
      own.x509 = {
        privateKey,
        certificateChain: [isPem(chain) ? text(chain) : chain],
        ...(anchors.length === 0 ? {} : { trustAnchors: anchors }),
      }
    } else if (wantsX509) {
      invalid('certificate clients (--x509, or x509 entries) need --server-key, --server-cert and --ca')
    }
    if (
      wantsX509 &&
      typeof options.ca !== 'string' &&
      infos.some((i) => i.mode === 'x509' && i.certificate === undefined)
    ) {
      invalid(
        'certificate clients without a pinned certificate need --ca (the CA their certificates lead to)',
      )
    }
    let dtls: ReturnType<typeof dtlsServer>
    try {
      dtls = dtlsServer({ host, port, logger, ...dtlsServerCredentials(store, own) })
    } catch (err) {
      return invalid(`DTLS: ${(err as Error).message}`, err)
    }
    return {
      transports: [dtls],
      security: { store },
      ...(Object.keys(announce).length === 0 ? {} : { announce }),
    }
  },
}
