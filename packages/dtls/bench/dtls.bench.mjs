// DTLS benchmark. The servers run in their own process (bench/dtls-server.mjs; with
// BENCH_PIN=1 pinned to one core by `taskset`), the clients in this one. Measured in one run:
//   - handshakes: sequential (latency) and with 8 clients at once (the server's capacity), for
//     PSK (CCM_8, full and resumed) and ECDHE-ECDSA (raw public keys, and X.509 when the
//     openssl tool can make a CA); the server's CPU time per handshake gives handshakes per
//     second on one core;
//   - encrypted round trips against plain UDP, and CoAP GETs of @lwm2m/coap over DTLS against
//     the same over UDP (sequential, and 16 in flight), as ratios;
//   - references: node-dtls-client (npm) against our server, our client against libcoap's C
//     server (coap-server-openssl) when installed, heap per session.
// Prints a table and writes bench/results/dtls.json at the repository root. Every request has
// a deadline (a datagram lost under load counts as lost, it never hangs the run).
// Run after `pnpm build`: node packages/dtls/bench/dtls.bench.mjs (BENCH_SECONDS per row).
import { execFileSync, spawn } from 'node:child_process'
import { generateKeyPairSync } from 'node:crypto'
import { createSocket } from 'node:dgram'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { createEndpoint } from '@lwm2m/coap'
import { dtlsClient, dtlsServer } from '../dist/index.js'

const here = dirname(fileURLToPath(import.meta.url))
const root = join(here, '..', '..', '..')
// BENCH_MS (set by the root runner, bench/run.mjs; 300 in --quick) or BENCH_SECONDS per row.
const SECONDS =
  process.env.BENCH_MS !== undefined
    ? Number(process.env.BENCH_MS) / 1000
    : Number(process.env.BENCH_SECONDS ?? 2)
const QUICK = process.env.BENCH_QUICK === '1'
const DEADLINE_MS = 2000
const PSK_HEX = '0123456789abcdef0123456789abcdef'
const PSK = Buffer.from(PSK_HEX, 'hex')
const host = '127.0.0.1'

function has(command, args) {
  try {
    execFileSync(command, args, { stdio: 'pipe' })
    return true
  } catch (e) {
    return e.code !== 'ENOENT'
  }
}
// BENCH_PIN=1 pins the server process to core 1 and this one to core 0 (on a machine shared
// with other work a pinned process may land on the busy core: off by default). The server's
// CPU time per handshake gives the figure per core either way.
const TASKSET = process.env.BENCH_PIN === '1' && process.platform === 'linux' && has('taskset', ['-V'])

// ---------------------------------------------------------------- credentials

const pem = (k) => k.export({ format: 'pem', type: 'pkcs8' })
const serverRpk = pem(generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey)
const clientRpk = pem(generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey)

function makePki() {
  if (!has('openssl', ['version'])) return undefined
  const dir = mkdtempSync(join(tmpdir(), 'dtls-bench-pki-'))
  const f = (n) => join(dir, n)
  const run = (args) => execFileSync('openssl', args, { stdio: 'pipe' })
  const key = (n) =>
    writeFileSync(f(n), pem(generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey))
  key('ca.key')
  run([
    'req',
    '-x509',
    '-new',
    '-key',
    f('ca.key'),
    '-subj',
    '/CN=bench-ca',
    '-days',
    '2',
    '-out',
    f('ca.pem'),
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign',
  ])
  for (const [name, cn] of [
    ['server', 'localhost'],
    ['client', 'bench-client'],
  ]) {
    key(`${name}.key`)
    writeFileSync(f(`${name}.cnf`), `basicConstraints=CA:FALSE\nsubjectAltName=DNS:localhost,IP:127.0.0.1\n`)
    run(['req', '-new', '-key', f(`${name}.key`), '-subj', `/CN=${cn}`, '-out', f(`${name}.csr`)])
    run([
      'x509',
      '-req',
      '-in',
      f(`${name}.csr`),
      '-CA',
      f('ca.pem'),
      '-CAkey',
      f('ca.key'),
      '-CAcreateserial',
      '-days',
      '1',
      '-out',
      f(`${name}.pem`),
      '-extfile',
      f(`${name}.cnf`),
    ])
  }
  return {
    dir,
    ca: f('ca.pem'),
    server: { key: f('server.key'), cert: f('server.pem') },
    client: { key: f('client.key'), cert: f('client.pem') },
  }
}
const pki = makePki()

