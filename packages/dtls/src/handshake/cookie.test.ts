import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { FakeClock } from '../../test/support/fake-clock.js'
import { CookieJar } from './cookie.js'

describe('stateless cookies (RFC 6347 section 4.2.1)', () => {
  const params = Buffer.from('client hello parameters')

  it('verifies its own cookie for the same address, port and parameters only', () => {
    const jar = new CookieJar(new FakeClock(), (n) => randomBytes(n))
    const c = jar.make('127.0.0.1', 1000, params)
    expect(jar.verify('127.0.0.1', 1000, params, c)).toBe(true)
    expect(jar.verify('127.0.0.1', 1001, params, c)).toBe(false)
    expect(jar.verify('127.0.0.2', 1000, params, c)).toBe(false)
    expect(jar.verify('127.0.0.1', 1000, Buffer.from('other'), c)).toBe(false)
    expect(jar.verify('127.0.0.1', 1000, params, new Uint8Array(0))).toBe(false)
    const bad = Buffer.from(c)
    bad[0]! ^= 1
    expect(jar.verify('127.0.0.1', 1000, params, bad)).toBe(false)
  })

  it('accepts a cookie across one rotation of the secret, not two', () => {
    const clock = new FakeClock()
    const jar = new CookieJar(clock, (n) => randomBytes(n), 1000)
    const c = jar.make('::1', 5, params)
    clock.advance(1000)
    expect(jar.verify('::1', 5, params, c)).toBe(true)
    clock.advance(1000)
    expect(jar.verify('::1', 5, params, c)).toBe(false)
  })
})
