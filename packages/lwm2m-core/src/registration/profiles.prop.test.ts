import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { type AnnouncedObject, formatRegistrationLinks, parseRegistrationLinks } from './links.js'
import { applyProfiles, mergeProfileObjects, registrationProfile } from './profiles.js'

describe('Profile IDs (Core TS 1.2 section 6.2.1 pid), properties', () => {
  it('property: what the client leaves out, the server puts back', () => {
    const object = fc
      .record({
        objectId: fc.integer({ min: 1, max: 40 }).filter((id) => id !== 21 && id !== 23),
        version: fc.option(fc.constantFrom('1.1', '1.2', '2.0'), { nil: undefined }),
        instances: fc.uniqueArray(fc.integer({ min: 0, max: 5 }), { maxLength: 4 }),
      })
      .map(
        ({ version, instances, ...o }): AnnouncedObject => ({
          ...o,
          ...(version === undefined ? {} : { version }),
          instances: [...instances].sort((a, b) => a - b),
        }),
      )
    const hosted = fc.uniqueArray(object, { selector: (o) => o.objectId, maxLength: 6 })
    fc.assert(
      fc.property(
        hosted,
        fc.array(fc.tuple(fc.integer({ min: 0, max: 15 }), fc.boolean()), { maxLength: 3 }),
        (list, picks) => {
          const sorted = [...list].sort((a, b) => a.objectId - b.objectId)
          // Profiles made of parts of what the client hosts (and some it does not).
          const profiles = picks.map(([mask, foreign], n) => {
            const part = sorted
              .filter((_, i) => (mask >> i) & 1)
              .map((o) => ({ ...o, instances: o.instances.slice(0, 2) }))
            const links = foreign ? [...part, { objectId: 99, instances: [0] }] : part
            return links.length === 0
              ? undefined
              : registrationProfile(`6:${n}a`, formatRegistrationLinks({ objects: links }))
          })
          const usable = profiles.filter((p) => p !== undefined)
          const { profileIds, objects: rest } = applyProfiles(sorted, usable)
          const payload = parseRegistrationLinks(formatRegistrationLinks({ objects: rest })).objects
          const merged = mergeProfileObjects(
            payload,
            usable.filter((p) => profileIds.includes(p.id)),
          )
          expect([...merged.values()]).toEqual(sorted)
        },
      ),
    )
  })
})
