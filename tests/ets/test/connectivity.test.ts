/**
 * ETS INT 1.2 section 6.6: Connectivity Monitoring (700-749, configuration C.5) and
 * Connectivity Statistics (900-949, configuration C.9).
 */
import { isIP } from 'node:net'
import { Code, encodeMessage } from '@lwm2m/coap'
import { connectivityMonitoringModel } from '@lwm2m/objects'
import { afterEach, describe, expect, it } from 'vitest'
import { type C5, C5_CONNECTIVITY, c5 } from '../src/configurations/c05.js'
import { type C9, c9, IPV4_UDP_OVERHEAD } from '../src/configurations/c09.js'
import { ENDPOINT as EP } from '../src/harness.js'
import { answerCode, Bench, type BenchConfiguration, collect, plainInstance } from '../src/harness-b.js'
import { codeOf, contentFormatOf, observeOf } from '../src/wire.js'

let bench: Bench<BenchConfiguration> | undefined

afterEach(async () => {
  await bench?.close()
  bench = undefined
})

async function start<C extends BenchConfiguration>(
  configuration: Parameters<typeof Bench.start<C>>[0]['configuration'],
): Promise<Bench<C>> {
  const b = await Bench.start({ configuration })
  bench = b
  return b
}

/** Checks a value against a RangeEnumeration of the model ("0..50", "0-100"). */
function inRange(resourceId: number, value: unknown): boolean {
  const range = connectivityMonitoringModel.resources.get(resourceId)?.rangeEnumeration ?? ''
  const m = /^(-?\d+)\s*(?:\.\.|-)\s*(-?\d+)$/.exec(range.trim())
  if (m === null) return true
  return typeof value === 'number' && value >= Number(m[1]) && value <= Number(m[2])
}

/** The Connectivity Monitoring values as the TS defines them valid. */
function expectValidConnectivity(values: Record<number, unknown>): void {
  // Mandatory: Network Bearer, Available Network Bearer, Radio Signal Strength, IP Addresses.
  for (const id of [0, 1, 2, 4]) expect(values[id], `/4/0/${id}`).toBeDefined()
  expect(inRange(0, values[0])).toBe(true)
  const bearers = Object.values(values[1] as Record<number, number>)
  expect(bearers.length).toBeGreaterThan(0)
  for (const b of bearers) expect(inRange(1, b)).toBe(true)
  // The bearer in use is one of those available.
  expect(bearers).toContain(values[0])
  // Radio Signal Strength in dBm: a received power, negative.
  expect(values[2]).toBeLessThan(0)
  for (const a of Object.values(values[4] as Record<number, string>)) expect(isIP(a)).not.toBe(0)
  for (const a of Object.values(values[5] as Record<number, string>)) expect(isIP(a)).not.toBe(0)
  expect(inRange(6, values[6])).toBe(true)
  for (const apn of Object.values(values[7] as Record<number, string>))
    expect(apn).toMatch(/^[A-Za-z0-9.-]+$/)
  // Cell ID: an E-UTRAN cell identity has 28 bits.
  expect(values[8]).toBeGreaterThanOrEqual(0)
  expect(values[8]).toBeLessThan(2 ** 28)
  expect(inRange(9, values[9])).toBe(true)
  expect(inRange(10, values[10])).toBe(true)
}

