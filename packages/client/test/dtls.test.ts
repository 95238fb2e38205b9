import { type Logger, systemClock, type Transport } from '@lwm2m/coap'
import { instance, Lwm2mPath, singleResource } from '@lwm2m/core'
import { dtlsServer } from '@lwm2m/dtls'
import {
  createDeviceObject,
  createSecurityObject,
  createServerObject,
  type SecurityAccountInit,
} from '@lwm2m/objects'
import { afterEach, describe, expect, it } from 'vitest'
import {
  ClientError,
  createClient,
  type DtlsModule,
  type Lwm2mClient,
  type SecureDtlsClientOptions,
  secureTransport,
  type TransportContext,
} from '../src/index.js'
import { ScriptedServer } from './harness.js'

const KEY = Uint8Array.from({ length: 16 }, (_, i) => 0xc0 + i)
const KEY_HEX = Buffer.from(KEY).toString('hex')

const cleanup: (() => Promise<unknown>)[] = []
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f()
})

/** Waits for a promise, but at most `ms` of real time. */
function within<T>(promise: Promise<T>, ms = 8000): Promise<T> {
  return Promise.race([
    promise,
    new Promise<T>((_, reject) =>
      setTimeout(() => reject(new Error(`no result within ${ms} ms`)), ms).unref(),
    ),
  ])
}

/** Every log line, all levels, as text. */
function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = []
  const rec = (level: string) => (message: string, data?: Record<string, unknown>) => {
    lines.push(
      `${level} ${message} ${data === undefined ? '' : JSON.stringify(data, (_, v) => (typeof v === 'bigint' ? String(v) : v))}`,
    )
  }
  return { lines, debug: rec('debug'), info: rec('info'), warn: rec('warn'), error: rec('error') }
}

/** A scripted LwM2M Server behind a DTLS PSK server transport on 127.0.0.1. */
async function pskServer(
  keys: Record<string, Uint8Array>,
): Promise<ScriptedServer & { dtls: ReturnType<typeof dtlsServer> }> {
  const dtls = dtlsServer({ host: '127.0.0.1', port: 0, psk: { key: (identity) => keys[identity] } })
  const server = await ScriptedServer.over(dtls, systemClock)
  cleanup.push(() => server.endpoint.close())
  return Object.assign(server, { dtls })
}

function coapsUri(server: ScriptedServer): string {
  return server.uri.replace('coap://', 'coaps://')
}

function pskClient(
  account: SecurityAccountInit,
  extra: { logger?: Logger; requestTimeout?: number } = {},
): Lwm2mClient {
  const client = createClient({
    endpoint: 'dtls-node',
    objects: [
      createSecurityObject({ accounts: [account] }),
      createServerObject({ servers: [{ shortServerId: 1, lifetime: 60 }] }),
      createDeviceObject({ manufacturer: 'ACME' }),
    ],
    ...(extra.logger === undefined ? {} : { logger: extra.logger }),
    ...(extra.requestTimeout === undefined ? {} : { coap: { requestTimeout: extra.requestTimeout } }),
  })
  cleanup.push(() => client.stop({ deregister: false }))
  return client
}

