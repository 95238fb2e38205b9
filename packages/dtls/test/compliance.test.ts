/**
 * The Transport contract of @lwm2m/coap (its `transportCompliance` suite), run against our
 * DTLS client/server with each credential type and against the node-dtls-client adapter.
 */
import { generateKeyPairSync } from 'node:crypto'
import { transportCompliance } from '@lwm2m/coap/testing'
import { afterAll, beforeAll, describe } from 'vitest'
import { nodeDtlsClient } from '../src/adapter/node-dtls-client.js'
import { dtlsClient, dtlsServer } from '../src/index.js'
import { PSK } from './support/pair.js'
import { generatePki, hasOpenssl, type Pki } from './support/pki.js'

describe('dtlsClient -> dtlsServer, PSK (TLS_PSK_WITH_AES_128_CCM_8)', () => {
  transportCompliance({
    create: () => ({
      a: dtlsClient({ host: '127.0.0.1', psk: { identity: 'a', key: PSK } }),
      b: dtlsServer({ host: '127.0.0.1', port: 0, psk: { key: () => PSK } }),
    }),
  })
})

describe('dtlsClient -> dtlsServer, PSK with CBC and no Connection ID', () => {
  transportCompliance({
    create: () => ({
      a: dtlsClient({
        host: '127.0.0.1',
        psk: { identity: 'a', key: PSK },
        cipherSuites: ['TLS_PSK_WITH_AES_128_CBC_SHA256'],
        connectionId: false,
      }),
      b: dtlsServer({ host: '127.0.0.1', port: 0, psk: { key: () => PSK }, connectionId: false }),
    }),
  })
})

describe('dtlsClient -> dtlsServer, raw public keys (TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256)', () => {
  const key = () => generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey
  transportCompliance({
    create: () => ({
      a: dtlsClient({
        host: '127.0.0.1',
        rpk: { privateKey: key(), verifyPeer: () => true },
        cipherSuites: ['TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256'],
      }),
      b: dtlsServer({ host: '127.0.0.1', port: 0, rpk: { privateKey: key(), verifyPeer: () => true } }),
    }),
  })
})

describe.skipIf(!hasOpenssl() && process.env.CI !== 'true')(
  'dtlsClient -> dtlsServer, X.509 over IPv6',
  () => {
    let pki: Pki
    beforeAll(() => {
      pki = generatePki()
    })
    afterAll(() => pki?.cleanup())
    transportCompliance({
      create: () => ({
        a: dtlsClient({
          host: '::1',
          x509: { privateKey: pki.clientKey, certificateChain: [pki.clientCert], trustAnchors: [pki.caCert] },
        }),
        b: dtlsServer({
          host: '::1',
          port: 0,
          x509: { privateKey: pki.serverKey, certificateChain: [pki.serverCert], trustAnchors: [pki.caCert] },
        }),
      }),
    })
  },
)

describe('node-dtls-client adapter -> dtlsServer, PSK', () => {
  transportCompliance({
    create: () => ({
      a: nodeDtlsClient({ psk: { identity: 'a', key: PSK }, ciphers: ['TLS_PSK_WITH_AES_128_CCM_8'] }),
      b: dtlsServer({ host: '127.0.0.1', port: 0, psk: { key: () => PSK } }),
    }),
  })
})
