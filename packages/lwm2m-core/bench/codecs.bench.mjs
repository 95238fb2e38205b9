#!/usr/bin/env node
// Codec benchmark of @lwm2m/core: encodes and decodes per second of the Device object
// instance /3/0 (the values of the Core TS examples) and of a 100-resource instance, in
// every format, beside the npm package lwm2m-codec (TLV and OMA JSON only) and the raw CBOR
// libraries, all in the same run. Run after `pnpm build`:
//   node packages/lwm2m-core/bench/codecs.bench.mjs [--ms=1000]
// Each figure is the best of 5 rounds of ms/5 each.
// Prints a table and writes bench/results/core-codecs.json at the repository root.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import {
  cborCodec,
  instance,
  Lwm2mPath,
  lwm2mCborCodec,
  modelLookup,
  multipleResource,
  nodesEqual,
  omaJsonCodec,
  senmlCborCodec,
  senmlJsonCodec,
  singleResource,
  textCodec,
  tlvCodec,
} from '../dist/index.js'

const here = dirname(fileURLToPath(import.meta.url))
const require = createRequire(import.meta.url)
const msArg = process.argv.find((a) => a.startsWith('--ms='))
const pkgVersion = (name) =>
  JSON.parse(readFileSync(join(here, '..', 'node_modules', name, 'package.json'), 'utf8')).version
const MS = msArg ? Number(msArg.slice(5)) : Number(process.env.BENCH_MS ?? 1000)

/** Operations per second of `fn`: the best of 5 rounds (robust to other load on the machine). */
function measure(fn) {
  for (let i = 0; i < 200; i++) fn()
  let best = 0
  for (let round = 0; round < 5; round++) {
    let n = 0
    let batch = 20
    const t0 = performance.now()
    let t = 0
    do {
      for (let i = 0; i < batch; i++) fn()
      n += batch
      t = performance.now() - t0
      if (t < 10) batch *= 2
    } while (t < MS / 5)
    best = Math.max(best, (n / t) * 1000)
  }
  return Math.round(best)
}

// ---- models and nodes ------------------------------------------------------------------
const r = (id, type, multiple = false) => ({
  id,
  name: `R${id}`,
  operations: 'RW',
  multiple,
  mandatory: false,
  type,
  rangeEnumeration: '',
  units: '',
  description: '',
})
const object = (id, resources) => ({
  id,
  name: `O${id}`,
  description: '',
  version: '1.0',
  lwm2mVersion: '1.1',
  urn: '',
  multiple: true,
  mandatory: false,
  resources: new Map(resources.map((x) => [x.id, x])),
})
const DEVICE = object(3, [
  r(0, 'string'),
  r(1, 'string'),
  r(2, 'string'),
  r(3, 'string'),
  r(6, 'integer', true),
  r(7, 'integer', true),
  r(8, 'integer', true),
  r(9, 'integer'),
  r(10, 'integer'),
  r(11, 'integer', true),
  r(13, 'time'),
  r(14, 'string'),
  r(16, 'string'),
])
const TYPES = ['string', 'integer', 'float', 'boolean']
const BIG = object(
  30000,
  Array.from({ length: 100 }, (_, i) => r(i, TYPES[i % 4])),
)
const models = modelLookup([DEVICE, BIG])

const device = instance(0, [
  singleResource(0, 'string', 'Open Mobile Alliance'),
  singleResource(1, 'string', 'Lightweight M2M Client'),
  singleResource(2, 'string', '345000123'),
  singleResource(3, 'string', '1.0'),
  multipleResource(6, 'integer', [1, 5]),
  multipleResource(7, 'integer', [3800, 5000]),
  multipleResource(8, 'integer', [125, 900]),
  singleResource(9, 'integer', 100),
  singleResource(10, 'integer', 15),
  multipleResource(11, 'integer', [0]),
  singleResource(13, 'time', new Date(1367491215000)),
  singleResource(14, 'string', '+02:00'),
  singleResource(16, 'string', 'U'),
])
// Integers stay below 32768: lwm2m-codec 0.1.1 writes 32768..65535 as a 16-bit signed integer and throws.
const bigValue = (i) => [`value ${i}`, i * 100, i + 0.25, i % 8 === 3][i % 4]
const big = instance(
  0,
  Array.from({ length: 100 }, (_, i) => singleResource(i, TYPES[i % 4], bigValue(i))),
)

