import { generateKeyPairSync, type KeyObject } from 'node:crypto'
import type { Peer } from '@lwm2m/coap'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import {
  type CipherSuiteName,
  type DtlsClientOptions,
  DtlsError,
  type DtlsServerOptions,
  type DtlsTransport,
  dtlsClient,
  dtlsServer,
  spkiDer,
} from '../src/index.js'
import { echo, roundTrip, waitFor } from './support/net.js'
import { generatePki, hasOpenssl, type Pki } from './support/pki.js'

const PSK = Buffer.from('0123456789abcdef', 'hex')
const opensslMissing = !hasOpenssl()
if (opensslMissing && process.env.CI === 'true')
  throw new Error('openssl is required in CI to generate test certificates')

function ecKeys(): { privateKey: KeyObject; spki: Uint8Array } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
  return { privateKey, spki: spkiDer(publicKey) }
}

const open: DtlsTransport[] = []
afterEach(async () => {
  await Promise.all(open.splice(0).map((t) => t.close()))
})

interface Pair {
  server: DtlsTransport
  client: DtlsTransport
  to: Peer
  inbox: Array<{ data: Buffer; peer: Peer }>
  serverInbox: Array<{ data: Buffer; peer: Peer }>
  serverErrors: DtlsError[]
  clientErrors: DtlsError[]
}

async function pair(
  serverOpts: Omit<DtlsServerOptions, 'host' | 'port'>,
  clientOpts: Omit<DtlsClientOptions, 'host'>,
): Promise<Pair> {
  const server = dtlsServer({ host: '127.0.0.1', port: 0, ...serverOpts })
  const client = dtlsClient({ host: '127.0.0.1', ...clientOpts })
  open.push(client, server)
  const inbox: Pair['inbox'] = []
  const serverInbox: Pair['serverInbox'] = []
  const serverErrors: DtlsError[] = []
  const clientErrors: DtlsError[] = []
  const reply = echo(server)
  await server.open((data, peer) => {
    serverInbox.push({ data: Buffer.from(data), peer })
    reply(data, peer)
  })
  await client.open((data, peer) => inbox.push({ data: Buffer.from(data), peer }))
  server.on('handshakeFailed', (_, e) => serverErrors.push(e))
  client.on('handshakeFailed', (_, e) => clientErrors.push(e))
  return {
    server,
    client,
    to: { address: '127.0.0.1', port: server.address().port },
    inbox,
    serverInbox,
    serverErrors,
    clientErrors,
  }
}

