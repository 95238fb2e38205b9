import { Lwm2mError } from '../errors.js'

/** The largest id of an object, instance, resource or resource instance (16 bits). */
export const MAX_ID = 65535

/** How deep a path goes. */
export type PathLevel = 'root' | 'object' | 'instance' | 'resource' | 'resourceInstance'

const LEVELS: readonly PathLevel[] = ['root', 'object', 'instance', 'resource', 'resourceInstance']

function invalid(text: string, why: string): never {
  throw new Lwm2mError('LWM2M_INVALID_PATH', `invalid LwM2M path "${text}": ${why}`)
}

/**
 * An LwM2M path: `/`, `/o`, `/o/i`, `/o/i/r` or `/o/i/r/ri` (Core TS section 6.1,
 * 7.2). Immutable; ids are integers 0-65535. Compare with {@link Lwm2mPath.equals}
 * or by {@link Lwm2mPath.toString}.
 */
export class Lwm2mPath {
  /** The ids, outermost first; 0 to 4 of them. */
  readonly ids: readonly number[]

  private constructor(ids: readonly number[]) {
    this.ids = ids
  }

  static readonly ROOT: Lwm2mPath = new Lwm2mPath([])

  /** Builds a path from ids, checking each. */
  static of(...ids: number[]): Lwm2mPath {
    if (ids.length > 4) invalid(`/${ids.join('/')}`, 'more than 4 levels')
    for (const id of ids) {
      if (!Number.isInteger(id) || id < 0 || id > MAX_ID)
        invalid(`/${ids.join('/')}`, `id ${id} out of 0..${MAX_ID}`)
    }
    return ids.length === 0 ? Lwm2mPath.ROOT : new Lwm2mPath(Object.freeze(ids.slice()))
  }

  /** Parses "/3/0/1" (a trailing "/" is tolerated, "/" alone is the root); throws Lwm2mError LWM2M_INVALID_PATH. */
  static parse(text: string): Lwm2mPath {
    if (text === '/' || text === '') return Lwm2mPath.ROOT
    if (text[0] !== '/') invalid(text, 'must start with "/"')
    const body = text.endsWith('/') ? text.slice(1, -1) : text.slice(1)
    const parts = body.split('/')
    if (parts.length > 4) invalid(text, 'more than 4 levels')
    const ids: number[] = []
    for (const p of parts) ids.push(parseId(p, text))
    return new Lwm2mPath(Object.freeze(ids))
  }

  /** Builds a path from Uri-Path segments ("3", "0", "1"); throws LWM2M_INVALID_PATH. */
  static fromSegments(segments: readonly string[]): Lwm2mPath {
    if (segments.length === 0 || (segments.length === 1 && segments[0] === '')) return Lwm2mPath.ROOT
    if (segments.length > 4) invalid(`/${segments.join('/')}`, 'more than 4 levels')
    const ids = segments.map((s) => parseId(s, `/${segments.join('/')}`))
    return new Lwm2mPath(Object.freeze(ids))
  }

  get level(): PathLevel {
    return LEVELS[this.ids.length]!
  }
  get objectId(): number | undefined {
    return this.ids[0]
  }
  get instanceId(): number | undefined {
    return this.ids[1]
  }
  get resourceId(): number | undefined {
    return this.ids[2]
  }
  get resourceInstanceId(): number | undefined {
    return this.ids[3]
  }
  isRoot(): boolean {
    return this.ids.length === 0
  }
  isObject(): boolean {
    return this.ids.length === 1
  }
  isInstance(): boolean {
    return this.ids.length === 2
  }
  isResource(): boolean {
    return this.ids.length === 3
  }
  isResourceInstance(): boolean {
    return this.ids.length === 4
  }

  /** The path one level up (the root's parent is the root). */
  parent(): Lwm2mPath {
    return this.ids.length === 0 ? this : Lwm2mPath.of(...this.ids.slice(0, -1))
  }

  /** This path with one more id. */
  child(id: number): Lwm2mPath {
    return Lwm2mPath.of(...this.ids, id)
  }

  /** True if this path equals `other` or is an ancestor of it (the root is everyone's prefix). */
  isPrefixOf(other: Lwm2mPath): boolean {
    if (this.ids.length > other.ids.length) return false
    for (let i = 0; i < this.ids.length; i++) if (this.ids[i] !== other.ids[i]) return false
    return true
  }

  equals(other: Lwm2mPath): boolean {
    return this.ids.length === other.ids.length && this.isPrefixOf(other)
  }

  /** Orders paths depth-first: by ids left to right, a prefix before its descendants. */
  static compare(a: Lwm2mPath, b: Lwm2mPath): number {
    const n = Math.min(a.ids.length, b.ids.length)
    for (let i = 0; i < n; i++) {
      const d = a.ids[i]! - b.ids[i]!
      if (d !== 0) return d
    }
    return a.ids.length - b.ids.length
  }

  /** Uri-Path segments, empty for the root. */
  toSegments(): string[] {
    return this.ids.map(String)
  }

  toString(): string {
    return this.ids.length === 0 ? '/' : `/${this.ids.join('/')}`
  }
}

function parseId(segment: string, text: string): number {
  if (!/^(0|[1-9][0-9]{0,4})$/.test(segment)) invalid(text, `"${segment}" is not an id`)
  const id = Number(segment)
  if (id > MAX_ID) invalid(text, `id ${id} out of 0..${MAX_ID}`)
  return id
}

/** Accepts a path as text or as a Lwm2mPath. */
export function toPath(path: string | Lwm2mPath): Lwm2mPath {
  return typeof path === 'string' ? Lwm2mPath.parse(path) : path
}
