import { generateKeyPairSync } from 'node:crypto'
import { AlertDescription, type DtlsError } from '@lwm2m/dtls'
import type { SecurityAccountInit } from '@lwm2m/objects'
import type { SecurityInfo } from '@lwm2m/server'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createTestCa, type TestCa } from './support/pki.js'
import { type SecureBed, secureBed, startRegistered, type TestClient, testClient } from './support/setup.js'
import { skipWithout, within } from './support/tools.js'

// What must not get through: credentials the server does not know fail the DTLS handshake
// (RFC 5246 section 7.2.2 alerts), an authenticated identity may use only the endpoint name
// it is bound to (Core TS 1.2 section 7.1: 4.03 otherwise), a secured endpoint name is refused
// over plain CoAP, and the client checks the server's host name (ETS 1.1-int-403).

const noOpenssl = skipWithout('openssl', ['version'])
const KEY_A = new TextEncoder().encode('key of node-a....')
const KEY_B = new TextEncoder().encode('key of node-b....')

function keyPair() {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
  return {
    privateKey,
    spki: new Uint8Array(publicKey.export({ format: 'der', type: 'spki' })),
    pkcs8: new Uint8Array(privateKey.export({ format: 'der', type: 'pkcs8' })),
  }
}
const serverKeys = keyPair()

const PSK_INFOS: SecurityInfo[] = [
  { endpoint: 'node-a', mode: 'psk', identity: 'id-a', key: KEY_A },
  { endpoint: 'node-b', mode: 'psk', identity: 'id-b', key: KEY_B },
]

let ca: TestCa | undefined
beforeAll(() => {
  if (!noOpenssl) ca = createTestCa('refusals-ca')
})
afterAll(() => ca?.cleanup())

let bed: SecureBed | undefined
const clients: TestClient[] = []
afterEach(async () => {
  for (const c of clients.splice(0)) await c.client.stop({ deregister: false })
  await bed?.close()
  bed = undefined
})

function start(endpoint: string, account: SecurityAccountInit): TestClient {
  // No short request deadline: a failed handshake must fail the Register at once by itself.
  const c = testClient(endpoint, account, {
    resolve: async () => '127.0.0.1',
    coap: { requestTimeout: 60_000 },
  })
  clients.push(c)
  return c
}

/** Starts a client and resolves with its first registrationFailed event. */
async function firstFailure(c: TestClient): Promise<{ error: unknown }> {
  const failed = c.client.once('registrationFailed')
  await c.client.start()
  return within(failed, 10_000, 'registrationFailed')
}

function nextHandshakeFailure(b: SecureBed): Promise<DtlsError> {
  return within(
    new Promise<DtlsError>((resolve) => b.dtls.once('handshakeFailed', (_peer, error) => resolve(error))),
    10_000,
    'handshakeFailed',
  )
}

async function noRegistrations(b: SecureBed): Promise<void> {
  expect(await b.server.registrationStore.size()).toBe(0)
}

/**
 * Starts a client whose handshake the bed must fail: resolves with the client's first
 * registrationFailed and the server's handshakeFailed error (listened for before the start).
 */
async function refusedHandshake(
  b: SecureBed,
  endpoint: string,
  account: SecurityAccountInit,
): Promise<{ failure: { error: unknown }; error: DtlsError }> {
  const handshake = nextHandshakeFailure(b)
  const failure = await firstFailure(start(endpoint, account))
  return { failure, error: await handshake }
}

/** Why a Register failed, as text: the cause the client gives, else the error itself. */
function failureText(failure: { error: unknown }): string {
  return String((failure.error as { cause?: unknown }).cause ?? failure.error)
}

