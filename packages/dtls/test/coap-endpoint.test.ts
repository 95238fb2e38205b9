/**
 * @lwm2m/coap's endpoint over our DTLS transport: requests, block-wise bodies, observe and
 * ping go through DTLS unchanged, and the DTLS identity reaches the request handler.
 */
import { generateKeyPairSync } from 'node:crypto'
import { type CoapResponse, createEndpoint, type IncomingRequest, type LocalEndpoint } from '@lwm2m/coap'
import { afterEach, describe, expect, it } from 'vitest'
import { dtlsClient, dtlsServer } from '../src/index.js'
import { waitFor } from './support/net.js'
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
