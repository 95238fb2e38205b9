import type { NotificationAttributes } from './types.js'
import { hasValidChangeConditions } from './validate.js'

/** A value the evaluator can compare: numbers for gt/lt/st, booleans for edge; anything else only by "changed". */
export type ObservedValue = number | bigint | boolean | string | Uint8Array | Date | object | undefined

/** The state of one observation at the moment of an evaluation. Times are in milliseconds (a Clock's `now()`). */
export interface NotificationInput {
  /** The effective attributes of the observation (see `resolveEffectiveAttributes`; periods in seconds). */
  readonly attributes: NotificationAttributes
  readonly now: number
  /** When the last notification (or the Observe response, the initial notification) was sent. */
  readonly lastNotifiedAt: number
  /** The value of that last notification. */
  readonly lastNotifiedValue?: ObservedValue
  /** The current value. */
  readonly currentValue?: ObservedValue
  /**
   * True if the observed state changed since the last notification. For a single numeric or
   * Boolean value the evaluator compares the values itself; for an instance or object it
   * relies on this flag. Defaults to a comparison of the two values (`Object.is`).
   */
  readonly changed?: boolean
  /**
   * True if a change condition was met earlier but held back by pmin (the `pending` of the
   * previous result): "If a notification of an observed Resource is supposed to be generated
   * but it is before pmin expiry, notification MUST be sent as soon as pmin expires."
   */
  readonly pending?: boolean
  /** When the criteria were last evaluated (for epmin/epmax); defaults to `lastNotifiedAt`. */
  readonly lastEvaluatedAt?: number
}

/** What to do now. */
export type NotificationDecision =
  | {
      readonly notify: true
      /** Why: a met change condition, the pmax deadline, or a pending notification whose pmin expired. */
      readonly reason: 'change' | 'pmax' | 'pending'
      /** From `con` (1.2): true = CON, false = NON, undefined = the role's default. */
      readonly confirmable: boolean | undefined
    }
  | {
      readonly notify: false
      /** When to evaluate again at the latest (ms), undefined when only a new value can cause a notification. */
      readonly nextCheckAt: number | undefined
      /** True when a change condition was met but pmin holds it back: pass it back as `pending` next time. */
      readonly pending: boolean
      /** False when epmin forbade evaluating the change conditions now: keep `lastEvaluatedAt` as it was. */
      readonly evaluated: boolean
    }

function asNumber(v: ObservedValue): number | undefined {
  if (typeof v === 'number') return Number.isNaN(v) ? undefined : v
  if (typeof v === 'bigint') return Number(v)
  return undefined
}

/** Which side of a threshold a value is on: crossing means the side changed. */
function crossed(threshold: number, from: number, to: number, above: boolean): boolean {
  return above ? from > threshold !== to > threshold : from < threshold !== to < threshold
}

/**
 * The effective Maximum Period in seconds, or undefined when none applies: "The value of 0
 * means pmax MUST be ignored" and "The maximum period parameter MUST be greater than or
 * equal to the minimum period parameter otherwise pmax will be ignored" (Core TS 1.2 table 7.3.2-1).
 */
export function effectivePmax(attributes: NotificationAttributes): number | undefined {
  const { pmax } = attributes
  if (pmax === undefined || pmax === 0) return undefined
  if (pmax < (attributes.pmin ?? 0)) return undefined
  return pmax
}

/**
 * True when the change from `last` to `current` meets the Change Value Conditions of `attributes`
 * (Core TS 1.2 section 7.3.2 and table 7.3.2-1):
 * - gt / lt: the value crossed the threshold, upwards or downwards, since the last notification;
 * - st: the value moved by at least st since the last notification ("greater or equal to");
 * - edge (Boolean): false to true for edge=1, true to false for edge=0;
 * gt, lt and st combine with OR ("Greater Than", "Less Than", OR "Step"). Without any of them,
 * or when they are not valid together (lt >= gt, lt + 2*st >= gt), any change counts.
 */
