// Our LwM2M server (@lwm2m/server over @lwm2m/coap's udp()) in a process of its own, driven by
// JSON lines on stdin (see ../index.mjs): heap, count, read, observe, notifications.
import { udp } from '@lwm2m/coap'
import { createServer } from '@lwm2m/server'
import { serve } from './protocol.mjs'

const MAX = Number(process.env.LWM2M_BENCH_MAX_CLIENTS ?? 200_000)
let server
try {
  server = await createServer({
    endpoints: [udp({ host: '127.0.0.1', port: 0 })],
    limits: { registrations: MAX + 10, requestsInFlightPerClient: 8 },
    // Room for every peer, and deduplication entries for every exchange of a burst for
    // EXCHANGE_LIFETIME, as scripts/memory.mjs of the server measures.
    coap: { limits: { maxPeers: MAX + 10, maxDeduplicationEntries: 2 * MAX + 10 } },
  })
} catch (e) {
  process.stdout.write(
    `${JSON.stringify({ unavailable: `cannot start @lwm2m/server (${e.message}); run pnpm build` })}\n`,
  )
  process.exit(0)
}

let notifications = 0
let decoded = 0
server.on('notification', (n) => {
  notifications++
  if (n.kind === 'observe' && n.node !== undefined) decoded++
})

serve({
  port: server.endpoints[0].address().port,
  async count() {
    return server.registrationStore.size()
  },
  async endpoints() {
    const names = []
    for await (const reg of server.registrations()) names.push(reg.endpoint)
    return names
  },
  read: (ep, path) => server.read(ep, path, { timeout: 5000 }),
  async observe(ep, path) {
    const sub = server.observe(ep, path, { timeout: 5000 })
    await sub.ready
  },
  takeNotifications() {
    const out = { notifications, decoded }
    notifications = 0
    decoded = 0
    return out
  },
  stop: () => server.stop(),
})
