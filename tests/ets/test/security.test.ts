/**
 * ETS INT 1.2 section 6.5, security over UDP (int-401 ... int-403): our server behind the DTLS
 * transport of @lwm2m/dtls, our client with the DTLS set-up it takes from its Security object
 * (C.1 PSK, C.17/C.18 certificates). Over 127.0.0.1, OS-chosen ports. The TLS-over-TCP and
 * OSCORE cases (404-406) are not applicable (README).
 */
import { randomBytes } from 'node:crypto'
import { ContentFormat } from '@lwm2m/coap'
import { DtlsError, dtlsServer } from '@lwm2m/dtls'
import { createMemorySecurityStore, dtlsServerCredentials, type SecurityInfo } from '@lwm2m/server'
import { describe, expect, it } from 'vitest'
import { c1 } from '../src/configurations/c01.js'
import { c17 } from '../src/configurations/c17.js'
import type {
  AccountSecurity,
  ClientConfiguration,
  ConfigurationContext,
} from '../src/configurations/context.js'
import { ENDPOINT, type EtsOptions, START, withEts } from '../src/harness.js'
import { makeEtsPki } from '../src/pki.js'
import { tlvEntries } from '../src/tlv.js'
import { flatValues } from '../src/values.js'
import { codeOf, contentFormatOf, uriQuery } from '../src/wire.js'

const TLV = ContentFormat.LWM2M_TLV

/** Server and client over DTLS on 127.0.0.1: the server's DTLS credentials come from its security store. */
function overDtls<C extends ClientConfiguration>(
  configuration: (context: ConfigurationContext) => C,
  infos: readonly SecurityInfo[],
  security: AccountSecurity,
  own: Parameters<typeof dtlsServerCredentials>[1] = {},
  host?: string,
): EtsOptions<C> {
  const store = createMemorySecurityStore(infos)
  return {
    configuration,
    network: {
      kind: 'secure',
      serverTransport: dtlsServer({ host: '127.0.0.1', port: 0, ...dtlsServerCredentials(store, own) }),
      security,
      ...(host === undefined ? {} : { host }),
    },
    server: { security: { store } },
  }
}

describe('Security (ETS INT 1.2 section 6.5)', () => {
  it('LightweightM2M-1.1-int-401 UDP DTLS, PSK', async () => {
    const identity = 'ets-client-identity'
    const key = randomBytes(16)
    await withEts(
      overDtls(c1, [{ endpoint: ENDPOINT, mode: 'psk', identity, key }], { mode: 'psk', identity, key }),
      async (ets) => {
        // The DTLS-PSK handshake, then Register over it: 2.01.
        const register = ets.wire.last({ dir: 'in', method: 'POST', path: '/rd' })
        expect(uriQuery(register.request.message)).toContain(`ep=${ENDPOINT}`)
        expect(codeOf(register)).toBe('2.01')
        const reg = await ets.registration()
        expect(reg.scheme).toBe('coaps')
        expect(reg.peer.identity).toEqual({ mode: 'psk', identity })
        // GET /3/0 in TLV (as int-203): 2.05.
        const read = await ets.until(ets.server.read(ENDPOINT, '/3/0', { format: TLV }))
        const get = ets.wire.last({ dir: 'out', method: 'GET', path: '/3/0' })
        expect(codeOf(get)).toBe('2.05')
        expect(contentFormatOf(get.response!.message)).toBe(TLV)
        expect(tlvEntries(get.response!.message.payload).map((t) => t.id)).toEqual([0, 1, 2, 3, 11, 16])
        expect(flatValues(read.node, '/3/0')).toMatchObject({
          '/3/0/0': 'Open Mobile Alliance',
          '/3/0/16': 'U',
        })
      },
    )
  })

  it('LightweightM2M-1.1-int-402 UDP DTLS, certificate', async () => {
    // The client's DTLS runs on the fake clock, the server's on the real one: valid at both.
    const pki = makeEtsPki(ENDPOINT, 'server.example.com', [START, Date.now()])
    await withEts(
      overDtls(
        c17,
        [{ endpoint: ENDPOINT, mode: 'x509' }],
        {
          mode: 'x509',
          certificate: pki.client.certDer,
          privateKey: pki.client.keyDer,
          serverCertificate: pki.server.certDer,
        },
        {
          x509: {
            privateKey: pki.server.keyPem,
            certificateChain: [pki.server.certPem],
            trustAnchors: [pki.ca.certPem],
          },
        },
        'server.example.com',
      ),
      async (ets) => {
        expect(ets.serverUri).toMatch(/^coaps:\/\/server\.example\.com:\d+$/)
        const register = ets.wire.last({ dir: 'in', method: 'POST', path: '/rd' })
        expect(codeOf(register)).toBe('2.01')
        const reg = await ets.registration()
        expect(reg.scheme).toBe('coaps')
        expect(reg.peer.identity).toMatchObject({ mode: 'x509', subject: `CN=${ENDPOINT}` })
        const read = await ets.until(ets.server.read(ENDPOINT, '/3/0', { format: TLV }))
        expect(codeOf(ets.wire.last({ dir: 'out', method: 'GET', path: '/3/0' }))).toBe('2.05')
        expect(flatValues(read.node, '/3/0')).toMatchObject({ '/3/0/0': 'Open Mobile Alliance' })
      },
    )
  })

  it('LightweightM2M-1.1-int-403 Certificate, server identity mismatch', async () => {
    // The client's DTLS runs on the fake clock, the server's on the real one: valid at both.
    const pki = makeEtsPki(ENDPOINT, 'server.example.com', [START, Date.now()])
    // C.18: C.17 with coaps://server-fail.example.com, which resolves to the same server; the
    // server presents its certificate for server.example.com.
    await withEts(
      {
        ...overDtls(
          c17,
          [{ endpoint: ENDPOINT, mode: 'x509' }],
          {
            mode: 'x509',
            certificate: pki.client.certDer,
            privateKey: pki.client.keyDer,
            serverCertificate: pki.server.certDer,
          },
          {
            x509: {
              privateKey: pki.server.keyPem,
              certificateChain: [pki.server.certPem],
              trustAnchors: [pki.ca.certPem],
            },
          },
          'server-fail.example.com',
        ),
        start: false,
      },
      async (ets) => {
        const failed = ets.client.once('registrationFailed')
        await ets.client.start()
        const { error } = await ets.until(failed)
        // The handshake fails: the client checks the host name against the certificate.
        expect(String(error)).toMatch(/the server certificate is not for server-fail\.example\.com/)
        // The client ends the handshake with certificate_unknown (46, RFC 5246 section 7.2.2) after
        // the server presented its certificate for server.example.com.
        const cause = (error as Error).cause
        expect(DtlsError.isInstance(cause)).toBe(true)
        expect(cause).toMatchObject({ code: 'DTLS_HANDSHAKE_FAILED', alert: 46, received: false })
        expect(ets.wire.exchanges({ dir: 'in', method: 'POST', path: '/rd' })).toEqual([])
        expect(await ets.server.getRegistration(ENDPOINT)).toBeUndefined()
      },
    )
  })
})
