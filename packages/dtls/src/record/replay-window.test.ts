import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { ReplayWindow } from './replay-window.js'

describe('anti-replay window (RFC 6347 section 4.1.2.6)', () => {
  it('accepts new numbers, rejects duplicates', () => {
    const w = new ReplayWindow(64)
    expect(w.check(0)).toBe(true)
    w.accept(0)
    expect(w.check(0)).toBe(false)
    expect(w.check(5)).toBe(true)
    w.accept(5)
    expect(w.check(3)).toBe(true) // late but inside the window
    w.accept(3)
    expect(w.check(3)).toBe(false)
  })

  it('rejects numbers older than the window', () => {
    const w = new ReplayWindow(64)
    w.accept(100)
    expect(w.check(37)).toBe(true) // 100 - 63
    expect(w.check(36)).toBe(false) // 100 - 64: left of the window
  })

  it('slides by more than the window size', () => {
    const w = new ReplayWindow(64)
    w.accept(1)
    w.accept(1000)
    expect(w.check(999)).toBe(true)
    expect(w.check(1000)).toBe(false)
  })

  it('handles 48-bit sequence numbers', () => {
    const w = new ReplayWindow(64)
    w.accept(2 ** 48 - 2)
    expect(w.check(2 ** 48 - 1)).toBe(true)
    expect(w.check(2 ** 48 - 2)).toBe(false)
    expect(w.isNewest(2 ** 48 - 1)).toBe(true)
  })

  it('behaves like a model set for any sequence of numbers and window sizes', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 130 }),
        fc.array(fc.integer({ min: 0, max: 400 }), { maxLength: 200 }),
        (size, seqs) => {
          const w = new ReplayWindow(size)
          const seen = new Set<number>()
          let top = -1
          for (const s of seqs) {
            const expected = !seen.has(s) && (s > top || top - s < size)
            expect(w.check(s)).toBe(expected)
            if (expected) {
              w.accept(s)
              seen.add(s)
              top = Math.max(top, s)
            }
          }
        },
      ),
    )
  })
})
