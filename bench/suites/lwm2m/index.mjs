// The LwM2M suite: N simulated LwM2M 1.0 clients (simulator.mjs, another process) against a
// server in its own process: ours (@lwm2m/server) and npm lwm2m-node-lib, the same load for
// both. Registrations per second (overall and per tenth of the clients, to show a slow-down
// as the registry grows), server-initiated reads of /3/0 per second, notifications per second
// received and decoded by the server, and server heap bytes per registered client right
// after the burst. Figures sit beside the raw UDP echo ceiling measured in the same run.
import { fileURLToPath } from 'node:url'
import { startControlled } from '../../lib/control.mjs'
import { cpuOf, freeUdpPort, memoryOf, runJsonScript, startJsonServer, stopChild } from '../../lib/proc.mjs'

const here = (p) => fileURLToPath(new URL(p, import.meta.url))
const SIMULATOR = here('./simulator.mjs')
/** Sockets per simulator process: the open-file limit here is 20,000 per process. */
const CLIENTS_PER_SIMULATOR = 15_000
/** Clients of the warm-up burst before the measured one (at most N). */
const WARM_UP_CLIENTS = 1_000
/** BENCH_PROFILE_DIR=<dir>: the servers write V8 CPU profiles there (node --cpu-prof). */
const PROFILE = process.env.BENCH_PROFILE_DIR
const serverNodeArgs = [
  '--expose-gc',
  '--max-old-space-size=4096',
  ...(PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE}`] : []),
  ...(process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean),
]

export const LWM2M_SERVERS = {
  // The second reference: a raw node:dgram LwM2M responder (servers/raw-lwm2m.mjs), what the
  // same simulator and the same many-socket kernel sends allow. Not a server one could use.
  'raw-lwm2m': {
    label: 'raw LwM2M responder',
    reference: true,
    start: () => startControlled(here('./servers/raw-lwm2m.mjs'), [], { nodeArgs: serverNodeArgs }),
  },
  'lwm2m-server': {
    label: '@lwm2m/server',
    start: () =>
      startControlled(here('./servers/lwm2m-server.mjs'), [], {
        nodeArgs: serverNodeArgs,
      }),
  },
  'lwm2m-node-lib': {
    label: 'lwm2m-node-lib (npm)',
    // Its in-memory registry looks a Register's endpoint name up by walking every registration
    // (inMemoryDeviceRegistry.js getByName): registering N clients takes time in N^2; 10,000
    // took about 10 s here, 100,000 would take about a quarter of an hour.
    maxClients: 20_000,
    maxClientsReason: 'skipped: its registry walks every registration on each Register (time in N^2)',
    start: async () =>
      startControlled(here('./servers/lwm2m-node-lib.mjs'), [`--port=${await freeUdpPort()}`], {
        nodeArgs: serverNodeArgs,
      }),
  },
}

/** Simulated clients, spread over processes of at most CLIENTS_PER_SIMULATOR sockets, each on its own loopback address. */
async function startSimulators(port, clients, warm) {
  const sims = []
  for (let first = 0, p = 0; first < clients; first += CLIENTS_PER_SIMULATOR, p++) {
    const n = Math.min(CLIENTS_PER_SIMULATOR, clients - first)
    sims.push(
      await startControlled(SIMULATOR, [
        `--port=${port}`,
        `--clients=${n}`,
        `--first=${first}`,
        `--bind=127.0.${10 + p}.1`,
        `--warm=${warm ? Math.min(n, WARM_UP_CLIENTS) : 0}`,
      ]),
    )
  }
  return sims
}

async function all(sims, cmd) {
  return Promise.all(sims.map((s) => s.send(cmd)))
}

/** The echo ceiling at `k` requests in flight: from the coap suite of this run, else measured here. */
async function ceilingAt(k, opts, coapResults, log) {
  const echo = coapResults?.find((s) => s.server === 'echo' && s.available)
  const point = echo?.points.find((p) => p.k === k)
  if (point?.rps) return { rps: point.rps, cpuMicrosPerOp: point.cpuMicrosPerOp, source: 'coap suite' }
  log(`lwm2m: measuring the raw UDP echo ceiling at K=${k}`)
  const { child, port } = await startJsonServer(process.execPath, [here('../coap/servers/echo.mjs')])
  try {
    const cpu0 = cpuOf(child.pid)
    const run = await runJsonScript(
      here('../coap/loadgen.mjs'),
      [`--port=${port}`, `--k=${k}`, `--duration=${opts.duration}`, `--warmup=${opts.warmup}`, '--mode=echo'],
      { timeoutMs: (opts.duration + opts.warmup) * 1000 + 30_000 },
    )
    const cpu1 = cpuOf(child.pid)
    const cpuMicrosPerOp =
      cpu0 !== undefined && cpu1 !== undefined && run.sentInAll > 0
        ? (cpu1 - cpu0) / run.sentInAll
        : undefined
    return { rps: run.rps, cpuMicrosPerOp, source: 'measured by the lwm2m suite' }
  } finally {
    await stopChild(child)
  }
}

/** One server, one N: warm up, register, heap, read, observe, notify. */
async function runPoint(name, n, opts, log) {
  const spec = LWM2M_SERVERS[name]
  const server = await spec.start()
  if (server.ready.unavailable) return { available: false, reason: server.ready.unavailable }
  const point = { n }
  let sims = []
  try {
    const k = opts['lwm2m-k']
    const rates = !opts['lwm2m-memory-only']
    // The warm-up, as the coap suite's: other clients (`warm-<i>`, at most 1,000 per simulator)
    // register and de-register for `warmup` seconds (at least once) before the measured burst, from the simulators of the burst, so
    // that the figures of N = 1,000 (a burst of a fraction of a second) measure compiled code
    // of the server and of the simulator, not their compilation. Reads and notifications have
    // their warm-up seconds in their commands.
    const warm = rates && opts.warmup > 0
    sims = await startSimulators(server.ready.port, n, warm)
    if (warm) {
      const w = await all(sims, {
        cmd: 'warmup',
        window: Math.max(1, Math.round(k / sims.length)),
        seconds: opts.warmup,
      })
      const failed = w.reduce((a, r) => a + r.failed, 0)
      if (failed > 0) throw new Error(`warm-up: ${failed} registrations or de-registrations failed`)
    }
    const heap0 = (await server.send({ cmd: 'heap' })).heapUsed
    const cpu0 = (await server.send({ cmd: 'cpu' })).micros
    const regs = await all(sims, {
      cmd: 'register',
      window: Math.max(1, Math.round(k / sims.length)),
      serverPid: server.child.pid,
    })
    const cpu1 = (await server.send({ cmd: 'cpu' })).micros
    const registered = regs.reduce((a, r) => a + r.registered, 0)
    const seconds = Math.max(...regs.map((r) => r.seconds))
    point.registrations = {
      registered,
      failed: regs.reduce((a, r) => a + r.failed, 0),
      rate: registered / seconds,
      cpuMicrosPerOp: registered > 0 ? (cpu1 - cpu0) / registered : undefined,
      deciles: sims.length === 1 ? regs[0].deciles : undefined,
      // CPU µs per Register in each tenth: the server's main thread (/proc schedstat) and the simulator's.
      serverCpuDeciles: sims.length === 1 ? regs[0].serverCpu : undefined,
      simulatorCpuDeciles: sims.length === 1 ? regs[0].simCpu : undefined,
    }
    const count = (await server.send({ cmd: 'count' })).count
    const heap1 = (await server.send({ cmd: 'heap' })).heapUsed
    point.heap = {
      count,
      bytesPerClient: heap0 !== undefined && count > 0 ? (heap1 - heap0) / count : undefined,
      rssKb: memoryOf(server.child.pid).rssKb,
    }
    log(
      `  ${spec.label} N=${n}: ${Math.round(point.registrations.rate)} registrations/s, ${Math.round(point.heap.bytesPerClient ?? 0)} B heap per client`,
    )
    if (rates) {
      const read = await server.send({
        cmd: 'read',
        path: '/3/0',
        seconds: opts.duration,
        window: k,
        warmup: opts.warmup,
      })
      point.reads = read
      const obs = await server.send({
        cmd: 'observe',
        path: '/3/0/9',
        window: k,
        limit: opts['lwm2m-observe'],
      })
      point.observe = obs
      const window = Math.max(1, Math.round(k / sims.length))
      if (opts.warmup > 0) await all(sims, { cmd: 'notify', seconds: opts.warmup, window })
      await server.send({ cmd: 'notifications' })
      const sent = await all(sims, { cmd: 'notify', seconds: opts.duration, window })
      const got = await server.send({ cmd: 'notifications' })
      const sentSeconds = Math.max(...sent.map((s) => s.seconds))
      point.notifications = {
        acked: sent.reduce((a, s) => a + s.acked, 0),
        lost: sent.reduce((a, s) => a + s.lost, 0),
        reset: sent.reduce((a, s) => a + s.reset, 0),
        received: got.notifications,
        decoded: got.decoded,
        rate: got.decoded / sentSeconds,
      }
      log(
        `  ${spec.label} N=${n}: ${Math.round(read.rate)} reads/s (${read.failed} failed), observe ${obs.ok} in ${obs.seconds.toFixed(1)} s, ${Math.round(point.notifications.rate)} notifications/s`,
      )
    }
  } catch (e) {
    point.error = e.message
    log(`  ${spec.label} N=${n}: failed: ${e.message}`)
  } finally {
    await Promise.all(sims.map((s) => s.stop()))
    await server.stop()
  }
  return { available: true, point }
}

export async function runLwm2mSuite(opts, log, coapResults) {
  const k = opts['lwm2m-k']
  const ceiling = await ceilingAt(k, opts, coapResults, log)
  const results = []
  for (const name of opts['lwm2m-servers']) {
    const spec = LWM2M_SERVERS[name]
    if (spec === undefined)
      throw new Error(`unknown LwM2M server ${name} (one of ${Object.keys(LWM2M_SERVERS).join(', ')})`)
    const result = { server: name, label: spec.label, available: true, points: [], memory: [] }
    results.push(result)
    for (const n of opts['lwm2m-clients']) {
      if (spec.maxClients !== undefined && n > spec.maxClients) {
        log(`lwm2m: ${spec.label}, ${n} clients ${spec.maxClientsReason}`)
        result.points.push({ n, error: spec.maxClientsReason })
        continue
      }
      log(`lwm2m: ${spec.label}, ${n} clients`)
      const r = await runPoint(name, n, opts, log)
      if (!r.available) {
        result.available = false
        result.reason = r.reason
        break
      }
      result.points.push(r.point)
    }
    if (!result.available) continue
    for (const n of opts['lwm2m-memory']) {
      if (opts['lwm2m-clients'].includes(n)) {
        const p = result.points.find((x) => x.n === n)
        result.memory.push({ n, ...p?.heap })
        continue
      }
      if (spec.maxClients !== undefined && n > spec.maxClients) {
        log(`lwm2m: ${spec.label}, heap at ${n} clients ${spec.maxClientsReason}`)
        result.memory.push({ n, skipped: spec.maxClientsReason })
        continue
      }
      log(`lwm2m: ${spec.label}, heap at ${n} clients`)
      const r = await runPoint(name, n, { ...opts, 'lwm2m-memory-only': true }, log)
      result.memory.push({ n, ...r.point?.heap, ...(r.point?.error ? { error: r.point.error } : {}) })
    }
  }
  for (const r of results) {
    for (const p of r.points) {
      if (p.registrations) p.registrations.vsEcho = p.registrations.rate / ceiling.rps
      if (p.reads) p.reads.vsEcho = p.reads.rate / ceiling.rps
      // The same ratio in CPU time: what the rates would give if both servers had a core to
      // themselves (the machine's other load moves the rates, hardly the CPU per operation).
      const c = ceiling.cpuMicrosPerOp
      if (c && p.registrations?.cpuMicrosPerOp) p.registrations.cpuVsEcho = c / p.registrations.cpuMicrosPerOp
      if (c && p.reads?.cpuMicrosPerOp) p.reads.cpuVsEcho = c / p.reads.cpuMicrosPerOp
      if (p.notifications) p.notifications.vsEcho = p.notifications.rate / ceiling.rps
    }
  }
  // Beside the echo: the ratio to the raw LwM2M responder at the same N, in rate and in CPU.
  const raw = results.find((r) => r.server === 'raw-lwm2m' && r.available)
  for (const r of results) {
    if (r === raw || raw === undefined) continue
    for (const p of r.points) {
      const q = raw.points.find((x) => x.n === p.n)
      for (const what of ['registrations', 'reads']) {
        const m = p[what]
        const ref = q?.[what]
        if (m === undefined || ref === undefined) continue
        if (ref.rate > 0) m.vsRaw = m.rate / ref.rate
        if (ref.cpuMicrosPerOp && m.cpuMicrosPerOp) m.cpuVsRaw = ref.cpuMicrosPerOp / m.cpuMicrosPerOp
      }
    }
  }
  // The store alone, in process (packages/server/scripts/memory.mjs), for the 1 KB target.
  const store = []
  if (opts['lwm2m-servers'].includes('lwm2m-server')) {
    for (const n of opts['lwm2m-memory']) {
      const s = await storeOnly(n, log)
      if (s !== undefined) store.push(s)
    }
  }
  return { k, ceiling, servers: results, store }
}

async function storeOnly(n, log) {
  const script = here('../../../packages/server/scripts/memory.mjs')
  const { spawnSync } = await import('node:child_process')
  const r = spawnSync(process.execPath, ['--expose-gc', script, String(n)], {
    encoding: 'utf8',
    timeout: 300_000,
  })
  const m = /store only, \d+ registrations[^:]*: (\d+) B\/registration/.exec(r.stdout ?? '')
  const burst = /all in, right after a burst of \d+: (\d+) B\/registration/.exec(r.stdout ?? '')
  if (!m) {
    log(`lwm2m: scripts/memory.mjs failed: ${(r.stderr ?? '').slice(0, 300)}`)
    return undefined
  }
  return {
    n,
    storeBytesPerClient: Number(m[1]),
    inProcessBurstBytesPerClient: burst ? Number(burst[1]) : undefined,
  }
}
