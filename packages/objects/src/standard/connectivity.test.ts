import { Lwm2mPath } from '@lwm2m/core'
import { describe, expect, it } from 'vitest'
import { connectivityMonitoringModelV1_0 } from '../generated/object-4.js'
import { objectCompliance } from '../testing/compliance.js'
import { manualClock } from '../testing/manual-clock.js'
import { createConnectivityMonitoringObject, NetworkBearer } from './connectivity-monitoring.js'
import { createConnectivityStatisticsObject } from './connectivity-statistics.js'
import { createLocationObject } from './location.js'

const p = Lwm2mPath.parse
const SERVER = { origin: 'server' as const, shortServerId: 1 }
const monitoring = () => ({
  networkBearer: NetworkBearer.LTE_FDD,
  availableNetworkBearers: [NetworkBearer.LTE_FDD, NetworkBearer.NB_IoT],
  radioSignalStrength: () => -85,
  ipAddresses: ['192.0.2.10'],
  apn: ['internet'],
  cellId: 42,
  signalSnr: 12,
  coverageEnhancementLevel: 1,
})

objectCompliance({
  name: 'Connectivity Monitoring (4)',
  create: () => createConnectivityMonitoringObject(monitoring()),
})
objectCompliance({
  name: 'Connectivity Monitoring (4) 1.0',
  create: () =>
    createConnectivityMonitoringObject({ ...monitoring(), model: connectivityMonitoringModelV1_0 }),
})
objectCompliance({
  name: 'Connectivity Statistics (7)',
  create: () => createConnectivityStatisticsObject({ clock: manualClock() }),
})
objectCompliance({
  name: 'Location (6)',
  create: () =>
    createLocationObject({
      clock: manualClock(),
      position: { latitude: 48.1, longitude: 11.6, altitude: 520, speed: 1.5 },
    }),
})

describe('Connectivity Monitoring object (Core TS 1.1 E.5)', () => {
  it('reports given and computed values and drops those the model lacks', async () => {
    const cm = createConnectivityMonitoringObject({ ...monitoring(), model: connectivityMonitoringModelV1_0 })
    expect(cm.resources(0)).toEqual([0, 1, 2, 4, 7, 8])
    expect(await cm.read(p('/4/0/2'), SERVER)).toMatchObject({ value: { value: -85 } })
    const events: string[] = []
    cm.onChange((e) => events.push(e.path.toString()))
    cm.update({ cellId: 43, ipAddresses: ['192.0.2.11', '2001:db8::1'] })
    cm.refresh('radioSignalStrength')
    expect(events).toEqual(['/4/0/8', '/4/0/4', '/4/0/2'])
    expect(cm.get(0, 4)).toEqual(
      new Map([
        [0, '192.0.2.11'],
        [1, '2001:db8::1'],
      ]),
    )
  })
})

describe('Connectivity Statistics object (Core TS 1.1 E.8)', () => {
  it('counts between Start and Stop; Start resets', async () => {
    const cs = createConnectivityStatisticsObject({ clock: manualClock() })
    cs.record({ txBytes: 5000 })
    expect(cs.get(0, 2)).toBe(0)
    expect(await cs.execute(p('/7/0/6'), '', SERVER)).toMatchObject({ ok: true })
    cs.record({ smsTx: 2, txBytes: 1000, rxBytes: 3000, messageSizes: [100, 300] })
    cs.record({ txBytes: 100, messageSizes: [50] })
    expect([0, 1, 2, 3, 4, 5].map((id) => cs.get(0, id))).toEqual([2, 0, 1, 2, 300, 150])
    expect(await cs.execute(p('/7/0/7'), '', SERVER)).toMatchObject({ ok: true })
    cs.record({ smsTx: 1 })
    expect(cs.get(0, 0)).toBe(2)
    await cs.execute(p('/7/0/6'), '', SERVER)
    expect(cs.get(0, 0)).toBe(0)
    expect(cs.collecting()).toBe(true)
  })

  it('stops by itself after the Collection Period', async () => {
    const clock = manualClock()
    const cs = createConnectivityStatisticsObject({ clock })
    await cs.write(p('/7/0/8'), { kind: 'resource', id: 8, type: 'integer', value: 60 }, 'replace', SERVER)
    cs.start()
    clock.advance(59_000)
    expect(cs.collecting()).toBe(true)
    clock.advance(1_000)
    expect(cs.collecting()).toBe(false)
    expect(clock.pending()).toBe(0)
    expect(
      await cs.write(p('/7/0/8'), { kind: 'resource', id: 8, type: 'integer', value: -1 }, 'replace', SERVER),
    ).toMatchObject({ code: 'BAD_REQUEST' })
  })

  it('releases its timer on close', async () => {
    const clock = manualClock()
    const cs = createConnectivityStatisticsObject({ clock, collectionPeriod: 10, collecting: true })
    expect(clock.pending()).toBe(1)
    await cs.close()
    expect(clock.pending()).toBe(0)
  })
})

describe('Location object (Core TS 1.1 E.7)', () => {
  it('records positions with their timestamp', () => {
    const clock = manualClock(1_700_000_000_000)
    const loc = createLocationObject({ clock })
    clock.advance(10_000)
    const events: string[] = []
    loc.onChange((e) => events.push(e.path.toString()))
    loc.update({ latitude: 52.5, longitude: 13.4, radius: 30 })
    expect([0, 1, 3, 5].map((id) => loc.get(0, id))).toEqual([52.5, 13.4, 30, new Date(1_700_000_010_000)])
    expect(events).toEqual(['/6/0/0', '/6/0/1', '/6/0/3', '/6/0/5'])
  })
})
