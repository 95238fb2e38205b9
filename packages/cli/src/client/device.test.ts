import { FakeClock } from '@lwm2m/coap'
import { Lwm2mPath, singleResource } from '@lwm2m/core'
import { describe, expect, it } from 'vitest'
import { createSimulatedDevice, modelFor, walkStep } from './device.js'

function seeded(seed: number): () => number {
  let s = seed
  return () => {
    s = (s * 1_103_515_245 + 12_345) % 2_147_483_648
    return s / 2_147_483_648
  }
}

describe('the simulated device', () => {
  it('has the objects of its LwM2M version', () => {
    expect(modelFor(3, '1.0').version).toBe('1.0')
    expect(modelFor(3, '1.2').version).toBe('1.2')
    expect(modelFor(4, '1.2').version).toBe('1.3')
    const d = createSimulatedDevice({
      endpoint: 'dev',
      version: '1.0',
      interval: 1000,
      firmwareVersion: '1.2.3',
      supportedBindings: 'U',
      clock: new FakeClock(0),
    })
    expect(d.objects.map((o) => `${o.model.id}@${o.model.version}`)).toEqual([
      '3@1.0',
      '4@1.0',
      '5@1.0',
      '6@1.0',
      '3303@1.1',
      '3308@1.1',
    ])
    expect(d.device.get(0, 2)).toBe('dev')
    expect(d.device.get(0, 3)).toBe('1.2.3')
  })

  it('walks its temperature on the clock, gently, and stops when closed', async () => {
    const clock = new FakeClock(0)
    const d = createSimulatedDevice({
      endpoint: 'dev',
      version: '1.1',
      interval: 1000,
      startTemperature: 20,
      firmwareVersion: '0',
      supportedBindings: 'U',
      clock,
      random: seeded(7),
    })
    const changes: string[] = []
    d.temperature.onChange((e) => changes.push(e.path.toString()))
    const values: number[] = []
    for (let i = 0; i < 50; i++) {
      await clock.advanceAsync(1000)
      values.push(Number(d.temperature.get(0, 5700)))
    }
    expect(new Set(values).size).toBeGreaterThan(10)
    for (const v of values) expect(Math.abs(v - 20)).toBeLessThan(5)
    for (let i = 1; i < values.length; i++)
      expect(Math.abs(values[i]! - values[i - 1]!)).toBeLessThanOrEqual(0.4)
    expect(changes).toContain('/3303/0/5700')
    await d.close()
    const last = d.temperature.get(0, 5700)
    await clock.advanceAsync(10_000)
    expect(d.temperature.get(0, 5700)).toBe(last)
  })

  it('takes set points created by a server, in degrees Celsius unless told', async () => {
    const d = createSimulatedDevice({
      endpoint: 'dev',
      version: '1.1',
      interval: 1000,
      firmwareVersion: '0',
      supportedBindings: 'U',
      clock: new FakeClock(0),
    })
    const created = await d.setPoints.create(
      { resources: new Map([[5900, singleResource(5900, 'float', 18)]]) },
      { origin: 'server', shortServerId: 1 },
    )
    expect(created.ok).toBe(true)
    const id = created.ok ? created.value : -1
    const read = await d.setPoints.read(Lwm2mPath.of(3308, id, 5701), { origin: 'server', shortServerId: 1 })
    expect(read.ok && read.value.kind === 'resource' && read.value.value).toBe('Cel')
    await d.close()
  })

  it('walkStep pulls back towards the mean', () => {
    expect(walkStep(30, 20, () => 0.5)).toBe(29.5)
    expect(walkStep(10, 20, () => 0.5)).toBe(10.5)
    expect(walkStep(20, 20, () => 1)).toBe(20.2)
  })
})
