// The command loop of a benchmarked LwM2M server process: one JSON line in, one JSON line out.
//   {"cmd":"heap"}                         heapUsed after full GCs (run node with --expose-gc)
//   {"cmd":"count"}                        registrations held
//   {"cmd":"cpu"}                          CPU time of this process so far (user + system, µs)
//   {"cmd":"read","path":"/3/0","seconds":2,"window":64,"warmup":0}   server-initiated reads of
//                                          every registered client in turn, K at a time (after
//                                          `warmup` seconds of reads not counted)
//   {"cmd":"observe","path":"/3/0/9","window":64,"limit":0} one observation per client (the first `limit`)
//   {"cmd":"notifications"}                notifications received (and decoded) since the last call
//   {"cmd":"exit"}
import { performance } from 'node:perf_hooks'
import { createInterface } from 'node:readline'

/** CPU time of this process (user + system), µs: per operation it shows the server's cost whatever the machine's load. */
function cpuMicros() {
  const u = process.cpuUsage()
  return u.user + u.system
}

function heap() {
  if (typeof globalThis.gc !== 'function') return undefined
  for (let i = 0; i < 4; i++) globalThis.gc()
  return process.memoryUsage().heapUsed
}

/** Reads for `seconds`, after `warmup` seconds of reads that are not counted. */
async function readLoop(impl, { path, seconds = 2, window = 64, warmup = 0 }) {
  if (warmup > 0) await readFor(impl, path, warmup, window)
  return readFor(impl, path, seconds, window)
}

async function readFor(impl, path, seconds, window) {
  const names = await impl.endpoints()
  if (names.length === 0) return { ok: 0, failed: 0, rate: 0 }
  let ok = 0
  let failed = 0
  let cursor = 0
  let error
  const t0 = performance.now()
  const cpu0 = cpuMicros()
  const deadline = t0 + seconds * 1000
  const worker = async () => {
    while (performance.now() < deadline) {
      const ep = names[cursor++ % names.length]
      try {
        await impl.read(ep, path)
        ok++
      } catch (e) {
        failed++
        error ??= String(e?.message ?? e)
      }
    }
  }
  await Promise.all(Array.from({ length: window }, worker))
  const elapsed = (performance.now() - t0) / 1000
  const cpu = cpuMicros() - cpu0
  return {
    ok,
    failed,
    seconds: elapsed,
    rate: ok / elapsed,
    cpuMicrosPerOp: ok > 0 ? cpu / ok : undefined,
    ...(error ? { error } : {}),
  }
}

async function observeAll(impl, { path, window = 64, limit = 0 }) {
  const all = await impl.endpoints()
  const names = limit > 0 ? all.slice(0, limit) : all
  let ok = 0
  let failed = 0
  let error
  let cursor = 0
  const t0 = performance.now()
  const worker = async () => {
    while (cursor < names.length) {
      const ep = names[cursor++]
      try {
        await impl.observe(ep, path)
        ok++
      } catch (e) {
        failed++
        error ??= String(e?.message ?? e)
      }
    }
  }
  await Promise.all(Array.from({ length: window }, worker))
  return { ok, failed, seconds: (performance.now() - t0) / 1000, ...(error ? { error } : {}) }
}

export async function serve(impl) {
  process.stdout.write(`${JSON.stringify({ ready: true, port: impl.port })}\n`)
  const lines = createInterface({ input: process.stdin })
  for await (const line of lines) {
    const msg = JSON.parse(line)
    let out
    try {
      if (msg.cmd === 'heap') out = { heapUsed: heap() }
      else if (msg.cmd === 'count') out = { count: await impl.count() }
      else if (msg.cmd === 'cpu') out = { micros: cpuMicros() }
      else if (msg.cmd === 'read') out = await readLoop(impl, msg)
      else if (msg.cmd === 'observe') out = await observeAll(impl, msg)
      else if (msg.cmd === 'notifications') out = impl.takeNotifications()
      else if (msg.cmd === 'exit') break
      else out = { error: `unknown command ${msg.cmd}` }
    } catch (e) {
      out = { error: String(e?.stack ?? e) }
    }
    process.stdout.write(`${JSON.stringify(out)}\n`)
  }
  await impl.stop()
  process.exit(0)
}
