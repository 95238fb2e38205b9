import { generateKeyPairSync } from 'node:crypto'
import type { SecurityAccountInit } from '@lwm2m/objects'
import type { NodeNotification, SecurityInfo, ServerDtlsIdentity } from '@lwm2m/server'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createTestCa, type TestCa } from './support/pki.js'
import {
  recordingLogger,
  type SecureBed,
  secureBed,
  startRegistered,
  type TestClient,
  testClient,
} from './support/setup.js'
import { skipWithout, within } from './support/tools.js'

// OMA ETS 1.1-int-401 (DTLS-PSK), 1.1-int-402 (certificates) and the raw public key mode:
// @lwm2m/client against @lwm2m/server over @lwm2m/dtls on 127.0.0.1, each credential type
// set up from the client's Security instance (Core TS 1.1 section E.1) and the server's
// security store. Register, Read, Write, Observe.

const noOpenssl = skipWithout('openssl', ['version'])
const PSK = new TextEncoder().encode('int-401 pre-shared key')

function keyPair() {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
  return {
    privateKey,
    spki: new Uint8Array(publicKey.export({ format: 'der', type: 'spki' })),
    pkcs8: new Uint8Array(privateKey.export({ format: 'der', type: 'pkcs8' })),
  }
}

let ca: TestCa | undefined
beforeAll(() => {
  if (!noOpenssl) ca = createTestCa('lwm2m-test-ca')
})
afterAll(() => ca?.cleanup())

let bed: SecureBed | undefined
let current: TestClient | undefined
afterEach(async () => {
  await current?.client.stop({ deregister: false })
  await bed?.close()
  current = undefined
  bed = undefined
})

interface Case {
  readonly name: string
  readonly mode: 'psk' | 'rpk' | 'x509'
  readonly skip: boolean
  /** The endpoint name, the server's security entry and identity, the client's account. */
  make(): {
    endpoint: string
    info: SecurityInfo
    own: ServerDtlsIdentity
    account: (port: number) => SecurityAccountInit
    secret: Uint8Array
  }
}

const serverKeys = keyPair()
const clientKeys = keyPair()

const CASES: Case[] = [
  {
    name: 'PSK (Security Mode 0, ETS 1.1-int-401)',
    mode: 'psk',
    skip: false,
    make: () => ({
      endpoint: 'psk-node',
      info: { endpoint: 'psk-node', mode: 'psk', identity: 'psk-node-identity', key: PSK },
      own: {},
      account: (port) => ({
        serverUri: `coaps://127.0.0.1:${port}`,
        securityMode: 0,
        publicKeyOrIdentity: 'psk-node-identity',
        secretKey: PSK,
      }),
      secret: PSK,
    }),
  },
  {
    name: 'raw public keys (Security Mode 1, RFC 7250)',
    mode: 'rpk',
    skip: false,
    make: () => ({
      endpoint: 'rpk-node',
      info: { endpoint: 'rpk-node', mode: 'rpk', publicKey: clientKeys.spki },
      own: { rpk: { privateKey: serverKeys.privateKey } },
      account: (port) => ({
        serverUri: `coaps://127.0.0.1:${port}`,
        securityMode: 1,
        publicKeyOrIdentity: clientKeys.spki,
        serverPublicKey: serverKeys.spki,
        secretKey: clientKeys.pkcs8,
      }),
      secret: clientKeys.pkcs8,
    }),
  },
  {
    name: 'X.509, the server certificate pinned (Security Mode 2, Certificate Usage 3, ETS 1.1-int-402)',
    mode: 'x509',
    skip: noOpenssl,
    make: () => {
      const server = ca!.server('server.example.com', ['DNS:server.example.com', 'IP:127.0.0.1'])
      const client = ca!.client('x509-node')
      return {
        endpoint: 'x509-node',
        // The LwM2M convention: the certificate's CN is the endpoint name.
        info: { endpoint: 'x509-node', mode: 'x509' },
        own: {
          x509: {
            privateKey: server.keyPem,
            certificateChain: [server.certPem],
            trustAnchors: [ca!.root.certPem],
          },
        },
        account: (port) => ({
          serverUri: `coaps://server.example.com:${port}`,
          securityMode: 2,
          publicKeyOrIdentity: client.certDer,
          serverPublicKey: server.certDer,
          secretKey: client.keyDer,
        }),
        secret: client.keyDer,
      }
    },
  },
  {
    name: 'X.509, the CA as trust anchor (Certificate Usage 2), IP-literal Server URI',
    mode: 'x509',
    skip: noOpenssl,
    make: () => {
      const server = ca!.server('lwm2m-server', ['DNS:server.example.com', 'IP:127.0.0.1'])
      const client = ca!.client('x509-anchored')
      return {
        endpoint: 'x509-anchored',
        info: { endpoint: 'x509-anchored', mode: 'x509', subject: 'CN=x509-anchored' },
        own: {
          x509: {
            privateKey: server.keyPem,
            certificateChain: [server.certPem],
            trustAnchors: [ca!.root.certPem],
          },
        },
        account: (port) => ({
          serverUri: `coaps://127.0.0.1:${port}`,
          securityMode: 2,
          publicKeyOrIdentity: client.certDer,
          serverPublicKey: ca!.root.certDer,
          secretKey: client.keyDer,
          resources: { 15: 2 },
        }),
        secret: client.keyDer,
      }
    },
  },
]