describe('Connectivity Monitoring (ETS 1.2 section 6.6, Object 4)', () => {
  it('LightweightM2M-1.1-int-701 Read readable resources', async () => {
    const b = await start<C5>(c5)
    const r = await b.until(b.server.read(EP, '/4/0'))
    expect(r.code).toBe(Code.Content)
    const values = plainInstance(r.node)
    // The mandatory resources 0, 1, 2, 4 and the optional ones C.5 provisions (3, 5-10), each
    // with the provisioned values; 1, 4, 5 and 7 with two instances.
    expect(values).toEqual({
      0: C5_CONNECTIVITY.networkBearer,
      1: { ...C5_CONNECTIVITY.availableNetworkBearers },
      2: C5_CONNECTIVITY.radioSignalStrength,
      3: C5_CONNECTIVITY.linkQuality,
      4: { ...C5_CONNECTIVITY.ipAddresses },
      5: { ...C5_CONNECTIVITY.routerIpAddresses },
      6: C5_CONNECTIVITY.linkUtilization,
      7: { ...C5_CONNECTIVITY.apn },
      8: C5_CONNECTIVITY.cellId,
      9: C5_CONNECTIVITY.smnc,
      10: C5_CONNECTIVITY.smcc,
    })
    for (const id of [1, 4, 5, 7]) expect(Object.keys(values[id] as object)).toHaveLength(2)
    expectValidConnectivity(values)
    const get = b.wire.last({ dir: 'out', method: 'GET', path: '/4/0' })
    expect(codeOf(get)).toBe('2.05')
    expect(contentFormatOf(get.response!.message)).toBe(r.contentFormat)
  })

  it('LightweightM2M-1.1-int-710 Basic observation', async () => {
    const b = await start<C5>(c5)
    expect(await answerCode(b.until(b.server.writeAttributes(EP, '/4/0', { pmin: 2, pmax: 10 })))).toBe(
      Code.Changed,
    )
    const sub = b.server.observe(EP, '/4/0')
    const got = collect(sub)
    const first = await b.until(sub.ready)
    const get = b.wire.last({ dir: 'out', method: 'GET', path: '/4/0' })
    expect(observeOf(get.request.message)).toBe(0)
    expect(codeOf(get)).toBe('2.05')
    // 2.05 with the initial values.
    expect(plainInstance(first.node)[2]).toBe(C5_CONNECTIVITY.radioSignalStrength)
    expectValidConnectivity(plainInstance(first.node))
    const t0 = first.receivedAt
    // The radio conditions change every second for 9 s (the modem's measurements, half a
    // second off the notification times) ...
    const measured: { at: number; rsrp: number; rsrq: number }[] = []
    await b.advance(500)
    for (let s = 1; s <= 9; s++) {
      const rsrp = -93 - s
      const rsrq = -10 - (s % 3)
      b.config.connectivity.update({ radioSignalStrength: rsrp, linkQuality: rsrq })
      measured.push({ at: b.clock.now(), rsrp, rsrq })
      await b.advance(1_000)
    }
    // ... then stay.
    await b.advance(30_500)
    const later = got.slice(1)
    const times = [t0, ...later.map((n) => n.receivedAt)]
    // Paced by pmin 2 s while the values change, by pmax 10 s when they do not.
    expect(times.map((t) => t - t0)).toEqual([0, 2_000, 4_000, 6_000, 8_000, 10_000, 20_000, 30_000, 40_000])
    // Each notification has the current values: the last measurement at its time.
    for (const n of later) {
      const now = [...measured].reverse().find((m) => m.at <= n.receivedAt)!
      const values = plainInstance(n.node)
      expect(values[2]).toBe(now.rsrp)
      expect(values[3]).toBe(now.rsrq)
      expectValidConnectivity(values)
    }
    await sub.cancel()
  })
})

/** The size of the IP message carrying a CoAP message (the datagram and the IPv4 and UDP headers). */
function ipSize(message: Parameters<typeof encodeMessage>[0]): number {
  return encodeMessage(message).length + IPV4_UDP_OVERHEAD
}

