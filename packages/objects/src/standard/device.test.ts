import { Lwm2mPath } from '@lwm2m/core'
import { describe, expect, it } from 'vitest'
import { deviceModelV1_0 } from '../generated/object-3.js'
import { objectCompliance } from '../testing/compliance.js'
import { manualClock } from '../testing/manual-clock.js'
import { createDeviceObject, DeviceErrorCode, PowerSource } from './device.js'

const p = Lwm2mPath.parse
const SERVER = { origin: 'server' as const, shortServerId: 1 }
const options = () => ({
  manufacturer: 'ACME',
  modelNumber: 'X1',
  serialNumber: () => 'SN-42',
  firmwareVersion: '1.0.0',
  powerSources: [
    { type: PowerSource.InternalBattery, voltage: 3700, current: 120 },
    { type: PowerSource.USB, voltage: 5000 },
  ],
  batteryLevel: () => 87,
  memoryFree: 512,
  memoryTotal: 1024,
  utcOffset: '+01:00',
  timezone: 'Europe/Berlin',
  clock: manualClock(),
  onReboot: () => {},
  onFactoryReset: () => {},
})

objectCompliance({ name: 'Device (3)', create: () => createDeviceObject(options()) })
objectCompliance({
  name: 'Device (3) 1.0',
  create: () => createDeviceObject({ ...options(), model: deviceModelV1_0 }),
})
objectCompliance({
  name: 'Device (3) with nothing given',
  create: () => createDeviceObject({ clock: manualClock() }),
})

describe('Device object (Core TS 1.1 E.4)', () => {
  it('reports identity, power sources as multiple resources with matching instances, and supported bindings', async () => {
    const d = createDeviceObject(options())
    const r = await d.read(p('/3/0'), SERVER)
    expect(r.ok).toBe(true)
    if (!r.ok || r.value.kind !== 'instance') return
    const v = (id: number) => r.value.kind === 'instance' && r.value.resources.get(id)
    expect(v(0)).toMatchObject({ value: 'ACME' })
    expect(v(2)).toMatchObject({ value: 'SN-42' })
    expect(v(6)).toMatchObject({
      kind: 'multipleResource',
      instances: new Map([
        [0, 1],
        [1, 5],
      ]),
    })
    expect(v(7)).toMatchObject({
      instances: new Map([
        [0, 3700],
        [1, 5000],
      ]),
    })
    expect(v(8)).toMatchObject({ instances: new Map([[0, 120]]) })
    expect(v(9)).toMatchObject({ value: 87 })
    expect(v(11)).toMatchObject({ instances: new Map([[0, 0]]) })
    expect(v(16)).toMatchObject({ value: 'U' })
    d.setPowerSources([{ type: PowerSource.AC }])
    expect(d.get(0, 6)).toEqual(new Map([[0, 6]]))
    expect(d.get(0, 7)).toBeUndefined()
  })

  it('reboots and factory-resets after the response', async () => {
    const calls: string[] = []
    const d = createDeviceObject({
      ...options(),
      onReboot: () => void calls.push('reboot'),
      onFactoryReset: () => void calls.push('reset'),
    })
    for (const path of ['/3/0/4', '/3/0/5']) {
      const r = await d.execute(p(path), '', SERVER)
      expect(calls).toHaveLength(path === '/3/0/4' ? 0 : 1)
      if (r.ok) await r.afterResponse?.()
    }
    expect(calls).toEqual(['reboot', 'reset'])
    expect(createDeviceObject().resources(0)).not.toContain(5)
  })

  it('keeps error codes: 0 alone when there is none, cleared by Reset Error Code', async () => {
    const d = createDeviceObject(options())
    const events: string[] = []
    d.onChange((e) => events.push(e.path.toString()))
    d.addErrorCode(DeviceErrorCode.LowBatteryPower)
    d.addErrorCode(DeviceErrorCode.OutOfMemory)
    d.addErrorCode(DeviceErrorCode.OutOfMemory)
    expect(d.errorCodes()).toEqual([1, 5])
    expect(await d.execute(p('/3/0/12'), '', SERVER)).toMatchObject({ ok: true })
    expect(d.errorCodes()).toEqual([0])
    expect(events).toEqual(['/3/0/11', '/3/0/11', '/3/0/11'])
  })

  it('tells the time of its clock, moved by what a server writes; UTC offset and timezone are writable', async () => {
    const clock = manualClock(1_700_000_000_000)
    const written: Date[] = []
    const d = createDeviceObject({ clock, onTimeWrite: (t) => void written.push(t) })
    expect(await d.read(p('/3/0/13'), SERVER)).toMatchObject({
      value: { value: new Date(1_700_000_000_000) },
    })
    const later = new Date(1_800_000_000_000)
    expect(
      await d.write(
        p('/3/0/13'),
        { kind: 'resource', id: 13, type: 'time', value: later },
        'replace',
        SERVER,
      ),
    ).toMatchObject({ ok: true })
    clock.advance(5000)
    expect(d.now()).toEqual(new Date(1_800_000_005_000))
    expect(written).toEqual([later])
    await d.write(
      p('/3/0/15'),
      { kind: 'resource', id: 15, type: 'string', value: 'Asia/Tokyo' },
      'replace',
      SERVER,
    )
    expect(d.get(0, 15)).toBe('Asia/Tokyo')
  })

  it('leaves out Current Time and Reset Error Code when asked (optional resources, Core TS 1.1 E.4)', async () => {
    const d = createDeviceObject({ clock: manualClock(), currentTime: false, resetErrorCode: false })
    expect(d.resources(0)).not.toContain(13)
    expect(d.resources(0)).not.toContain(12)
    expect(d.resources(0)).toContain(4)
    expect(await d.read(p('/3/0/13'), SERVER)).toMatchObject({ ok: false, code: 'NOT_FOUND' })
    expect(await d.execute(p('/3/0/12'), '', SERVER)).toMatchObject({ ok: false, code: 'NOT_FOUND' })
    const r = await d.read(p('/3/0'), SERVER)
    expect(r.ok && r.value.kind === 'instance' && [...r.value.resources.keys()].includes(13)).toBe(false)
    const full = createDeviceObject({ clock: manualClock() })
    expect(full.resources(0)).toEqual(expect.arrayContaining([12, 13]))
  })

  it('updates held values by name and leaves computed ones to their getters', () => {
    const d = createDeviceObject(options())
    const events: string[] = []
    d.onChange((e) => events.push(e.path.toString()))
    d.update({ firmwareVersion: '1.0.1', memoryFree: 256 })
    expect(d.get(0, 3)).toBe('1.0.1')
    expect(events).toEqual(['/3/0/3', '/3/0/10'])
    expect(() => d.update({ batteryLevel: 5 })).toThrow(/getter/)
    d.changed(0, 9)
    expect(events).toEqual(['/3/0/3', '/3/0/10', '/3/0/9'])
  })
})
