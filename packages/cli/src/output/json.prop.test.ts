import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { toJson } from './json.js'

const leaf = fc.oneof(
  fc.string({ maxLength: 10 }),
  fc.double(),
  fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }),
  fc.boolean(),
  fc.uint8Array({ maxLength: 12 }),
  fc.date({ noInvalidDate: false }),
  fc.constant(undefined),
  fc.constant(null),
)
const value = fc.letrec((tie) => ({
  any: fc.oneof({ depthSize: 'small' }, leaf, tie('array'), tie('object'), tie('map')),
  array: fc.array(tie('any'), { maxLength: 4 }),
  object: fc.dictionary(fc.string({ maxLength: 5 }), tie('any'), { maxKeys: 4 }),
  map: fc.array(fc.tuple(fc.integer(), tie('any')), { maxLength: 3 }).map((e) => new Map(e)),
}))

describe('toJson (properties)', () => {
  it('gives plain JSON: stringify and parse give the same value back, and the same text twice', () => {
    fc.assert(
      fc.property(value.any, (v) => {
        const plain = toJson(v)
        const text = JSON.stringify(plain)
        expect(JSON.parse(text)).toEqual(plain)
        expect(JSON.stringify(toJson(v))).toBe(text)
      }),
    )
  })
})