describe.each(CASES)('LwM2M over DTLS: $name', (c) => {
  it.skipIf(c.skip)(
    'registers under its identity, then Read, Write and Observe go over the session',
    async () => {
      const made = c.make()
      const logger = recordingLogger()
      bed = await secureBed([made.info], made.own)
      current = testClient(made.endpoint, made.account(bed.coapsPort), {
        logger,
        resolve: async () => '127.0.0.1',
      })
      const { client, sensor } = current
      await startRegistered(current)
      const reg = (await bed.server.getRegistration(made.endpoint))!
      expect(reg.scheme).toBe('coaps')
      expect(reg.peer.identity?.mode).toBe(c.mode)
      if (c.mode === 'x509' && reg.peer.identity?.mode === 'x509') {
        expect(reg.peer.identity.subject).toBe(`CN=${made.endpoint}`)
      }

      // Read (ETS int-401/402: GET /3/0 after the Register).
      const device = await within(bed.server.read(made.endpoint, '/3/0'))
      expect(device.node.kind).toBe('instance')
      expect((await bed.server.read(made.endpoint, '/3/0/0')).node).toMatchObject({ value: 'ACME' })

      // Write, then read back.
      await within(bed.server.write(made.endpoint, '/3/0/14', '+02:00'))
      expect((await bed.server.read(made.endpoint, '/3/0/14')).node).toMatchObject({ value: '+02:00' })

      // Observe: the first answer, then a notification when the value changes.
      const sub = bed.server.observe(made.endpoint, '/3303/0/5700')
      const initial = await within(sub.ready, 10_000, 'initial notification')
      expect(initial.node).toMatchObject({ value: 20 })
      const next = new Promise<NodeNotification>((resolve) =>
        sub.on('notification', (n) => !n.initial && resolve(n)),
      )
      sensor.record(0, 22.5)
      expect((await within(next, 10_000, 'notification')).node).toMatchObject({ value: 22.5 })
      await sub.cancel()

      // One DTLS session carried everything; the secret key appears in no log line.
      expect(bed.sessions).toBe(1)
      const text = logger.lines.join('\n')
      expect(text).toContain('registered')
      for (const form of [
        Buffer.from(made.secret).toString('hex'),
        Buffer.from(made.secret).toString('base64'),
        Array.from(made.secret.subarray(0, 12)).join(','),
      ]) {
        expect(text).not.toContain(form)
      }

      const gone = client.once('deregistered')
      await client.stop()
      await within(gone)
      expect(await bed.server.getRegistration(made.endpoint)).toBeUndefined()
      current = undefined
    },
  )
})
