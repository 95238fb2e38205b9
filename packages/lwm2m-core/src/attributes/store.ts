import { Lwm2mPath } from '../path/path.js'
import { type AttributeChanges, NOTIFICATION_ATTRIBUTES, type NotificationAttributes } from './types.js'

/**
 * The server-level defaults of the Server object instance (Core TS appendix E.2):
 * resource 2 "Default Minimum Period" and resource 3 "Default Maximum Period".
 */
export interface ServerAttributeDefaults {
  /** /1/x/2; the Minimum Period is 0 when the resource is absent. */
  readonly defaultPmin?: number
  /** /1/x/3; no Maximum Period when absent. */
  readonly defaultPmax?: number
}

/**
 * Applies a change set to the attributes attached at one level: numbers set, `null`
 * unsets, absent names stay. Returns a new object.
 */
export function applyAttributeChanges(
  current: NotificationAttributes,
  changes: AttributeChanges,
): NotificationAttributes {
  const out: Record<string, number> = {}
  for (const name of NOTIFICATION_ATTRIBUTES) {
    const change = changes[name]
    const value = change === undefined ? current[name] : change
    if (value !== undefined && value !== null) out[name] = value
  }
  return out as NotificationAttributes
}

/**
 * The effective attributes of `path` from the attributes attached along it (Core TS 1.2
 * section 7.3, precedence rules 3, 3a, 4 and 5): a value set at the Resource Instance level
 * prevails over the Resource level, which prevails over the Object Instance level, which
 * prevails over the Object level; levels below `path` are not consulted ("Attributes attached
 * below the observed level MUST be ignored", section 6.4.2). pmin and pmax fall back to the
 * Server object defaults /1/x/2 and /1/x/3, pmin finally to 0.
 *
 * `attachedAt(p)` returns what is attached at exactly `p` (undefined for nothing).
 */
export function resolveEffectiveAttributes(
  path: Lwm2mPath,
  attachedAt: (p: Lwm2mPath) => NotificationAttributes | undefined,
  defaults: ServerAttributeDefaults = {},
): NotificationAttributes {
  const out: Record<string, number> = {}
  // Walk from the path itself up to its object: the first value found for a name wins.
  for (let depth = path.ids.length; depth >= 1; depth--) {
    const attached = attachedAt(depth === path.ids.length ? path : Lwm2mPath.of(...path.ids.slice(0, depth)))
    if (!attached) continue
    for (const name of NOTIFICATION_ATTRIBUTES) {
      const v = attached[name]
      if (v !== undefined && out[name] === undefined) out[name] = v
    }
  }
  if (out.pmin === undefined) out.pmin = defaults.defaultPmin ?? 0
  if (out.pmax === undefined && defaults.defaultPmax !== undefined) out.pmax = defaults.defaultPmax
  return out as NotificationAttributes
}

/**
 * Attributes attached by each LwM2M Server, per path. Attributes are per server in LwM2M
 * ("The value of an Attribute is LwM2M Server specific", Core TS 1.2 section 7.3; ETS
 * LwM2M-1.1-int-951): a client keeps one store and keys it by Short Server ID.
 * In-memory, no timers; its size is one entry per (server, path) that carries attributes.
 */
export interface AttributeStore {
  /** The attributes attached at exactly `path` by server `ssid` (empty when none). */
  attached(ssid: number, path: Lwm2mPath): NotificationAttributes
  /** Applies a validated Write-Attributes change set at `path`; returns what is attached there afterwards. */
  apply(ssid: number, path: Lwm2mPath, changes: AttributeChanges): NotificationAttributes
  /** The effective attributes of `path` for server `ssid` (see {@link resolveEffectiveAttributes}). */
  effective(ssid: number, path: Lwm2mPath, defaults?: ServerAttributeDefaults): NotificationAttributes
  /** Forgets what every server attached at `path` and below (after a Delete of an instance). */
  removeTree(path: Lwm2mPath): void
  /** Forgets everything server `ssid` attached (its account was removed). */
  clearServer(ssid: number): void
  /** Paths with attributes attached by `ssid`, in path order. */
  paths(ssid: number): Lwm2mPath[]
}

/** Creates an empty in-memory {@link AttributeStore}. */
export function createAttributeStore(): AttributeStore {
  const byServer = new Map<number, Map<string, { path: Lwm2mPath; attributes: NotificationAttributes }>>()
  const EMPTY: NotificationAttributes = Object.freeze({})

  const attached = (ssid: number, path: Lwm2mPath): NotificationAttributes =>
    byServer.get(ssid)?.get(path.toString())?.attributes ?? EMPTY

  return {
    attached,
    apply(ssid, path, changes) {
      let paths = byServer.get(ssid)
      const key = path.toString()
      const next = applyAttributeChanges(paths?.get(key)?.attributes ?? EMPTY, changes)
      if (Object.keys(next).length === 0) {
        paths?.delete(key)
        if (paths?.size === 0) byServer.delete(ssid)
        return EMPTY
      }
      if (!paths) byServer.set(ssid, (paths = new Map()))
      paths.set(key, { path, attributes: Object.freeze(next) })
      return next
    },
    effective(ssid, path, defaults) {
      const paths = byServer.get(ssid)
      return resolveEffectiveAttributes(path, (p) => paths?.get(p.toString())?.attributes, defaults)
    },
    removeTree(path) {
      for (const [ssid, paths] of byServer) {
        for (const [key, entry] of paths) if (path.isPrefixOf(entry.path)) paths.delete(key)
        if (paths.size === 0) byServer.delete(ssid)
      }
    },
    clearServer(ssid) {
      byServer.delete(ssid)
    },
    paths(ssid) {
      const paths = byServer.get(ssid)
      return paths ? [...paths.values()].map((e) => e.path).sort(Lwm2mPath.compare) : []
    },
  }
}
