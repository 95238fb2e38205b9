import { describe, expect, it } from 'vitest'
import { FakeClock } from '../../test/support/fake-clock.js'
import { BoundedCache } from './cache.js'

describe('the session cache (RFC 5246 section 7.3: resumable sessions, bounded)', () => {
  it('evicts the least recently used entry beyond maxEntries', () => {
    const c = new BoundedCache<number>(new FakeClock(), 2, 1000)
    c.set('a', 1)
    c.set('b', 2)
    expect(c.get('a')).toBe(1) // a is now the most recent
    c.set('c', 3)
    expect(c.get('b')).toBeUndefined()
    expect(c.get('a')).toBe(1)
    expect(c.get('c')).toBe(3)
    expect(c.size).toBe(2)
  })

  it('forgets entries after their lifetime, on read and on sweep', () => {
    const clock = new FakeClock()
    const c = new BoundedCache<number>(clock, 10, 1000)
    c.set('a', 1)
    c.set('b', 2)
    clock.advance(999)
    expect(c.get('a')).toBe(1)
    clock.advance(1)
    expect(c.get('a')).toBeUndefined()
    c.sweep()
    expect(c.size).toBe(0)
  })

  it('stores nothing with a size of 0', () => {
    const c = new BoundedCache<number>(new FakeClock(), 0, 1000)
    c.set('a', 1)
    expect(c.size).toBe(0)
  })
})
