// Heap bytes per registration of @lwm2m/server (not a test: run after `pnpm build`).
//
//   node --expose-gc scripts/memory.mjs [clients=10000] [same|distinct|queue]
//
// 1. store only: N registrations built as the Register handler builds them (fresh strings,
//    link sets through the server's LinksCache), added to the in-memory RegistrationStore;
// 2. all in, right after a burst: a server on an in-memory network, N clients (each its own
//    address) register at once; heap of everything the server keeps (registrations, CoAP
//    peer state, deduplication entries for EXCHANGE_LIFETIME, queue-mode state);
// 3. all in, steady: the same after EXCHANGE_LIFETIME has passed on the (fake) clock.
import {
  Code,
  createEndpoint,
  createMemoryNetwork,
  cryptoRandom,
  encodeMessage,
  encodeString,
  encodeUint,
  FakeClock,
  MessageType,
  OptionNumber,
} from '@lwm2m/coap'
import { buildRequest } from '@lwm2m/core'
import { createMemoryRegistrationStore, createServer } from '@lwm2m/server'
import { LinksCache } from '../dist/registration/links-cache.js'

if (typeof globalThis.gc !== 'function') {
  console.error('run with node --expose-gc')
  process.exit(2)
}
const N = Number(process.argv[2] ?? 10_000)
const variant = process.argv[3] ?? 'same'
const SHARED_LINKS =
  '</>;rt="oma.lwm2m";ct="60 110 112 11542",</1/0>,</3/0>,</4/0>,</5/0>,</3303/0>,</3303/1>'
const linksOf = (i) =>
  variant === 'distinct' ? `</1/0>,</3/0>,</3303/${i % 65535}>,</3/${(i >>> 16) & 0xff}>` : SHARED_LINKS

function heap() {
  for (let i = 0; i < 4; i++) globalThis.gc()
  return process.memoryUsage().heapUsed
}
const kb = (bytes) => `${(bytes / 1024).toFixed(2)} KiB`
const perReg = (bytes) => `${Math.round(bytes / N)} B/registration`

// ---- 1. the store alone ------------------------------------------------------------
function storeOnly() {
  const random = cryptoRandom()
  const linkCache = new LinksCache()
  const before = heap()
  const store = createMemoryRegistrationStore()
  for (let i = 0; i < N; i++) {
    const bytes = new Uint8Array(9)
    random(bytes)
    const links = linkCache.parse(linksOf(i))
    store.add({
      id: Buffer.from(bytes).toString('base64url'),
      endpoint: `urn:imei:${String(350000000000000 + i)}`,
      peer: { address: `10.${(i >>> 16) & 255}.${(i >>> 8) & 255}.${i & 255}`, port: 40000 + (i % 20000) },
      transport: 0,
      scheme: 'coap',
      version: '1.1',
      lifetime: 86400,
      binding: { transports: ['U'], queueMode: false },
      queueMode: variant === 'queue',
      smsNumber: undefined,
      profileIds: undefined,
      additional: undefined,
      rootPath: links.rootPath,
      supportedFormats: links.supportedFormats,
      objectLinks: links.objects,
      registeredAt: 1_700_000_000_000 + i,
      updatedAt: 1_700_000_000_000 + i,
      expiresAt: 1_700_086_400_000 + i,
    })
  }
  const after = heap()
  console.log(
    `store only, ${N} registrations (${variant} payloads): ${perReg(after - before)} (${kb(after - before)} in all)`,
  )
  if (store.size() !== N) throw new Error('store lost registrations')
}
storeOnly()

// ---- 2./3. a server and a burst of registrations ----------------------------------------
const clock = new FakeClock(1_700_000_000_000)
const net = createMemoryNetwork()
const endpoint = await createEndpoint({
  transport: net.transport(),
  clock,
  limits: { maxPeers: N + 10, maxDeduplicationEntries: 2 * N + 10 },
})
const server = await createServer({ endpoints: [endpoint], clock, limits: { registrations: N + 10 } })
const target = endpoint.address()
let created = 0
let failed = 0
const onAnswer = (data) => {
  if (data[1] === Code.Created) created++
  else if (data[1] >= 0x80) failed++
}
// The clients: bare in-memory sockets, made before the baseline so that they are not counted.
const clients = []
for (let i = 0; i < N; i++) {
  // Each client its own address, as a fleet behind NAT would not be (ports alone would run out).
  const t = net.transport({ address: `10.${(i >>> 16) & 255}.${(i >>> 8) & 255}.${i & 255}` })
  await t.open(onAnswer)
  clients.push(t)
}

function registerDatagram(i) {
  const req = buildRequest(
    {
      kind: 'register',
      params: {
        endpoint: `urn:imei:${String(350000000000000 + i)}`,
        lifetime: 86400,
        version: '1.1',
        queueMode: variant === 'queue',
      },
      links: linksOf(i),
    },
    { codecs: new Map(), models: { getObjectModel: () => undefined } },
  )
  const options = [
    ...req.path.map((s) => ({ number: OptionNumber.UriPath, value: encodeString(s) })),
    { number: OptionNumber.ContentFormat, value: encodeUint(req.contentFormat) },
    ...req.query.map((q) => ({ number: OptionNumber.UriQuery, value: encodeString(q) })),
  ]
  return encodeMessage({
    type: MessageType.CON,
    code: Code.POST,
    messageId: i & 0xffff,
    token: Uint8Array.of(i >>> 24, i >>> 16, i >>> 8, i),
    options,
    payload: typeof req.payload === 'string' ? new TextEncoder().encode(req.payload) : req.payload,
  })
}

const before = heap()
for (let i = 0; i < N; i += 1000) {
  for (let k = i; k < Math.min(N, i + 1000); k++) clients[k].send(registerDatagram(k), target)
  while (created + failed < Math.min(N, i + 1000)) await new Promise((r) => setImmediate(r))
}
if (created !== N) throw new Error(`${created} of ${N} registered (${failed} refused)`)
const burst = heap()
console.log(`all in, right after a burst of ${N}: ${perReg(burst - before)} (${kb(burst - before)})`)
await clock.advanceAsync(300_000)
const steady = heap()
console.log(`all in, after EXCHANGE_LIFETIME: ${perReg(steady - before)} (${kb(steady - before)})`)
if ((await server.registrationStore.size()) !== N) throw new Error('registrations lost')
console.log(`endpoint state: ${JSON.stringify(endpoint.stats())}`)
await server.stop()
await endpoint.close()
for (const c of clients) await c.close()
