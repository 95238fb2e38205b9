// DTLS benchmark: handshakes per second (PSK, ECDHE-ECDSA with raw public keys, resumed)
// and encrypted round trips per second against plain UDP, measured in the same run on one
// Node process (client and server share one core). node-dtls-client against our server is
// measured alongside as an outside reference. Prints a table, writes bench/results/dtls.json
// at the repository root. Run after `pnpm build`: node packages/dtls/bench/dtls.bench.mjs
import { generateKeyPairSync } from 'node:crypto'
import { createSocket } from 'node:dgram'
import { mkdirSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { createEndpoint, udp as udpTransport } from '@lwm2m/coap'
import { dtlsClient, dtlsServer } from '../dist/index.js'

const here = dirname(fileURLToPath(import.meta.url))
const root = join(here, '..', '..', '..')
// BENCH_MS (set by the root runner, bench/run.mjs; 300 in --quick) or BENCH_SECONDS per row.
const SECONDS =
  process.env.BENCH_MS !== undefined
    ? Number(process.env.BENCH_MS) / 1000
    : Number(process.env.BENCH_SECONDS ?? 2)
const QUICK = process.env.BENCH_QUICK === '1'
const PSK = Buffer.from('0123456789abcdef', 'hex')

function keys() {
  return generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey
}

async function echoServer(opts) {
  const server = dtlsServer({ host: '127.0.0.1', port: 0, ...opts })
  await server.open((d, p) => server.send(d, p))
  return server
}

/** Sequential full (or resumed) handshakes for SECONDS: each sends one datagram and waits for its echo. */
async function handshakes(serverOpts, clientOpts, resumed) {
  const server = await echoServer(serverOpts)
  const to = { address: '127.0.0.1', port: server.address().port }
  const client = dtlsClient({ host: '127.0.0.1', ...clientOpts })
  let resolve
  await client.open(() => resolve())
  const once = () =>
    new Promise((r) => {
      resolve = r
      client.send(Buffer.from('x'), to)
    })
  await once() // warm-up (and the session to resume)
  let n = 0
  const times = []
  const end = performance.now() + SECONDS * 1000
  while (performance.now() < end) {
    client.closeSession(to)
    if (!resumed) client.forgetCachedSession(to)
    const t = performance.now()
    await once()
    times.push(performance.now() - t)
    n++
  }
  const check = client.session(to)
  if (check?.resumed !== resumed) throw new Error(`expected resumed=${resumed}`)
  await client.close()
  await server.close()
  times.sort((a, b) => a - b)
  return { perSecond: n / SECONDS, medianMs: times[Math.floor(times.length / 2)] }
}

/** Sequential request/response round trips over an established DTLS session. */
async function dtlsRoundTrips(suite) {
  const server = await echoServer({ psk: { key: () => PSK } })
  const to = { address: '127.0.0.1', port: server.address().port }
  const client = dtlsClient({
    host: '127.0.0.1',
    psk: { identity: 'bench', key: PSK },
    cipherSuites: [suite],
  })
  let resolve
  await client.open(() => resolve())
  const payload = Buffer.alloc(64, 1)
  const once = () =>
    new Promise((r) => {
      resolve = r
      client.send(payload, to)
    })
  await once()
  let n = 0
  const end = performance.now() + SECONDS * 1000
  while (performance.now() < end) {
    await once()
    n++
  }
  await client.close()
  await server.close()
  return n / SECONDS
}

async function udpRoundTrips() {
  const server = createSocket('udp4')
  await new Promise((r) => server.bind(0, '127.0.0.1', r))
  server.on('message', (m, rinfo) => server.send(m, rinfo.port, rinfo.address))
  const client = createSocket('udp4')
  await new Promise((r) => client.bind(0, '127.0.0.1', r))
  let resolve
  client.on('message', () => resolve())
  const port = server.address().port
  const payload = Buffer.alloc(64, 1)
  const once = () =>
    new Promise((r) => {
      resolve = r
      client.send(payload, port, '127.0.0.1')
    })
  await once()
  let n = 0
  const end = performance.now() + SECONDS * 1000
  while (performance.now() < end) {
    await once()
    n++
  }
  client.close()
  server.close()
  return n / SECONDS
}

/** node-dtls-client (npm) against our server: handshakes and round trips, as an outside reference. */
async function nodeDtlsClientReference() {
  let dtls
  try {
    dtls = createRequire(import.meta.url)('node-dtls-client').dtls
  } catch {
    return undefined
  }
  const server = await echoServer({ psk: { key: () => PSK } })
  const port = server.address().port
  const connect = () =>
    new Promise((resolve, reject) => {
      const s = dtls.createSocket({
        type: 'udp4',
        address: '127.0.0.1',
        port,
        psk: { bench: PSK.toString('latin1') },
        timeout: 5000,
        ciphers: ['TLS_PSK_WITH_AES_128_CCM_8'],
      })
      s.once('connected', () => resolve(s))
      s.once('error', reject)
    })
  const times = []
  let n = 0
  const end = performance.now() + SECONDS * 1000
  while (performance.now() < end) {
    const t = performance.now()
    const s = await connect()
    times.push(performance.now() - t)
    n++
    await new Promise((r) => s.close(r))
  }
  const s = await connect()
  let resolve
  s.on('message', () => resolve())
  const payload = Buffer.alloc(64, 1)
  const once = () =>
    new Promise((r) => {
      resolve = r
      s.send(payload)
    })
  await once()
  let rt = 0
  const end2 = performance.now() + SECONDS * 1000
  while (performance.now() < end2) {
    await once()
    rt++
  }
  await new Promise((r) => s.close(r))
  await server.close()
  times.sort((a, b) => a - b)
  return {
    handshakesPerSecond: n / SECONDS,
    medianMs: times[Math.floor(times.length / 2)],
    roundTripsPerSecond: rt / SECONDS,
  }
}

function gc() {
  setFlagsFromString('--expose-gc')
  const f = runInNewContext('gc')
  f()
  f()
}

/** Heap per established session: N clients (one transport each) to one server, both sides counted. */
async function heapPerSession(n) {
  const server = await echoServer({ psk: { key: () => PSK } })
  const to = { address: '127.0.0.1', port: server.address().port }
  const clients = []
  for (let i = 0; i < n; i++) {
    const c = dtlsClient({ host: '127.0.0.1', psk: { identity: `c${i}`, key: PSK } })
    let resolve
    const got = new Promise((r) => {
      resolve = r
    })
    await c.open(() => resolve())
    clients.push({ c, got })
  }
  gc()
  const before = process.memoryUsage().heapUsed
  for (const { c } of clients) c.send(Buffer.from('x'), to)
  await Promise.all(clients.map((x) => x.got))
  gc()
  const after = process.memoryUsage().heapUsed
  if (server.stats().sessions !== n) throw new Error('not all sessions up')
  await Promise.all(clients.map((x) => x.c.close()))
  await server.close()
  return Math.round((after - before) / n)
}

/** Sequential CoAP GETs (CON, 2.05 piggybacked) through @lwm2m/coap's endpoint, over UDP or DTLS. */
async function coapRequests(secure) {
  const server = await createEndpoint({
    transport: secure
      ? dtlsServer({ host: '127.0.0.1', port: 0, psk: { key: () => PSK } })
      : udpTransport({ host: '127.0.0.1', port: 0 }),
    handler: () => ({ code: '2.05', payload: 'ok' }),
  })
  const client = await createEndpoint({
    transport: secure
      ? dtlsClient({ host: '127.0.0.1', psk: { identity: 'bench', key: PSK } })
      : udpTransport({ host: '127.0.0.1', port: 0 }),
  })
  const to = { address: '127.0.0.1', port: server.address().port }
  await client.request(to, { method: 'GET', path: '/x' })
  let n = 0
  const end = performance.now() + SECONDS * 1000
  while (performance.now() < end) {
    await client.request(to, { method: 'GET', path: '/x' })
    n++
  }
  await client.close()
  await server.close()
  return n / SECONDS
}

const serverKey = keys()
const clientKey = keys()
const rpkServer = { rpk: { privateKey: serverKey, verifyPeer: () => true } }
const rpkClient = { rpk: { privateKey: clientKey, verifyPeer: () => true } }

const results = {
  node: process.version,
  seconds: SECONDS,
  handshakes: {
    psk_ccm8: await handshakes({ psk: { key: () => PSK } }, { psk: { identity: 'bench', key: PSK } }, false),
    psk_ccm8_resumed: await handshakes(
      { psk: { key: () => PSK } },
      { psk: { identity: 'bench', key: PSK } },
      true,
    ),
    ecdhe_ecdsa_rpk_ccm8: await handshakes(
      rpkServer,
      { ...rpkClient, cipherSuites: ['TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8'] },
      false,
    ),
    ecdhe_ecdsa_rpk_gcm: await handshakes(
      rpkServer,
      { ...rpkClient, cipherSuites: ['TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256'] },
      false,
    ),
  },
  roundTrips: {
    udp: await udpRoundTrips(),
    dtls_psk_ccm8: await dtlsRoundTrips('TLS_PSK_WITH_AES_128_CCM_8'),
    dtls_psk_cbc_sha256: await dtlsRoundTrips('TLS_PSK_WITH_AES_128_CBC_SHA256'),
  },
  coapRequests: { coap_udp: await coapRequests(false), coaps_psk_ccm8: await coapRequests(true) },
  nodeDtlsClient: await nodeDtlsClientReference(),
  heapBytesPerSessionPair: await heapPerSession(QUICK ? 50 : 300),
}

const rows = []
for (const [k, v] of Object.entries(results.handshakes)) {
  rows.push([`handshake ${k}`, `${v.perSecond.toFixed(0)} /s`, `median ${v.medianMs.toFixed(2)} ms`])
}
const udp = results.roundTrips.udp
for (const [k, v] of Object.entries(results.roundTrips)) {
  rows.push([`round trips ${k}`, `${v.toFixed(0)} /s`, `${((v / udp) * 100).toFixed(0)} % of UDP`])
}
for (const [k, v] of Object.entries(results.coapRequests)) {
  rows.push([
    `CoAP GETs ${k}`,
    `${v.toFixed(0)} /s`,
    `${((v / results.coapRequests.coap_udp) * 100).toFixed(0)} % of CoAP over UDP`,
  ])
}
if (results.nodeDtlsClient !== undefined) {
  const r = results.nodeDtlsClient
  rows.push([
    'node-dtls-client handshake -> our server',
    `${r.handshakesPerSecond.toFixed(0)} /s`,
    `median ${r.medianMs.toFixed(2)} ms`,
  ])
  rows.push([
    'node-dtls-client round trips -> our server',
    `${r.roundTripsPerSecond.toFixed(0)} /s`,
    `${((r.roundTripsPerSecond / udp) * 100).toFixed(0)} % of UDP`,
  ])
}
rows.push([
  'heap per session (client + server side)',
  `${results.heapBytesPerSessionPair} B`,
  `${QUICK ? 50 : 300} PSK sessions`,
])
const w = [0, 1, 2].map((i) => Math.max(...rows.map((r) => r[i].length)))
console.log(`DTLS benchmark (${process.version}, ${SECONDS} s per row, client and server in one process)`)
for (const r of rows) console.log(`  ${r[0].padEnd(w[0])}  ${r[1].padStart(w[1])}  ${r[2]}`)

const out = join(root, 'bench', 'results')
mkdirSync(out, { recursive: true })
writeFileSync(join(out, 'dtls.json'), `${JSON.stringify(results, null, 2)}\n`)
console.log(`written ${join(out, 'dtls.json')}`)
