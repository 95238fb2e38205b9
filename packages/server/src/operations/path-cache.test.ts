import { Lwm2mPath } from '@lwm2m/core'
import { describe, expect, it } from 'vitest'
import { ServerError } from '../errors.js'
import { PathCache } from './path-cache.js'

describe('PathCache', () => {
  it('parses a text path once and gives the same immutable path again', () => {
    const cache = new PathCache()
    const a = cache.get('/3/0')
    expect(a.equals(Lwm2mPath.of(3, 0))).toBe(true)
    expect(cache.get('/3/0')).toBe(a)
    const given = Lwm2mPath.of(1, 0)
    expect(cache.get(given)).toBe(given)
    expect(cache.size).toBe(1)
  })

  it('throws ServerError INVALID_ARGUMENT for an invalid path and keeps nothing of it', () => {
    const cache = new PathCache()
    let caught: unknown
    try {
      cache.get('/3/x')
    } catch (err) {
      caught = err
    }
    expect(ServerError.isInstance(caught) && caught.code).toBe('INVALID_ARGUMENT')
    expect(cache.size).toBe(0)
  })

  it('stays within its bound', () => {
    const cache = new PathCache(4)
    for (let i = 0; i < 10; i++) cache.get(`/${i}/0`)
    expect(cache.size).toBeLessThanOrEqual(4)
    expect(cache.get('/9/0').equals(Lwm2mPath.of(9, 0))).toBe(true)
  })
})
