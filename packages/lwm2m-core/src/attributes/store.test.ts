import { describe, expect, it } from 'vitest'
import { Lwm2mPath } from '../path/path.js'
import { applyAttributeChanges, createAttributeStore } from './store.js'

const P = (t: string) => Lwm2mPath.parse(t)

describe('attribute inheritance (Core TS 1.2 section 7.3.1, rules 1 to 5)', () => {
  it('applies and unsets at one level', () => {
    expect(applyAttributeChanges({ pmin: 1, pmax: 2 }, { pmin: null, gt: 5 })).toEqual({ pmax: 2, gt: 5 })
  })

  it('a lower level prevails: resource instance over resource over instance over object', () => {
    const s = createAttributeStore()
    s.apply(1, P('/3'), { pmin: 10, pmax: 200 })
    s.apply(1, P('/3/0'), { pmax: 320 })
    s.apply(1, P('/3/0/11/0'), { pmax: 100, epmin: 1, epmax: 20 })
    // ETS LwM2M-1.1-int-261: the inherited values of /3/0/11 and /3/0/11/0
    expect(s.effective(1, P('/3/0/11'))).toEqual({ pmin: 10, pmax: 320 })
    expect(s.effective(1, P('/3/0/11/0'))).toEqual({ pmin: 10, pmax: 100, epmin: 1, epmax: 20 })
    expect(s.attached(1, P('/3/0/11/0'))).toEqual({ pmax: 100, epmin: 1, epmax: 20 })
  })

  it('ignores attributes attached below the observed path (section 6.4.2)', () => {
    const s = createAttributeStore()
    s.apply(1, P('/3/0/7'), { gt: 50 })
    expect(s.effective(1, P('/3/0'))).toEqual({ pmin: 0 })
  })

  it('falls back to the Server object defaults /1/x/2 and /1/x/3, pmin to 0', () => {
    const s = createAttributeStore()
    expect(s.effective(1, P('/3/0/7'))).toEqual({ pmin: 0 })
    // ETS LwM2M-1.2-int-264: /1/0/2 = 1, /1/0/3 = 10
    expect(s.effective(1, P('/3/0/7'), { defaultPmin: 1, defaultPmax: 10 })).toEqual({ pmin: 1, pmax: 10 })
    s.apply(1, P('/3/0'), { pmax: 200 })
    expect(s.effective(1, P('/3/0/7'), { defaultPmin: 1, defaultPmax: 10 })).toEqual({ pmin: 1, pmax: 200 })
  })

  it('keeps attributes per server (ETS LwM2M-1.1-int-951)', () => {
    const s = createAttributeStore()
    s.apply(1, P('/3/0'), { pmin: 2, pmax: 10 })
    s.apply(2, P('/3/0'), { pmin: 15, pmax: 50 })
    expect(s.effective(1, P('/3/0'))).toEqual({ pmin: 2, pmax: 10 })
    expect(s.effective(2, P('/3/0'))).toEqual({ pmin: 15, pmax: 50 })
    s.clearServer(1)
    expect(s.attached(1, P('/3/0'))).toEqual({})
    expect(s.attached(2, P('/3/0'))).toEqual({ pmin: 15, pmax: 50 })
  })

  it('forgets a subtree after a Delete, and drops empty levels', () => {
    const s = createAttributeStore()
    s.apply(1, P('/16/0'), { pmin: 30 })
    s.apply(1, P('/16/0/0/1'), { pmax: 45 })
    s.apply(1, P('/16/1'), { pmin: 5 })
    s.removeTree(P('/16/0'))
    expect(s.paths(1).map(String)).toEqual(['/16/1'])
    s.apply(1, P('/16/1'), { pmin: null })
    expect(s.paths(1)).toEqual([])
  })
})
