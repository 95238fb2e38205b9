// node-coap (npm `coap`, a CoAP implementation no one here wrote) as client and as server
// against ours. RFC 7252 sections 5.8/5.9, RFC 7641, RFC 7959.
import { createSocket, type Socket } from 'node:dgram'
import coap, { type IncomingMessage, type OutgoingMessage } from 'coap'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type CoapEndpoint, createEndpoint, formatCode, udp } from '../../src/index.js'
import { body } from './peers.js'
import { BIG, startTestServer, type TestServer, text } from './server-fixture.js'

interface NodeCoapResponse {
  code: string
  payload: Buffer
  options: { name: string; value: unknown }[]
  headers: Record<string, unknown>
  on(event: 'data', fn: (chunk: Buffer) => void): void
  close(): void
}

/**
 * One node-coap request; resolves with the first response. `agent: false` gives each
 * request an agent of its own (node-coap closes an agent's socket once it has nothing in
 * flight, so a shared one fails the next request after an observation ended).
 */
function nodeCoapRequest(
  port: number,
  init: { method: string; pathname: string; payload?: string; observe?: boolean; block1Szx?: number },
): Promise<NodeCoapResponse> {
  return new Promise((resolve, reject) => {
    const req = coap.request({
      hostname: '127.0.0.1',
      port,
      pathname: init.pathname,
      method: init.method,
      observe: init.observe ?? false,
      agent: false,
    } as never)
    if (init.block1Szx !== undefined) req.setOption('Block1', Buffer.of(init.block1Szx))
    req.on('response', (res: unknown) => resolve(res as NodeCoapResponse))
    req.on('error', reject)
    if (init.payload !== undefined) req.write(init.payload)
    req.end()
  })
}

describe('interop: node-coap client -> @lwm2m/coap server', () => {
  let server: TestServer

  beforeAll(async () => {
    server = await startTestServer({ notifyEveryMs: 50 })
  })
  afterAll(async () => {
    await server?.close()
  })

  it('GET: 2.05 with payload and Content-Format (RFC 7252 section 5.8.1)', async () => {
    const res = await nodeCoapRequest(server.port, { method: 'GET', pathname: '/hello' })
    expect(res.code).toBe('2.05')
    expect(res.payload.toString()).toBe('world')
    expect(res.headers['Content-Format']).toBe('text/plain')
  })

  it('PUT creates then changes; POST creates with Location-Path; DELETE removes (RFC 7252 section 5.8)', async () => {
    const put1 = await nodeCoapRequest(server.port, {
      method: 'PUT',
      pathname: '/store/n',
      payload: 'a',
    })
    expect(put1.code).toBe('2.01')
    const put2 = await nodeCoapRequest(server.port, {
      method: 'PUT',
      pathname: '/store/n',
      payload: 'b',
    })
    expect(put2.code).toBe('2.04')
    expect(text(server.store.get('store/n')!)).toBe('b')

    const post = await nodeCoapRequest(server.port, {
      method: 'POST',
      pathname: '/items',
      payload: 'i',
    })
    expect(post.code).toBe('2.01')
    const location = post.options.filter((o) => o.name === 'Location-Path').map((o) => String(o.value))
    expect(location[0]).toBe('items')
    expect(text(server.store.get(`items/${location[1]}`)!)).toBe('i')

    const del = await nodeCoapRequest(server.port, { method: 'DELETE', pathname: '/store/n' })
    expect(del.code).toBe('2.02')
    const gone = await nodeCoapRequest(server.port, { method: 'GET', pathname: '/store/n' })
    expect(gone.code).toBe('4.04')
  })

  it('observe: notifications stream in order until the client cancels (RFC 7641 sections 3 and 4)', async () => {
    const res = await nodeCoapRequest(server.port, {
      method: 'GET',
      pathname: '/counter',
      observe: true,
    })
    expect(res.code).toBe('2.05')
    const values = await new Promise<number[]>((resolve) => {
      const seen: number[] = []
      res.on('data', (chunk) => {
        seen.push(Number(chunk.toString()))
        if (seen.length === 4) resolve(seen)
      })
    })
    for (let i = 1; i < values.length; i++) expect(values[i]).toBeGreaterThan(values[i - 1]!)
    res.close()
  })

  it('Block2: node-coap fetches the whole 3000-byte body (RFC 7959 section 2.4)', async () => {
    const res = await nodeCoapRequest(server.port, { method: 'GET', pathname: '/big' })
    expect(res.code).toBe('2.05')
    expect(res.payload.toString()).toBe(BIG)
  })

  it('Block1: node-coap sends a body in 64-byte blocks, our server reassembles it (RFC 7959 section 2.5)', async () => {
    const payload = body(2500, 'n')
    const res = await nodeCoapRequest(server.port, {
      method: 'PUT',
      pathname: '/store/block1',
      payload,
      block1Szx: 2,
    })
    expect(['2.01', '2.04']).toContain(res.code)
    expect(text(server.store.get('store/block1')!)).toBe(payload)
  })
})

