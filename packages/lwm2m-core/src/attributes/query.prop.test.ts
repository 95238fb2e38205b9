import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { Lwm2mError } from '../errors.js'
import { formatAttributeQuery, parseAttributeQuery } from './query.js'
import type { AttributeChanges } from './types.js'

const period = fc.option(fc.integer({ min: 0, max: 2 ** 40 }), { nil: undefined })
const decimal = fc.double({ noNaN: true, noDefaultInfinity: true })
const changes: fc.Arbitrary<AttributeChanges> = fc
  .record(
    {
      pmin: fc.option(fc.integer({ min: 0, max: 2 ** 40 })),
      pmax: fc.option(fc.integer({ min: 0, max: 2 ** 40 })),
      gt: fc.option(decimal),
      lt: fc.option(decimal),
      st: fc.option(decimal.map(Math.abs)),
      epmin: period,
      epmax: period,
      edge: fc.option(fc.constantFrom(0 as const, 1 as const)),
      con: fc.option(fc.constantFrom(0 as const, 1 as const)),
      hqmax: period,
    },
    { requiredKeys: [] },
  )
  .map((r) => {
    // -0 formats as "0" and parses back as 0.
    const out: Record<string, number | null | undefined> = {}
    for (const [k, v] of Object.entries(r)) if (v !== undefined) out[k] = Object.is(v, -0) ? 0 : v
    return out as AttributeChanges
  })

describe('attribute query properties', () => {
  it('parse(format(x)) equals x', () => {
    fc.assert(
      fc.property(changes, (c) => {
        expect(parseAttributeQuery(formatAttributeQuery(c))).toEqual(c)
      }),
    )
  })

  it('arbitrary query text parses or throws LWM2M_INVALID_ATTRIBUTES, nothing else', () => {
    const text = fc.oneof(
      fc.string({ maxLength: 200 }),
      fc
        .array(
          fc.tuple(
            fc.constantFrom(
              'pmin',
              'pmax',
              'gt',
              'lt',
              'st',
              'epmin',
              'epmax',
              'edge',
              'con',
              'hqmax',
              'x',
              '',
            ),
            fc.option(fc.string({ maxLength: 12 })),
          ),
          { maxLength: 8 },
        )
        .map((items) => items.map(([k, v]) => (v === null ? k : `${k}=${v}`)).join('&')),
    )
    fc.assert(
      fc.property(text, (q) => {
        try {
          const parsed = parseAttributeQuery(q)
          for (const v of Object.values(parsed)) expect(v === null || Number.isFinite(v)).toBe(true)
        } catch (err) {
          expect(Lwm2mError.isInstance(err) && err.code === 'LWM2M_INVALID_ATTRIBUTES').toBe(true)
        }
      }),
    )
  })
})