/** A bed for X.509 endpoints whose server presents `server`'s certificate and trusts the test CA. */
function x509Bed(
  endpoints: readonly string[],
  server: { keyPem: string; certPem: string },
): Promise<SecureBed> {
  return secureBed(
    endpoints.map((endpoint) => ({ endpoint, mode: 'x509' as const })),
    {
      x509: {
        privateKey: server.keyPem,
        certificateChain: [server.certPem],
        trustAnchors: [ca!.root.certPem],
      },
    },
  )
}

describe('unknown or wrong credentials fail the DTLS handshake: nothing registers', () => {
  it('a wrong PSK: the Finished does not verify (bad_record_mac)', async () => {
    bed = await secureBed(PSK_INFOS)
    const { error } = await refusedHandshake(bed, 'node-a', {
      serverUri: `coaps://127.0.0.1:${bed.coapsPort}`,
      securityMode: 0,
      publicKeyOrIdentity: 'id-a',
      secretKey: KEY_B,
    })
    expect(error.alert).toBe(AlertDescription.bad_record_mac)
    expect(bed.sessions).toBe(0)
    await noRegistrations(bed)
  })

  it('an unknown PSK identity (unknown_psk_identity, RFC 4279 section 2)', async () => {
    bed = await secureBed(PSK_INFOS)
    const { error } = await refusedHandshake(bed, 'node-a', {
      serverUri: `coaps://127.0.0.1:${bed.coapsPort}`,
      securityMode: 0,
      publicKeyOrIdentity: 'id-nobody',
      secretKey: KEY_A,
    })
    expect(error.alert).toBe(AlertDescription.unknown_psk_identity)
    await noRegistrations(bed)
  })

  it('a raw public key the store does not hold (certificate_unknown)', async () => {
    const known = keyPair()
    const stranger = keyPair()
    bed = await secureBed([{ endpoint: 'rpk-node', mode: 'rpk', publicKey: known.spki }], {
      rpk: { privateKey: serverKeys.privateKey },
    })
    const { error } = await refusedHandshake(bed, 'rpk-node', {
      serverUri: `coaps://127.0.0.1:${bed.coapsPort}`,
      securityMode: 1,
      serverPublicKey: serverKeys.spki,
      secretKey: stranger.pkcs8,
    })
    expect(error.alert).toBe(AlertDescription.certificate_unknown)
    await noRegistrations(bed)
  })

  it('the client refuses a server whose raw public key is not /0/x/4', async () => {
    const client = keyPair()
    bed = await secureBed([{ endpoint: 'rpk-node', mode: 'rpk', publicKey: client.spki }], {
      rpk: { privateKey: serverKeys.privateKey },
    })
    const { error } = await refusedHandshake(bed, 'rpk-node', {
      serverUri: `coaps://127.0.0.1:${bed.coapsPort}`,
      securityMode: 1,
      serverPublicKey: keyPair().spki,
      secretKey: client.pkcs8,
    })
    expect(error.code).toBe('DTLS_ALERT')
    expect(error.alert).toBe(AlertDescription.certificate_unknown)
    await noRegistrations(bed)
  })

  it.skipIf(noOpenssl)('a client certificate from another CA (unknown_ca)', async () => {
    const rogue = createTestCa('rogue-ca')
    try {
      const server = ca!.server('server.example.com', ['DNS:server.example.com'])
      const client = rogue.client('x509-node')
      bed = await x509Bed(['x509-node'], server)
      const { error } = await refusedHandshake(bed, 'x509-node', {
        serverUri: `coaps://server.example.com:${bed.coapsPort}`,
        securityMode: 2,
        publicKeyOrIdentity: client.certDer,
        serverPublicKey: server.certDer,
        secretKey: client.keyDer,
      })
      expect(error.alert).toBe(AlertDescription.unknown_ca)
      await noRegistrations(bed)
    } finally {
      rogue.cleanup()
    }
  })

  it.skipIf(noOpenssl)(
    'ETS 1.1-int-403: the server certificate is for server.example.com, the URI names server-fail.example.com: the client ends the handshake',
    async () => {
      const server = ca!.server('server.example.com', ['DNS:server.example.com'])
      const client = ca!.client('x509-node')
      bed = await x509Bed(['x509-node'], server)
      // Configuration C.18: C.17 with the URI coaps://server-fail.example.com; the name resolves to the server.
      const { failure, error } = await refusedHandshake(bed, 'x509-node', {
        serverUri: `coaps://server-fail.example.com:${bed.coapsPort}`,
        securityMode: 2,
        publicKeyOrIdentity: client.certDer,
        serverPublicKey: server.certDer,
        secretKey: client.keyDer,
      })
      // The client says why, at once: its own host-name check failed.
      // COAP_TRANSPORT from the CoAP endpoint (the DTLS send callback), or from
      // TransportContext.unreachable for a request not yet handed to the transport.
      expect(String(failure.error)).toMatch(/cannot reach/)
      expect(String((failure.error as { cause?: unknown }).cause)).toMatch(
        /the server certificate is not for server-fail\.example\.com/,
      )
      expect(error.code).toBe('DTLS_ALERT') // received from the client
      expect(error.alert).toBe(AlertDescription.certificate_unknown)
      expect(bed.sessions).toBe(0)
      await noRegistrations(bed)
    },
  )
})

