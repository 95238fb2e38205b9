/**
 * @lwm2m/coap's endpoint over our DTLS transport: requests, block-wise bodies, observe and
 * ping go through DTLS unchanged, and the DTLS identity reaches the request handler.
 */
import { generateKeyPairSync } from 'node:crypto'
import {
  CoapError,
  type CoapResponse,
  createEndpoint,
  type IncomingRequest,
  type LocalEndpoint,
  type Peer,
  type ServerObservation,
} from '@lwm2m/coap'
import { afterEach, describe, expect, it } from 'vitest'
import { DtlsError, dtlsClient, dtlsServer } from '../src/index.js'
import { Relay, waitFor } from './support/net.js'
import { PSK } from './support/pair.js'

const endpoints: LocalEndpoint[] = []
afterEach(async () => {
  await Promise.all(endpoints.splice(0).map((e) => e.close()))
})

async function setup(
  kind: 'psk' | 'rpk',
): Promise<{ server: LocalEndpoint; client: LocalEndpoint; uri: string; seen: IncomingRequest[] }> {
  const key = () => generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey
  const serverTransport =
    kind === 'psk'
      ? dtlsServer({ host: '127.0.0.1', port: 0, psk: { key: (id) => (id === 'node-1' ? PSK : undefined) } })
      : dtlsServer({ host: '127.0.0.1', port: 0, rpk: { privateKey: key(), verifyPeer: () => true } })
  const clientTransport =
    kind === 'psk'
      ? dtlsClient({ host: '127.0.0.1', psk: { identity: 'node-1', key: PSK } })
      : dtlsClient({ host: '127.0.0.1', rpk: { privateKey: key(), verifyPeer: () => true } })
  const seen: IncomingRequest[] = []
  const big = Buffer.alloc(5000, 'x')
  const server = await createEndpoint({
    transport: serverTransport,
    handler: (req, ctx) => {
      seen.push(req)
      const path = req.path.join('/')
      if (path === 'big') return { code: '2.05', payload: big }
      if (path === 'obs') {
        const o = ctx.observe()
        if (o !== undefined)
          setTimeout(() => void o.notify({ code: '2.05', payload: 'n1' }).catch(() => {}), 20)
        return { code: '2.05', payload: 'n0' }
      }
      if (path === 'upload') return { code: '2.04', payload: String(req.payload.length) }
      return { code: '2.05', payload: `hello ${req.peer.identity?.mode}` }
    },
  })
  const client = await createEndpoint({ transport: clientTransport })
  endpoints.push(client, server)
  return { server, client, uri: `coaps://127.0.0.1:${server.address().port}`, seen }
}

describe.each(['psk', 'rpk'] as const)('a CoAP endpoint over DTLS (%s)', (kind) => {
  it('answers a request and the handler sees the DTLS identity', async () => {
    const { client, uri, seen } = await setup(kind)
    const res = await client.request(`${uri}/hello`, { method: 'GET' })
    expect(Buffer.from(res.payload).toString()).toBe(`hello ${kind}`)
    expect(res.peer.identity?.mode).toBe(kind)
    expect(seen[0]!.peer.identity?.mode).toBe(kind)
    if (kind === 'psk') expect(seen[0]!.peer.identity).toEqual({ mode: 'psk', identity: 'node-1' })
  })

  it('carries block-wise bodies both ways (RFC 7959)', async () => {
    const { client, uri } = await setup(kind)
    const res = await client.request(`${uri}/big`, { method: 'GET' })
    expect(res.payload.length).toBe(5000)
    const up = await client.request(`${uri}/upload`, { method: 'PUT', payload: Buffer.alloc(3000, 1) })
    expect(Buffer.from(up.payload).toString()).toBe('3000')
  })

  it('observes and pings', async () => {
    const { client, uri } = await setup(kind)
    const got: CoapResponse[] = []
    const obs = await client.observe(`${uri}/obs`, { method: 'GET' }, (n) => got.push(n))
    expect(obs.active).toBe(true)
    await waitFor(() => got.length > 0)
    expect(Buffer.from(got[0]!.payload).toString()).toBe('n1')
    await obs.cancel('passive')
    await client.ping(uri)
  })
})

