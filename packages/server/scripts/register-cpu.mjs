// CPU time per Register of @lwm2m/server in process (not a test: run after `pnpm build`).
//
//   node scripts/register-cpu.mjs [clients=10000] [rounds=5]
//
// A server on an in-memory network (no kernel), N clients each on its own address register
// (K = 64 in flight) after a warm-up burst of other clients; prints the CPU µs (user + system)
// per Register of each round and their median: the JavaScript cost of the registration path
// (CoAP endpoint, core parsing, server handler, store), without the UDP sends.
import {
  Code,
  createEndpoint,
  createMemoryNetwork,
  encodeMessage,
  encodeString,
  encodeUint,
  MessageType,
  OptionNumber,
} from '@lwm2m/coap'
import { createServer } from '@lwm2m/server'

const N = Number(process.argv[2] ?? 10_000)
const ROUNDS = Number(process.argv[3] ?? 5)
const K = 64
const LINKS = new TextEncoder().encode('</1/0>,</3/0>,</4/0>,</3303/0>')

function registerDatagram(name, mid) {
  const options = [
    { number: OptionNumber.UriPath, value: encodeString('rd') },
    { number: OptionNumber.ContentFormat, value: encodeUint(40) },
    ...[`ep=${name}`, 'lt=86400', 'lwm2m=1.0', 'b=U'].map((q) => ({
      number: OptionNumber.UriQuery,
      value: encodeString(q),
    })),
  ]
  return encodeMessage({
    type: MessageType.CON,
    code: Code.POST,
    messageId: mid & 0xffff,
    token: Uint8Array.of(mid >>> 24, mid >>> 16, mid >>> 8, mid),
    options,
    payload: LINKS,
  })
}

const total = N * (ROUNDS + 1)
const net = createMemoryNetwork()
const endpoint = await createEndpoint({
  transport: net.transport(),
  limits: { maxPeers: total + 10, maxDeduplicationEntries: 2 * total + 10 },
})
const server = await createServer({ endpoints: [endpoint], limits: { registrations: total + 10 } })
const target = endpoint.address()

/** Registers clients `first`..`first + n - 1`, K in flight; resolves with CPU µs per Register. */
async function burst(first, n) {
  const clients = []
  let done = 0
  let created = 0
  let next = 0
  let sendNext
  for (let i = 0; i < n; i++) {
    const a = first + i
    const t = net.transport({ address: `10.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}` })
    await t.open((data) => {
      if (data[1] === Code.Created) created++
      done++
      sendNext()
    })
    clients.push(t)
  }
  const datagrams = clients.map((_, i) => registerDatagram(`sim-${first + i}`, first + i))
  const finished = new Promise((resolve) => {
    sendNext = () => {
      if (next < n) {
        const i = next++
        clients[i].send(datagrams[i], target)
      } else if (done === n) resolve()
    }
  })
  const cpu0 = process.cpuUsage()
  for (let i = 0; i < Math.min(K, n); i++) sendNext()
  await finished
  const cpu = process.cpuUsage(cpu0)
  if (created !== n) throw new Error(`${created} of ${n} registered`)
  for (const c of clients) await c.close()
  return (cpu.user + cpu.system) / n
}

await burst(10_000_000, Math.min(N, 2000)) // warm-up
const per = []
for (let r = 0; r < ROUNDS; r++) per.push(await burst(r * N, N))
const sorted = [...per].sort((a, b) => a - b)
console.log(
  `CPU per Register, ${N} clients, ${ROUNDS} rounds: ${per.map((x) => x.toFixed(1)).join(' ')} µs; median ${sorted[Math.floor(ROUNDS / 2)].toFixed(1)} µs`,
)
await server.stop()
await endpoint.close()