describe('PSK handshakes (RFC 4279) with the LwM2M suites', () => {
  it.each<CipherSuiteName>(['TLS_PSK_WITH_AES_128_CCM_8', 'TLS_PSK_WITH_AES_128_CBC_SHA256'])(
    '%s: full handshake, data both ways, identity on every datagram',
    async (suite) => {
      const seen: string[] = []
      const p = await pair(
        {
          psk: {
            key: async (id, info) => {
              seen.push(`${id}@${info.peer.address}`)
              return id === 'node-1' ? PSK : undefined
            },
          },
        },
        { psk: { identity: 'node-1', key: PSK }, cipherSuites: [suite] },
      )
      const a = await roundTrip(p.client, p.inbox, p.to, 'hello')
      expect(a.data.toString()).toBe('echo:hello')
      expect(a.peer.identity).toEqual({ mode: 'psk', identity: 'node-1' })
      expect(p.serverInbox[0]!.peer.identity).toEqual({ mode: 'psk', identity: 'node-1' })
      expect(seen).toEqual(['node-1@127.0.0.1'])
      const info = p.server.session(p.serverInbox[0]!.peer)
      expect(info?.cipherSuite).toBe(suite)
      expect(info?.resumed).toBe(false)
      // Several datagrams in a row keep their boundaries.
      for (let i = 0; i < 20; i++)
        expect((await roundTrip(p.client, p.inbox, p.to, `m${i}`)).data.toString()).toBe(`echo:m${i}`)
    },
  )

  it('wrong key: the server cannot open the client Finished and ends with bad_record_mac', async () => {
    const p = await pair(
      { psk: { key: () => PSK } },
      { psk: { identity: 'node-1', key: Buffer.from('ffffffff', 'hex') } },
    )
    const failed = new Promise<DtlsError>((r) =>
      p.client.send(Buffer.from('x'), p.to, (e) => r(e as DtlsError)),
    )
    const e = await failed
    expect(e.code).toBe('DTLS_ALERT')
    expect(e.alert).toBe(20)
    await waitFor(() => p.serverErrors.length > 0)
    expect(p.serverErrors[0]!.alert).toBe(20)
    expect(p.server.stats()).toMatchObject({ sessions: 0, handshakes: 0 })
  })

  it('unknown identity: unknown_psk_identity (RFC 4279 section 2)', async () => {
    const p = await pair({ psk: { key: () => undefined } }, { psk: { identity: 'who', key: PSK } })
    const e = await new Promise<DtlsError>((r) =>
      p.client.send(Buffer.from('x'), p.to, (err) => r(err as DtlsError)),
    )
    expect(e.alert).toBe(115)
    expect(p.server.stats().handshakes).toBe(0)
  })

  it('a credential callback that throws fails the handshake with internal_error, the server survives', async () => {
    const p = await pair(
      {
        psk: {
          key: (id) => {
            if (id === 'boom') throw new Error('store down')
            return PSK
          },
        },
      },
      {
        psk: { identity: 'boom', key: PSK },
        peerOptions: (peer) => (peer.port === -1 ? undefined : undefined),
      },
    )
    const e = await new Promise<DtlsError>((r) =>
      p.client.send(Buffer.from('x'), p.to, (err) => r(err as DtlsError)),
    )
    expect(e.alert).toBe(80)
    const c2 = dtlsClient({ host: '127.0.0.1', psk: { identity: 'fine', key: PSK } })
    open.push(c2)
    const inbox: Pair['inbox'] = []
    await c2.open((data, peer) => inbox.push({ data: Buffer.from(data), peer }))
    expect((await roundTrip(c2, inbox, p.to, 'ok')).data.toString()).toBe('echo:ok')
  })

  it('resumes a session by session id with an abbreviated handshake (RFC 5246 section 7.3)', async () => {
    const p = await pair({ psk: { key: () => PSK } }, { psk: { identity: 'node-1', key: PSK } })
    await roundTrip(p.client, p.inbox, p.to, 'one')
    const serverPeer = p.serverInbox[0]!.peer
    p.client.closeSession(p.to)
    await waitFor(() => p.server.stats().sessions === 0, 5000, 'close_notify at the server')
    await roundTrip(p.client, p.inbox, p.to, 'two')
    const resumedPeer = p.serverInbox[1]!.peer
    expect(p.client.session(p.to)?.resumed).toBe(true)
    expect(p.server.session(resumedPeer)?.resumed).toBe(true)
    expect(resumedPeer.identity).toEqual(serverPeer.identity)
    expect(p.inbox[1]!.peer.identity).toEqual({ mode: 'psk', identity: 'node-1' })
  })

  it('does not resume when the server cache is disabled', async () => {
    const p = await pair(
      { psk: { key: () => PSK }, limits: { sessionCacheSize: 0 } },
      { psk: { identity: 'node-1', key: PSK } },
    )
    await roundTrip(p.client, p.inbox, p.to, 'one')
    p.client.closeSession(p.to)
    await roundTrip(p.client, p.inbox, p.to, 'two')
    expect(p.client.session(p.to)?.resumed).toBe(false)
  })

  it('close_notify ends the session on both sides (RFC 5246 section 7.2.1)', async () => {
    const p = await pair({ psk: { key: () => PSK } }, { psk: { identity: 'node-1', key: PSK } })
    await roundTrip(p.client, p.inbox, p.to, 'one')
    const closed: DtlsError[] = []
    p.server.on('sessionClosed', (_, e) => closed.push(e))
    p.client.closeSession(p.to)
    await waitFor(() => closed.length === 1)
    expect(closed[0]!.code).toBe('DTLS_CLOSED')
    expect(p.server.stats().sessions).toBe(0)
  })

  it('a server cannot send to a peer without a session', async () => {
    const p = await pair({ psk: { key: () => PSK } }, { psk: { identity: 'node-1', key: PSK } })
    const e = await new Promise<Error | undefined>((r) =>
      p.server.send(Buffer.from('x'), { address: '127.0.0.1', port: 9 }, r),
    )
    expect(DtlsError.isInstance(e)).toBe(true)
    expect((e as DtlsError).code).toBe('DTLS_NO_SESSION')
  })

  it('server_name reaches the server callback and can be refused with unrecognized_name (RFC 6066)', async () => {
    const names: Array<string | undefined> = []
    const p = await pair(
      {
        psk: {
          key: (_, info) => {
            names.push(`key:${info.serverName}`)
            return PSK
          },
        },
        serverName: (name) => {
          names.push(name)
          return name === 'lwm2m.example'
        },
      },
      { psk: { identity: 'a', key: PSK }, serverName: 'lwm2m.example' },
    )
    await roundTrip(p.client, p.inbox, p.to, 'x')
    expect(names).toEqual(['lwm2m.example', 'key:lwm2m.example'])
    const c2 = dtlsClient({
      host: '127.0.0.1',
      psk: { identity: 'a', key: PSK },
      serverName: 'other.example',
    })
    open.push(c2)
    await c2.open(() => {})
    const e = await new Promise<DtlsError>((r) =>
      c2.send(Buffer.from('x'), p.to, (err) => r(err as DtlsError)),
    )
    expect(e.alert).toBe(112)
  })

  it('per-server credentials through peerOptions', async () => {
    const p = await pair(
      { psk: { key: (id) => (id === 'second' ? Buffer.from('22', 'hex') : undefined) } },
      { peerOptions: () => ({ psk: { identity: 'second', key: Buffer.from('22', 'hex') } }) },
    )
    expect((await roundTrip(p.client, p.inbox, p.to, 'x')).peer.identity).toEqual({
      mode: 'psk',
      identity: 'second',
    })
  })
})