// RFC 9146 section 6: the record with the Connection ID from a new address moves the peer;
// the transport tells the CoAP endpoint (TransportEvents.peerMoved) before handing the
// record's data up, so that the endpoint's state for the peer goes on at the new address.
describe('a CoAP endpoint over DTLS with a Connection ID, through a NAT that rebinds', () => {
  it('keeps an observation of the client and reaches it at its new address (RFC 7641 sections 3, 4)', async () => {
    const relations: ServerObservation[] = []
    const client = await createEndpoint({
      transport: dtlsClient({ host: '127.0.0.1', psk: { identity: 'node-1', key: PSK } }),
      handler: (req, ctx) => {
        if (req.path.join('/') === 'obs') {
          const o = ctx.observe()
          if (o !== undefined) relations.push(o)
          return { code: '2.05', payload: 'v0' }
        }
        return { code: '2.05', payload: 'here' }
      },
    })
    const serverTransport = dtlsServer({
      host: '127.0.0.1',
      port: 0,
      psk: { key: (id) => (id === 'node-1' ? PSK : undefined) },
    })
    const order: string[] = []
    const server = await createEndpoint({
      transport: serverTransport,
      handler: () => {
        order.push('request')
        return { code: '2.04' }
      },
    })
    endpoints.push(client, server)
    const moves: [Peer, Peer][] = []
    server.onPeerMoved((from, to) => {
      order.push('moved')
      moves.push([from, to])
    })
    const transportMoves: Peer[] = []
    serverTransport.on('peerMoved', (_from, to) => transportMoves.push(to))
    const relay = new Relay({ address: '127.0.0.1', port: server.address().port })
    const front = await relay.open()
    try {
      // The client speaks first (as an LwM2M client registers); the server then observes it.
      await client.request({ address: '127.0.0.1', port: front }, { method: 'POST', path: 'rd' })
      const first = { address: '127.0.0.1', port: relay.backPort }
      const got: string[] = []
      const obs = await server.observe(first, { method: 'GET', path: 'obs' }, (n) =>
        got.push(Buffer.from(n.payload).toString()),
      )
      expect(obs.active).toBe(true)
      await relay.rebind()
      // A CON notification from the new address: matched, acknowledged, delivered.
      await relations[0]!.notify({ code: '2.05', payload: 'v1' }, { confirmable: true })
      await waitFor(() => got.length === 1)
      expect(got).toEqual(['v1'])
      expect(obs.signal.aborted).toBe(false)
      expect(moves).toHaveLength(1)
      expect(moves[0]![0]).toMatchObject(first)
      expect(moves[0]![1]).toEqual({
        address: '127.0.0.1',
        port: relay.backPort,
        identity: { mode: 'psk', identity: 'node-1' },
      })
      expect(transportMoves).toEqual([moves[0]![1]])
      // The server's next request goes to the new address over the same session.
      const res = await server.request(moves[0]![1], { method: 'GET', path: 'where' })
      expect(Buffer.from(res.payload).toString()).toBe('here')
      // A request from the new address: the endpoint heard of the move before the request.
      await client.request({ address: '127.0.0.1', port: front }, { method: 'POST', path: 'rd' })
      expect(order).toEqual(['request', 'moved', 'request'])
      expect(serverTransport.stats()).toMatchObject({ sessions: 1, handshakes: 0 })
    } finally {
      relay.close()
    }
  })
})

// The endpoint gives a CON up as soon as the transport says it cannot be sent, instead of
// retransmitting it until MAX_TRANSMIT_WAIT (RFC 7252 section 4.2) with nobody to hear it.
describe('a CoAP endpoint over DTLS when no session can be had', () => {
  it('a client request fails at once with COAP_TRANSPORT when the handshake fails (wrong PSK), the DTLS error as cause', async () => {
    const server = await createEndpoint({
      transport: dtlsServer({ host: '127.0.0.1', port: 0, psk: { key: () => PSK } }),
      handler: () => ({ code: '2.05' }),
    })
    const client = await createEndpoint({
      transport: dtlsClient({
        host: '127.0.0.1',
        psk: { identity: 'node-1', key: Buffer.from('another key') },
      }),
      // A deadline far beyond the test's: only the transport's report can end the request in time.
      requestTimeout: 600_000,
    })
    endpoints.push(client, server)
    const err = await client
      .request(`coaps://127.0.0.1:${server.address().port}/x`, { method: 'GET' })
      .catch((e: unknown) => e)
    expect(CoapError.isInstance(err)).toBe(true)
    expect(err).toMatchObject({ code: 'COAP_TRANSPORT' })
    expect(DtlsError.isInstance((err as CoapError).cause)).toBe(true)
    expect(client.stats()).toMatchObject({ outgoing: 0, pendingRequests: 0 })
  })

  it('a server request to a peer without a session fails at once with COAP_TRANSPORT (DTLS_NO_SESSION)', async () => {
    const server = await createEndpoint({
      transport: dtlsServer({ host: '127.0.0.1', port: 0, psk: { key: () => PSK } }),
      requestTimeout: 600_000,
    })
    endpoints.push(server)
    const err = await server
      .request({ address: '127.0.0.1', port: 9 }, { method: 'GET', path: 'x' })
      .catch((e: unknown) => e)
    expect(err).toMatchObject({ code: 'COAP_TRANSPORT', cause: { code: 'DTLS_NO_SESSION' } })
  })
})
