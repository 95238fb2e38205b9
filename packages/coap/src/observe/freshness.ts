/** 2^23: half the 24-bit Observe sequence space (RFC 7641 section 3.4). */
const HALF = 1 << 23

/** RFC 7641 section 3.4: after 128 seconds, a notification is newer whatever its number. */
export const OBSERVE_FRESHNESS_WINDOW = 128_000

/**
 * True if a notification (sequence number `v2`, received at `t2` ms) is newer than the
 * last one accepted (`v1` at `t1`), by the rule of RFC 7641 section 3.4:
 * (V1 < V2 and V2 - V1 < 2^23) or (V1 > V2 and V1 - V2 > 2^23) or (T2 > T1 + 128 s).
 */
export function isNewerNotification(v1: number, t1: number, v2: number, t2: number): boolean {
  return (v1 < v2 && v2 - v1 < HALF) || (v1 > v2 && v1 - v2 > HALF) || t2 > t1 + OBSERVE_FRESHNESS_WINDOW
}

/** The next 24-bit Observe sequence number. */
export function nextObserveSequence(seq: number): number {
  return (seq + 1) & 0xffffff
}
