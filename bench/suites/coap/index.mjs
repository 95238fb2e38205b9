// The CoAP suite: request/response round trips per second of several servers, each in its
// own process, driven by the load generator (another process) at K requests in flight;
// ratios against the raw UDP echo ceiling measured in the same run; peak RSS per server.
import { fileURLToPath } from 'node:url'
import { cpuOf, memoryOf, runJsonScript, sampleMemory, startJsonServer, stopChild } from '../../lib/proc.mjs'
import { median, medianRun } from '../../lib/stats.mjs'
import { startLibcoap } from './libcoap.mjs'

const here = (p) => fileURLToPath(new URL(p, import.meta.url))
const LOADGEN = here('./loadgen.mjs')

export const SERVERS = {
  echo: {
    label: 'raw UDP echo (ceiling)',
    mode: 'echo',
    path: 'bench',
    start: () => startJsonServer(process.execPath, [here('./servers/echo.mjs')]),
  },
  'lwm2m-coap': {
    label: '@lwm2m/coap',
    mode: 'coap',
    path: 'bench',
    start: () => startJsonServer(process.execPath, [here('./servers/lwm2m-coap.mjs')]),
  },
  'node-coap': {
    label: 'node-coap',
    mode: 'coap',
    path: 'bench',
    start: () => startJsonServer(process.execPath, [here('./servers/node-coap.mjs')]),
  },
  libcoap: {
    label: 'libcoap coap-server-notls',
    mode: 'coap',
    path: 'time',
    start: () => startLibcoap(),
  },
}

function loadgenArgs(server, port, k, durationS, opts) {
  return [
    `--port=${port}`,
    `--k=${k}`,
    `--duration=${durationS}`,
    `--warmup=${opts.warmup}`,
    `--mode=${server.mode}`,
    `--path=${server.path}`,
    `--timeout=${opts.timeout}`,
  ]
}

/** One load run; with the server's pid, its CPU time per request (warm-up included in both). */
async function runLoad(server, port, k, seconds, opts, pid) {
  const timeoutMs = (opts.warmup + seconds) * 1000 + 30_000
  const cpu0 = pid === undefined ? undefined : cpuOf(pid)
  const run = await runJsonScript(LOADGEN, loadgenArgs(server, port, k, seconds, opts), { timeoutMs })
  const cpu1 = pid === undefined ? undefined : cpuOf(pid)
  if (cpu0 !== undefined && cpu1 !== undefined && run.sentInAll > 0) {
    run.cpuMicrosPerOp = (cpu1 - cpu0) / run.sentInAll
  }
  return run
}

async function sustainedRun(entry, opts, log) {
  const { name, server, child, port } = entry
  const k = opts['sustained-k']
  log(`  ${name}: sustained ${opts.sustained} s at K=${k} ...`)
  const timeline = []
  const tick = setInterval(() => timeline.push(memoryOf(child.pid).rssKb), 1000)
  let run
  try {
    run = await runLoad(server, port, k, opts.sustained, opts)
  } finally {
    clearInterval(tick)
  }
  const { rssKb } = memoryOf(child.pid)
  const samples = timeline.filter((x) => x !== undefined)
  const result = {
    k,
    seconds: opts.sustained,
    rps: run.rps,
    lost: run.lost,
    errors: run.errors,
    p99Ms: run.p99Ms,
    peakRssKb: Math.max(rssKb ?? 0, ...samples),
    endRssKb: rssKb,
    rssTimelineKb: timeline,
  }
  log(
    `  ${name}: sustained ${Math.round(run.rps)} per s, RSS peak ${(result.peakRssKb / 1024).toFixed(1)} MB`,
  )
  return result
}

/**
 * Starts every server first, each in its own process, then measures run by run, K by K,
 * server by server, so that load from elsewhere on the machine during the run affects all
 * of them alike; the ratios to the echo ceiling are taken within the same run.
 */
export async function runCoapSuite(opts, log) {
  const entries = []
  const results = []
  try {
    for (const name of opts.servers) {
      const server = SERVERS[name]
      if (server === undefined)
        throw new Error(`unknown server ${name} (one of ${Object.keys(SERVERS).join(', ')})`)
      let started
      try {
        started = await server.start()
      } catch (e) {
        started = { unavailable: e.message }
      }
      if (started.unavailable) {
        log(`coap: ${server.label}: not available: ${started.unavailable}`)
        results.push({ server: name, label: server.label, available: false, reason: started.unavailable })
        continue
      }
      const { child, port } = started
      const entry = { name, server, child, port, sampler: sampleMemory(child.pid), points: new Map() }
      const result = {
        server: name,
        label: server.label,
        available: true,
        idleRssKb: memoryOf(child.pid).rssKb,
      }
      entry.result = result
      entries.push(entry)
      results.push(result)
      log(`coap: ${server.label} on port ${port}`)
    }

    for (let r = 0; r < opts.runs; r++) {
      for (const k of opts.k) {
        for (const entry of entries) {
          if (entry.failed) continue
          try {
            const run = await runLoad(entry.server, entry.port, k, opts.duration, opts, entry.child.pid)
            if (!entry.points.has(k)) entry.points.set(k, [])
            entry.points.get(k).push(run)
            log(`  run ${r + 1}/${opts.runs} K=${k} ${entry.name}: ${Math.round(run.rps)} per s`)
          } catch (e) {
            entry.failed = e.message
            log(`  ${entry.name}: failed: ${e.message}`)
          }
        }
      }
    }

    if (opts.sustained > 0) {
      for (const entry of entries) {
        if (entry.failed) continue
        try {
          entry.result.sustained = await sustainedRun(entry, opts, log)
        } catch (e) {
          entry.failed = e.message
          log(`  ${entry.name}: sustained run failed: ${e.message}`)
        }
      }
    }
  } finally {
    for (const entry of entries) {
      const memory = entry.sampler.stop()
      entry.result.peakRssKb = memory.hwmKb ?? memory.maxRssKb
      await stopChild(entry.child)
    }
  }

  for (const entry of entries) {
    const { result } = entry
    if (entry.failed) result.failed = entry.failed
    result.points = [...entry.points].map(([k, runs]) => {
      const mid = medianRun(runs, 'rps')
      return {
        k,
        rps: median(runs.map((x) => x.rps)),
        p50Ms: mid?.p50Ms,
        p99Ms: mid?.p99Ms,
        cpuMicrosPerOp: median(runs.map((x) => x.cpuMicrosPerOp).filter((x) => x !== undefined)),
        lost: runs.reduce((a, x) => a + x.lost, 0),
        errors: runs.reduce((a, x) => a + x.errors, 0),
        runs,
      }
    })
  }
  const echo = results.find((x) => x.server === 'echo' && x.available)
  for (const x of results) {
    for (const p of x.points ?? []) {
      const ceiling = echo?.points.find((e) => e.k === p.k)?.rps
      p.vsEcho = ceiling ? p.rps / ceiling : undefined
    }
  }
  return results
}