// ---------------------------------------------------------------- the server process

async function startServerProcess() {
  const args = [
    join(here, 'dtls-server.mjs'),
    JSON.stringify({
      psk: PSK_HEX,
      rpkKey: serverRpk,
      ...(pki === undefined ? {} : { x509: { key: pki.server.key, cert: pki.server.cert, ca: pki.ca } }),
    }),
  ]
  const child = TASKSET
    ? spawn('taskset', ['-c', '1', process.execPath, ...args], { stdio: ['pipe', 'pipe', 'inherit'] })
    : spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'inherit'] })
  const lines = createInterface({ input: child.stdout })
  const waiting = []
  lines.on('line', (l) => waiting.shift()?.(JSON.parse(l)))
  const next = () => new Promise((r) => waiting.push(r))
  const ports = await next()
  return {
    ports,
    /** The server process's CPU time so far, µs. */
    cpu: async () => {
      const p = next()
      child.stdin.write('cpu\n')
      return (await p).cpu
    },
    stop: () => {
      child.stdin.end()
      child.kill()
    },
  }
}
if (TASKSET) execFileSync('taskset', ['-pc', '0', String(process.pid)], { stdio: 'pipe' })
const server = await startServerProcess()
const peer = (name) => ({ address: host, port: server.ports[name] })

// ---------------------------------------------------------------- helpers

/** A client transport whose answers resolve `wait()`; a wait past the deadline resolves false. */
async function echoClient(opts) {
  const client = dtlsClient({ host, retransmission: { initial: 500, max: 2000 }, ...opts })
  let pending
  await client.open(() => pending?.(true))
  const roundTrip = (data, to) =>
    new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), DEADLINE_MS)
      pending = (ok) => {
        clearTimeout(timer)
        resolve(ok)
      }
      client.send(data, to)
    })
  return { client, roundTrip }
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length === 0 ? Number.NaN : s[Math.floor(s.length / 2)]
}

const CLIENT_CREDS = {
  psk: { psk: { identity: 'bench', key: PSK }, cipherSuites: ['TLS_PSK_WITH_AES_128_CCM_8'] },
  rpk: {
    rpk: { privateKey: clientRpk, verifyPeer: () => true },
    cipherSuites: ['TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8'],
  },
}
if (pki !== undefined) {
  const { readFileSync } = await import('node:fs')
  CLIENT_CREDS.x509 = {
    x509: {
      privateKey: readFileSync(pki.client.key, 'utf8'),
      certificateChain: [readFileSync(pki.client.cert, 'utf8')],
      trustAnchors: [readFileSync(pki.ca, 'utf8')],
    },
    serverName: 'localhost',
    cipherSuites: ['TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8'],
  }
}

/**
 * Handshakes for SECONDS by `parallel` clients, each: close the session (and forget it unless
 * `resumed`), then one datagram that needs a new session and its echo. Returns the rate, the
 * median time of one, losses, and the server's CPU µs per handshake.
 */
async function handshakes(kind, { resumed = false, parallel = 1 } = {}) {
  const to = peer(kind)
  const clients = await Promise.all(Array.from({ length: parallel }, () => echoClient(CLIENT_CREDS[kind])))
  const x = Buffer.from('x')
  for (const c of clients) await c.roundTrip(x, to) // warm-up, and the session to resume
  const times = []
  let lost = 0
  const cpu0 = await server.cpu()
  const t0 = performance.now()
  const end = t0 + SECONDS * 1000
  await Promise.all(
    clients.map(async (c) => {
      while (performance.now() < end) {
        c.client.closeSession(to)
        if (!resumed) c.client.forgetCachedSession(to)
        const t = performance.now()
        if (await c.roundTrip(x, to)) times.push(performance.now() - t)
        else lost++
      }
    }),
  )
  const elapsed = (performance.now() - t0) / 1000
  const cpu = (await server.cpu()) - cpu0
  const check = clients[0].client.session(to)
  if (lost === 0 && check?.resumed !== resumed) throw new Error(`${kind}: expected resumed=${resumed}`)
  await Promise.all(clients.map((c) => c.client.close()))
  return {
    perSecond: times.length / elapsed,
    medianMs: median(times),
    lost,
    serverCpuUsPerHandshake: times.length > 0 ? cpu / times.length : Number.NaN,
    perServerCoreSecond: cpu > 0 ? (times.length * 1e6) / cpu : Number.NaN,
  }
}

