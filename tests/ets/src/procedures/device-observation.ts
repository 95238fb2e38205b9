import { PowerSource } from '@lwm2m/objects'
import type { NodeNotification } from '@lwm2m/server'
import { expect } from 'vitest'
import type { C4 } from '../configurations/c04.js'
import { ENDPOINT, type Ets } from '../harness.js'
import { flatValues } from '../values.js'
import { codeOf, observeOf } from '../wire.js'

/**
 * int-301's procedure (the result of int-660): read the power sources, attach pmin/pmax to
 * the voltage (/3/0/7: 5 s, 15 s) and the current (/3/0/8: 10 s, 20 s), observe both, and
 * keep receiving their values paced by those attributes while the battery drains for a minute
 * (Core TS 1.2 section 7.3.2: never before pmin after the last notification, never later than
 * pmax; a change waits for pmin).
 */
export async function observeDevicePower(ets: Ets<C4>): Promise<void> {
  const sources = await ets.until(ets.server.read(ENDPOINT, '/3/0/6'))
  expect(codeOf(ets.wire.last({ dir: 'out', method: 'GET', path: '/3/0/6' }))).toBe('2.05')
  expect(flatValues(sources.node, '/3/0/6')).toEqual({ '/3/0/6/0': 1, '/3/0/6/1': 2 })
  for (const [path, pmin, pmax] of [
    ['/3/0/7', 5, 15],
    ['/3/0/8', 10, 20],
  ] as const) {
    expect((await ets.until(ets.server.writeAttributes(ENDPOINT, path, { pmin, pmax }))).code).toBe(0x44)
    expect(codeOf(ets.wire.last({ dir: 'out', method: 'PUT', path }))).toBe('2.04')
  }
  const voltage = ets.server.observe(ENDPOINT, '/3/0/7')
  const current = ets.server.observe(ENDPOINT, '/3/0/8')
  const seen = { voltage: [] as NodeNotification[], current: [] as NodeNotification[] }
  voltage.on('notification', (n) => seen.voltage.push(n))
  current.on('notification', (n) => seen.current.push(n))
  await ets.until(Promise.all([voltage.ready, current.ready]))
  for (const path of ['/3/0/7', '/3/0/8']) {
    const e = ets.wire.last({ dir: 'out', method: 'GET', path })
    expect(observeOf(e.request.message)).toBe(0)
    expect(codeOf(e)).toBe('2.05')
    expect(observeOf(e.response!.message)).toBeDefined()
  }
  expect(flatValues(seen.voltage[0]!.node, '/3/0/7')).toEqual({ '/3/0/7/0': 0, '/3/0/7/1': 0 })
  expect(flatValues(seen.current[0]!.node, '/3/0/8')).toEqual({ '/3/0/8/0': 0, '/3/0/8/1': 0 })
  // A minute of a battery whose voltage and current change every second.
  const start = ets.clock.now()
  for (let s = 1; s <= 60; s++) {
    ets.config.device.setPowerSources([
      { type: PowerSource.InternalBattery, voltage: 4200 - s, current: 100 + s },
      { type: PowerSource.ExternalBattery, voltage: 5000 - s, current: 200 + s },
    ])
    await ets.advance(1000)
  }
  for (const [list, pmin, pmax] of [
    [seen.voltage, 5_000, 15_000],
    [seen.current, 10_000, 20_000],
  ] as const) {
    const times = [start, ...list.slice(1).map((n) => n.receivedAt)]
    expect(times.length).toBeGreaterThanOrEqual(Math.floor(60_000 / pmax) + 1)
    for (let i = 1; i < times.length; i++) {
      const gap = times[i]! - times[i - 1]!
      expect(gap).toBeGreaterThanOrEqual(i === 1 ? 0 : pmin)
      expect(gap).toBeLessThanOrEqual(pmax)
    }
    expect(ets.clock.now() - times[times.length - 1]!).toBeLessThanOrEqual(pmax)
  }
  // Each notification carries the values of its moment: the last ones are recent.
  const lastVoltage = flatValues(seen.voltage[seen.voltage.length - 1]!.node, '/3/0/7')
  expect(lastVoltage['/3/0/7/0']).toBeLessThanOrEqual(4200 - 55)
  const lastCurrent = flatValues(seen.current[seen.current.length - 1]!.node, '/3/0/8')
  expect(lastCurrent['/3/0/8/0']).toBeGreaterThanOrEqual(100 + 40)
  await ets.until(voltage.cancel())
  await ets.until(current.cancel())
}
