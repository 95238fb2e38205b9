// `pnpm demo:coap`: a CoAP server and client talking over loopback (RFC 7252, 7641, 7959).
// (`npm start` runs the LwM2M demo of the lwm2m tool: `lwm2m demo`.)
import { Code, ContentFormat, createEndpoint, formatCode, udp } from '@lwm2m/coap'

const text = (bytes) => new TextDecoder().decode(bytes)
const log = (who, ...what) => console.log(`${who.padEnd(6)}|`, ...what)

// The server: a temperature resource (observable), a writable name and a large document.
let name = 'sensor-1'
let celsius = 21.5
const observers = new Set()
const manual = Array.from(
  { length: 120 },
  (_, i) => `line ${String(i).padStart(3, '0')}: the quick brown fox\n`,
).join('')

const server = await createEndpoint({
  transport: udp({ host: '127.0.0.1', port: 0 }),
  handler(req, ctx) {
    const path = req.path.join('/')
    log('server', `${req.method} /${path}${req.payload.length ? ` (${req.payload.length} bytes)` : ''}`)
    if (path === 'temperature' && req.method === 'GET') {
      const obs = ctx.observe()
      if (obs) {
        observers.add(obs)
        obs.signal.addEventListener('abort', () => {
          observers.delete(obs)
          log('server', `observer left: ${obs.signal.reason?.message}`)
        })
      }
      return { code: Code.Content, contentFormat: ContentFormat.TEXT, payload: celsius.toFixed(1) }
    }
    if (path === 'name' && req.method === 'PUT') {
      name = text(req.payload)
      return { code: Code.Changed }
    }
    if (path === 'name' && req.method === 'GET') return { code: Code.Content, payload: name }
    if (path === 'manual' && req.method === 'GET') return { code: Code.Content, payload: manual }
    if (path === 'upload' && req.method === 'POST') {
      return {
        code: Code.Created,
        locationPath: ['upload', '1'],
        payload: `stored ${req.payload.length} bytes`,
      }
    }
    return { code: Code.NotFound }
  },
})
const { port } = server.address()
log('server', `listening on coap://127.0.0.1:${port}`)

const client = await createEndpoint({ transport: udp({ host: '127.0.0.1', port: 0 }) })
const base = `coap://127.0.0.1:${port}`

await client.ping(base)
log('client', 'ping answered (RST to an Empty CON)')

let res = await client.request(`${base}/name`, { method: 'GET' })
log('client', `GET /name -> ${formatCode(res.code)} "${text(res.payload)}"`)

res = await client.request(`${base}/name`, {
  method: 'PUT',
  payload: 'greenhouse',
  contentFormat: ContentFormat.TEXT,
})
log('client', `PUT /name -> ${formatCode(res.code)}`)
res = await client.request(`${base}/name`, { method: 'GET' })
log('client', `GET /name -> ${formatCode(res.code)} "${text(res.payload)}"`)

// Observe: three notifications, then an active cancellation.
let seen = 0
let third
const thirdSeen = new Promise((resolve) => (third = resolve))
const obs = await client.observe(`${base}/temperature`, { method: 'GET' }, (n) => {
  log('client', `notification #${n.observe}: ${text(n.payload)} C`)
  if (++seen === 3) third()
})
log('client', `observing /temperature (registered: ${obs.active}, now ${text(obs.response.payload)} C)`)
for (let i = 0; i < 3; i++) {
  celsius += 0.4
  for (const o of observers)
    await o.notify({ code: Code.Content, payload: celsius.toFixed(1) }, { confirmable: i === 2 })
}
await thirdSeen
await obs.cancel('active')
log('client', 'observation cancelled (GET with Observe=1)')

// Block-wise: a large GET (Block2) and a large POST (Block1), reassembled transparently.
res = await client.request(`${base}/manual`, { method: 'GET' })
log('client', `GET /manual -> ${formatCode(res.code)}, ${res.payload.length} bytes in 1024-byte blocks`)
const upload = new Uint8Array(5000).fill(0x2a)
res = await client.request(`${base}/upload`, { method: 'POST', payload: upload })
log(
  'client',
  `POST /upload (${upload.length} bytes) -> ${formatCode(res.code)} "${text(res.payload)}" at /${res.locationPath.join('/')}`,
)

res = await client.request(`${base}/missing`, { method: 'GET' })
log('client', `GET /missing -> ${formatCode(res.code)}`)

await client.close()
await server.close()
log('demo', 'done')
