import {
  CoapError,
  formatLinkFormat,
  getLinkAttribute,
  getLinkTokens,
  type Link,
  type LinkAttribute,
  parseLinkFormat,
} from '@lwm2m/coap'
import {
  formatAttributeValue,
  isNotificationAttributeName,
  parseAttributeValue,
} from '../attributes/query.js'
import {
  NOTIFICATION_ATTRIBUTES,
  type NotificationAttributeName,
  type NotificationAttributes,
  type PropertyAttributes,
} from '../attributes/types.js'
import { Lwm2mError } from '../errors.js'
import { Lwm2mPath } from '../path/path.js'
import { parseVersionText } from '../version/version.js'

/** One object a client announces on Register or Update, with its version and instances. */
export interface AnnouncedObject {
  readonly objectId: number
  /** `ver=` (Core TS 1.2 section 7.2.3); absent means the version the client's LwM2M version implies. */
  readonly version?: string
  /** Instance ids, ascending; empty for an object without instances (`</5>`). */
  readonly instances: readonly number[]
}

/** The link payload of a Register or Update (Core TS 1.2 section 6.2.1), read. */
export interface RegistrationLinks {
  /** The alternate path ("/lwm2m") from the `rt="oma.lwm2m"` link, "/" without one (Transport TS section 6.4.1). */
  readonly rootPath: string
  /** Content formats announced with `ct=` on the root link (1.1+; 1.2 allows a quoted list `ct="110 112"`). */
  readonly supportedFormats: readonly number[]
  /** The announced objects by id, in id order. */
  readonly objects: ReadonlyMap<number, AnnouncedObject>
}

function invalid(message: string, cause?: unknown): never {
  throw new Lwm2mError('LWM2M_INVALID_REGISTRATION', message, cause === undefined ? undefined : { cause })
}

function parseLinks(text: string, what: string): Link[] {
  try {
    return parseLinkFormat(text)
  } catch (err) {
    if (CoapError.isInstance(err)) invalid(`${what}: ${err.message}`, err)
    throw err
  }
}

/** Reads a link target under `root` as an LwM2M path; undefined when it is not one (then it is not an LwM2M link). */
function targetPath(target: string, root: string): Lwm2mPath | undefined {
  let t = target
  if (root !== '/') {
    if (!(t === root || t.startsWith(`${root}/`))) return undefined
    t = t.slice(root.length) || '/'
  }
  if (t.length > 1 && t.endsWith('/')) t = t.slice(0, -1) // "</0/1/>" as printed in the spec examples
  try {
    return Lwm2mPath.parse(t)
  } catch {
    return undefined
  }
}

function ctList(link: Link): number[] {
  const out: number[] = []
  for (const token of getLinkTokens(link, 'ct')) {
    if (!/^[0-9]{1,5}$/.test(token) || Number(token) > 65535)
      invalid(`ct "${token.slice(0, 20)}" is not a content-format number`)
    out.push(Number(token))
  }
  return out
}

function checkVersion(v: string | true | undefined, where: string): string | undefined {
  if (v === undefined) return undefined
  if (v === true || !parseVersionText(v)) invalid(`ver of ${where} is not a version like 1.1`)
  return v
}

/** Objects a Register must not list (Security 0, OSCORE 21, COSE 23): skipped when a client lists them anyway. */
const NEVER_REGISTERED: ReadonlySet<number> = new Set([0, 21, 23])

/**
 * Reads the link-format payload of a Register or Update (Core TS 1.2 section 6.2.1):
 * `</>;rt="oma.lwm2m";ct="110 112"`, `</lwm2m>;rt="oma.lwm2m"` (an alternate path, which
 * prefixes every other link), objects `</3>;ver=1.1`, instances `</3/0>`. Links that are no
 * LwM2M path under the root, and parameters not defined for them, are ignored ("Any other
 * parameters included in the link MUST NOT be interpreted as an error"); so are /0, /21 and
 * /23, which a client must not list. A `ver` on the only instance link of an object is the
 * object's version (section 7.2.3). Throws LWM2M_INVALID_REGISTRATION for a malformed document,
 * a `ct` or `ver` of the wrong form, an alternate path with a numeric segment, or two root links.
 */