describe('an identity may use only the endpoint name it is bound to (4.03 Forbidden)', () => {
  it('PSK: the identity of node-a registering as node-b is refused, as node-a accepted', async () => {
    bed = await secureBed(PSK_INFOS)
    const thief = start('node-b', {
      serverUri: `coaps://127.0.0.1:${bed.coapsPort}`,
      securityMode: 0,
      publicKeyOrIdentity: 'id-a',
      secretKey: KEY_A,
    })
    const failure = await firstFailure(thief)
    expect(failureText(failure)).toMatch(/4\.03|Forbidden/i)
    expect(bed.sessions).toBe(1) // the handshake itself succeeded: the identity is known
    await noRegistrations(bed)
    await thief.client.stop({ deregister: false })
    const honest = start('node-a', {
      serverUri: `coaps://127.0.0.1:${bed.coapsPort}`,
      securityMode: 0,
      publicKeyOrIdentity: 'id-a',
      secretKey: KEY_A,
    })
    await startRegistered(honest)
    expect((await bed.server.getRegistration('node-a'))?.peer.identity).toEqual({
      mode: 'psk',
      identity: 'id-a',
    })
  })

  it.skipIf(noOpenssl)('X.509: a certificate with CN=x509-a registering as x509-b is refused', async () => {
    const server = ca!.server('server.example.com', ['DNS:server.example.com'])
    const clientA = ca!.client('x509-a')
    bed = await x509Bed(['x509-a', 'x509-b'], server)
    const thief = start('x509-b', {
      serverUri: `coaps://server.example.com:${bed.coapsPort}`,
      securityMode: 2,
      publicKeyOrIdentity: clientA.certDer,
      serverPublicKey: server.certDer,
      secretKey: clientA.keyDer,
    })
    const failure = await firstFailure(thief)
    expect(failureText(failure)).toMatch(/4\.03|Forbidden/i)
    await noRegistrations(bed)
  })

  it('a plain CoAP Register for an endpoint name that has security configured is refused', async () => {
    bed = await secureBed(PSK_INFOS)
    const plain = start('node-a', { serverUri: `coap://127.0.0.1:${bed.coapPort}`, securityMode: 3 })
    const failure = await firstFailure(plain)
    expect(failureText(failure)).toMatch(/4\.03|Forbidden/i)
    await noRegistrations(bed)
    // A name without security info may still use plain CoAP (allowUnsecured defaults to true).
    const open = start('open-node', { serverUri: `coap://127.0.0.1:${bed.coapPort}`, securityMode: 3 })
    await startRegistered(open)
    expect((await bed.server.getRegistration('open-node'))?.scheme).toBe('coap')
  })
})
