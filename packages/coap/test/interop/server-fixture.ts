// The @lwm2m/coap server the foreign clients talk to: a few resources covering each
// method, an observable counter and a large body for block-wise transfers.

import type { CoapEndpoint, IncomingRequest, ResponseInit, ServerObservation } from '../../src/index.js'
import { createEndpoint, udp } from '../../src/index.js'
import { body } from './peers.js'

export const BIG = body(3000)

export interface TestServer {
  readonly endpoint: CoapEndpoint
  readonly port: number
  /** Every request the handler saw, in order. */
  readonly requests: IncomingRequest[]
  /** Bodies stored by PUT and POST, by path ("store/a", "items/1"). */
  readonly store: Map<string, Uint8Array>
  close(): Promise<void>
}

export async function startTestServer(options: { notifyEveryMs?: number; maxNotifications?: number } = {}) {
  const every = options.notifyEveryMs ?? 100
  const maxNotifications = options.maxNotifications ?? 50
  const requests: IncomingRequest[] = []
  const store = new Map<string, Uint8Array>()
  const timers = new Set<ReturnType<typeof setInterval>>()
  let items = 0

  const endpoint = await createEndpoint({
    transport: udp({ host: '127.0.0.1', port: 0 }),
    handler(req, ctx): ResponseInit {
      requests.push(req)
      const path = req.path.join('/')
      if (req.method === 'GET' && path === 'hello')
        return { code: '2.05', payload: 'world', contentFormat: 0 }
      if (req.method === 'GET' && path === 'big') return { code: '2.05', payload: BIG, contentFormat: 0 }
      if (req.method === 'GET' && path === 'counter') {
        const observation: ServerObservation | undefined = ctx.observe()
        if (observation !== undefined) {
          let n = 0
          const timer = setInterval(() => {
            if (observation.signal.aborted || ++n > maxNotifications) {
              clearInterval(timer)
              timers.delete(timer)
              return
            }
            observation.notify({ code: '2.05', payload: String(n), contentFormat: 0 }).catch(() => {})
          }, every)
          timers.add(timer)
          observation.signal.addEventListener('abort', () => {
            clearInterval(timer)
            timers.delete(timer)
          })
        }
        return { code: '2.05', payload: '0', contentFormat: 0 }
      }
      if (path.startsWith('store/')) {
        if (req.method === 'PUT') {
          const existed = store.has(path)
          store.set(path, req.payload.slice())
          return { code: existed ? '2.04' : '2.01' }
        }
        if (req.method === 'GET') {
          const stored = store.get(path)
          return stored === undefined ? { code: '4.04' } : { code: '2.05', payload: stored, contentFormat: 0 }
        }
        if (req.method === 'DELETE') return store.delete(path) ? { code: '2.02' } : { code: '4.04' }
        return { code: '4.05' }
      }
      if (path === 'items' && req.method === 'POST') {
        items++
        store.set(`items/${items}`, req.payload.slice())
        return { code: '2.01', locationPath: ['items', String(items)] }
      }
      return { code: '4.04' }
    },
  })
  return {
    endpoint,
    port: endpoint.address().port,
    requests,
    store,
    async close() {
      for (const t of timers) clearInterval(t)
      timers.clear()
      await endpoint.close()
    },
  } satisfies TestServer
}

export const text = (b: Uint8Array): string => Buffer.from(b).toString('utf8')
