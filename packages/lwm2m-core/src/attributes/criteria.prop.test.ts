import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { evaluateNotification, type NotificationInput } from './criteria.js'
import type { NotificationAttributes } from './types.js'

const attributes: fc.Arbitrary<NotificationAttributes> = fc.record(
  {
    pmin: fc.integer({ min: 0, max: 100 }),
    pmax: fc.integer({ min: 0, max: 200 }),
    gt: fc.integer({ min: -50, max: 50 }),
    lt: fc.integer({ min: -50, max: 50 }),
    st: fc.integer({ min: 0, max: 20 }),
    epmin: fc.integer({ min: 0, max: 50 }),
    epmax: fc.integer({ min: 0, max: 100 }),
    con: fc.constantFrom(0 as const, 1 as const),
  },
  { requiredKeys: [] },
)

const input: fc.Arbitrary<NotificationInput> = fc
  .record({
    attributes,
    lastNotifiedAt: fc.integer({ min: 0, max: 1_000_000 }),
    elapsed: fc.integer({ min: 0, max: 300_000 }),
    lastNotifiedValue: fc.integer({ min: -100, max: 100 }),
    currentValue: fc.integer({ min: -100, max: 100 }),
    pending: fc.boolean(),
    sinceEvaluation: fc.option(fc.integer({ min: 0, max: 300_000 }), { nil: undefined }),
  })
  .map(({ elapsed, sinceEvaluation, ...r }) => ({
    ...r,
    now: r.lastNotifiedAt + elapsed,
    ...(sinceEvaluation === undefined
      ? {}
      : { lastEvaluatedAt: r.lastNotifiedAt + elapsed - Math.min(sinceEvaluation, elapsed) }),
  }))

const pmaxActive = (a: NotificationAttributes) =>
  a.pmax !== undefined && a.pmax > 0 && a.pmax >= (a.pmin ?? 0)

describe('notification criteria invariants (Core TS 1.2 section 7.3.2)', () => {
  it('never notifies before pmin', () => {
    fc.assert(
      fc.property(input, (i) => {
        const d = evaluateNotification(i)
        if (d.notify) expect(i.now).toBeGreaterThanOrEqual(i.lastNotifiedAt + (i.attributes.pmin ?? 0) * 1000)
      }),
    )
  })

  it('always notifies once pmax has passed (when pmax applies)', () => {
    fc.assert(
      fc.property(input, (i) => {
        if (pmaxActive(i.attributes) && i.now >= i.lastNotifiedAt + i.attributes.pmax! * 1000) {
          expect(evaluateNotification(i)).toMatchObject({ notify: true, reason: 'pmax' })
        }
      }),
    )
  })

  it('a pending notification is sent once pmin has passed', () => {
    fc.assert(
      fc.property(input, (i) => {
        if (i.pending && i.now >= i.lastNotifiedAt + (i.attributes.pmin ?? 0) * 1000) {
          expect(evaluateNotification(i).notify).toBe(true)
        }
      }),
    )
  })

  it('does not notify an unchanged value before pmax', () => {
    fc.assert(
      fc.property(input, (i) => {
        const same = { ...i, currentValue: i.lastNotifiedValue, pending: false }
        const due = pmaxActive(i.attributes) && i.now >= i.lastNotifiedAt + i.attributes.pmax! * 1000
        if (!due) expect(evaluateNotification(same).notify).toBe(false)
      }),
    )
  })

  it('when not notifying, the next check is in the future and no later than the pmax deadline', () => {
    fc.assert(
      fc.property(input, (i) => {
        const d = evaluateNotification(i)
        if (d.notify) return
        if (d.nextCheckAt !== undefined) expect(d.nextCheckAt).toBeGreaterThan(i.now)
        if (pmaxActive(i.attributes)) {
          expect(d.nextCheckAt).toBeDefined()
          expect(d.nextCheckAt!).toBeLessThanOrEqual(i.lastNotifiedAt + i.attributes.pmax! * 1000)
        }
        if (d.pending)
          expect(d.nextCheckAt!).toBeLessThanOrEqual(i.lastNotifiedAt + (i.attributes.pmin ?? 0) * 1000)
      }),
    )
  })

  it('following nextCheckAt with a constant value reaches a notification by pmax, in a bounded number of steps', () => {
    fc.assert(
      fc.property(input, (i) => {
        if (!pmaxActive(i.attributes)) return
        let state: NotificationInput = { ...i, currentValue: i.lastNotifiedValue, pending: false }
        for (let step = 0; step < 1000; step++) {
          const d = evaluateNotification(state)
          if (d.notify) {
            expect(state.now).toBeLessThanOrEqual(
              Math.max(i.now, i.lastNotifiedAt + i.attributes.pmax! * 1000),
            )
            return
          }
          state = {
            ...state,
            now: d.nextCheckAt!,
            pending: d.pending,
            ...(d.evaluated ? { lastEvaluatedAt: state.now } : {}),
          }
        }
        throw new Error('no notification after 1000 steps')
      }),
    )
  })
})
