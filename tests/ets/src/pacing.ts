import { expect } from 'vitest'

/**
 * Checks that notifications came as pmin and pmax ask (Core TS 1.2 section 7.3.2): from `start`
 * (the initial answer) on, no gap below pmin (a change waits for it), none above pmax (a
 * notification is due then even without change), and the last one no longer than pmax ago.
 */
export function expectPaced(
  times: readonly number[],
  start: number,
  now: number,
  pmin: number,
  pmax: number,
) {
  const all = [start, ...times]
  expect(all.length).toBeGreaterThanOrEqual(Math.floor((now - start) / pmax) + 1)
  for (let i = 1; i < all.length; i++) {
    const gap = all[i]! - all[i - 1]!
    expect(gap).toBeGreaterThanOrEqual(pmin)
    expect(gap).toBeLessThanOrEqual(pmax)
  }
  expect(now - all[all.length - 1]!).toBeLessThanOrEqual(pmax)
}