const DOCS = [
  { name: 'Device /3/0', node: device, path: Lwm2mPath.parse('/3/0') },
  { name: '100 resources /30000/0', node: big, path: Lwm2mPath.parse('/30000/0') },
]
const FORMATS = [
  ['TLV', tlvCodec()],
  ['OMA JSON', omaJsonCodec()],
  ['SenML JSON', senmlJsonCodec()],
  ['SenML CBOR', senmlCborCodec()],
  ['LwM2M CBOR', lwm2mCborCodec()],
]

const rows = []
function row(group, impl, format, bytes, enc, dec) {
  rows.push({ group, impl, format, bytes, encodePerSec: enc, decodePerSec: dec })
}

for (const doc of DOCS) {
  for (const [name, codec] of FORMATS) {
    const payload = codec.encode(doc.node, doc.path, models)
    const back = codec.decode(payload, doc.path, models)
    if (!nodesEqual(back, doc.node)) throw new Error(`${name} did not round-trip ${doc.name}`)
    const enc = measure(() => codec.encode(doc.node, doc.path, models))
    const dec = measure(() => codec.decode(payload, doc.path, models))
    row(doc.name, '@lwm2m/core', name, payload.length, enc, dec)
  }
}

// Single values: text/plain and CBOR of /3/0/0 and /3/0/13.
for (const [name, codec] of [
  ['text/plain', textCodec()],
  ['CBOR', cborCodec()],
]) {
  for (const [path, node] of [
    ['/3/0/0', device.resources.get(0)],
    ['/3/0/13', device.resources.get(13)],
  ]) {
    const p = Lwm2mPath.parse(path)
    const payload = codec.encode(node, p, models)
    row(
      `single value ${path}`,
      '@lwm2m/core',
      name,
      payload.length,
      measure(() => codec.encode(node, p, models)),
      measure(() => codec.decode(payload, p, models)),
    )
  }
}

// ---- the npm package lwm2m-codec (TLV and LwM2M 1.0 JSON), same documents ---------------
let baseline = 'lwm2m-codec not installed'
try {
  const lw = require('lwm2m-codec')
  baseline = `lwm2m-codec ${pkgVersion('lwm2m-codec')}`
  const plainDevice = {
    0: 'Open Mobile Alliance',
    1: 'Lightweight M2M Client',
    2: '345000123',
    3: '1.0',
    6: { 0: 1, 1: 5 },
    7: { 0: 3800, 1: 5000 },
    8: { 0: 125, 1: 900 },
    9: 100,
    10: 15,
    11: { 0: 0 },
    13: 1367491215,
    14: '+02:00',
    16: 'U',
  }
  const plainBig = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [i, bigValue(i)]))
  for (const [docName, path, value] of [
    ['Device /3/0', '/3/0', plainDevice],
    ['100 resources /30000/0', '/30000/0', plainBig],
  ]) {
    for (const [fmt, name] of [
      ['tlv', 'TLV'],
      ['json', 'OMA JSON'],
    ]) {
      const payload = lw.encode(fmt, path, value)
      const bytes = typeof payload === 'string' ? Buffer.byteLength(payload) : payload.length
      row(
        docName,
        baseline,
        name,
        bytes,
        measure(() => lw.encode(fmt, path, value)),
        measure(() => lw.decode(fmt, path, payload)),
      )
    }
  }
} catch (e) {
  if (e?.code !== 'MODULE_NOT_FOUND') throw e
}

