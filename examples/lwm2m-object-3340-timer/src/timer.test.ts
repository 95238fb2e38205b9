import { Lwm2mPath } from '@lwm2m/core'
import { manualClock, objectCompliance } from '@lwm2m/objects/testing'
import { describe, expect, it } from 'vitest'
import { createTimerObject, TimerResource as R, TimerMode } from './timer.js'

const SERVER = { origin: 'server' as const, shortServerId: 1 }
const p = (text: string) => Lwm2mPath.parse(text)

// The object package passes the same compliance suite as the objects of @lwm2m/objects.
objectCompliance({
  name: 'IPSO Timer (3340)',
  create: () => createTimerObject({ timers: 2, clock: manualClock() }),
  creatable: false,
})
objectCompliance({
  name: 'IPSO Timer (3340), delay on drop-out',
  create: () =>
    createTimerObject({
      timers: [{ mode: TimerMode.DelayOnDropOut, delay: 2, applicationType: 'fan' }],
      clock: manualClock(),
    }),
  creatable: false,
})

function setup(mode: number, extra: { delay?: number; minimumOffTime?: number } = {}) {
  const clock = manualClock()
  const outputs: boolean[] = []
  const timer = createTimerObject({
    timers: [{ mode, delay: 5, ...extra }],
    clock,
    onOutput: (_, on) => outputs.push(on),
  })
  return { clock, timer, outputs }
}

describe('IPSO Timer (3340)', () => {
  it('one-shot: Trigger turns the output on for Delay Duration, ignores triggers meanwhile, then respects Minimum Off-time', async () => {
    const { clock, timer, outputs } = setup(TimerMode.OneShot, { minimumOffTime: 3 })
    expect(await timer.execute(p('/3340/0/5523'), '', SERVER)).toMatchObject({ ok: true })
    expect(timer.output(0)).toBe(true)
    clock.advance(2000)
    expect(await timer.read(p('/3340/0/5538'), SERVER)).toMatchObject({ value: { value: 3 } })
    timer.trigger(0)
    clock.advance(3000)
    expect(timer.output(0)).toBe(false)
    timer.trigger(0) // inside the 3 s off-time: ignored
    expect(timer.output(0)).toBe(false)
    clock.advance(3000)
    timer.trigger(0)
    expect(timer.output(0)).toBe(true)
    expect(outputs).toEqual([true, false, true])
    expect(timer.get(0, R.Counter)).toBe(2)
    expect(timer.get(0, R.DigitalInputCounter)).toBe(4)
  })

  it('interval: a trigger while running restarts the interval', () => {
    const { clock, timer } = setup(TimerMode.Interval)
    timer.trigger(0)
    clock.advance(4000)
    timer.trigger(0)
    clock.advance(4000)
    expect(timer.output(0)).toBe(true)
    clock.advance(1000)
    expect(timer.output(0)).toBe(false)
  })

  it('delay on pick-up: the output turns on once the input stayed on for the delay, off with the input', async () => {
    const { clock, timer, outputs } = setup(TimerMode.DelayOnPickUp)
    const onOff = (value: boolean) =>
      timer.write(
        p('/3340/0/5850'),
        { kind: 'resource', id: R.OnOff, type: 'boolean', value },
        'replace',
        SERVER,
      )
    await onOff(true)
    clock.advance(3000)
    await onOff(false)
    clock.advance(5000)
    expect(outputs).toEqual([])
    await onOff(true)
    clock.advance(5000)
    expect(timer.output(0)).toBe(true)
    await onOff(false)
    expect(outputs).toEqual([true, false])
  })

  it('delay on drop-out: on with the input, off the delay after the input dropped', () => {
    const { clock, timer } = setup(TimerMode.DelayOnDropOut)
    timer.setInput(0, true)
    expect(timer.output(0)).toBe(true)
    timer.setInput(0, false)
    clock.advance(4999)
    expect(timer.output(0)).toBe(true)
    clock.advance(1)
    expect(timer.output(0)).toBe(false)
  })

  it('disabled: the output follows the input', () => {
    const { timer, outputs } = setup(TimerMode.Disabled)
    timer.setInput(0, true)
    timer.setInput(0, false)
    expect(outputs).toEqual([true, false])
  })

  it('counts the time the input was on; writing 0 to Cumulative Time or Counter resets them', async () => {
    const { clock, timer } = setup(TimerMode.Disabled)
    timer.setInput(0, true)
    clock.advance(1500)
    timer.setInput(0, false)
    clock.advance(1000)
    expect(await timer.read(p('/3340/0/5544'), SERVER)).toMatchObject({ value: { value: 1.5 } })
    await timer.write(
      p('/3340/0/5544'),
      { kind: 'resource', id: R.CumulativeTime, type: 'float', value: 0 },
      'replace',
      SERVER,
    )
    await timer.write(
      p('/3340/0/5534'),
      { kind: 'resource', id: R.Counter, type: 'integer', value: 0 },
      'replace',
      SERVER,
    )
    expect(await timer.read(p('/3340/0/5544'), SERVER)).toMatchObject({ value: { value: 0 } })
    expect(timer.get(0, R.Counter)).toBe(0)
    expect(
      await timer.write(
        p('/3340/0/5534'),
        { kind: 'resource', id: R.Counter, type: 'integer', value: -1 },
        'replace',
        SERVER,
      ),
    ).toMatchObject({
      code: 'BAD_REQUEST',
    })
  })

  it('notifies observers of the output, the counter and the remaining time', () => {
    const { clock, timer } = setup(TimerMode.OneShot)
    const paths: string[] = []
    timer.onChange((e) => paths.push(e.path.toString()))
    timer.trigger(0)
    clock.advance(5000)
    expect(paths).toContain('/3340/0/5543')
    expect(paths).toContain('/3340/0/5534')
    expect(paths).toContain('/3340/0/5538')
  })

  it('changing the Timer Mode stops a running delay; close releases every timer', async () => {
    const { clock, timer } = setup(TimerMode.OneShot)
    timer.trigger(0)
    expect(clock.pending()).toBe(1)
    await timer.write(
      p('/3340/0/5526'),
      { kind: 'resource', id: R.TimerMode, type: 'integer', value: TimerMode.Interval },
      'replace',
      SERVER,
    )
    expect(clock.pending()).toBe(0)
    expect(timer.output(0)).toBe(false)
    timer.trigger(0)
    await timer.close()
    expect(clock.pending()).toBe(0)
  })
})
