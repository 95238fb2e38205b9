import { seededRandom } from '@lwm2m/coap'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { randomId } from './registration-id.js'

describe('randomId', () => {
  it('is the base64url text (RFC 4648 section 5) of 9 bytes from the random source', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 9, maxLength: 9 }), (bytes) => {
        const id = randomId((target) => target.set(bytes))
        expect(id).toBe(Buffer.from(bytes).toString('base64url'))
        expect(id).toMatch(/^[A-Za-z0-9_-]{12}$/)
      }),
    )
  })

  it('differs from draw to draw', () => {
    const random = seededRandom(7)
    const ids = new Set(Array.from({ length: 1000 }, () => randomId(random)))
    expect(ids.size).toBe(1000)
  })
})