export function changeConditionMet(
  attributes: NotificationAttributes,
  last: ObservedValue,
  current: ObservedValue,
  changed: boolean,
): boolean {
  if (!changed) return false
  const { gt, lt, st, edge } = attributes
  if (edge !== undefined && typeof current === 'boolean') {
    if (typeof last !== 'boolean') return edge === 1 ? current : !current
    return edge === 1 ? !last && current : last && !current
  }
  const hasNumeric = gt !== undefined || lt !== undefined || st !== undefined
  if (!hasNumeric || !hasValidChangeConditions(attributes)) return true
  const to = asNumber(current)
  if (to === undefined) return true
  const from = asNumber(last)
  // No earlier numeric value to compare against: the first value is news.
  if (from === undefined) return true
  if (gt !== undefined && crossed(gt, from, to, true)) return true
  if (lt !== undefined && crossed(lt, from, to, false)) return true
  if (st !== undefined && Math.abs(to - from) >= st) return true
  return false
}

/**
 * Decides whether an observation notifies now (Core TS 1.2 section 7.3.2 "Notification
 * Conditions"): a notification is sent when a valid Change Value Condition AND the Minimum
 * Period are both fulfilled, OR when the Maximum Period is fulfilled. In order:
 * 1. pmax forces: when the last notification is pmax seconds old (pmax active, see
 *    {@link effectivePmax}), notify whatever the value;
 * 2. epmin: before epmin seconds since the last evaluation the change conditions are not
 *    evaluated (a pending notification still waits only for pmin);
 * 3. a change that meets the conditions (or one pending from earlier) notifies once pmin has
 *    passed since the last notification; before that it is held back and reported `pending`
 *    with `nextCheckAt` = the end of pmin ("sent as soon as pmin expires");
 * 4. otherwise no notification; `nextCheckAt` is the earliest of the pmax deadline and the
 *    epmax evaluation deadline ("After the expiry of epmax, the device MUST perform an evaluation").
 * Pure: no clock, no timer; the caller schedules `nextCheckAt`.
 */
export function evaluateNotification(input: NotificationInput): NotificationDecision {
  const { attributes, now, lastNotifiedAt } = input
  const confirmable = attributes.con === undefined ? undefined : attributes.con === 1
  const pmin = (attributes.pmin ?? 0) * 1000
  const pmaxSeconds = effectivePmax(attributes)
  const pmaxAt = pmaxSeconds === undefined ? undefined : lastNotifiedAt + pmaxSeconds * 1000
  if (pmaxAt !== undefined && now >= pmaxAt) return { notify: true, reason: 'pmax', confirmable }

  const pminAt = lastNotifiedAt + pmin
  const lastEvaluatedAt = input.lastEvaluatedAt ?? lastNotifiedAt
  const epminAt = attributes.epmin === undefined ? undefined : lastEvaluatedAt + attributes.epmin * 1000
  let pending = input.pending === true
  let evaluated = false
  if (epminAt === undefined || now >= epminAt) {
    evaluated = true
    const changed = input.changed ?? !sameValue(input.lastNotifiedValue, input.currentValue)
    if (changeConditionMet(attributes, input.lastNotifiedValue, input.currentValue, changed)) pending = true
  }
  if (pending && now >= pminAt)
    return { notify: true, reason: evaluated && !input.pending ? 'change' : 'pending', confirmable }

  let next: number | undefined = pmaxAt
  const earliest = (t: number | undefined) => {
    if (t !== undefined && t > now && (next === undefined || t < next)) next = t
  }
  if (pending) earliest(pminAt)
  if (!evaluated) earliest(epminAt)
  if (attributes.epmax !== undefined && attributes.epmax > 0)
    earliest((evaluated ? now : lastEvaluatedAt) + attributes.epmax * 1000)
  return { notify: false, nextCheckAt: next, pending, evaluated }
}

function sameValue(a: ObservedValue, b: ObservedValue): boolean {
  if (Object.is(a, b)) return true
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime()
  if (a instanceof Uint8Array && b instanceof Uint8Array) {
    if (a.length !== b.length) return false
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
    return true
  }
  if (typeof a === 'bigint' || typeof b === 'bigint') return typeof a === typeof b && a === b
  return false
}