describe('ECDHE_ECDSA with raw public keys (RFC 7250)', () => {
  const serverKeys = ecKeys()
  const clientKeys = ecKeys()
  const trust = (k: Uint8Array) => (pk: Uint8Array) => Buffer.from(pk).equals(Buffer.from(k))

  it.each<CipherSuiteName>(['TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8', 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256'])(
    '%s: mutual authentication, each side sees the other key',
    async (suite) => {
      const p = await pair(
        { rpk: { privateKey: serverKeys.privateKey, verifyPeer: trust(clientKeys.spki) } },
        {
          rpk: { privateKey: clientKeys.privateKey, verifyPeer: trust(serverKeys.spki) },
          cipherSuites: [suite],
        },
      )
      const a = await roundTrip(p.client, p.inbox, p.to, 'rpk')
      expect(a.data.toString()).toBe('echo:rpk')
      expect(a.peer.identity).toEqual({ mode: 'rpk', publicKey: serverKeys.spki })
      expect(p.serverInbox[0]!.peer.identity).toEqual({ mode: 'rpk', publicKey: clientKeys.spki })
      expect(p.server.session(p.serverInbox[0]!.peer)?.cipherSuite).toBe(suite)
    },
  )

  it('an untrusted client key fails with certificate_unknown', async () => {
    const other = ecKeys()
    const p = await pair(
      { rpk: { privateKey: serverKeys.privateKey, verifyPeer: trust(clientKeys.spki) } },
      { rpk: { privateKey: other.privateKey, verifyPeer: trust(serverKeys.spki) } },
    )
    const e = await new Promise<DtlsError>((r) =>
      p.client.send(Buffer.from('x'), p.to, (err) => r(err as DtlsError)),
    )
    expect(e.alert).toBe(46)
  })

  it('an untrusted server key fails at the client', async () => {
    const other = ecKeys()
    const p = await pair(
      { rpk: { privateKey: serverKeys.privateKey, verifyPeer: () => true } },
      { rpk: { privateKey: clientKeys.privateKey, verifyPeer: trust(other.spki) } },
    )
    const e = await new Promise<DtlsError>((r) =>
      p.client.send(Buffer.from('x'), p.to, (err) => r(err as DtlsError)),
    )
    expect(e.code).toBe('DTLS_HANDSHAKE_FAILED')
    expect(e.alert).toBe(46)
    await waitFor(() => p.serverErrors.length > 0)
    expect(p.serverErrors[0]!.code).toBe('DTLS_ALERT')
  })

  it('without client authentication the server still authenticates itself', async () => {
    const p = await pair(
      { rpk: { privateKey: serverKeys.privateKey }, requireClientAuthentication: false },
      { rpk: { privateKey: clientKeys.privateKey, verifyPeer: trust(serverKeys.spki) } },
    )
    await roundTrip(p.client, p.inbox, p.to, 'x')
    expect(p.serverInbox[0]!.peer.identity).toBeUndefined()
  })
})

describe.skipIf(opensslMissing)('ECDHE_ECDSA with X.509 certificates (needs openssl to make them)', () => {
  let pki: Pki
  beforeAll(() => {
    pki = generatePki()
  })
  afterAll(() => pki?.cleanup())

  const serverX509 = () => ({
    privateKey: pki.serverKey,
    certificateChain: [pki.serverCert],
    trustAnchors: [pki.caCert],
  })
  const clientX509 = () => ({
    privateKey: pki.clientKey,
    certificateChain: [pki.clientCert],
    trustAnchors: [pki.caCert],
  })

  it.each<CipherSuiteName>(['TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8', 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256'])(
    '%s: chains verified against the trust anchor both ways',
    async (suite) => {
      const p = await pair(
        { x509: serverX509() },
        { x509: clientX509(), cipherSuites: [suite], serverName: 'localhost' },
      )
      const a = await roundTrip(p.client, p.inbox, p.to, 'x509')
      expect(a.peer.identity).toMatchObject({ mode: 'x509', subject: 'CN=localhost' })
      const id = p.serverInbox[0]!.peer.identity
      expect(id).toMatchObject({ mode: 'x509', subject: 'CN=node-1' })
      expect(id?.mode === 'x509' && id.certificate.length > 100).toBe(true)
    },
  )

  it('fragments the certificate flight under a small MTU (RFC 6347 section 4.2.3)', async () => {
    const p = await pair({ x509: serverX509(), mtu: 256 }, { x509: clientX509(), mtu: 256 })
    expect((await roundTrip(p.client, p.inbox, p.to, 'small mtu')).data.toString()).toBe('echo:small mtu')
  })

  it('a chain from another CA fails with unknown_ca', async () => {
    const p = await pair(
      { x509: serverX509() },
      { x509: { privateKey: pki.rogueKey, certificateChain: [pki.rogueCert], trustAnchors: [pki.caCert] } },
    )
    const e = await new Promise<DtlsError>((r) =>
      p.client.send(Buffer.from('x'), p.to, (err) => r(err as DtlsError)),
    )
    expect(e.alert).toBe(48)
  })

  it('verifyPeer sees the chain and can refuse it (certificate_unknown)', async () => {
    const subjects: string[] = []
    const p = await pair(
      {
        x509: {
          ...serverX509(),
          verifyPeer: (chain) => {
            subjects.push(chain[0]!.subject)
            return false
          },
        },
      },
      { x509: clientX509() },
    )
    const e = await new Promise<DtlsError>((r) =>
      p.client.send(Buffer.from('x'), p.to, (err) => r(err as DtlsError)),
    )
    expect(e.alert).toBe(46)
    expect(subjects).toEqual(['CN=node-1'])
  })

  it('the client checks the server name against the certificate', async () => {
    const p = await pair({ x509: serverX509() }, { x509: clientX509(), serverName: 'not-localhost.example' })
    const e = await new Promise<DtlsError>((r) =>
      p.client.send(Buffer.from('x'), p.to, (err) => r(err as DtlsError)),
    )
    expect(e.code).toBe('DTLS_HANDSHAKE_FAILED')
  })

  it('a server with both RPK and X.509 uses RPK for an RPK client and X.509 for the others', async () => {
    const serverKeys = ecKeys()
    const clientKeys = ecKeys()
    const p = await pair(
      { x509: serverX509(), rpk: { privateKey: serverKeys.privateKey, verifyPeer: () => true } },
      { rpk: { privateKey: clientKeys.privateKey, verifyPeer: () => true } },
    )
    expect((await roundTrip(p.client, p.inbox, p.to, 'a')).peer.identity?.mode).toBe('rpk')
    const c2 = dtlsClient({ host: '127.0.0.1', x509: clientX509() })
    open.push(c2)
    const inbox: Pair['inbox'] = []
    await c2.open((data, peer) => inbox.push({ data: Buffer.from(data), peer }))
    expect((await roundTrip(c2, inbox, p.to, 'b')).peer.identity?.mode).toBe('x509')
  })
})

describe('a server offering PSK and certificates', () => {
  it('picks the suite by the client credentials', async () => {
    const serverKeys = ecKeys()
    const p = await pair(
      { psk: { key: () => PSK }, rpk: { privateKey: serverKeys.privateKey, verifyPeer: () => true } },
      { psk: { identity: 'n', key: PSK } },
    )
    await roundTrip(p.client, p.inbox, p.to, 'x')
    expect(p.server.session(p.serverInbox[0]!.peer)?.cipherSuite).toBe('TLS_PSK_WITH_AES_128_CCM_8')
  })

  it('refuses a client with no suite in common (handshake_failure)', async () => {
    const serverKeys = ecKeys()
    const p = await pair(
      { rpk: { privateKey: serverKeys.privateKey, verifyPeer: () => true } },
      { psk: { identity: 'n', key: PSK } },
    )
    const e = await new Promise<DtlsError>((r) =>
      p.client.send(Buffer.from('x'), p.to, (err) => r(err as DtlsError)),
    )
    expect(e.alert).toBe(40)
  })
})

describe('options', () => {
  it('refuse servers without credentials and unknown suites', () => {
    expect(() => dtlsServer({ port: 0 })).toThrow(DtlsError)
    expect(() =>
      dtlsServer({ port: 0, psk: { key: () => PSK }, cipherSuites: ['TLS_NOPE' as CipherSuiteName] }),
    ).toThrow(/unknown cipher suite/)
    expect(() => dtlsServer({ port: 0, rpk: { privateKey: 'not a key' } })).toThrow(/private key/)
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey
    expect(() => dtlsServer({ port: 0, rpk: { privateKey: rsa } })).toThrow(/P-256/)
  })
})
