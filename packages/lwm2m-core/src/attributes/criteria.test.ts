import { describe, expect, it } from 'vitest'
import { changeConditionMet, effectivePmax, evaluateNotification } from './criteria.js'

const S = 1000

describe('notification criteria (Core TS 1.2 section 7.3.2 "Notification Conditions")', () => {
  it('notifies any change once pmin has passed when no gt/lt/st is set', () => {
    const d = evaluateNotification({
      attributes: { pmin: 5 },
      now: 6 * S,
      lastNotifiedAt: 0,
      lastNotifiedValue: 1,
      currentValue: 2,
    })
    expect(d).toEqual({ notify: true, reason: 'change', confirmable: undefined })
  })

  it('holds a change back until pmin expires, then notifies it ("sent as soon as pmin expires")', () => {
    const first = evaluateNotification({
      attributes: { pmin: 5 },
      now: 2 * S,
      lastNotifiedAt: 0,
      lastNotifiedValue: 1,
      currentValue: 2,
    })
    expect(first).toEqual({ notify: false, nextCheckAt: 5 * S, pending: true, evaluated: true })
    // The value went back meanwhile: the pending notification is still due at pmin.
    const later = evaluateNotification({
      attributes: { pmin: 5 },
      now: 5 * S,
      lastNotifiedAt: 0,
      lastNotifiedValue: 1,
      currentValue: 1,
      pending: true,
    })
    expect(later).toMatchObject({ notify: true, reason: 'pending' })
  })

  it('pmax forces a notification of an unchanged value ("a new notification MUST be sent")', () => {
    const a = { pmin: 1, pmax: 10 }
    expect(
      evaluateNotification({
        attributes: a,
        now: 9 * S,
        lastNotifiedAt: 0,
        lastNotifiedValue: 3,
        currentValue: 3,
      }),
    ).toEqual({
      notify: false,
      nextCheckAt: 10 * S,
      pending: false,
      evaluated: true,
    })
    expect(
      evaluateNotification({
        attributes: a,
        now: 10 * S,
        lastNotifiedAt: 0,
        lastNotifiedValue: 3,
        currentValue: 3,
      }),
    ).toMatchObject({
      notify: true,
      reason: 'pmax',
    })
  })

  it('ignores pmax = 0 and pmax < pmin (table 7.3.2-1, Maximum Period notes)', () => {
    expect(effectivePmax({ pmax: 0 })).toBeUndefined()
    expect(effectivePmax({ pmin: 10, pmax: 5 })).toBeUndefined()
    expect(effectivePmax({ pmin: 5, pmax: 5 })).toBe(5)
    const d = evaluateNotification({
      attributes: { pmin: 10, pmax: 5 },
      now: 7 * S,
      lastNotifiedAt: 0,
      currentValue: 1,
      lastNotifiedValue: 1,
    })
    expect(d).toEqual({ notify: false, nextCheckAt: undefined, pending: false, evaluated: true })
  })

  it('gt: notifies a crossing upwards and downwards, not a move on one side', () => {
    const a = { gt: 50 }
    expect(changeConditionMet(a, 40, 60, true)).toBe(true)
    expect(changeConditionMet(a, 60, 40, true)).toBe(true)
    expect(changeConditionMet(a, 60, 70, true)).toBe(false)
    expect(changeConditionMet(a, 10, 50, true)).toBe(false) // 50 is not greater than 50
    expect(changeConditionMet(a, 10, 50.5, true)).toBe(true)
  })

  it('lt: notifies a crossing both ways', () => {
    const a = { lt: 10 }
    expect(changeConditionMet(a, 12, 9, true)).toBe(true)
    expect(changeConditionMet(a, 9, 12, true)).toBe(true)
    expect(changeConditionMet(a, 9, 3, true)).toBe(false)
  })

  it('st: notifies a variation greater or equal to the step since the last notification', () => {
    const a = { st: 2 }
    expect(changeConditionMet(a, 10, 12, true)).toBe(true)
    expect(changeConditionMet(a, 10, 8, true)).toBe(true)
    expect(changeConditionMet(a, 10, 11.9, true)).toBe(false)
  })

  it('gt, lt and st combine with OR', () => {
    const a = { lt: 1, gt: 6, st: 1 } // ETS LwM2M-1.1-int-260
    expect(changeConditionMet(a, 3, 3.5, true)).toBe(false)
    expect(changeConditionMet(a, 3, 4, true)).toBe(true) // st
    expect(changeConditionMet(a, 5.5, 6.2, true)).toBe(true) // gt (and not st)
    expect(changeConditionMet(a, 1.5, 0.9, true)).toBe(true) // lt
  })

  it('ignores gt/lt/st that are not valid together (lt >= gt): any change counts', () => {
    expect(changeConditionMet({ lt: 10, gt: 5 }, 7, 7.1, true)).toBe(true)
  })

  it('edge=1 notifies false->true only, edge=0 true->false only (1.2, Edge notes)', () => {
    expect(changeConditionMet({ edge: 1 }, false, true, true)).toBe(true)
    expect(changeConditionMet({ edge: 1 }, true, false, true)).toBe(false)
    expect(changeConditionMet({ edge: 0 }, true, false, true)).toBe(true)
    expect(changeConditionMet({ edge: 0 }, false, true, true)).toBe(false)
  })

  it('uses the changed flag for values it cannot compare (instances, objects)', () => {
    const node = { kind: 'instance' }
    expect(
      evaluateNotification({
        attributes: {},
        now: S,
        lastNotifiedAt: 0,
        lastNotifiedValue: node,
        currentValue: node,
        changed: false,
      }).notify,
    ).toBe(false)
    expect(
      evaluateNotification({
        attributes: {},
        now: S,
        lastNotifiedAt: 0,
        lastNotifiedValue: node,
        currentValue: node,
        changed: true,
      }).notify,
    ).toBe(true)
  })

  it('compares dates, bytes and bigints by value', () => {
    const base = { attributes: {}, now: S, lastNotifiedAt: 0 }
    expect(
      evaluateNotification({ ...base, lastNotifiedValue: new Date(5), currentValue: new Date(5) }).notify,
    ).toBe(false)
    expect(
      evaluateNotification({ ...base, lastNotifiedValue: Uint8Array.of(1), currentValue: Uint8Array.of(1) })
        .notify,
    ).toBe(false)
    expect(
      evaluateNotification({ ...base, lastNotifiedValue: 2n ** 64n, currentValue: 2n ** 64n }).notify,
    ).toBe(false)
    expect(
      evaluateNotification({ ...base, lastNotifiedValue: Uint8Array.of(1), currentValue: Uint8Array.of(2) })
        .notify,
    ).toBe(true)
  })

  it('epmin: no evaluation of the change conditions before epmin since the last evaluation', () => {
    const d = evaluateNotification({
      attributes: { epmin: 10 },
      now: 4 * S,
      lastNotifiedAt: 0,
      lastEvaluatedAt: 0,
      lastNotifiedValue: 1,
      currentValue: 5,
    })
    expect(d).toEqual({ notify: false, nextCheckAt: 10 * S, pending: false, evaluated: false })
  })

  it('epmax: the next evaluation is due epmax after this one ("a new evaluation MUST occur")', () => {
    const d = evaluateNotification({
      attributes: { epmax: 30, pmax: 60 },
      now: 5 * S,
      lastNotifiedAt: 0,
      lastNotifiedValue: 1,
      currentValue: 1,
    })
    expect(d).toEqual({ notify: false, nextCheckAt: 35 * S, pending: false, evaluated: true })
  })

  it('con gives the message type of the notification (1.2)', () => {
    const base = { now: S, lastNotifiedAt: 0, lastNotifiedValue: 1, currentValue: 2 }
    expect(evaluateNotification({ ...base, attributes: { con: 1 } })).toMatchObject({
      notify: true,
      confirmable: true,
    })
    expect(evaluateNotification({ ...base, attributes: { con: 0 } })).toMatchObject({
      notify: true,
      confirmable: false,
    })
  })

  it('ETS LwM2M-1.2-int-313: the Observe pmax=10 overrides the attached pmax=60', () => {
    const d = evaluateNotification({
      attributes: { pmin: 5, pmax: 10 },
      now: 10 * S,
      lastNotifiedAt: 0,
      lastNotifiedValue: 1,
      currentValue: 1,
    })
    expect(d.notify).toBe(true)
  })
})
