import { execFileSync } from 'node:child_process'
import { createPrivateKey, generateKeyPairSync } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** True when the openssl command-line tool is on the PATH. */
export function hasOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'pipe' })
    return true
  } catch {
    return false
  }
}

export interface Pki {
  readonly dir: string
  readonly caCert: string
  readonly caKey: string
  readonly serverCert: string
  readonly serverKey: string
  readonly clientCert: string
  readonly clientKey: string
  /** A client certificate from another CA (untrusted). */
  readonly rogueCert: string
  readonly rogueKey: string
  /** Paths of the PEM files, for openssl. */
  readonly files: Record<
    'caCert' | 'serverCert' | 'serverKey' | 'clientCert' | 'clientKey' | 'serverKeySec1' | 'clientKeySec1',
    string
  >
  cleanup(): void
}

function ecKey(): string {
  return generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey.export({
    format: 'pem',
    type: 'pkcs8',
  }) as string
}

/** A CA, a server certificate (CN=localhost, SAN localhost and 127.0.0.1) and a client certificate (CN=node-1), P-256. */
export function generatePki(): Pki {
  const dir = mkdtempSync(join(tmpdir(), 'dtls-pki-'))
  const f = (n: string): string => join(dir, n)
  const run = (args: string[]): void => {
    execFileSync('openssl', args, { stdio: 'pipe' })
  }
  const write = (n: string, s: string): string => {
    writeFileSync(f(n), s)
    return f(n)
  }
  write('ca.key', ecKey())
  run([
    'req',
    '-x509',
    '-new',
    '-key',
    f('ca.key'),
    '-subj',
    '/CN=test-ca',
    '-days',
    '3',
    '-out',
    f('ca.pem'),
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign',
  ])
  write('ext-server.cnf', 'subjectAltName=DNS:localhost,IP:127.0.0.1\n')
  write('ext-client.cnf', 'basicConstraints=CA:FALSE\n')
  const leaf = (name: string, cn: string, ca: string, caKey: string, ext: string): void => {
    write(`${name}.key`, ecKey())
    run(['req', '-new', '-key', f(`${name}.key`), '-subj', `/CN=${cn}`, '-out', f(`${name}.csr`)])
    run([
      'x509',
      '-req',
      '-in',
      f(`${name}.csr`),
      '-CA',
      ca,
      '-CAkey',
      caKey,
      '-CAcreateserial',
      '-days',
      '2',
      '-out',
      f(`${name}.pem`),
      '-extfile',
      f(ext),
    ])
  }
  leaf('server', 'localhost', f('ca.pem'), f('ca.key'), 'ext-server.cnf')
  leaf('client', 'node-1', f('ca.pem'), f('ca.key'), 'ext-client.cnf')
  write('rogue-ca.key', ecKey())
  run([
    'req',
    '-x509',
    '-new',
    '-key',
    f('rogue-ca.key'),
    '-subj',
    '/CN=rogue-ca',
    '-days',
    '3',
    '-out',
    f('rogue-ca.pem'),
    '-addext',
    'basicConstraints=critical,CA:TRUE',
  ])
  leaf('rogue', 'node-1', f('rogue-ca.pem'), f('rogue-ca.key'), 'ext-client.cnf')
  const r = (n: string): string => readFileSync(f(n), 'utf8')
  // GnuTLS reads raw public keys only from SEC1 ("EC PRIVATE KEY") PEM files.
  const sec1 = (n: string): string => createPrivateKey(r(n)).export({ format: 'pem', type: 'sec1' }) as string
  write('server.sec1.key', sec1('server.key'))
  write('client.sec1.key', sec1('client.key'))
  return {
    dir,
    caCert: r('ca.pem'),
    caKey: r('ca.key'),
    serverCert: r('server.pem'),
    serverKey: r('server.key'),
    clientCert: r('client.pem'),
    clientKey: r('client.key'),
    rogueCert: r('rogue.pem'),
    rogueKey: r('rogue.key'),
    files: {
      caCert: f('ca.pem'),
      serverCert: f('server.pem'),
      serverKey: f('server.key'),
      clientCert: f('client.pem'),
      clientKey: f('client.key'),
      serverKeySec1: f('server.sec1.key'),
      clientKeySec1: f('client.sec1.key'),
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  }
}
