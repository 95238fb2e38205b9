// Options of `pnpm bench`, from flags (`--duration=3`) or the environment (BENCH_DURATION=3);
// flags win. `--quick` sets short defaults for a smoke run.

const FLAGS = {
  duration: { env: 'BENCH_DURATION', type: 'number', help: 'seconds measured per point' },
  warmup: { env: 'BENCH_WARMUP', type: 'number', help: 'seconds of warm-up before each measured run' },
  runs: { env: 'BENCH_RUNS', type: 'number', help: 'runs per point; the median is reported' },
  k: { env: 'BENCH_K', type: 'list', help: 'requests in flight, e.g. 1,16,64' },
  servers: { env: 'BENCH_SERVERS', type: 'list', help: 'echo,lwm2m-coap,node-coap,libcoap' },
  suites: { env: 'BENCH_SUITES', type: 'list', help: 'codec,coap,lwm2m,core-codecs,dtls' },
  'lwm2m-clients': {
    env: 'BENCH_LWM2M_CLIENTS',
    type: 'list',
    help: 'lwm2m suite: simulated clients per point (registrations, reads, notifications)',
  },
  'lwm2m-memory': {
    env: 'BENCH_LWM2M_MEMORY',
    type: 'list',
    help: 'lwm2m suite: clients at which server heap per client is measured',
  },
  'lwm2m-servers': {
    env: 'BENCH_LWM2M_SERVERS',
    type: 'list',
    help: 'raw-lwm2m,lwm2m-server,lwm2m-node-lib',
  },
  'lwm2m-k': { env: 'BENCH_LWM2M_K', type: 'number', help: 'lwm2m suite: requests in flight' },
  'lwm2m-observe': {
    env: 'BENCH_LWM2M_OBSERVE',
    type: 'number',
    help: 'lwm2m suite: clients observed for the notification rate (0: all N)',
  },
  sustained: {
    env: 'BENCH_SUSTAINED',
    type: 'number',
    help: 'also run each server this many seconds at one K (flag alone: 60)',
  },
  'sustained-k': {
    env: 'BENCH_SUSTAINED_K',
    type: 'number',
    help: 'requests in flight in the sustained run',
  },
  'rss-target': {
    env: 'BENCH_RSS_TARGET',
    type: 'number',
    help: 'MB of peak RSS the sustained run reports against',
  },
  timeout: { env: 'BENCH_TIMEOUT', type: 'number', help: 'ms after which a request counts as lost' },
  quick: { env: 'BENCH_QUICK', type: 'boolean', help: 'one short run per point (smoke test)' },
  help: { env: undefined, type: 'boolean', help: 'show this help' },
}

const DEFAULTS = {
  duration: 4,
  warmup: 1,
  runs: 3,
  k: [1, 16, 64],
  servers: ['echo', 'lwm2m-coap', 'node-coap', 'libcoap'],
  suites: ['codec', 'coap', 'lwm2m', 'core-codecs', 'dtls'],
  'lwm2m-clients': [1000, 10000],
  'lwm2m-memory': [10000, 100000],
  'lwm2m-servers': ['raw-lwm2m', 'lwm2m-server', 'lwm2m-node-lib'],
  'lwm2m-k': 64,
  'lwm2m-observe': 0,
  sustained: 0,
  'sustained-k': 64,
  'rss-target': 100,
  timeout: 1000,
  quick: false,
  help: false,
}

const QUICK = {
  duration: 1,
  warmup: 0.3,
  runs: 1,
  k: [1, 64],
  'lwm2m-memory': [10000],
  'lwm2m-observe': 1000,
}
const NUMERIC_LISTS = new Set(['k', 'lwm2m-clients', 'lwm2m-memory'])

function convert(name, type, raw) {
  if (type === 'boolean') return raw === undefined || raw === '' || raw === '1' || raw === 'true'
  if (type === 'list') {
    const items = String(raw)
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)
    return NUMERIC_LISTS.has(name) ? items.map(Number) : items
  }
  const n = Number(raw)
  if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} needs a non-negative number, got "${raw}"`)
  return n
}

export function parseArgs(argv, env) {
  const out = { ...DEFAULTS }
  const given = new Set()
  for (const [name, spec] of Object.entries(FLAGS)) {
    if (spec.env !== undefined && env[spec.env] !== undefined && env[spec.env] !== '') {
      out[name] = convert(name, spec.type, env[spec.env])
      given.add(name)
    }
  }
  for (const arg of argv) {
    const m = /^--([a-z0-9-]+)(?:=(.*))?$/.exec(arg)
    if (!m || !(m[1] in FLAGS)) throw new Error(`unknown argument ${arg} (try --help)`)
    const [, name, raw] = m
    const spec = FLAGS[name]
    if (name === 'sustained' && raw === undefined) out.sustained = 60
    else out[name] = convert(name, spec.type, raw)
    given.add(name)
  }
  if (out.quick) for (const [name, v] of Object.entries(QUICK)) if (!given.has(name)) out[name] = v
  for (const name of NUMERIC_LISTS) {
    if (out[name].some((k) => !Number.isInteger(k) || k < 1))
      throw new Error(`--${name} takes positive integers`)
  }
  return out
}

export function usage() {
  const lines = ['Usage: pnpm bench [--flag=value ...]   (or: node bench/run.mjs [--flag=value ...])', '']
  for (const [name, spec] of Object.entries(FLAGS)) {
    const d = DEFAULTS[name]
    const def = Array.isArray(d) ? d.join(',') : String(d)
    lines.push(`  --${name.padEnd(15)} ${spec.help} (default ${def}${spec.env ? `; env ${spec.env}` : ''})`)
  }
  return lines.join('\n')
}