// ---- raw CBOR libraries on the SenML CBOR Device document (how cbor-x was chosen) -------
const senmlDoc = senmlCborCodec().encode(device, Lwm2mPath.parse('/3/0'), models)
const libraries = []
async function library(name, load) {
  try {
    const { enc, dec, version } = await load()
    const value = dec(senmlDoc)
    const same = Buffer.from(enc(value)).equals(Buffer.from(senmlDoc))
    libraries.push({
      library: `${name} ${version}`,
      encodePerSec: measure(() => enc(value)),
      decodePerSec: measure(() => dec(senmlDoc)),
      sameBytes: same,
    })
  } catch (e) {
    if (e?.code !== 'ERR_MODULE_NOT_FOUND' && e?.code !== 'MODULE_NOT_FOUND') throw e
  }
}
await library('cbor-x', async () => {
  const { Encoder } = await import('cbor-x/decode')
  const x = new Encoder({
    useRecords: false,
    mapsAsObjects: false,
    tagUint8Array: false,
    int64AsType: 'auto',
  })
  return { enc: (v) => x.encode(v), dec: (b) => x.decode(b), version: pkgVersion('cbor-x') }
})
await library('cborg', async () => {
  const c = await import('cborg')
  return { enc: (v) => c.encode(v), dec: (b) => c.decode(b, { useMaps: true }), version: pkgVersion('cborg') }
})
await library('cbor2', async () => {
  const c = await import('cbor2')
  return {
    enc: (v) => c.encode(v),
    dec: (b) => c.decode(b, { preferMap: true }),
    version: pkgVersion('cbor2'),
  }
})

// ---- report -----------------------------------------------------------------------------
const fmt = (n) => n.toLocaleString('en-US')
console.log(`@lwm2m/core codecs on Node ${process.version}, best of 5 rounds of ${MS / 5} ms per figure\n`)
console.log(
  `${'document'.padEnd(24)} ${'implementation'.padEnd(18)} ${'format'.padEnd(11)} ${'bytes'.padStart(6)} ${'encode/s'.padStart(11)} ${'decode/s'.padStart(11)}`,
)
for (const x of rows) {
  console.log(
    `${x.group.padEnd(24)} ${x.impl.padEnd(18)} ${x.format.padEnd(11)} ${String(x.bytes).padStart(6)} ${fmt(x.encodePerSec).padStart(11)} ${fmt(x.decodePerSec).padStart(11)}`,
  )
}
const ratios = []
for (const x of rows.filter((x) => x.impl === baseline)) {
  const ours = rows.find((y) => y.impl === '@lwm2m/core' && y.group === x.group && y.format === x.format)
  if (ours)
    ratios.push({
      document: x.group,
      format: x.format,
      encode: +(ours.encodePerSec / x.encodePerSec).toFixed(2),
      decode: +(ours.decodePerSec / x.decodePerSec).toFixed(2),
    })
}
if (ratios.length) {
  console.log(`\nratio @lwm2m/core / ${baseline} (same run; > 1 is faster)`)
  for (const q of ratios)
    console.log(`${q.document.padEnd(24)} ${q.format.padEnd(11)} encode x${q.encode}  decode x${q.decode}`)
}
if (libraries.length) {
  console.log(`\nCBOR libraries, SenML CBOR Device document (${senmlDoc.length} bytes)`)
  for (const l of libraries)
    console.log(
      `${l.library.padEnd(18)} encode/s ${fmt(l.encodePerSec).padStart(9)}  decode/s ${fmt(l.decodePerSec).padStart(9)}  same bytes: ${l.sameBytes}`,
    )
}
const out = join(here, '..', '..', '..', 'bench', 'results')
mkdirSync(out, { recursive: true })
writeFileSync(
  join(out, 'core-codecs.json'),
  `${JSON.stringify({ suite: 'core-codecs', node: process.version, msPerFigure: MS, date: new Date().toISOString(), baseline, rows, ratios, cborLibraries: libraries }, null, 2)}\n`,
)
console.log(`\nwrote ${join(out, 'core-codecs.json')}`)
