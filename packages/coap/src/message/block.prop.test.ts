import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { blockSize, decodeBlock, encodeBlock, sizeToSzx } from './block.js'
import { decodeUint, encodeUint } from './options.js'

// RFC 7959 section 2.2 (Block values) and RFC 7252 section 3.2 (uint values).

const block = fc.record({
  num: fc.integer({ min: 0, max: 0xfffff }),
  more: fc.boolean(),
  szx: fc.integer({ min: 0, max: 7 }),
})

describe('Block and uint value properties', () => {
  it('decodeBlock(encodeBlock(b)) equals b, in at most 3 bytes with no leading zero byte', () => {
    fc.assert(
      fc.property(block, (b) => {
        const bytes = encodeBlock(b)
        expect(bytes.length).toBeLessThanOrEqual(3)
        if (bytes.length > 0) expect(bytes[0]).not.toBe(0)
        expect(decodeBlock(bytes)).toEqual(b)
      }),
    )
  })

  it('every value of 0 to 3 bytes decodes to a block that encodes back to its shortest form', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 3 }), (bytes) => {
        const b = decodeBlock(bytes)
        expect(b).toBeDefined()
        expect(decodeUint(encodeBlock(b!))).toBe(decodeUint(bytes))
      }),
    )
  })

  it('blocks of a body: block num of size 2^(szx+4) starts at num * size (section 2.2)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 16, max: 1 << 20 }), (limit) => {
        const szx = sizeToSzx(limit)
        expect(blockSize(szx)).toBeLessThanOrEqual(limit)
        expect(szx === 6 || blockSize(szx + 1) > limit).toBe(true)
      }),
    )
  })

  it('decodeUint(encodeUint(n)) equals n, in the fewest bytes', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), (n) => {
        const bytes = encodeUint(n)
        expect(decodeUint(bytes)).toBe(n)
        expect(bytes.length).toBe(n === 0 ? 0 : Math.ceil(Math.log2(n + 1) / 8))
      }),
    )
  })
})
