import { describe, expect, it } from 'vitest'
import { Lwm2mError } from '../errors.js'
import type { ResourceModel } from '../model/types.js'
import { Lwm2mPath } from '../path/path.js'
import { validateAttributes } from './validate.js'

const P = (t: string) => Lwm2mPath.parse(t)
const resource = (over: Partial<ResourceModel>): ResourceModel => ({
  id: 7,
  name: 'Power Source Voltage',
  operations: 'R',
  multiple: true,
  mandatory: false,
  type: 'integer',
  rangeEnumeration: '',
  units: 'mV',
  description: '',
  ...over,
})

function rejects(fn: () => unknown): string {
  try {
    fn()
  } catch (err) {
    expect(Lwm2mError.isInstance(err) && err.code === 'LWM2M_INVALID_ATTRIBUTES').toBe(true)
    return (err as Error).message
  }
  throw new Error('expected a throw')
}

describe('attribute validation (Core TS 1.2 section 7.3.2)', () => {
  it('accepts the ETS LwM2M-1.1-int-260 write /3/0/7?lt=1&gt=6&st=1', () => {
    expect(() =>
      validateAttributes({ lt: 1, gt: 6, st: 1 }, { path: P('/3/0/7'), resource: resource({}) }),
    ).not.toThrow()
  })

  it('refuses lt >= gt ("lt" value < "gt" value)', () => {
    expect(rejects(() => validateAttributes({ lt: 6, gt: 6 }))).toMatch(/lt \(6\) must be less than gt/)
  })

  it('refuses lt + 2*st >= gt ("lt" value + 2*"st" values < "gt" value)', () => {
    rejects(() => validateAttributes({ lt: 1, gt: 5, st: 2 }))
    expect(() => validateAttributes({ lt: 1, gt: 5.01, st: 2 })).not.toThrow()
  })

  it('checks only the values set together (a lone st is fine)', () => {
    expect(() => validateAttributes({ st: 100 }, { path: P('/3/0/7') })).not.toThrow()
    expect(() => validateAttributes({ gt: 1, lt: null })).not.toThrow()
  })

  it('refuses pmin > pmax and epmin > epmax set together', () => {
    rejects(() => validateAttributes({ pmin: 10, pmax: 5 }))
    rejects(() => validateAttributes({ epmin: 10, epmax: 5 }))
    expect(() => validateAttributes({ pmin: 10, pmax: 10, epmin: 1, epmax: 1 })).not.toThrow()
  })

  it('allows pmin above pmax=0, since pmax 0 means no maximum period', () => {
    expect(() => validateAttributes({ pmin: 10, pmax: 0 })).not.toThrow()
  })

  it('refuses gt, lt, st and edge above the resource level (Assignation Level: Resource, Resource Instance)', () => {
    for (const name of ['gt', 'lt', 'st', 'edge'] as const) {
      rejects(() => validateAttributes({ [name]: 1 }, { path: P('/3/0') }))
      rejects(() => validateAttributes({ [name]: 1 }, { path: P('/3') }))
      expect(() => validateAttributes({ [name]: 1 }, { path: P('/3/0/7/1') })).not.toThrow()
    }
  })

  it('allows pmin, pmax, epmin, epmax, con and hqmax at every level (Object, Object Instance, Resource, Resource Instance)', () => {
    for (const path of ['/3', '/3/0', '/3/0/7', '/3/0/7/0']) {
      expect(() =>
        validateAttributes({ pmin: 1, pmax: 2, epmin: 1, epmax: 2, con: 1, hqmax: 3 }, { path: P(path) }),
      ).not.toThrow()
    }
  })

  it('refuses attributes on the root path', () => {
    rejects(() => validateAttributes({ pmin: 1 }, { path: Lwm2mPath.ROOT }))
  })

  it('refuses gt/lt/st on a non-numeric resource (Apply Condition: Numerical & Readable Resource)', () => {
    rejects(() =>
      validateAttributes({ gt: 1 }, { path: P('/3/0/0'), resource: resource({ type: 'string' }) }),
    )
    expect(() =>
      validateAttributes({ st: 1 }, { path: P('/3/0/9'), resource: resource({ type: 'float' }) }),
    ).not.toThrow()
  })

  it('refuses edge on a non-Boolean resource (Apply Condition: Boolean & Readable Resource)', () => {
    rejects(() =>
      validateAttributes({ edge: 1 }, { path: P('/3/0/9'), resource: resource({ type: 'integer' }) }),
    )
    expect(() =>
      validateAttributes(
        { edge: 0 },
        { path: P('/3311/0/5850'), resource: resource({ type: 'boolean', operations: 'RW' }) },
      ),
    ).not.toThrow()
  })

  it('refuses notification attributes on a resource that cannot be read', () => {
    rejects(() =>
      validateAttributes(
        { pmin: 1 },
        { path: P('/3/0/4'), resource: resource({ operations: 'E', type: 'none' }) },
      ),
    )
  })

  it('refuses attributes newer than the client version', () => {
    rejects(() => validateAttributes({ epmin: 1 }, { version: '1.0' }))
    rejects(() => validateAttributes({ edge: 1 }, { version: '1.1', path: P('/1/0/6') }))
    rejects(() => validateAttributes({ con: 1 }, { version: '1.1' }))
    rejects(() => validateAttributes({ hqmax: 1 }, { version: '1.1' }))
    expect(() => validateAttributes({ epmax: 1, pmin: 0 }, { version: '1.1' })).not.toThrow()
  })

  it('allows only pmin, pmax, epmin, epmax and con on Observe-Composite (section 6.4.4)', () => {
    expect(() =>
      validateAttributes({ pmin: 1, pmax: 2, epmin: 1, epmax: 2, con: 0 }, { context: 'observeComposite' }),
    ).not.toThrow()
    rejects(() => validateAttributes({ gt: 1 }, { context: 'observeComposite' }))
    rejects(() => validateAttributes({ hqmax: 1 }, { context: 'observeComposite' }))
  })

  it('refuses unsetting in an Observe', () => {
    rejects(() => validateAttributes({ pmin: null }, { context: 'observe' }))
  })
})
