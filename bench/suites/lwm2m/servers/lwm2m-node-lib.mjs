// The baseline: npm lwm2m-node-lib (an LwM2M 1.0 server on node-coap) with its in-memory
// device registry (no MongoDB), in a process of its own, driven like ours (protocol.mjs).
// It reads and observes through node-coap agents (a socket per request) with its server as
// a CoAP proxy, and hands payloads over as text: it decodes no TLV.
import { createRequire } from 'node:module'
import { serve } from './protocol.mjs'

const port = Number(/^--port=(\d+)$/.exec(process.argv[2] ?? '')?.[1])
if (!Number.isInteger(port) || port <= 0) throw new Error('--port=N is required')

const require = createRequire(import.meta.url)
let lib
try {
  lib = require('lwm2m-node-lib').server
} catch (e) {
  process.stdout.write(`${JSON.stringify({ unavailable: `cannot load lwm2m-node-lib (${e.message})` })}\n`)
  process.exit(0)
}

const config = {
  port,
  lifetimeCheckInterval: 1000,
  udpWindow: 100,
  defaultType: 'Device',
  logLevel: 'FATAL',
  ipProtocol: 'udp4',
  serverProtocol: 'udp4',
  formats: [
    { name: 'application-vnd-oma-lwm2m/text', value: 1541 },
    { name: 'application-vnd-oma-lwm2m/tlv', value: 1542 },
    { name: 'application-vnd-oma-lwm2m/json', value: 1543 },
    { name: 'application-vnd-oma-lwm2m/opaque', value: 1544 },
  ],
  writeFormat: 'application-vnd-oma-lwm2m/text',
  // TLV, as our server asks a 1.0 client for /3/0.
  defaultAcceptFormat: 'application-vnd-oma-lwm2m/tlv',
  types: [],
}

await new Promise((resolve, reject) => lib.start(config, (err) => (err ? reject(err) : resolve())))

const byName = new Map()
let notifications = 0
let decoded = 0
const cb = (fn) => new Promise((resolve, reject) => fn((err, v) => (err ? reject(err) : resolve(v))))
const parts = (path) => path.split('/').filter(Boolean)

serve({
  port,
  async count() {
    return (await cb((done) => lib.listDevices(done))).length
  },
  async endpoints() {
    const devices = await cb((done) => lib.listDevices(done))
    for (const d of devices) byName.set(d.name, d.id)
    return devices.map((d) => d.name)
  },
  async read(ep, path) {
    const [o, i, r] = parts(path)
    return cb((done) => lib.read(byName.get(ep), o, i, r ?? '', done))
  },
  async observe(ep, path) {
    const [o, i, r] = parts(path)
    await cb((done) =>
      lib.observe(
        byName.get(ep),
        o,
        i,
        r,
        (value) => {
          notifications++
          if (typeof value === 'string') decoded++
        },
        done,
      ),
    )
  },
  takeNotifications() {
    const out = { notifications, decoded }
    notifications = 0
    decoded = 0
    return out
  },
  stop: () => cb((done) => lib.stop(done)).catch(() => {}),
})
