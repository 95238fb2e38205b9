/**
 * Interoperability with DTLS implementations no one here wrote: OpenSSL's s_server and
 * s_client (OpenSSL 3, `-dtls1_2`) and node-dtls-client (npm, 1.1.x). A missing peer
 * skips its tests locally and fails them when CI=true.
 */
import type { Peer } from '@lwm2m/coap'
import { dtls as nodeDtls } from 'node-dtls-client'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { nodeDtlsClient } from '../src/adapter/node-dtls-client.js'
import {
  type CipherSuiteName,
  type DtlsError,
  type DtlsTransport,
  dtlsClient,
  dtlsServer,
} from '../src/index.js'
import { roundTrip, waitFor } from './support/net.js'
import { freeUdpPort, OpensslProcess } from './support/openssl.js'
import { PSK, recordingLogger } from './support/pair.js'
import { generatePki, hasOpenssl, type Pki } from './support/pki.js'

const opensslAvailable = hasOpenssl()
const ci = process.env.CI === 'true'
const skipOpenssl = !opensslAvailable && !ci
if (!opensslAvailable)
  console.warn(
    ci
      ? 'openssl is missing: the interop tests fail (CI)'
      : 'openssl is missing: skipping the OpenSSL interop tests',
  )

const PSK_HEX = PSK.toString('hex')
const cleanup: Array<() => unknown> = []
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c()
})

let pki: Pki
beforeAll(() => {
  if (opensslAvailable) pki = generatePki()
})
afterAll(() => pki?.cleanup())

async function ourServer(
  opts: Parameters<typeof dtlsServer>[0],
): Promise<{ server: DtlsTransport; port: number; got: Array<{ text: string; peer: Peer }> }> {
  const server = dtlsServer({ ...opts, host: '127.0.0.1', port: 0 })
  cleanup.push(() => server.close())
  const got: Array<{ text: string; peer: Peer }> = []
  await server.open((data, peer) => {
    got.push({ text: Buffer.from(data).toString(), peer })
    server.send(Buffer.from(`echo:${Buffer.from(data).toString()}`), peer)
  })
  return { server, port: server.address().port, got }
}

async function ourClient(
  opts: Omit<Parameters<typeof dtlsClient>[0], 'host'>,
): Promise<{ client: DtlsTransport; inbox: Array<{ data: Buffer; peer: Peer }> }> {
  const client = dtlsClient({ ...opts, host: '127.0.0.1' })
  cleanup.push(() => client.close())
  const inbox: Array<{ data: Buffer; peer: Peer }> = []
  await client.open((data, peer) => inbox.push({ data: Buffer.from(data), peer }))
  return { client, inbox }
}

const pskSuites: Array<[CipherSuiteName, string]> = [
  ['TLS_PSK_WITH_AES_128_CCM_8', 'PSK-AES128-CCM8'],
  ['TLS_PSK_WITH_AES_128_CBC_SHA256', 'PSK-AES128-CBC-SHA256'],
]
const ecdheSuites: Array<[CipherSuiteName, string]> = [
  ['TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8', 'ECDHE-ECDSA-AES128-CCM8'],
  ['TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256', 'ECDHE-ECDSA-AES128-GCM-SHA256'],
]

