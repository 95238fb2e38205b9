import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { Lwm2mError } from '../errors.js'
import type { Lwm2mVersion } from '../version/version.js'
import type { BindingTransport } from './binding.js'
import {
  buildRegisterQuery,
  buildUpdateQuery,
  parseRegisterQuery,
  parseUpdateQuery,
  type RegisterParams,
} from './params.js'

const text = fc.string({ minLength: 1, maxLength: 30 }).filter((s) => !s.includes('&'))
const version = fc.constantFrom<Lwm2mVersion>('1.1', '1.2')
const transports = fc.subarray<BindingTransport>(['U', 'S', 'N', 'T'], { minLength: 1 })

const params: fc.Arbitrary<RegisterParams> = fc
  .record({
    endpoint: text,
    lifetime: fc.option(fc.integer({ min: 0, max: 0xffffffff }), { nil: undefined }),
    version,
    transports: fc.option(transports, { nil: undefined }),
    queueMode: fc.boolean(),
    smsNumber: fc.option(text, { nil: undefined }),
    profileIds: fc.option(
      fc.array(fc.constantFrom('6:27354b9a', 'oma:abc', 'v:x-1'), { minLength: 1, maxLength: 3 }),
      {
        nil: undefined,
      },
    ),
  })
  .map(({ transports, lifetime, smsNumber, profileIds, ...rest }) => ({
    ...rest,
    ...(lifetime === undefined ? {} : { lifetime }),
    ...(smsNumber === undefined ? {} : { smsNumber }),
    ...(profileIds === undefined ? {} : { profileIds }),
    ...(transports === undefined ? {} : { binding: { transports, queueMode: false } }),
  }))

describe('registration query properties', () => {
  it('parseRegisterQuery(buildRegisterQuery(p)) equals p', () => {
    fc.assert(
      fc.property(params, (p) => {
        expect(parseRegisterQuery(buildRegisterQuery(p))).toEqual(p)
      }),
    )
  })

  it('parseUpdateQuery(buildUpdateQuery(u)) equals u', () => {
    fc.assert(
      fc.property(params, ({ lifetime, binding, smsNumber, queueMode }) => {
        const u = {
          ...(lifetime === undefined ? {} : { lifetime }),
          ...(binding === undefined ? {} : { binding }),
          ...(smsNumber === undefined ? {} : { smsNumber }),
          ...(queueMode ? { queueMode } : {}),
        }
        expect(parseUpdateQuery(buildUpdateQuery(u))).toEqual(u)
      }),
    )
  })

  it('arbitrary queries parse or throw a typed Lwm2mError, nothing else', () => {
    const item = fc.oneof(
      fc.string({ maxLength: 20 }),
      fc
        .tuple(
          fc.constantFrom('ep', 'lt', 'lwm2m', 'b', 'Q', 'sms', 'pid', 'x'),
          fc.option(fc.string({ maxLength: 12 })),
        )
        .map(([k, v]) => (v === null ? k : `${k}=${v}`)),
    )
    fc.assert(
      fc.property(fc.array(item, { maxLength: 8 }), (items) => {
        for (const parse of [parseRegisterQuery, (q: string[]) => parseUpdateQuery(q)]) {
          try {
            parse(items)
          } catch (err) {
            expect(Lwm2mError.isInstance(err) && err.code === 'LWM2M_INVALID_REGISTRATION').toBe(true)
          }
        }
      }),
    )
  })
})
