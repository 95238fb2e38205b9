#!/usr/bin/env node
// `pnpm bench`: runs the suites side by side in one go, prints tables and writes JSON to
// bench/results/ (git-ignored). Benchmarks report ratios measured in the same run; tests
// never assert timings. See `pnpm bench -- --help`.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import { fileURLToPath } from 'node:url'
import { parseArgs, usage } from './lib/args.mjs'
import { fmt, formatTable } from './lib/table.mjs'
import { runCoapSuite } from './suites/coap/index.mjs'
import { runCodecSuite } from './suites/codec.mjs'
import { runLwm2mSuite } from './suites/lwm2m/index.mjs'

let opts
try {
  opts = parseArgs(
    process.argv.slice(2).filter((a) => a !== '--'),
    process.env,
  )
} catch (e) {
  console.error(`${e.message}\n\n${usage()}`)
  process.exit(2)
}
if (opts.help) {
  console.log(usage())
  process.exit(0)
}

const log = (line) => process.stderr.write(`${line}\n`)
const report = {
  startedAt: new Date().toISOString(),
  node: process.version,
  platform: `${os.platform()} ${os.release()} ${os.arch()}`,
  cpus: `${os.cpus().length} x ${os.cpus()[0]?.model ?? 'unknown'}`,
  options: opts,
  suites: {},
}
log(`bench: ${report.cpus}, Node ${process.version}; ${opts.runs} run(s) of ${opts.duration} s per point`)

const out = []
if (opts.suites.includes('codec')) {
  const codec = await runCodecSuite(opts, log)
  report.suites.codec = codec
  out.push(
    'Codec (in process, median ops/s)',
    formatTable(
      ['case', 'ops/s'],
      codec.map((c) => [c.name, fmt.int(c.opsPerSec)]),
    ),
    '',
  )
}

if (opts.suites.includes('coap')) {
  const coap = await runCoapSuite(opts, log)
  report.suites.coap = coap
  const rows = []
  for (const s of coap) {
    if (!s.available) {
      rows.push([s.label, '-', 'not available', '-', '-', '-', '-', '-', '-'])
      continue
    }
    for (const p of s.points) {
      rows.push([
        s.label,
        p.k,
        fmt.int(p.rps),
        fmt.ratio(p.vsEcho),
        fmt.ms(p.p50Ms),
        fmt.ms(p.p99Ms),
        fmt.int(p.cpuMicrosPerOp),
        p.lost,
        p.errors,
      ])
    }
  }
  if (rows.length > 0 && opts.runs > 0)
    out.push(
      `CoAP round trips per second (median of ${opts.runs}, ${opts.duration} s each; loopback; K = requests in flight)`,
      formatTable(['server', 'K', 'req/s', 'vs echo', 'p50 ms', 'p99 ms', 'CPU µs', 'lost', 'errors'], rows),
      '',
    )
  out.push(
    'Server memory (own process; peak = VmHWM over the whole server run)',
    formatTable(
      ['server', 'idle RSS MB', 'peak RSS MB', 'note'],
      coap.map((s) =>
        s.available ? [s.label, fmt.mb(s.idleRssKb), fmt.mb(s.peakRssKb), ''] : [s.label, '-', '-', s.reason],
      ),
    ),
    '',
  )
  const sustained = coap.filter((s) => s.sustained)
  if (sustained.length > 0) {
    const target = opts['rss-target']
    out.push(
      `Sustained load (${opts.sustained} s at K = ${opts['sustained-k']}; RSS target ${target} MB)`,
      formatTable(
        ['server', 'req/s', 'lost', 'peak RSS MB', 'end RSS MB', `under ${target} MB`],
        sustained.map((s) => [
          s.label,
          fmt.int(s.sustained.rps),
          s.sustained.lost,
          fmt.mb(s.sustained.peakRssKb),
          fmt.mb(s.sustained.endRssKb),
          s.sustained.peakRssKb / 1024 < target ? 'yes' : 'NO',
        ]),
      ),
      '',
    )
  }
}

