import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { CliError } from '../errors.js'
import { joinWords, tokenize } from './tokenize.js'

describe('tokenize (properties)', () => {
  it('joinWords then tokenize gives the words back', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 20 }), { maxLength: 8 }), (words) => {
        expect(tokenize(joinWords(words))).toEqual(words)
      }),
    )
  })

  it('any line either splits into words or throws CliError CLI_USAGE', () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 200, unit: fc.constantFrom('a', ' ', '"', "'", '\\', '\t', 'é', '=') }),
        (line) => {
          try {
            const words = tokenize(line)
            expect(Array.isArray(words)).toBe(true)
            for (const w of words) expect(typeof w).toBe('string')
          } catch (err) {
            expect(CliError.isInstance(err) && err.code === 'CLI_USAGE').toBe(true)
          }
        },
      ),
    )
  })
})
