import { describe, expect, it } from 'vitest'
import { Lwm2mError } from '../errors.js'
import { formatRegistrationLinks, parseRegistrationLinks } from './links.js'
import { applyProfiles, mergeProfileObjects, registrationProfile } from './profiles.js'

// Core TS 1.2 section 6.2.1 (pid), ETS INT 1.2 int-110 and int-111: a profile for the objects of
// the basic configuration C.1 (/1/0, /3/0).
const c1 = registrationProfile('6:27354b9a', '</1/0>,</3/0>')
const objects = (links: string) => [...parseRegistrationLinks(links).objects.values()]

describe('Profile IDs (Core TS 1.2 section 6.2.1 pid)', () => {
  it('a profile is an ID and the objects it stands for', () => {
    expect(c1.id).toBe('6:27354b9a')
    expect([...c1.objects.keys()]).toEqual([1, 3])
    expect(registrationProfile('v:acme-1', '</3>;ver=1.1,</3/0>').objects.get(3)).toEqual({
      objectId: 3,
      version: '1.1',
      instances: [0],
    })
  })

  it('refuses a malformed ID, several IDs, or a payload without objects', () => {
    for (const [id, links] of [
      ['6:XYZ', '</1/0>'],
      ['"6:12,6:34"', '</1/0>'],
      ['6:12ab', '</>;rt="oma.lwm2m"'],
      ['6:12ab', '</1/0'],
    ] as const) {
      expect(() => registrationProfile(id, links)).toThrow(Lwm2mError)
    }
  })

  it('int-110: the client hosting exactly the profile lists no object', () => {
    expect(applyProfiles(objects('</1/0>,</3/0>'), [c1])).toEqual({ profileIds: ['6:27354b9a'], objects: [] })
  })

  it('int-111: what the profile lacks stays in the payload', () => {
    const r = applyProfiles(objects('</1/0>,</3/0>,</4/0>'), [c1])
    expect(r.profileIds).toEqual(['6:27354b9a'])
    expect(formatRegistrationLinks({ objects: r.objects })).toBe('</4/0>')
  })

  it('extra instances of a profile object stay listed; a profile the client does not cover does not apply', () => {
    const r = applyProfiles(objects('</1/0>,</1/1>,</3/0>'), [c1])
    expect(formatRegistrationLinks({ objects: r.objects })).toBe('</1/1>')
    expect(applyProfiles(objects('</1/0>,</3/1>'), [c1])).toEqual({
      profileIds: [],
      objects: objects('</1/0>,</3/1>'),
    })
    // Another version of an object is not the profile's.
    expect(applyProfiles(objects('</1/0>,</3>;ver=1.1,</3/0>'), [c1]).profileIds).toEqual([])
  })

  it("the server merges the profiles' objects with the payload's", () => {
    const merged = mergeProfileObjects(parseRegistrationLinks('</1/1>,</4/0>').objects, [c1])
    expect([...merged.values()]).toEqual([
      { objectId: 1, instances: [0, 1] },
      { objectId: 3, instances: [0] },
      { objectId: 4, instances: [0] },
    ])
  })
})
