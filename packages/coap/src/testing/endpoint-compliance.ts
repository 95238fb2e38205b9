import { afterEach, describe, expect, it } from 'vitest'
import type { CoapEndpoint, CoapResponse, IncomingRequest, ServerObservation } from '../endpoint/types.js'
import { CoapError } from '../errors.js'
import { Code } from '../message/codes.js'
import { ContentFormat } from '../message/content-format.js'
import type { Peer } from '../transport/types.js'

/** A server and a client endpoint that reach each other. */
export interface EndpointPair {
  readonly server: CoapEndpoint
  readonly client: CoapEndpoint
}

/** How the compliance suite gets endpoints to test. */
export interface EndpointTestSetup {
  /** A fresh server and client (the suite sets the server's handler). */
  create(): Promise<EndpointPair>
  /** Called after each test, after the suite closed both endpoints. */
  destroy?(pair: EndpointPair): Promise<void> | void
  /** The address to reach the server at; default: its bound address (wildcards become loopback). */
  serverPeer?(pair: EndpointPair): Peer
  /** Scale for the suite's waits on lossy transports; default 1. */
  readonly patience?: number
}

const text = (b: Uint8Array): string => new TextDecoder().decode(b)

function defaultPeer(ep: CoapEndpoint): Peer {
  const a = ep.address()
  const address = a.address === '0.0.0.0' ? '127.0.0.1' : a.address === '::' ? '::1' : a.address
  return { address, port: a.port }
}

function body(n: number, seed = 0): Uint8Array {
  return Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff)
}

async function until(cond: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms
  while (!cond()) {
    if (Date.now() > end) throw new Error(`condition not met within ${ms} ms`)
    await new Promise((r) => setTimeout(r, 5))
  }
}

/**
 * The behaviour every {@link CoapEndpoint} must show, as vitest `describe`/`it` blocks:
 * request/response for each method, 4.04 without a handler, large bodies both ways,
 * observe with notifications and both cancellations, ping, abort, timeout and
 * concurrency. Call it from an implementation's own tests with a setup that makes a
 * server and a client over the transport under test.
 */
