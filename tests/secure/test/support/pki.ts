import { execFileSync } from 'node:child_process'
import { generateKeyPairSync, X509Certificate } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** A P-256 key and its certificate, as PEM text and DER bytes. */
export interface Issued {
  readonly keyPem: string
  /** PKCS#8 DER: what a Security instance keeps in /0/x/5. */
  readonly keyDer: Uint8Array
  readonly certPem: string
  /** What a Security instance keeps in /0/x/3 or /0/x/4. */
  readonly certDer: Uint8Array
  readonly keyFile: string
  readonly certFile: string
}

/** A throw-away certificate authority in a temp dir, driven through the openssl command-line tool. */
export interface TestCa {
  readonly root: Issued
  /** A server certificate with these subjectAltNames ("DNS:server.example.com", "IP:127.0.0.1"). */
  server(cn: string, altNames: readonly string[]): Issued
  /** A client certificate with this common name (the LwM2M convention: the endpoint name). */
  client(cn: string): Issued
  cleanup(): void
}

function p256(): { pem: string; der: Uint8Array } {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
  return {
    pem: privateKey.export({ format: 'pem', type: 'pkcs8' }) as string,
    der: new Uint8Array(privateKey.export({ format: 'der', type: 'pkcs8' })),
  }
}

/** Generates a CA (CN=`name`) valid for a few days; certificates are issued on demand. */
export function createTestCa(name: string): TestCa {
  const dir = mkdtempSync(join(tmpdir(), 'lwm2m-secure-pki-'))
  const f = (n: string) => join(dir, n)
  const run = (args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' })
  let serial = 0
  const issued = (base: string, key: { pem: string; der: Uint8Array }): Issued => {
    const certPem = readFileSync(f(`${base}.pem`), 'utf8')
    return {
      keyPem: key.pem,
      keyDer: key.der,
      certPem,
      certDer: new Uint8Array(new X509Certificate(certPem).raw),
      keyFile: f(`${base}.key`),
      certFile: f(`${base}.pem`),
    }
  }
  const rootKey = p256()
  writeFileSync(f('ca.key'), rootKey.pem)
  run([
    'req',
    '-x509',
    '-new',
    '-key',
    f('ca.key'),
    '-subj',
    `/CN=${name}`,
    '-days',
    '3',
    '-out',
    f('ca.pem'),
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign',
  ])
  const leaf = (cn: string, ext: string): Issued => {
    const base = `leaf-${++serial}`
    const key = p256()
    writeFileSync(f(`${base}.key`), key.pem)
    writeFileSync(f(`${base}.cnf`), ext)
    run(['req', '-new', '-key', f(`${base}.key`), '-subj', `/CN=${cn}`, '-out', f(`${base}.csr`)])
    run([
      'x509',
      '-req',
      '-in',
      f(`${base}.csr`),
      '-CA',
      f('ca.pem'),
      '-CAkey',
      f('ca.key'),
      '-set_serial',
      String(1000 + serial),
      '-days',
      '2',
      '-out',
      f(`${base}.pem`),
      '-extfile',
      f(`${base}.cnf`),
    ])
    return issued(base, key)
  }
  return {
    root: issued('ca', rootKey),
    server: (cn, altNames) => leaf(cn, `basicConstraints=CA:FALSE\nsubjectAltName=${altNames.join(',')}\n`),
    client: (cn) => leaf(cn, 'basicConstraints=CA:FALSE\n'),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  }
}