/** Sequential datagram round trips for SECONDS over an established session (or plain UDP). */
async function roundTrips(send) {
  const payload = Buffer.alloc(64, 1)
  await send(payload)
  let n = 0
  let lost = 0
  const end = performance.now() + SECONDS * 1000
  while (performance.now() < end) {
    if (await send(payload)) n++
    else lost++
  }
  return { perSecond: n / SECONDS, lost }
}

async function udpRoundTrips() {
  const s = createSocket('udp4')
  await new Promise((r) => s.bind(0, host, r))
  let pending
  s.on('message', () => pending?.(true))
  const port = server.ports.udp
  const r = await roundTrips(
    (p) =>
      new Promise((resolve) => {
        const timer = setTimeout(() => resolve(false), DEADLINE_MS)
        pending = (ok) => {
          clearTimeout(timer)
          resolve(ok)
        }
        s.send(p, port, host)
      }),
  )
  s.close()
  return r
}

async function dtlsRoundTrips(suite) {
  const { client, roundTrip } = await echoClient({
    psk: { identity: 'bench', key: PSK },
    cipherSuites: [suite],
  })
  const to = peer('psk')
  const r = await roundTrips((p) => roundTrip(p, to))
  await client.close()
  return r
}

/** CoAP GETs (CON, 2.05 piggybacked) through @lwm2m/coap's endpoint, K in flight. */
async function coapRequests(secure, k) {
  const { udp } = await import('@lwm2m/coap')
  const client = await createEndpoint({
    transport: secure ? dtlsClient({ host, psk: { identity: 'bench', key: PSK } }) : udp({ host, port: 0 }),
    requestTimeout: DEADLINE_MS,
  })
  const to = { address: host, port: secure ? server.ports.coaps : server.ports.coap }
  await client.request(to, { method: 'GET', path: '/x' })
  let n = 0
  let lost = 0
  const end = performance.now() + SECONDS * 1000
  await Promise.all(
    Array.from({ length: k }, async () => {
      while (performance.now() < end) {
        try {
          await client.request(to, { method: 'GET', path: '/x' })
          n++
        } catch {
          lost++
        }
      }
    }),
  )
  await client.close()
  return { perSecond: n / SECONDS, lost }
}

/** node-dtls-client (npm) against our server: handshakes and round trips, an outside reference. */
async function nodeDtlsClientReference() {
  let dtls
  try {
    dtls = createRequire(import.meta.url)('node-dtls-client').dtls
  } catch {
    return undefined
  }
  const port = server.ports.psk
  const connect = () =>
    new Promise((resolve, reject) => {
      const s = dtls.createSocket({
        type: 'udp4',
        address: host,
        port,
        psk: { bench: PSK.toString('latin1') },
        timeout: DEADLINE_MS,
        ciphers: ['TLS_PSK_WITH_AES_128_CCM_8'],
      })
      s.once('connected', () => resolve(s))
      s.once('error', reject)
    })
  const times = []
  const end = performance.now() + SECONDS * 1000
  while (performance.now() < end) {
    const t = performance.now()
    const s = await connect()
    times.push(performance.now() - t)
    await new Promise((r) => s.close(r))
  }
  const s = await connect()
  let pending
  s.on('message', () => pending?.(true))
  const r = await roundTrips(
    (p) =>
      new Promise((resolve) => {
        const timer = setTimeout(() => resolve(false), DEADLINE_MS)
        pending = (ok) => {
          clearTimeout(timer)
          resolve(ok)
        }
        s.send(p)
      }),
  )
  await new Promise((done) => s.close(done))
  return { handshakesPerSecond: times.length / SECONDS, medianMs: median(times), roundTrips: r }
}