describe.skipIf(skipOpenssl)('openssl s_client -dtls1_2 against our server', () => {
  async function sClient(port: number, args: string[]): Promise<OpensslProcess> {
    const p = new OpensslProcess(['s_client', '-dtls1_2', '-connect', `127.0.0.1:${port}`, ...args])
    cleanup.push(() => p.stop())
    return p
  }

  it.each(pskSuites)('PSK %s (%s)', async (_, name) => {
    const { port, got } = await ourServer({ psk: { key: (id) => (id === 'node-1' ? PSK : undefined) } })
    const c = await sClient(port, ['-psk', PSK_HEX, '-psk_identity', 'node-1', '-cipher', name])
    await c.waitFor(`Cipher is ${name}`)
    c.write('hi\n')
    await c.waitFor('echo:hi')
    expect(got[0]!.peer.identity).toEqual({ mode: 'psk', identity: 'node-1' })
    expect(c.out).toContain('Extended master secret: yes')
    expect(c.out).toContain('Secure Renegotiation IS supported')
  })

  it.each(ecdheSuites)('X.509 with client certificate %s (%s)', async (_, name) => {
    const { port, got } = await ourServer({
      x509: { privateKey: pki.serverKey, certificateChain: [pki.serverCert], trustAnchors: [pki.caCert] },
    })
    const f = pki.files
    const c = await sClient(port, [
      '-cert',
      f.clientCert,
      '-key',
      f.clientKey,
      '-CAfile',
      f.caCert,
      '-cipher',
      name,
      '-verify_return_error',
    ])
    await c.waitFor(`Cipher is ${name}`)
    c.write('x509\n')
    await c.waitFor('echo:x509')
    expect(c.out).toContain('Verify return code: 0 (ok)')
    expect(got[0]!.peer.identity).toMatchObject({ mode: 'x509', subject: 'CN=node-1' })
  })

  it('a wrong PSK is refused and the server keeps serving', async () => {
    const errors: DtlsError[] = []
    const { server, port } = await ourServer({ psk: { key: () => PSK } })
    server.on('handshakeFailed', (_, e) => errors.push(e))
    const c = await sClient(port, [
      '-psk',
      'deadbeef',
      '-psk_identity',
      'node-1',
      '-cipher',
      'PSK-AES128-CCM8',
    ])
    await waitFor(() => errors.length > 0, 10_000, 'the failed handshake')
    expect(errors[0]!.alert).toBe(20)
    await c.waitFor(/alert bad record mac|bad record mac|alert number 20/i)
    const ok = await sClient(port, ['-psk', PSK_HEX, '-psk_identity', 'node-1', '-cipher', 'PSK-AES128-CCM8'])
    ok.write('again\n')
    await ok.waitFor('echo:again')
  })

  it('renegotiation from s_client ("R") is refused with no_renegotiation (RFC 5746)', async () => {
    const logger = recordingLogger()
    const { port } = await ourServer({ psk: { key: () => PSK }, logger })
    const c = await sClient(port, ['-psk', PSK_HEX, '-psk_identity', 'node-1', '-cipher', 'PSK-AES128-CCM8'])
    await c.waitFor('Cipher is')
    c.write('R\n')
    await waitFor(
      () => logger.lines.some((l) => l.message.includes('renegotiation refused')),
      10_000,
      'the refusal',
    )
    await c.waitFor(/no renegotiation|RENEGOTIATING/i)
  })

  it('session resumption with -sess_out / -sess_in', async () => {
    const { server, port } = await ourServer({ psk: { key: () => PSK } })
    const file = `${pki.dir}/session.pem`
    const args = ['-psk', PSK_HEX, '-psk_identity', 'node-1', '-cipher', 'PSK-AES128-CCM8']
    const a = await sClient(port, [...args, '-sess_out', file])
    a.write('one\n')
    await a.waitFor('echo:one')
    await a.stop()
    const b = await sClient(port, [...args, '-sess_in', file])
    b.write('two\n')
    await b.waitFor('echo:two')
    expect(b.out).toContain('Reused, ')
    const peers = [
      ...(server as unknown as { byAddress: Map<string, { resumed: boolean }> }).byAddress.values(),
    ]
    expect(peers.some((c) => c.resumed)).toBe(true)
  })
})

describe.skipIf(skipOpenssl)('our client against openssl s_server -dtls1_2', () => {
  async function sServer(args: string[]): Promise<{ p: OpensslProcess; port: number }> {
    const port = await freeUdpPort()
    const p = new OpensslProcess(['s_server', '-dtls1_2', '-accept', `127.0.0.1:${port}`, ...args])
    cleanup.push(() => p.stop())
    await p.waitFor('ACCEPT')
    return { p, port }
  }

  it.each(pskSuites)('PSK %s (%s)', async (suite, name) => {
    const { p, port } = await sServer([
      '-nocert',
      '-psk',
      PSK_HEX,
      '-psk_identity',
      'node-1',
      '-cipher',
      name,
    ])
    const { client, inbox } = await ourClient({
      psk: { identity: 'node-1', key: PSK },
      cipherSuites: [suite],
    })
    const to = { address: '127.0.0.1', port }
    client.send(Buffer.from('ping\n'), to)
    await p.waitFor(`CIPHER is ${name}`)
    await p.waitFor('ping')
    p.write('pong\n')
    await waitFor(() => inbox.length > 0, 10_000, 'the answer')
    expect(inbox[0]!.data.toString()).toBe('pong\n')
    expect(inbox[0]!.peer.identity).toEqual({ mode: 'psk', identity: 'node-1' })
  })

  it.each(ecdheSuites)('X.509 with client certificate %s (%s)', async (suite, name) => {
    const f = pki.files
    const { p, port } = await sServer([
      '-cert',
      f.serverCert,
      '-key',
      f.serverKey,
      '-CAfile',
      f.caCert,
      '-Verify',
      '2',
      '-cipher',
      name,
    ])
    const { client, inbox } = await ourClient({
      x509: { privateKey: pki.clientKey, certificateChain: [pki.clientCert], trustAnchors: [pki.caCert] },
      cipherSuites: [suite],
      serverName: 'localhost',
    })
    client.send(Buffer.from('ping\n'), { address: '127.0.0.1', port })
    await p.waitFor(`CIPHER is ${name}`)
    await p.waitFor('ping')
    expect(p.out).toContain('subject=CN = node-1')
    p.write('pong\n')
    await waitFor(() => inbox.length > 0, 10_000, 'the answer')
    expect(inbox[0]!.peer.identity).toMatchObject({ mode: 'x509', subject: 'CN=localhost' })
  })

  it('fragmented certificate flights with -mtu 300 both ways', async () => {
    const f = pki.files
    const { p, port } = await sServer([
      '-cert',
      f.serverCert,
      '-key',
      f.serverKey,
      '-mtu',
      '300',
      '-cipher',
      'ECDHE-ECDSA-AES128-CCM8',
    ])
    const { client, inbox } = await ourClient({
      x509: { privateKey: pki.clientKey, certificateChain: [pki.clientCert], trustAnchors: [pki.caCert] },
      mtu: 300,
    })
    client.send(Buffer.from('frag\n'), { address: '127.0.0.1', port })
    await p.waitFor('frag')
    p.write('ok\n')
    await waitFor(() => inbox.length > 0, 10_000, 'the answer')
  })

  it('a PSK identity hint from s_server is accepted', async () => {
    const { p, port } = await sServer([
      '-nocert',
      '-psk',
      PSK_HEX,
      '-psk_hint',
      'hint-text',
      '-cipher',
      'PSK-AES128-CCM8',
    ])
    const { client } = await ourClient({ psk: { identity: 'node-1', key: PSK } })
    client.send(Buffer.from('hinted\n'), { address: '127.0.0.1', port })
    await p.waitFor('hinted')
  })
})

