import { describe, expect, it } from 'vitest'
import { type Deadline, DeadlineQueue } from './deadline-queue.js'
import { FakeClock } from './fake-clock.js'

describe('FakeClock', () => {
  it('runs due timers in time order, ties in the order they were set', () => {
    const clock = new FakeClock(1000)
    const order: string[] = []
    clock.setTimeout(() => order.push(`b@${clock.now()}`), 20)
    clock.setTimeout(() => order.push(`a@${clock.now()}`), 10)
    clock.setTimeout(() => order.push(`c@${clock.now()}`), 20)
    expect(clock.pending).toBe(3)
    clock.advance(15)
    expect(order).toEqual(['a@1010'])
    expect(clock.now()).toBe(1015)
    clock.advance(100)
    expect(order).toEqual(['a@1010', 'b@1020', 'c@1020'])
    expect(clock.now()).toBe(1115)
    expect(clock.pending).toBe(0)
  })

  it('runs timers set by timers when they fall due within the same advance', () => {
    const clock = new FakeClock()
    const seen: number[] = []
    clock.setTimeout(() => {
      seen.push(clock.now())
      clock.setTimeout(() => seen.push(clock.now()), 5)
    }, 5)
    clock.advance(10)
    expect(seen).toEqual([5, 10])
  })

  it('clears timers', () => {
    const clock = new FakeClock()
    let ran = false
    const h = clock.setTimeout(() => (ran = true), 1)
    clock.clearTimeout(h)
    clock.advance(5)
    expect(ran).toBe(false)
    expect(clock.pending).toBe(0)
  })

  it('advanceAsync lets promise continuations run between timers', async () => {
    const clock = new FakeClock()
    const sleep = (ms: number) => new Promise<void>((r) => clock.setTimeout(r, ms))
    const seen: number[] = []
    const task = (async () => {
      for (let i = 0; i < 3; i++) {
        await sleep(10)
        seen.push(clock.now())
      }
    })()
    await clock.advanceAsync(30)
    await task
    expect(seen).toEqual([10, 20, 30])
  })
})

describe('DeadlineQueue', () => {
  class Item implements Deadline {
    deadline = 0
    heapIndex = -1
    constructor(
      readonly name: string,
      readonly log: string[],
    ) {}
    onDeadline(now: number): void {
      this.log.push(`${this.name}@${now}`)
    }
  }

  it('fires items in deadline order from one clock timer', () => {
    const clock = new FakeClock()
    const q = new DeadlineQueue(clock)
    const log: string[] = []
    const items = Array.from({ length: 50 }, (_, i) => new Item(`i${i}`, log))
    for (const [i, it] of items.entries()) q.schedule(it, ((i * 37) % 50) + 1)
    expect(clock.pending).toBe(1)
    clock.advance(100)
    const times = log.map((l) => Number(l.split('@')[1]))
    expect(times).toEqual([...times].sort((a, b) => a - b))
    expect(log).toHaveLength(50)
    expect(q.size).toBe(0)
  })

  it('cancels and reschedules', () => {
    const clock = new FakeClock()
    const q = new DeadlineQueue(clock)
    const log: string[] = []
    const a = new Item('a', log)
    const b = new Item('b', log)
    q.schedule(a, 10)
    q.schedule(b, 20)
    q.cancel(a)
    q.schedule(b, 5)
    clock.advance(30)
    expect(log).toEqual(['b@5'])
    q.schedule(a, 40)
    q.close()
    clock.advance(100)
    expect(log).toEqual(['b@5'])
    expect(clock.pending).toBe(0)
  })
})