describe('coaps:// servers: DTLS set up from the Security instance (default transports.coaps)', () => {
  it('Security Mode 0: registers over DTLS-PSK with identity /0/x/3 and key /0/x/5, and answers a Read', async () => {
    const server = await pskServer({ 'dtls-node-id': KEY })
    const logger = recordingLogger()
    const client = pskClient(
      {
        serverUri: coapsUri(server),
        shortServerId: 1,
        securityMode: 0,
        publicKeyOrIdentity: 'dtls-node-id',
        secretKey: KEY,
      },
      { logger },
    )
    const registered = client.once('registered')
    await client.start()
    await within(registered)
    const reg = server.registration()
    expect(reg.op.params.endpoint).toBe('dtls-node')
    expect(reg.peer.identity).toEqual({ mode: 'psk', identity: 'dtls-node-id' })
    const read = await within(server.dm({ kind: 'read', path: Lwm2mPath.parse('/3/0/0'), accept: 0 }))
    expect(read.node).toMatchObject({ value: 'ACME' })
    expect(server.dtls.stats().sessions).toBe(1)
    // The secret never reaches a log line, in any encoding.
    expect(logger.lines.length).toBeGreaterThan(0)
    const all = logger.lines.join('\n')
    for (const form of [KEY_HEX, Buffer.from(KEY).toString('base64'), Array.from(KEY).join(',')]) {
      expect(all).not.toContain(form)
    }
    expect(all).toContain('dtls-node-id')
  })

  it('a wrong key fails the handshake: nothing registers, registrationFailed reports it', async () => {
    const server = await pskServer({ 'dtls-node-id': KEY })
    const client = pskClient({
      serverUri: coapsUri(server),
      shortServerId: 1,
      securityMode: 0,
      publicKeyOrIdentity: 'dtls-node-id',
      secretKey: Uint8Array.of(9, 9, 9, 9),
    })
    const handshakeFailed = new Promise((resolve) =>
      server.dtls.once('handshakeFailed', (_peer, error) => resolve(error)),
    )
    const failed = client.once('registrationFailed')
    await client.start()
    // The server ends the handshake with an alert (RFC 5246 section 7.2.2: bad_record_mac);
    // the client sees its Register go unanswered and retries later.
    const alert = (await within(handshakeFailed)) as { message: string; alert?: number }
    expect(alert.message).toMatch(/failed authentication: the keys differ/)
    expect(alert.alert).toBe(20) // bad_record_mac
    // The Register fails at once with the reason, not at its deadline (EXCHANGE_LIFETIME by default).
    const f = await within(failed)
    expect(f.final).toBe(false)
    // COAP_TRANSPORT from the CoAP endpoint (the DTLS send callback), or from
    // TransportContext.unreachable for a request not yet handed to the transport.
    expect(String(f.error)).toMatch(/cannot reach/)
    expect((f.error as { cause?: { alert?: number } }).cause?.alert).toBe(20)
    expect(server.registrations.size).toBe(0)
    expect(server.dtls.stats().sessions).toBe(0)
  })

  it('a changed Server URI and key: De-register, a new DTLS handshake with the new server, Register there', async () => {
    const a = await pskServer({ 'id-a': KEY })
    const keyB = Uint8Array.from({ length: 16 }, (_, i) => i)
    const b = await pskServer({ 'id-b': keyB })
    const client = pskClient({
      serverUri: coapsUri(a),
      shortServerId: 1,
      securityMode: 0,
      publicKeyOrIdentity: 'id-a',
      secretKey: KEY,
    })
    const first = client.once('registered')
    await client.start()
    await within(first)
    // As a Bootstrap-Server would: a new Server URI, identity and key in /0/0.
    const reregistered = client.once('registered')
    await client
      .object(0)!
      .write(
        Lwm2mPath.parse('/0/0'),
        instance(0, [
          singleResource(0, 'string', coapsUri(b)),
          singleResource(1, 'boolean', false),
          singleResource(2, 'integer', 0),
          singleResource(3, 'opaque', new TextEncoder().encode('id-b')),
          singleResource(4, 'opaque', new Uint8Array(0)),
          singleResource(5, 'opaque', keyB),
          singleResource(10, 'integer', 1),
        ]),
        'replace',
        { origin: 'bootstrap' },
      )
    await within(reregistered)
    await within(a.take('deregister'))
    const reg = await within(b.take('register'))
    expect(reg.peer.identity).toEqual({ mode: 'psk', identity: 'id-b' })
    expect(b.dtls.stats()).toMatchObject({ sessions: 1 })
  })
})

describe('secureTransport(options)', () => {
  const context = (mode: number): TransportContext => {
    const security = createSecurityObject({
      accounts: [
        {
          serverUri: 'coaps://[::1]:5684',
          shortServerId: 1,
          securityMode: mode,
          publicKeyOrIdentity: 'me',
          secretKey: KEY,
        },
      ],
    })
    const node = security.accounts()[0]!
    return {
      uri: { scheme: 'coaps', host: '::1', port: 5684, path: [], query: [] },
      security: {
        instanceId: 0,
        serverUri: node.serverUri,
        bootstrapServer: false,
        securityMode: node.securityMode,
        publicKeyOrIdentity: node.publicKeyOrIdentity,
        serverPublicKey: node.serverPublicKey,
        secretKey: node.secretKey,
        shortServerId: 1,
        clientHoldOffTime: undefined,
        resources: instance(0, [singleResource(2, 'integer', mode)]),
      },
      shortServerId: 1,
      clock: systemClock,
      logger: recordingLogger(),
    }
  }

  it('hands dtlsClient the credentials, the DTLS settings, the family of the server and the client clock and logger', async () => {
    const seen: SecureDtlsClientOptions[] = []
    const fake: DtlsModule = {
      dtlsClient: (options) => {
        seen.push(options)
        return { scheme: 'coaps' } as unknown as Transport
      },
    }
    const ctx = context(0)
    await secureTransport({ module: fake, dtls: { connectionId: 4, mtu: 1000 } })(ctx)
    expect(seen).toHaveLength(1)
    expect(seen[0]).toMatchObject({ connectionId: 4, mtu: 1000, type: 'udp6', psk: { identity: 'me' } })
    expect(seen[0]!.clock).toBe(systemClock)
    expect(seen[0]!.logger).toBe(ctx.logger)
    // A last say over the credentials.
    await secureTransport({
      module: async () => fake,
      credentials: (c) => ({ ...c, serverName: 'override.example' }),
    })(ctx)
    expect(seen[1]!.serverName).toBe('override.example')
  })

  it('NoSec fails without loading DTLS; a DTLS package that cannot load says to install it', async () => {
    let loaded = 0
    const module = async (): Promise<DtlsModule> => {
      loaded++
      throw new Error("Cannot find package '@lwm2m/dtls'")
    }
    const nosec = await Promise.resolve()
      .then(() => secureTransport({ module })(context(3)))
      .catch((e: unknown) => e)
    expect(ClientError.isInstance(nosec) && nosec.code).toBe('CLIENT_SECURITY')
    expect(loaded).toBe(0)
    const missing = await Promise.resolve()
      .then(() => secureTransport({ module })(context(0)))
      .catch((e: unknown) => e)
    expect(ClientError.isInstance(missing) && missing.code).toBe('CLIENT_TRANSPORT')
    expect(String(missing)).toMatch(/npm install @lwm2m\/dtls/)
    expect(loaded).toBe(1)
  })
})