export function endpointCompliance(setup: EndpointTestSetup): void {
  const patience = setup.patience ?? 1
  describe('CoapEndpoint compliance', () => {
    let pair: EndpointPair | undefined
    let peer: Peer

    async function make(): Promise<EndpointPair> {
      pair = await setup.create()
      peer = setup.serverPeer?.(pair) ?? defaultPeer(pair.server)
      return pair
    }

    afterEach(async () => {
      if (pair !== undefined) {
        await pair.client.close()
        await pair.server.close()
        await setup.destroy?.(pair)
        pair = undefined
      }
    })

    it('GET: path, query, Accept and Content-Format travel; the handler sees the client', async () => {
      const { server, client } = await make()
      let seen: IncomingRequest | undefined
      server.setHandler((req) => {
        seen = req
        return {
          code: Code.Content,
          contentFormat: ContentFormat.TEXT,
          payload: `path=${req.path.join('/')}`,
        }
      })
      const res = await client.request(peer, {
        method: 'GET',
        path: '/sensors/temp',
        query: ['unit=c', 'x=1'],
        accept: ContentFormat.TEXT,
      })
      expect(res.code).toBe(Code.Content)
      expect(text(res.payload)).toBe('path=sensors/temp')
      expect(res.contentFormat).toBe(ContentFormat.TEXT)
      expect(seen?.method).toBe('GET')
      expect(seen?.query).toEqual(['unit=c', 'x=1'])
      expect(seen?.accept).toBe(ContentFormat.TEXT)
      expect(seen?.peer.port).toBe(client.address().port)
    })

    it('PUT, POST, DELETE and FETCH round-trip with their payloads and options', async () => {
      const { server, client } = await make()
      server.setHandler((req) => {
        switch (req.method) {
          case 'PUT':
            return { code: Code.Changed, payload: req.payload }
          case 'POST':
            return { code: Code.Created, locationPath: ['items', '7'] }
          case 'DELETE':
            return { code: '2.02' }
          case 'FETCH':
            return { code: Code.Content, payload: `fetched ${text(req.payload)}`, etag: Uint8Array.of(9, 9) }
          default:
            return { code: Code.MethodNotAllowed }
        }
      })
      const put = await client.request(peer, { method: 'PUT', path: 'a', payload: 'v=1', contentFormat: 0 })
      expect(put.code).toBe(Code.Changed)
      expect(text(put.payload)).toBe('v=1')
      const post = await client.request(peer, { method: 'POST', path: 'items', payload: Uint8Array.of(1) })
      expect(post.code).toBe(Code.Created)
      expect(post.locationPath).toEqual(['items', '7'])
      const del = await client.request(peer, { method: 'DELETE', path: 'items/7' })
      expect(del.code).toBe(Code.Deleted)
      const fetch = await client.request(peer, { method: 'FETCH', path: 'q', payload: 'sel' })
      expect(text(fetch.payload)).toBe('fetched sel')
      expect([...(fetch.etag ?? [])]).toEqual([9, 9])
    })

    it('answers 4.04 Not Found without a handler', async () => {
      const { server, client } = await make()
      server.setHandler(undefined)
      const res = await client.request(peer, { method: 'GET', path: 'nothing' })
      expect(res.code).toBe(Code.NotFound)
    })

    it('answers 5.00 when the handler throws, and keeps serving', async () => {
      const { server, client } = await make()
      let n = 0
      server.setHandler(() => {
        if (n++ === 0) throw new Error('boom')
        return { code: Code.Content }
      })
      expect((await client.request(peer, { method: 'GET' })).code).toBe(Code.InternalServerError)
      expect((await client.request(peer, { method: 'GET' })).code).toBe(Code.Content)
    })

    it('transfers large bodies both ways (block-wise, transparently)', async () => {
      const { server, client } = await make()
      const down = body(9000, 3)
      let upLength = -1
      let upOk = false
      const up = body(7000, 5)
      server.setHandler((req) => {
        if (req.method === 'GET') return { code: Code.Content, payload: down }
        upLength = req.payload.length
        upOk = req.payload.every((b, i) => b === up[i])
        return { code: Code.Changed }
      })
      const res = await client.request(peer, { method: 'GET', path: 'big' })
      expect(res.payload.length).toBe(down.length)
      expect([...res.payload]).toEqual([...down])
      const put = await client.request(peer, { method: 'PUT', path: 'big', payload: up })
      expect(put.code).toBe(Code.Changed)
      expect(upLength).toBe(up.length)
      expect(upOk).toBe(true)
    })

    it('observe: registration, notifications in order, active cancellation', async () => {
      const { server, client } = await make()
      let obs: ServerObservation | undefined
      server.setHandler((req, ctx) => {
        obs = ctx.observe() ?? obs
        return { code: Code.Content, payload: `v0 ${req.observe}` }
      })
      const got: CoapResponse[] = []
      const o = await client.observe(peer, { method: 'GET', path: 'temp' }, (n) => got.push(n))
      expect(o.active).toBe(true)
      expect(o.response.observe).toBeTypeOf('number')
      expect(text(o.response.payload)).toBe('v0 0')
      expect(obs).toBeDefined()
      for (let i = 1; i <= 3; i++)
        await obs!.notify({ code: Code.Content, payload: `v${i}` }, { confirmable: true })
      await until(() => got.length >= 3, 5000 * patience)
      expect(got.map((n) => text(n.payload))).toEqual(['v1', 'v2', 'v3'])
      expect([...server.observers()]).toHaveLength(1)
      await o.cancel('active')
      await until(() => obs!.signal.aborted, 5000 * patience)
      expect([...server.observers()]).toHaveLength(0)
      expect(o.signal.aborted).toBe(true)
    })

    it('observe: passive cancellation makes the next notification fail and end the relation', async () => {
      const { server, client } = await make()
      let obs: ServerObservation | undefined
      server.setHandler((_req, ctx) => {
        obs = ctx.observe() ?? obs
        return { code: Code.Content, payload: 'v0' }
      })
      const got: CoapResponse[] = []
      const o = await client.observe(peer, { method: 'GET', path: 'temp' }, (n) => got.push(n))
      await o.cancel('passive')
      const err = await obs!
        .notify({ code: Code.Content, payload: 'late' }, { confirmable: true })
        .catch((e: unknown) => e)
      expect(CoapError.isInstance(err) && err.code).toBe('COAP_RESET')
      expect(obs!.signal.aborted).toBe(true)
      expect(got).toHaveLength(0)
    })

    it('observe: a large notification arrives whole', async () => {
      const { server, client } = await make()
      let obs: ServerObservation | undefined
      server.setHandler((_req, ctx) => {
        obs = ctx.observe() ?? obs
        return { code: Code.Content, payload: body(3000, 1) }
      })
      const got: CoapResponse[] = []
      const o = await client.observe(peer, { method: 'GET', path: 'big' }, (n) => got.push(n))
      expect([...o.response.payload]).toEqual([...body(3000, 1)])
      await obs!.notify({ code: Code.Content, payload: body(2500, 2) }, { confirmable: true })
      await until(() => got.length >= 1, 5000 * patience)
      expect([...got[0]!.payload]).toEqual([...body(2500, 2)])
      await o.cancel()
    })

    it('ping is answered', async () => {
      const { client } = await make()
      await expect(client.ping(peer)).resolves.toBeUndefined()
    })

    it('abort: a request is cancelled through its AbortSignal', async () => {
      const { server, client } = await make()
      server.setHandler(() => new Promise(() => {}))
      const ac = new AbortController()
      const p = client.request(peer, { method: 'GET', signal: ac.signal })
      setTimeout(() => ac.abort(), 50)
      const err = await p.catch((e: unknown) => e)
      expect(CoapError.isInstance(err) && err.code).toBe('COAP_ABORTED')
    })

    it('timeout: a request without an answer fails with COAP_TIMEOUT', async () => {
      const { server, client } = await make()
      server.setHandler(() => new Promise(() => {}))
      const err = await client.request(peer, { method: 'GET', timeout: 300 }).catch((e: unknown) => e)
      expect(CoapError.isInstance(err) && err.code).toBe('COAP_TIMEOUT')
    })

    it('runs 50 concurrent requests, each answered with its own response', async () => {
      const { server, client } = await make()
      server.setHandler(async (req) => {
        await new Promise((r) => setTimeout(r, (Number(req.query[0]) * 7) % 20))
        return { code: Code.Content, payload: `r${req.query[0]}` }
      })
      const all = await Promise.all(
        Array.from({ length: 50 }, (_, i) => client.request(peer, { method: 'GET', query: [String(i)] })),
      )
      expect(all.map((r) => text(r.payload))).toEqual(Array.from({ length: 50 }, (_, i) => `r${i}`))
    })

    it('NON requests get answers too', async () => {
      const { server, client } = await make()
      server.setHandler(() => ({ code: Code.Content, payload: 'non' }))
      const res = await client.request(peer, { method: 'GET', confirmable: false, timeout: 5000 * patience })
      expect(text(res.payload)).toBe('non')
    })
  })
}
