import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { type Deadline, DeadlineQueue } from './deadline-queue.js'
import { FakeClock } from './fake-clock.js'

// The one heap behind every retransmission and lifetime must fire exactly the items
// still scheduled, each once, at or after its deadline, in deadline order.
describe('DeadlineQueue against a model', () => {
  it('fires what a naive list would, in order, whatever the schedule/cancel/advance sequence', () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('schedule' as const), item: fc.nat(19), at: fc.nat(1000) }),
      fc.record({ kind: fc.constant('cancel' as const), item: fc.nat(19) }),
      fc.record({ kind: fc.constant('advance' as const), ms: fc.nat(300) }),
    )
    fc.assert(
      fc.property(fc.array(op, { maxLength: 200 }), (ops) => {
        const clock = new FakeClock(0)
        const q = new DeadlineQueue(clock)
        const fired: [number, number, number][] = []
        const items = Array.from(
          { length: 20 },
          (_, id): Deadline => ({
            deadline: 0,
            heapIndex: -1,
            onDeadline: (now) => fired.push([id, items[id]!.deadline, now]),
          }),
        )
        const model = new Map<number, number>()
        const expected: [number, number][] = []
        for (const o of ops) {
          if (o.kind === 'schedule') {
            const at = clock.now() + o.at
            q.schedule(items[o.item]!, at)
            model.set(o.item, at)
          } else if (o.kind === 'cancel') {
            q.cancel(items[o.item]!)
            model.delete(o.item)
          } else {
            const until = clock.now() + o.ms
            const due = [...model].filter(([, at]) => at <= until).sort((a, b) => a[1] - b[1])
            for (const [id, at] of due) {
              expected.push([id, at])
              model.delete(id)
            }
            clock.advance(o.ms)
          }
        }
        expect(fired.map(([id, at]) => [id, at]).map(([, at]) => at)).toEqual(expected.map(([, at]) => at))
        expect(new Set(fired.map(([id, at]) => `${id}@${at}`))).toEqual(
          new Set(expected.map(([id, at]) => `${id}@${at}`)),
        )
        for (const [, at, now] of fired) expect(now).toBeGreaterThanOrEqual(at)
        expect(q.size).toBe(model.size)
      }),
      { numRuns: 300 },
    )
  })
})