describe('interop: @lwm2m/coap client -> node-coap server', () => {
  let socket: Socket
  let nodeServer: { close(done?: () => void): void }
  let client: CoapEndpoint
  let peer: { address: string; port: number }
  const stored = new Map<string, string>()
  let observers = 0

  beforeAll(async () => {
    socket = createSocket('udp4')
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve))
    peer = { address: '127.0.0.1', port: socket.address().port }
    const server = coap.createServer((r: IncomingMessage, w: OutgoingMessage) => {
      const path = r.url.split('?')[0]!
      if (r.method === 'GET' && path === '/hello') {
        w.setOption('Content-Format', 'text/plain')
        return w.end('world')
      }
      if (r.method === 'GET' && path === '/big') return w.end(BIG)
      if (r.method === 'GET' && path === '/tick') {
        if (r.headers.Observe !== 0) return w.end('0')
        observers++
        let n = 0
        w.write(String(n))
        const timer = setInterval(() => w.write(String(++n)), 50)
        w.on('finish', () => {
          clearInterval(timer)
          observers--
        })
        return
      }
      if (path.startsWith('/store/')) {
        if (r.method === 'PUT' || r.method === 'POST') {
          const existed = stored.has(path)
          stored.set(path, r.payload.toString())
          w.code = existed ? '2.04' : '2.01'
          return w.end()
        }
        if (r.method === 'GET') {
          const v = stored.get(path)
          if (v === undefined) w.code = '4.04'
          return w.end(v)
        }
        if (r.method === 'DELETE') {
          w.code = stored.delete(path) ? '2.02' : '4.04'
          return w.end()
        }
      }
      w.code = '4.04'
      w.end()
    })
    await new Promise<void>((resolve) => server.listen(socket as never, () => resolve()))
    nodeServer = server as never
    client = await createEndpoint({ transport: udp({ host: '127.0.0.1', port: 0 }) })
  })
  afterAll(async () => {
    await client?.close()
    await new Promise<void>((resolve) => (nodeServer ? nodeServer.close(() => resolve()) : resolve()))
    socket?.close()
  })

  it('GET: 2.05 with payload and Content-Format 0 (RFC 7252 section 5.8.1)', async () => {
    const res = await client.request(peer, { method: 'GET', path: '/hello' })
    expect(formatCode(res.code)).toBe('2.05')
    expect(Buffer.from(res.payload).toString()).toBe('world')
    expect(res.contentFormat).toBe(0)
  })

  it('PUT, POST, GET, DELETE and 4.04 (RFC 7252 sections 5.8 and 5.9)', async () => {
    expect(
      formatCode((await client.request(peer, { method: 'PUT', path: '/store/x', payload: '1' })).code),
    ).toBe('2.01')
    expect(
      formatCode((await client.request(peer, { method: 'POST', path: '/store/x', payload: '2' })).code),
    ).toBe('2.04')
    const get = await client.request(peer, { method: 'GET', path: '/store/x' })
    expect(Buffer.from(get.payload).toString()).toBe('2')
    expect(formatCode((await client.request(peer, { method: 'DELETE', path: '/store/x' })).code)).toBe('2.02')
    expect(formatCode((await client.request(peer, { method: 'GET', path: '/store/x' })).code)).toBe('4.04')
  })

  it('Block2: a 3000-byte body from node-coap arrives whole (RFC 7959 section 2.4)', async () => {
    const res = await client.request(peer, { method: 'GET', path: '/big' })
    expect(formatCode(res.code)).toBe('2.05')
    expect(Buffer.from(res.payload).toString()).toBe(BIG)
  })

  it('Block1: a 3000-byte PUT reaches node-coap whole (RFC 7959 section 2.5)', async () => {
    const payload = body(3000, 'q')
    const res = await client.request(peer, { method: 'PUT', path: '/store/big', payload })
    expect(['2.01', '2.04']).toContain(formatCode(res.code))
    expect(stored.get('/store/big')).toBe(payload)
  })

  it('observe: notifications in order, then an active cancel ends the relation (RFC 7641 sections 3.2 and 3.6)', async () => {
    const values: number[] = []
    let enough: () => void = () => {}
    const four = new Promise<void>((resolve) => (enough = resolve))
    const observation = await client.observe(peer, { method: 'GET', path: '/tick' }, (n) => {
      values.push(Number(Buffer.from(n.payload).toString()))
      if (values.length === 4) enough()
    })
    expect(observation.active).toBe(true)
    await four
    for (let i = 1; i < values.length; i++) expect(values[i]).toBeGreaterThan(values[i - 1]!)
    await observation.cancel()
    // node-coap ends the response stream when it sees the deregistration.
    for (let i = 0; i < 50 && observers > 0; i++) await new Promise((r) => setTimeout(r, 20))
    expect(observers).toBe(0)
  })
})