if (opts.suites.includes('lwm2m')) {
  const lwm2m = await runLwm2mSuite(opts, log, report.suites.coap)
  report.suites.lwm2m = lwm2m
  const pct = (x) => (x === undefined ? undefined : `${x.toFixed(2)}x`)
  const cpuCell = (m) =>
    m?.cpuMicrosPerOp === undefined
      ? undefined
      : `${fmt.int(m.cpuMicrosPerOp)}${m.cpuVsEcho === undefined ? '' : ` (${m.cpuVsEcho.toFixed(2)}x${m.cpuVsRaw === undefined ? '' : `, ${m.cpuVsRaw.toFixed(2)}x raw`})`}`
  const rows = []
  for (const s of lwm2m.servers) {
    if (!s.available) {
      rows.push([s.label, '-', 'not available', '-', '-', '-', '-', '-', '-', '-', '-', '-', '-'])
      continue
    }
    for (const p of s.points) {
      const d = p.registrations?.deciles
      rows.push([
        s.label,
        p.n,
        fmt.int(p.registrations?.rate),
        pct(p.registrations?.vsEcho),
        pct(p.registrations?.vsRaw),
        // The 2nd and 9th tenths: the 1st holds the pipeline's fill (K requests the server handles
        // before the first answer counts), the 10th its drain (the last K answers, sent earlier).
        d && d.length >= 9 ? `${fmt.int(d[1])}..${fmt.int(d[8])}` : '-',
        cpuCell(p.registrations),
        fmt.int(p.reads?.rate),
        pct(p.reads?.vsEcho),
        pct(p.reads?.vsRaw),
        cpuCell(p.reads),
        fmt.int(p.notifications?.rate),
        p.error ??
          (p.reads?.failed || p.notifications?.lost
            ? `${p.reads?.failed ?? 0} reads failed, ${p.notifications?.lost ?? 0} notifications lost`
            : ''),
      ])
    }
  }
  out.push(
    `LwM2M: N simulated 1.0 clients (another process), K = ${lwm2m.k} in flight; ceiling = raw UDP echo at K = ${lwm2m.k}: ${fmt.int(lwm2m.ceiling.rps)} round trips/s (${lwm2m.ceiling.source}), ${fmt.int(lwm2m.ceiling.cpuMicrosPerOp) ?? '-'} µs of its CPU each; CPU µs = server process CPU time (user + system) per operation (in parentheses: echo's CPU per round trip / it, and the raw LwM2M responder's CPU per operation / it); vs raw = rate / the raw LwM2M responder's at the same N`,
    formatTable(
      [
        'server',
        'N',
        'registrations/s',
        'vs echo',
        'vs raw',
        '2nd..9th tenth',
        'CPU µs',
        'reads/s',
        'vs echo',
        'vs raw',
        'CPU µs',
        'notifications/s',
        'note',
      ],
      rows,
    ),
    '',
    'LwM2M server heap per registered client (B; GC before and after the burst; targets: <= 1 KiB in the store, <= 2 KiB in all)',
    formatTable(
      ['server', 'N', 'all in, after the burst', 'RSS MB', 'store only (in process)', 'note'],
      lwm2m.servers.flatMap((s) =>
        s.memory.map((m) => [
          s.label,
          m.n,
          fmt.int(m.bytesPerClient),
          fmt.mb(m.rssKb),
          s.server === 'lwm2m-server'
            ? fmt.int(lwm2m.store.find((x) => x.n === m.n)?.storeBytesPerClient)
            : '-',
          m.skipped ?? m.error ?? '',
        ]),
      ),
    ),
    '',
  )
}

// Suites that live in their packages as plain scripts: each prints its own table and writes
// its JSON under bench/results/, which is folded into this run's report.
const SCRIPT_SUITES = {
  'core-codecs': { script: '../packages/lwm2m-core/bench/codecs.bench.mjs', json: 'core-codecs.json' },
  dtls: { script: '../packages/dtls/bench/dtls.bench.mjs', json: 'dtls.json' },
}
const dir = fileURLToPath(new URL('./results/', import.meta.url))
mkdirSync(dir, { recursive: true })
for (const [name, suite] of Object.entries(SCRIPT_SUITES)) {
  if (!opts.suites.includes(name)) continue
  const script = fileURLToPath(new URL(suite.script, import.meta.url))
  if (!existsSync(script)) {
    log(`bench: suite ${name} has no script (${script})`)
    continue
  }
  log(`bench: suite ${name}`)
  const env = { ...process.env, ...(opts.quick ? { BENCH_MS: '100', BENCH_QUICK: '1' } : {}) }
  const r = spawnSync(process.execPath, [script], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env,
    encoding: 'utf8',
  })
  out.push(`${name} (its own script; see its table)`, r.stdout.trim(), '')
  const json = `${dir}${suite.json}`
  report.suites[name] = existsSync(json)
    ? JSON.parse(readFileSync(json, 'utf8'))
    : { error: `exit ${r.status}` }
}

const file = `${dir}bench-${report.startedAt.replace(/[:.]/g, '-')}.json`
writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`)
writeFileSync(`${dir}latest.json`, `${JSON.stringify(report, null, 2)}\n`)
console.log(`\n${out.join('\n')}`)
console.log(`JSON: ${file}`)
