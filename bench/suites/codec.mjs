// The codec suite: operations per second of the hot-path codecs, in this process.
// Each case runs in batches until `seconds` passed; the median of `runs` is reported.
import { performance } from 'node:perf_hooks'

function measure(fn, seconds) {
  const batch = 2000
  let ops = 0
  const t0 = performance.now()
  const until = t0 + seconds * 1000
  let now = t0
  while (now < until) {
    for (let i = 0; i < batch; i++) fn()
    ops += batch
    now = performance.now()
  }
  return (ops * 1000) / (now - t0)
}

export async function runCodecSuite(opts, log) {
  let coap
  try {
    coap = await import('@lwm2m/coap')
  } catch (e) {
    log(`codec: @lwm2m/coap cannot be imported (${e.message}); run pnpm build`)
    return []
  }
  const { decodeMessage, encodeMessage, encodeString, encodeUint, parseLinkFormat, formatLinkFormat } = coap
  const request = encodeMessage({
    type: 0,
    code: 1,
    messageId: 0x1234,
    token: Uint8Array.of(1, 2, 3, 4),
    options: [
      { number: 11, value: encodeString('3303') },
      { number: 11, value: encodeString('0') },
      { number: 11, value: encodeString('5700') },
      { number: 17, value: encodeUint(11543) },
    ],
    payload: new Uint8Array(0),
  })
  const response = {
    type: 2,
    code: 0x45,
    messageId: 0x1234,
    token: Uint8Array.of(1, 2, 3, 4),
    options: [{ number: 12, value: encodeUint(0) }],
    payload: encodeString('22.5'),
  }
  const registration = Array.from({ length: 20 }, (_, i) => `</${i + 1}/0>`)
  registration.unshift('</>;rt="oma.lwm2m";ct=11543')
  const registrationText = registration.join(',')
  const links = parseLinkFormat(registrationText)

  const cases = [
    ['decode CON GET /3303/0/5700', () => decodeMessage(request)],
    ['encode ACK 2.05 "22.5"', () => encodeMessage(response)],
    ['parse registration links (21)', () => parseLinkFormat(registrationText)],
    ['format registration links (21)', () => formatLinkFormat(links)],
  ]
  const seconds = opts.quick ? 0.2 : 1
  const runs = Math.max(1, opts.runs)
  const results = []
  for (const [name, fn] of cases) {
    for (let i = 0; i < 1000; i++) fn() // warm-up for the JIT
    const samples = []
    for (let r = 0; r < runs; r++) samples.push(measure(fn, seconds))
    samples.sort((a, b) => a - b)
    const opsPerSec = samples[(samples.length - 1) >> 1]
    log(`codec: ${name}: ${Math.round(opsPerSec).toLocaleString('en-US')} ops/s`)
    results.push({ name, opsPerSec, samples })
  }
  return results
}
