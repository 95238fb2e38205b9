import { DeadlineQueue, FakeClock } from '@lwm2m/coap'
import { describe, expect, it } from 'vitest'
import { Timer, wait } from './timer.js'

describe('timers in the one deadline queue', () => {
  it('reaches deadlines beyond what a Node timer can wait, in steps', async () => {
    const clock = new FakeClock(0)
    const scheduler = { clock, queue: new DeadlineQueue(clock) }
    const fired: number[] = []
    const timer = new Timer(scheduler, (now) => fired.push(now))
    const far = 60 * 24 * 3600_000 // 60 days, past 2^31 ms
    timer.at(far)
    expect(timer.target).toBe(far)
    // Never a clock timer longer than 2^31 - 1 ms.
    expect(clock.nextDue()).toBe(2 ** 31 - 1)
    clock.advance(far - 1)
    expect(fired).toEqual([])
    clock.advance(1)
    expect(fired).toEqual([far])
    expect(timer.armed).toBe(false)
  })

  it('waits, or stops waiting when the procedure is abandoned', async () => {
    const clock = new FakeClock(0)
    const scheduler = { clock, queue: new DeadlineQueue(clock) }
    const done = wait(scheduler, 1000, new AbortController().signal)
    await clock.advanceAsync(1000)
    expect(await done).toBe(true)
    const abort = new AbortController()
    const abandoned = wait(scheduler, 1000, abort.signal)
    abort.abort()
    expect(await abandoned).toBe(false)
    expect(scheduler.queue.size).toBe(0)
  })
})
