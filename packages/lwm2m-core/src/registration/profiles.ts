import { Lwm2mError } from '../errors.js'
import { type AnnouncedObject, parseRegistrationLinks } from './links.js'
import { parseProfileIds } from './params.js'

/**
 * A Profile ID (LwM2M 1.2 `pid`, Core TS 1.2 section 6.2.1) and the objects and object
 * instances it stands for: a client that hosts them registers with the ID instead of listing
 * them, and a server that knows the ID adds them to the registration.
 */
export interface RegistrationProfile {
  /** `suite:hex` (a dynamic ID, RFC 6920 suite and hash), `oma:...` or `v:...`. */
  readonly id: string
  /** The objects it stands for, by id, as a Register payload lists them. */
  readonly objects: ReadonlyMap<number, AnnouncedObject>
}

/**
 * A profile from its ID and the link payload it stands for (`</1/0>,</3/0>`). Throws Lwm2mError
 * LWM2M_INVALID_REGISTRATION for a malformed ID or payload, or a payload without objects.
 */
export function registrationProfile(id: string, links: string): RegistrationProfile {
  const [parsed] = parseProfileIds(id)
  if (parsed === undefined || parsed !== id) {
    throw new Lwm2mError('LWM2M_INVALID_REGISTRATION', `"${id.slice(0, 40)}" is not one Profile ID`)
  }
  const objects = parseRegistrationLinks(links).objects
  if (objects.size === 0) {
    throw new Lwm2mError('LWM2M_INVALID_REGISTRATION', `profile ${id} stands for no object`)
  }
  return { id, objects }
}

function sameVersion(a: AnnouncedObject, b: AnnouncedObject): boolean {
  return (a.version ?? '') === (b.version ?? '')
}

/** True when the client hosts everything `profile` stands for: each object, in its version, with each instance. */
function covers(hosted: ReadonlyMap<number, AnnouncedObject>, profile: RegistrationProfile): boolean {
  for (const [id, p] of profile.objects) {
    const h = hosted.get(id)
    if (h === undefined || !sameVersion(h, p)) return false
    for (const i of p.instances) if (!h.instances.includes(i)) return false
  }
  return true
}

/**
 * The client's side of Profile IDs: of `profiles`, those whose objects the client hosts
 * (`objects`, as it would list them on Register) apply; their IDs go in `pid` and what they
 * stand for leaves the payload. An object stays in the payload with the instances no applied
 * profile names (without `ver`, which the profile carries), and whole where no profile names it.
 */
export function applyProfiles(
  objects: readonly AnnouncedObject[],
  profiles: readonly RegistrationProfile[],
): { readonly profileIds: readonly string[]; readonly objects: readonly AnnouncedObject[] } {
  const hosted = new Map(objects.map((o) => [o.objectId, o]))
  const applied = profiles.filter((p) => covers(hosted, p))
  if (applied.length === 0) return { profileIds: [], objects }
  const named = new Map<number, Set<number>>()
  for (const p of applied) {
    for (const [id, o] of p.objects) {
      let set = named.get(id)
      if (set === undefined) named.set(id, (set = new Set()))
      for (const i of o.instances) set.add(i)
    }
  }
  const remaining: AnnouncedObject[] = []
  for (const o of objects) {
    const set = named.get(o.objectId)
    if (set === undefined) {
      remaining.push(o)
      continue
    }
    const left = o.instances.filter((i) => !set.has(i))
    if (left.length > 0) remaining.push({ objectId: o.objectId, instances: left })
  }
  return { profileIds: applied.map((p) => p.id), objects: remaining }
}

/**
 * The server's side: the objects of a registration are those of its payload and those of each
 * profile it named, instances merged (ascending), the version of whichever gives one.
 */
export function mergeProfileObjects(
  payload: ReadonlyMap<number, AnnouncedObject>,
  profiles: readonly RegistrationProfile[],
): Map<number, AnnouncedObject> {
  const out = new Map<number, AnnouncedObject>(payload)
  for (const p of profiles) {
    for (const [id, o] of p.objects) {
      const have = out.get(id)
      if (have === undefined) {
        out.set(id, o)
        continue
      }
      const instances = [...new Set([...have.instances, ...o.instances])].sort((a, b) => a - b)
      const version = have.version ?? o.version
      out.set(id, version === undefined ? { objectId: id, instances } : { objectId: id, version, instances })
    }
  }
  return new Map([...out].sort(([a], [b]) => a - b))
}