describe('Connectivity Statistics (ETS 1.2 section 6.6, Object 7)', () => {
  it('LightweightM2M-1.1-int-901 Data collection', async () => {
    const b = await start<C9>(c9)
    // ETS erratum (section 10.1): Execute success is written "2.4"; it is 2.04 Changed.
    const since = b.wire.mark()
    expect(await answerCode(b.until(b.server.execute(EP, '/7/0/6')))).toBe(Code.Changed)
    await b.advance(5_000)
    expect(await answerCode(b.until(b.server.execute(EP, '/7/0/7')))).toBe(Code.Changed)
    const r = await b.until(b.server.read(EP, '/7/0'))
    expect(r.code).toBe(Code.Content)
    const values = plainInstance(r.node)
    // What the device carried between Start and Stop, as the server saw it: the answer to
    // Start (sent once collecting) and the Stop request (received while collecting).
    const startExec = b.wire.last({ dir: 'out', method: 'POST', path: '/7/0/6', since })
    const stop = b.wire.last({ dir: 'out', method: 'POST', path: '/7/0/7', since })
    const fromDevice = [startExec.response!.message].map(ipSize)
    const toDevice = [stop.request.message].map(ipSize)
    const sizes = [...fromDevice, ...toDevice]
    // Nothing else travelled in between.
    const first = b.wire.messages.indexOf(startExec.response!)
    const last = b.wire.messages.indexOf(stop.request)
    expect(last).toBe(first + 1)
    expect(values).toEqual({
      0: 0, // SMS Tx counter: the device has no SMS
      1: 0, // SMS Rx counter
      2: Math.floor(fromDevice.reduce((a, s) => a + s, 0) / 1024), // Tx Data, kB
      3: Math.floor(toDevice.reduce((a, s) => a + s, 0) / 1024), // Rx Data, kB
      4: Math.max(...sizes), // Max Message Size
      5: Math.round(sizes.reduce((a, s) => a + s, 0) / sizes.length), // Average Message Size
      8: 0, // Collection Period
    })
    expect(values[4]).toBeGreaterThanOrEqual(values[5] as number)
  })

  it('LightweightM2M-1.1-int-905 Set writable resources', async () => {
    const b = await start<C9>(c9)
    const before = await b.until(b.server.read(EP, '/7/0'))
    expect(before.code).toBe(Code.Content)
    expect(plainInstance(before.node)[8]).toBe(0)
    expect(await answerCode(b.until(b.server.write(EP, '/7/0/8', 3600)))).toBe(Code.Changed)
    const after = await b.until(b.server.read(EP, '/7/0'))
    expect(after.code).toBe(Code.Content)
    expect(plainInstance(after.node)).toEqual({ ...plainInstance(before.node), 8: 3600 })
  })

  it('LightweightM2M-1.1-int-910 Observation', async () => {
    const b = await start<C9>(c9)
    expect(await answerCode(b.until(b.server.writeAttributes(EP, '/7/0', { pmin: 2, pmax: 10 })))).toBe(
      Code.Changed,
    )
    expect(await answerCode(b.until(b.server.write(EP, '/7/0/8', 0)))).toBe(Code.Changed)
    const sub = b.server.observe(EP, '/7/0')
    const got = collect(sub)
    const first = await b.until(sub.ready)
    const get = b.wire.last({ dir: 'out', method: 'GET', path: '/7/0' })
    expect(observeOf(get.request.message)).toBe(0)
    expect(codeOf(get)).toBe('2.05')
    // 2.05 with the initial values: nothing counted before Start.
    expect(plainInstance(first.node)).toEqual({ 0: 0, 1: 0, 2: 0, 3: 0, 4: 0, 5: 0, 8: 0 })
    expect(await answerCode(b.until(b.server.execute(EP, '/7/0/6')))).toBe(Code.Changed)
    const started = b.clock.now()
    // The server reads the device twice a second for 20 s: traffic to count.
    for (let i = 0; i < 40; i++) {
      await b.until(b.server.read(EP, '/3/0'))
      await b.advance(500)
    }
    expect(await answerCode(b.until(b.server.execute(EP, '/7/0/7')))).toBe(Code.Changed)
    const stopped = b.clock.now()
    await b.advance(25_000)
    await b.until(sub.cancel())
    // Paced by pmin 2 s and pmax 10 s.
    const times = got.map((n) => n.receivedAt)
    for (let i = 1; i < times.length; i++) {
      expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(2_000)
      expect(times[i]! - times[i - 1]!).toBeLessThanOrEqual(10_000)
    }
    // Rising counters while collecting: Tx and Rx Data never go down and grow.
    const during = got
      .filter((n) => n.receivedAt > started && n.receivedAt <= stopped)
      .map((n) => plainInstance(n.node))
    expect(during.length).toBeGreaterThanOrEqual(9)
    for (const id of [2, 3, 4]) {
      const series = during.map((v) => v[id] as number)
      for (let i = 1; i < series.length; i++) expect(series[i]).toBeGreaterThanOrEqual(series[i - 1]!)
    }
    expect(during.at(-1)![2]).toBeGreaterThan(during[0]![2] as number)
    expect(during.at(-1)![3]).toBeGreaterThan(during[0]![3] as number)
    // After Stop the counters hold: notifications come at pmax only, all with the same values.
    const after = got.filter((n) => n.receivedAt > stopped + 2_000).map((n) => plainInstance(n.node))
    expect(after.length).toBeGreaterThanOrEqual(2)
    for (const v of after) expect(v).toEqual(after[0])
    // Stop observing: the server cancelled, nothing more arrives.
    const cancel = b.wire.last({ dir: 'out', method: 'GET', path: '/7/0' })
    expect(observeOf(cancel.request.message)).toBe(1)
    expect(codeOf(cancel)).toBe('2.05')
    const mark = b.wire.mark()
    await b.advance(30_000)
    expect(b.wire.messages.slice(mark).filter((m) => m.dir === 'in')).toEqual([])
  })
})