export function parseRegistrationLinks(text: string): RegistrationLinks {
  const links = parseLinks(text, 'Register payload')
  let rootPath = '/'
  let rootLink: Link | undefined
  for (const link of links) {
    if (!getLinkTokens(link, 'rt').includes('oma.lwm2m')) continue
    if (rootLink) invalid('two links carry rt="oma.lwm2m"')
    rootLink = link
    let t = link.target.length > 1 && link.target.endsWith('/') ? link.target.slice(0, -1) : link.target
    if (!t.startsWith('/')) invalid(`the alternate path "${t.slice(0, 40)}" must start with "/"`)
    if (t.split('/').some((s) => /^[0-9]+$/.test(s)))
      invalid(`the alternate path "${t.slice(0, 40)}" has a numeric segment`)
    if (t === '') t = '/'
    rootPath = t
  }
  rootLink ??= links.find((l) => l.target === '/')
  const supportedFormats = rootLink ? ctList(rootLink) : []
  const objects = new Map<number, { version?: string; instances: Set<number>; instanceVersion?: string }>()
  for (const link of links) {
    if (link === rootLink) continue
    const path = targetPath(link.target, rootPath)
    if (!path || path.isRoot() || path.ids.length > 2) continue
    const objectId = path.objectId!
    if (NEVER_REGISTERED.has(objectId)) continue
    let entry = objects.get(objectId)
    if (!entry) objects.set(objectId, (entry = { instances: new Set() }))
    const ver = checkVersion(getLinkAttribute(link, 'ver'), link.target)
    if (path.isObject()) {
      if (ver !== undefined) entry.version = ver
    } else {
      entry.instances.add(path.instanceId!)
      if (ver !== undefined) entry.instanceVersion = ver
    }
  }
  const out = new Map<number, AnnouncedObject>()
  for (const id of [...objects.keys()].sort((a, b) => a - b)) {
    const e = objects.get(id)!
    const version = e.version ?? (e.instances.size === 1 ? e.instanceVersion : undefined)
    const instances = [...e.instances].sort((a, b) => a - b)
    out.set(id, version === undefined ? { objectId: id, instances } : { objectId: id, version, instances })
  }
  return { rootPath, supportedFormats, objects: out }
}

/** What {@link formatRegistrationLinks} writes. */
export interface RegistrationLinksInit {
  /** The alternate path, "/" (the default) for none. */
  readonly rootPath?: string
  /** Formats to announce with `ct=` (1.1+). */
  readonly supportedFormats?: readonly number[]
  readonly objects: Iterable<AnnouncedObject>
}

/**
 * Writes the link payload of a Register or Update: a root link when there is an alternate path
 * or formats to announce (`</>;rt="oma.lwm2m";ct=110`, several formats as a quoted list), then
 * per object either `</o>` (no instances) or its instance links, with `</o>;ver=x.y` first when
 * the object has a version. Objects 0, 21 and 23 are refused (section 6.2.1: "MUST NOT be part
 * of this list"). Without root link and versions this is the LwM2M 1.0 form `</1/0>,</3/0>`.
 */
export function formatRegistrationLinks(init: RegistrationLinksInit): string {
  const root = init.rootPath ?? '/'
  if (root !== '/' && (!root.startsWith('/') || root.split('/').some((s) => /^[0-9]+$/.test(s)))) {
    invalid(`"${root}" cannot be an alternate path`)
  }
  const links: Link[] = []
  const formats = init.supportedFormats ?? []
  if (root !== '/' || formats.length > 0) {
    const attributes: LinkAttribute[] = [['rt', 'oma.lwm2m']]
    if (formats.length > 0) attributes.push(['ct', formats.join(' ')])
    links.push({ target: root, attributes })
  }
  const prefix = root === '/' ? '' : root
  const objects = [...init.objects].sort((a, b) => a.objectId - b.objectId)
  for (const o of objects) {
    if (NEVER_REGISTERED.has(o.objectId)) invalid(`object ${o.objectId} must not be listed on Register`)
    const base = `${prefix}${Lwm2mPath.of(o.objectId)}`
    if (o.version !== undefined) {
      checkVersion(o.version, base)
      links.push({ target: base, attributes: [['ver', o.version]] })
    } else if (o.instances.length === 0) links.push({ target: base, attributes: [] })
    for (const i of [...o.instances].sort((a, b) => a - b)) {
      links.push({ target: `${prefix}${Lwm2mPath.of(o.objectId, i)}`, attributes: [] })
    }
  }
  return formatLinkFormat(links)
}

/** One link of a Discover or Bootstrap-Discover answer. */
export interface DiscoveredLink {
  readonly path: Lwm2mPath
  /** <NOTIFICATION> attributes attached or inherited at this level (Discover). */
  readonly attributes: NotificationAttributes
  /** <PROPERTIES> attributes: dim, ver (Discover); ssid, uri, ver (Bootstrap-Discover). */
  readonly properties: PropertyAttributes
}

function decimalAttribute(name: NotificationAttributeName, value: string | true, target: string): number {
  if (value === true)
    throw new Lwm2mError('LWM2M_INVALID_ATTRIBUTES', `attribute ${name} of ${target} has no value`)
  return parseAttributeValue(name, value)
}

function readLink(link: Link, path: Lwm2mPath): DiscoveredLink {
  const attributes: Record<string, number> = {}
  const properties: { -readonly [K in keyof PropertyAttributes]: PropertyAttributes[K] } = {}
  for (const [name, value] of link.attributes) {
    if (isNotificationAttributeName(name)) attributes[name] = decimalAttribute(name, value, link.target)
    else if (name === 'dim' || name === 'ssid') {
      if (value === true || !/^[0-9]{1,5}$/.test(value)) {
        throw new Lwm2mError('LWM2M_INVALID_ATTRIBUTES', `${name} of ${link.target} is not a number`)
      }
      properties[name] = Number(value)
    } else if (name === 'ver' || name === 'lwm2m') {
      if (value === true || !parseVersionText(value)) {
        throw new Lwm2mError('LWM2M_INVALID_ATTRIBUTES', `${name} of ${link.target} is not a version`)
      }
      properties[name] = value
    } else if (name === 'uri' && value !== true) properties.uri = value
  }
  return { path, attributes: attributes as NotificationAttributes, properties }
}

