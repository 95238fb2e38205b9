/**
 * Interoperability with libcoap's command-line tools (Debian libcoap3-bin), whose DTLS
 * comes from OpenSSL or GnuTLS: CoAP messages (our @lwm2m/coap codec) over our DTLS
 * transport. libcoap's tools exit 0 even on failure, so their output is checked. A
 * missing tool skips its tests locally and fails them when CI=true.
 */
import { execFileSync, spawn } from 'node:child_process'
import { Code, createEndpoint, type Peer } from '@lwm2m/coap'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { type DtlsClientOptions, type DtlsServerOptions, dtlsClient, dtlsServer } from '../src/index.js'
import { freeUdpPort } from './support/openssl.js'
import { generatePki, hasOpenssl, type Pki } from './support/pki.js'

function has(tool: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'pipe' })
    return true
  } catch {
    return false
  }
}

const ci = process.env.CI === 'true'
const tools = {
  'coap-client-openssl': has('coap-client-openssl'),
  'coap-client-gnutls': has('coap-client-gnutls'),
  'coap-server-openssl': has('coap-server-openssl'),
  'coap-server-gnutls': has('coap-server-gnutls'),
}
const opensslOk = hasOpenssl()
for (const [t, ok] of Object.entries(tools)) {
  if (!ok)
    console.warn(`${t} is missing (apt-get install libcoap3-bin): ${ci ? 'failing' : 'skipping'} its tests`)
}
const skip = (tool: keyof typeof tools): boolean => !ci && (!tools[tool] || !opensslOk)

/** ASCII key: libcoap's -k takes the key as text. */
const KEY = 'lwm2m-secret-key'
const cleanup: Array<() => unknown> = []
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c()
})
let pki: Pki
beforeAll(() => {
  if (opensslOk) pki = generatePki()
})
afterAll(() => pki?.cleanup())

function run(cmd: string, args: string[], ms = 10_000): Promise<string> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString()
    })
    child.stderr.on('data', (d: Buffer) => {
      out += d.toString()
    })
    const t = setTimeout(() => child.kill('SIGTERM'), ms)
    child.on('error', (e) => {
      out += e.message
    })
    child.on('close', () => {
      clearTimeout(t)
      resolve(out)
    })
  })
}

/** A CoAP server (@lwm2m/coap's endpoint) over our DTLS server: 2.05 naming the identity DTLS authenticated. */
async function coapsServer(
  opts: Omit<DtlsServerOptions, 'host' | 'port'>,
): Promise<{ port: number; peers: Peer[] }> {
  const peers: Peer[] = []
  const ep = await createEndpoint({
    transport: dtlsServer({ ...opts, host: '127.0.0.1', port: 0 }),
    handler: (req) => {
      peers.push(req.peer)
      const id = req.peer.identity
      const who =
        id === undefined
          ? 'none'
          : id.mode === 'psk'
            ? `psk:${id.identity}`
            : id.mode === 'x509'
              ? `x509:${id.subject}`
              : 'rpk'
      return { code: '2.05', payload: `hello ${who} at /${req.path.join('/')}` }
    },
  })
  cleanup.push(() => ep.close())
  return { port: ep.address().port, peers }
}

