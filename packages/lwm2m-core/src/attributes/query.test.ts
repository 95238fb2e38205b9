import { describe, expect, it } from 'vitest'
import { Lwm2mError } from '../errors.js'
import { formatAttributeQuery, parseAttributeQuery, parseAttributeValue } from './query.js'

function rejects(fn: () => unknown): Lwm2mError {
  try {
    fn()
  } catch (err) {
    expect(Lwm2mError.isInstance(err)).toBe(true)
    expect((err as Lwm2mError).code).toBe('LWM2M_INVALID_ATTRIBUTES')
    return err as Lwm2mError
  }
  throw new Error('expected a throw')
}

describe('Write-Attributes query (Core TS 1.2 section 6.3.4, table 7.3.2-1)', () => {
  it('parses the example of the brief: pmin=10&pmax=60&gt=50.5&lt=10&st=2', () => {
    expect(parseAttributeQuery('pmin=10&pmax=60&gt=50.5&lt=10&st=2')).toEqual({
      pmin: 10,
      pmax: 60,
      gt: 50.5,
      lt: 10,
      st: 2,
    })
  })

  it('parses Uri-Query items as the CoAP layer hands them over', () => {
    // ETS LwM2M-1.1-int-261: WA /3/0/11/0?pmax=100&epmin=1&epmax=20
    expect(parseAttributeQuery(['pmax=100', 'epmin=1', 'epmax=20'])).toEqual({
      pmax: 100,
      epmin: 1,
      epmax: 20,
    })
  })

  it('parses the 1.2 attributes edge, con and hqmax', () => {
    expect(parseAttributeQuery('edge=1&con=0&hqmax=5')).toEqual({ edge: 1, con: 0, hqmax: 5 })
  })

  it('reads a name without value as unset (section 6.3.4: an attribute without value unsets it)', () => {
    expect(parseAttributeQuery('pmin&gt=3')).toEqual({ pmin: null, gt: 3 })
  })

  it('refuses unsetting where it is not allowed (Observe)', () => {
    rejects(() => parseAttributeQuery('pmin', { allowUnset: false }))
  })

  it('accepts a negative threshold for signed resources', () => {
    expect(parseAttributeQuery('lt=-5.5')).toEqual({ lt: -5.5 })
  })

  it.each([
    ['pmin=-1'],
    ['pmin=1.5'],
    ['pmin='],
    ['pmax=abc'],
    ['gt=1e3'],
    ['gt=.5'],
    ['st=-1'],
    ['edge=2'],
    ['con=true'],
    ['pmin=1&pmin=2'],
    ['foo=1'],
    ['dim=2'],
    ['ver=1.1'],
  ])('rejects %s', (q) => {
    rejects(() => parseAttributeQuery(q))
  })

  it('says that read-only properties cannot be written', () => {
    expect(rejects(() => parseAttributeQuery('ssid=1')).message).toMatch(/read-only/)
  })

  it('skips names the operation owns (Discover depth)', () => {
    expect(parseAttributeQuery('depth=2&pmin=3', { ignore: ['depth'] })).toEqual({ pmin: 3 })
  })

  it('formats in a stable order, unset as a bare name', () => {
    expect(formatAttributeQuery({ st: 2, pmin: 10, gt: null, lt: 10, pmax: 60 })).toEqual([
      'pmin=10',
      'pmax=60',
      'gt',
      'lt=10',
      'st=2',
    ])
  })

  it('formats decimals without exponent notation', () => {
    expect(formatAttributeQuery({ gt: 1e-7, lt: -1e21 })).toEqual([
      'gt=0.0000001',
      'lt=-1000000000000000000000',
    ])
    expect(parseAttributeValue('gt', '0.0000001')).toBe(1e-7)
  })

  it('refuses to format values outside the syntax', () => {
    rejects(() => formatAttributeQuery({ pmin: 1.5 }))
    rejects(() => formatAttributeQuery({ edge: 2 as 1 }))
    rejects(() => formatAttributeQuery({ gt: Number.NaN }))
    rejects(() => formatAttributeQuery({ st: -1 }))
  })
})