/**
 * Reads a Discover answer (Core TS 1.2 section 6.3.2): `</3/0>;pmin=10;pmax=60,</3/0/7>;dim=2;gt=50;lt=42.2`.
 * `rootPath` is the client's alternate path, stripped from the targets. Links that are no
 * LwM2M path are skipped; unknown parameters are ignored. Throws LWM2M_INVALID_REGISTRATION
 * for a malformed document and LWM2M_INVALID_ATTRIBUTES for a malformed attribute value.
 */
export function parseDiscoverLinks(text: string, rootPath = '/'): DiscoveredLink[] {
  const out: DiscoveredLink[] = []
  for (const link of parseLinks(text, 'Discover answer')) {
    const path = targetPath(link.target, rootPath)
    if (path) out.push(readLink(link, path))
  }
  return out
}

function discoverAttributes(entry: {
  readonly attributes?: NotificationAttributes
  readonly properties?: PropertyAttributes
}): LinkAttribute[] {
  const out: LinkAttribute[] = []
  const p = entry.properties ?? {}
  if (p.lwm2m !== undefined) out.push(['lwm2m', p.lwm2m])
  if (p.ver !== undefined) out.push(['ver', p.ver])
  if (p.dim !== undefined) out.push(['dim', String(p.dim)])
  if (p.ssid !== undefined) out.push(['ssid', String(p.ssid)])
  const a = entry.attributes ?? {}
  for (const name of NOTIFICATION_ATTRIBUTES) {
    const v = a[name]
    if (v !== undefined) out.push([name, formatAttributeValue(name, v)])
  }
  return out
}

/** One entry for {@link formatDiscoverLinks}. */
export interface DiscoverEntry {
  readonly path: Lwm2mPath
  readonly attributes?: NotificationAttributes
  readonly properties?: PropertyAttributes
}

/**
 * Writes a Discover answer in the order given: `</3/0/7>;dim=2;pmin=10;gt=50`, properties
 * (ver, dim) first, then the <NOTIFICATION> attributes in their canonical order. No
 * alternate path is written (the server addressed the request with it and reads plain paths).
 */
export function formatDiscoverLinks(entries: readonly DiscoverEntry[]): string {
  return formatLinkFormat(
    entries.map((e) => ({ target: e.path.toString(), attributes: discoverAttributes(e) })),
  )
}

/** A Bootstrap-Discover answer (Core TS 1.2 section 6.1.7.3), read. */
export interface BootstrapDiscovery {
  /** The `lwm2m=` of the root link: the client's enabler version. */
  readonly lwm2m: string | undefined
  readonly links: readonly DiscoveredLink[]
}

/**
 * Reads a Bootstrap-Discover answer: `</>;lwm2m=1.1,</0/0>;ssid=101;uri="coaps://...",</1/0>;ssid=101,</3/0>`.
 * Accepts the form of earlier editions with no URI-reference before `lwm2m=` (`lwm2m=1.0,</0/0>...`),
 * which "LwM2M Servers MAY accept", and the trailing slashes of the specification's examples.
 */
export function parseBootstrapDiscoverLinks(text: string): BootstrapDiscovery {
  let body = text.trimStart()
  let legacyVersion: string | undefined
  const legacy = /^lwm2m="?([0-9]+\.[0-9]+)"?\s*(,|$)/.exec(body)
  if (legacy) {
    legacyVersion = legacy[1]
    body = body.slice(legacy[0].length)
  }
  let lwm2m = legacyVersion
  const links: DiscoveredLink[] = []
  for (const link of parseLinks(body, 'Bootstrap-Discover answer')) {
    const path = targetPath(link.target, '/')
    if (!path) continue
    const read = readLink(link, path)
    if (path.isRoot()) {
      lwm2m = read.properties.lwm2m ?? lwm2m
      continue
    }
    links.push(read)
  }
  return { lwm2m, links }
}

/**
 * Writes a Bootstrap-Discover answer: the root link with `lwm2m=`, then each entry with its
 * `ver`, `ssid` and (quoted, as the ABNF `"uri" "=" quoted-string` wants) `uri`.
 */
export function formatBootstrapDiscoverLinks(lwm2m: string, entries: readonly DiscoverEntry[]): string {
  if (!parseVersionText(lwm2m)) invalid(`"${lwm2m}" is not a version`)
  const links: Link[] = [{ target: '/', attributes: [['lwm2m', lwm2m]] }]
  for (const e of entries) {
    const { uri, ...rest } = e.properties ?? {}
    const attributes = discoverAttributes({ properties: rest })
    if (uri !== undefined) attributes.push(['uri', uri])
    links.push({ target: e.path.toString(), attributes })
  }
  return formatLinkFormat(links, { quote: ['uri'] })
}