describe('libcoap clients against a CoAP responder on our DTLS server', () => {
  it.skipIf(skip('coap-client-openssl'))('coap-client-openssl with PSK (-k/-u)', async () => {
    const { port } = await coapsServer({
      psk: { key: (id) => (id === 'node-1' ? Buffer.from(KEY) : undefined) },
    })
    const out = await run('coap-client-openssl', [
      '-m',
      'get',
      '-B',
      '5',
      '-k',
      KEY,
      '-u',
      'node-1',
      `coaps://127.0.0.1:${port}/x`,
    ])
    expect(out).toContain('hello psk:node-1 at /x')
  })

  it.skipIf(skip('coap-client-gnutls'))('coap-client-gnutls with PSK (-k/-u)', async () => {
    const { port } = await coapsServer({ psk: { key: () => Buffer.from(KEY) } })
    const out = await run('coap-client-gnutls', [
      '-m',
      'get',
      '-B',
      '5',
      '-k',
      KEY,
      '-u',
      'node-2',
      `coaps://127.0.0.1:${port}/x`,
    ])
    expect(out).toContain('hello psk:node-2')
  })

  it.skipIf(skip('coap-client-openssl'))('coap-client-openssl with X.509 certificates', async () => {
    const { port } = await coapsServer({
      x509: { privateKey: pki.serverKey, certificateChain: [pki.serverCert], trustAnchors: [pki.caCert] },
    })
    const f = pki.files
    const out = await run('coap-client-openssl', [
      '-m',
      'get',
      '-B',
      '5',
      '-c',
      f.clientCert,
      '-j',
      f.clientKey,
      '-C',
      f.caCert,
      `coaps://127.0.0.1:${port}/x`,
    ])
    expect(out).toContain('hello x509:CN=node-1')
  })

  it.skipIf(skip('coap-client-gnutls'))('coap-client-gnutls with X.509 certificates', async () => {
    const { port } = await coapsServer({
      x509: { privateKey: pki.serverKey, certificateChain: [pki.serverCert], trustAnchors: [pki.caCert] },
    })
    const f = pki.files
    const out = await run('coap-client-gnutls', [
      '-m',
      'get',
      '-B',
      '5',
      '-c',
      f.clientCert,
      '-j',
      f.clientKey,
      '-C',
      f.caCert,
      `coaps://127.0.0.1:${port}/x`,
    ])
    expect(out).toContain('hello x509:CN=node-1')
  })

  it.skipIf(skip('coap-client-gnutls'))(
    'coap-client-gnutls with a raw public key (-M, RFC 7250)',
    async () => {
      const keys: Uint8Array[] = []
      const { port, peers } = await coapsServer({
        rpk: {
          privateKey: pki.serverKey,
          verifyPeer: (k) => {
            keys.push(k)
            return true
          },
        },
      })
      const out = await run('coap-client-gnutls', [
        '-m',
        'get',
        '-B',
        '5',
        '-M',
        pki.files.clientKeySec1,
        `coaps://127.0.0.1:${port}/x`,
      ])
      expect(out).toContain('hello rpk')
      expect(keys).toHaveLength(1)
      expect(peers[0]!.identity).toEqual({ mode: 'rpk', publicKey: keys[0] })
    },
  )
})

describe('our DTLS client sending CoAP to libcoap servers', () => {
  async function getRoot(
    port: number,
    opts: Omit<DtlsClientOptions, 'host'>,
  ): Promise<{ text: string; peer: Peer }> {
    const ep = await createEndpoint({ transport: dtlsClient({ ...opts, host: '127.0.0.1' }) })
    cleanup.push(() => ep.close())
    // libcoap's server may still be starting: the endpoint retransmits the CON request (RFC 7252 section 4.2).
    const res = await ep.request({ address: '127.0.0.1', port }, { method: 'GET', timeout: 20_000 })
    expect(res.code).toBe(Code.Content)
    return { text: Buffer.from(res.payload).toString(), peer: res.peer }
  }

  async function libcoapServer(tool: string, args: string[]): Promise<number> {
    const port = await freeUdpPort()
    // libcoap listens for DTLS on the given port + 1.
    const child = spawn(tool, ['-A', '127.0.0.1', '-p', String(port - 1), ...args], { stdio: 'ignore' })
    cleanup.push(
      () =>
        new Promise<void>((r) => {
          if (child.exitCode !== null) return r()
          child.once('exit', () => r())
          child.kill('SIGTERM')
        }),
    )
    await new Promise((r) => setTimeout(r, 200))
    return port
  }

  it.skipIf(skip('coap-server-openssl'))(
    'coap-server-openssl with PSK (it sends an identity hint)',
    async () => {
      const port = await libcoapServer('coap-server-openssl', ['-k', KEY])
      const r = await getRoot(port, { psk: { identity: 'node-1', key: Buffer.from(KEY) } })
      expect(r.text).toContain('libcoap')
      expect(r.peer.identity).toEqual({ mode: 'psk', identity: 'node-1' })
    },
  )

  it.skipIf(skip('coap-server-gnutls'))('coap-server-gnutls with PSK', async () => {
    const port = await libcoapServer('coap-server-gnutls', ['-k', KEY])
    expect((await getRoot(port, { psk: { identity: 'node-1', key: Buffer.from(KEY) } })).text).toContain(
      'libcoap',
    )
  })

  it.skipIf(skip('coap-server-gnutls'))('coap-server-gnutls with X.509 and client certificates', async () => {
    const f = pki.files
    const port = await libcoapServer('coap-server-gnutls', [
      '-c',
      f.serverCert,
      '-j',
      f.serverKey,
      '-C',
      f.caCert,
    ])
    const r = await getRoot(port, {
      x509: { privateKey: pki.clientKey, certificateChain: [pki.clientCert], trustAnchors: [pki.caCert] },
    })
    expect(r.peer.identity).toMatchObject({ mode: 'x509', subject: 'CN=localhost' })
  })

  it.skipIf(skip('coap-server-gnutls'))('coap-server-gnutls with raw public keys (-M)', async () => {
    const port = await libcoapServer('coap-server-gnutls', ['-M', pki.files.serverKeySec1])
    const r = await getRoot(port, { rpk: { privateKey: pki.clientKey, verifyPeer: () => true } })
    expect(r.peer.identity?.mode).toBe('rpk')
  })
})