describe('node-dtls-client 1.1 (npm) against our server', () => {
  it.each(['TLS_PSK_WITH_AES_128_CCM_8', 'TLS_PSK_WITH_AES_128_CBC_SHA256'] as const)(
    'PSK %s',
    async (suite) => {
      const { port, got } = await ourServer({ psk: { key: (id) => (id === 'node-1' ? PSK : undefined) } })
      const socket = nodeDtls.createSocket({
        type: 'udp4',
        address: '127.0.0.1',
        port,
        psk: { 'node-1': PSK.toString('latin1') },
        timeout: 5000,
        ciphers: [suite],
      })
      const answers: string[] = []
      socket.on('message', (m: Buffer) => answers.push(m.toString()))
      socket.on('error', () => {})
      cleanup.push(() => new Promise<void>((r) => socket.close(() => r())))
      await new Promise<void>((resolve, reject) => {
        socket.once('connected', () => resolve())
        socket.once('error', reject)
      })
      socket.send(Buffer.from('from ndc'))
      await waitFor(() => answers.length > 0)
      expect(answers[0]).toBe('echo:from ndc')
      expect(got[0]!.peer.identity).toEqual({ mode: 'psk', identity: 'node-1' })
    },
  )

  it('a server that requires the extended master secret refuses it (node-dtls-client has none)', async () => {
    const errors: DtlsError[] = []
    const { server, port } = await ourServer({ psk: { key: () => PSK }, requireExtendedMasterSecret: true })
    server.on('handshakeFailed', (_, e) => errors.push(e))
    const socket = nodeDtls.createSocket({
      type: 'udp4',
      address: '127.0.0.1',
      port,
      psk: { a: 'b' },
      timeout: 5000,
    })
    const failed = new Promise<Error>((r) => socket.once('error', r))
    expect((await failed).message).toMatch(/handshake_failure|handshake failure/i)
    expect(errors[0]!.alert).toBe(40)
  })
})

describe('the node-dtls-client adapter as a client Transport', () => {
  it('talks to our server, data both ways, the identity on every datagram', async () => {
    const { port, got } = await ourServer({ psk: { key: (id) => (id === 'node-1' ? PSK : undefined) } })
    const t = nodeDtlsClient({
      psk: { identity: 'node-1', key: PSK },
      ciphers: ['TLS_PSK_WITH_AES_128_CCM_8'],
    })
    cleanup.push(() => t.close())
    const inbox: Array<{ data: Buffer; peer: Peer }> = []
    await t.open((data, peer) => inbox.push({ data: Buffer.from(data), peer }))
    const to = { address: '127.0.0.1', port }
    const sent: Array<Error | undefined> = []
    t.send(Buffer.from('a'), to, (e) => sent.push(e))
    t.send(Buffer.from('b'), to, (e) => sent.push(e))
    await waitFor(() => inbox.length === 2)
    expect(inbox.map((m) => m.data.toString()).sort()).toEqual(['echo:a', 'echo:b'])
    expect(inbox[0]!.peer.identity).toEqual({ mode: 'psk', identity: 'node-1' })
    expect(sent).toEqual([undefined, undefined])
    expect(got).toHaveLength(2)
    expect(t.scheme).toBe('coaps')
    expect(t.address().port).toBeGreaterThan(0)
  })

  it('reports a failed handshake to the send callbacks', async () => {
    const { port } = await ourServer({ psk: { key: () => undefined } })
    const t = nodeDtlsClient({ psk: { identity: 'nobody', key: PSK }, timeout: 3000 })
    cleanup.push(() => t.close())
    await t.open(() => {})
    const e = await new Promise<Error | undefined>((r) =>
      t.send(Buffer.from('x'), { address: '127.0.0.1', port }, r),
    )
    expect((e as DtlsError).code).toBe('DTLS_HANDSHAKE_FAILED')
  })

  it('round trips with our own client as a reference', async () => {
    const { port } = await ourServer({ psk: { key: () => PSK } })
    const { client, inbox } = await ourClient({ psk: { identity: 'x', key: PSK } })
    expect((await roundTrip(client, inbox, { address: '127.0.0.1', port }, 'ref')).data.toString()).toBe(
      'echo:ref',
    )
  })
})