/** Our CoAP client over DTLS-PSK against libcoap's C server (coap-server-openssl), when installed. */
async function libcoapReference() {
  if (!has('coap-server-openssl', ['-h'])) return undefined
  const base = 20000 + Math.floor(Math.random() * 20000)
  const child = spawn('coap-server-openssl', ['-A', host, '-p', String(base), '-k', 'bench-key-0123456789'], {
    stdio: 'ignore',
  })
  try {
    await new Promise((r) => setTimeout(r, 300))
    const to = { address: host, port: base + 1 }
    const key = Buffer.from('bench-key-0123456789')
    const times = []
    const end = performance.now() + SECONDS * 1000
    while (performance.now() < end) {
      const ep = await createEndpoint({
        transport: dtlsClient({ host, psk: { identity: 'bench', key } }),
        requestTimeout: DEADLINE_MS,
      })
      const t = performance.now()
      try {
        await ep.request(to, { method: 'GET', path: '/time' })
        times.push(performance.now() - t)
      } catch {}
      await ep.close()
    }
    const ep = await createEndpoint({
      transport: dtlsClient({ host, psk: { identity: 'bench', key } }),
      requestTimeout: DEADLINE_MS,
    })
    await ep.request(to, { method: 'GET', path: '/time' })
    let n = 0
    const end2 = performance.now() + SECONDS * 1000
    while (performance.now() < end2) {
      try {
        await ep.request(to, { method: 'GET', path: '/time' })
        n++
      } catch {}
    }
    await ep.close()
    return { firstRequestMedianMs: median(times), requestsPerSecond: n / SECONDS }
  } finally {
    child.kill()
  }
}

function gc() {
  setFlagsFromString('--expose-gc')
  const f = runInNewContext('gc')
  f()
  f()
}

/** Heap per established session: N clients (one transport each) to one in-process server, both sides counted. */
async function heapPerSession(n) {
  const echo = dtlsServer({ host, port: 0, psk: { key: () => PSK } })
  await echo.open((d, p) => echo.send(d, p))
  const to = { address: host, port: echo.address().port }
  const clients = []
  for (let i = 0; i < n; i++) {
    const c = dtlsClient({ host, psk: { identity: `c${i}`, key: PSK } })
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
  const sessions = echo.stats().sessions
  await Promise.all(clients.map((x) => x.c.close()))
  await echo.close()
  // Too few sessions for the garbage collector's noise (or not all up): no figure.
  if (sessions !== n || after <= before) return undefined
  return Math.round((after - before) / n)
}

// ---------------------------------------------------------------- run

const results = {
  node: process.version,
  seconds: SECONDS,
  pinned: TASKSET,
  handshakes: {},
  concurrentHandshakes: {},
}
try {
  results.handshakes.psk_ccm8 = await handshakes('psk')
  results.handshakes.psk_ccm8_resumed = await handshakes('psk', { resumed: true })
  results.handshakes.ecdhe_ecdsa_rpk_ccm8 = await handshakes('rpk')
  if (pki !== undefined) results.handshakes.ecdhe_ecdsa_x509_ccm8 = await handshakes('x509')
  results.concurrentHandshakes.psk_ccm8 = await handshakes('psk', { parallel: 8 })
  results.concurrentHandshakes.ecdhe_ecdsa_rpk_ccm8 = await handshakes('rpk', { parallel: 8 })
  if (pki !== undefined)
    results.concurrentHandshakes.ecdhe_ecdsa_x509_ccm8 = await handshakes('x509', { parallel: 8 })
  results.roundTrips = {
    udp: await udpRoundTrips(),
    dtls_psk_ccm8: await dtlsRoundTrips('TLS_PSK_WITH_AES_128_CCM_8'),
    dtls_psk_cbc_sha256: await dtlsRoundTrips('TLS_PSK_WITH_AES_128_CBC_SHA256'),
  }
  results.coapRequests = {
    coap_udp_k1: await coapRequests(false, 1),
    coaps_psk_ccm8_k1: await coapRequests(true, 1),
    coap_udp_k16: await coapRequests(false, 16),
    coaps_psk_ccm8_k16: await coapRequests(true, 16),
  }
  results.nodeDtlsClient = await nodeDtlsClientReference()
  results.libcoapServer = await libcoapReference()
  results.heapBytesPerSessionPair = await heapPerSession(QUICK ? 50 : 300)
} finally {
  server.stop()
  if (pki !== undefined) rmSync(pki.dir, { recursive: true, force: true })
}

const rows = []
const f0 = (v) => (Number.isFinite(v) ? v.toFixed(0) : '-')
const f2 = (v) => (Number.isFinite(v) ? v.toFixed(2) : '-')
const lost = (r) => (r.lost > 0 ? `, ${r.lost} lost` : '')
for (const [k, v] of Object.entries(results.handshakes)) {
  rows.push([`handshake ${k} (sequential)`, `${f0(v.perSecond)} /s`, `median ${f2(v.medianMs)} ms${lost(v)}`])
}
for (const [k, v] of Object.entries(results.concurrentHandshakes)) {
  rows.push([
    `handshake ${k} (8 clients)`,
    `${f0(v.perSecond)} /s`,
    `server ${f0(v.serverCpuUsPerHandshake)} µs CPU each: ${f0(v.perServerCoreSecond)} /s per server core${lost(v)}`,
  ])
}
const udp = results.roundTrips.udp.perSecond
for (const [k, v] of Object.entries(results.roundTrips)) {
  rows.push([
    `round trips ${k}`,
    `${f0(v.perSecond)} /s`,
    `${((v.perSecond / udp) * 100).toFixed(0)} % of UDP${lost(v)}`,
  ])
}
for (const k of ['k1', 'k16']) {
  const plain = results.coapRequests[`coap_udp_${k}`]
  const secure = results.coapRequests[`coaps_psk_ccm8_${k}`]
  rows.push([
    `CoAP GETs over UDP, ${k.replace('k', 'K = ')}`,
    `${f0(plain.perSecond)} /s`,
    `100 %${lost(plain)}`,
  ])
  rows.push([
    `CoAP GETs over DTLS-PSK, ${k.replace('k', 'K = ')}`,
    `${f0(secure.perSecond)} /s`,
    `${((secure.perSecond / plain.perSecond) * 100).toFixed(0)} % of CoAP over UDP${lost(secure)}`,
  ])
}
if (results.nodeDtlsClient !== undefined) {
  const r = results.nodeDtlsClient
  rows.push([
    'node-dtls-client handshake -> our server',
    `${f0(r.handshakesPerSecond)} /s`,
    `median ${f2(r.medianMs)} ms`,
  ])
  rows.push([
    'node-dtls-client round trips -> our server',
    `${f0(r.roundTrips.perSecond)} /s`,
    `${((r.roundTrips.perSecond / udp) * 100).toFixed(0)} % of UDP`,
  ])
}
if (results.libcoapServer !== undefined) {
  const r = results.libcoapServer
  rows.push([
    'our CoAP client -> libcoap coap-server-openssl',
    `${f0(r.requestsPerSecond)} /s`,
    `sequential GETs over DTLS-PSK`,
  ])
  rows.push(['  handshake + first GET', `median ${f2(r.firstRequestMedianMs)} ms`, 'new endpoint each time'])
}
rows.push([
  'heap per session (client + server side)',
  `${results.heapBytesPerSessionPair ?? '-'} B`,
  `${QUICK ? 50 : 300} PSK sessions, in one process`,
])
const w = [0, 1, 2].map((i) => Math.max(...rows.map((r) => r[i].length)))
console.log(
  `DTLS benchmark (${process.version}, ${SECONDS} s per row; servers in their own process${TASKSET ? ', server on core 1, clients on core 0' : ''})`,
)
for (const r of rows) console.log(`  ${r[0].padEnd(w[0])}  ${r[1].padStart(w[1])}  ${r[2]}`)

const out = join(root, 'bench', 'results')
mkdirSync(out, { recursive: true })
writeFileSync(join(out, 'dtls.json'), `${JSON.stringify(results, null, 2)}\n`)
console.log(`written ${join(out, 'dtls.json')}`)
process.exit(0)
