import { Lwm2mError } from '../errors.js'
import type { ResourceModel, ResourceType } from '../model/types.js'
import type { Lwm2mPath } from '../path/path.js'
import { type Lwm2mVersion, versionAtLeast } from '../version/version.js'
import { type AttributeChanges, NOTIFICATION_ATTRIBUTES, type NotificationAttributeName } from './types.js'

function invalid(message: string): never {
  throw new Lwm2mError('LWM2M_INVALID_ATTRIBUTES', message)
}

/** The LwM2M version that introduced each attribute (Core TS 1.1 section 5.1.2, 1.2 section 7.3.2). */
const INTRODUCED: Readonly<Record<NotificationAttributeName, Lwm2mVersion>> = {
  pmin: '1.0',
  pmax: '1.0',
  gt: '1.0',
  lt: '1.0',
  st: '1.0',
  epmin: '1.1',
  epmax: '1.1',
  edge: '1.2',
  con: '1.2',
  hqmax: '1.2',
}

/** Attributes that may only be assigned at the Resource or Resource Instance level (table 7.3.2-1). */
const RESOURCE_LEVEL_ONLY: ReadonlySet<NotificationAttributeName> = new Set(['gt', 'lt', 'st', 'edge'])

const NUMERIC: ReadonlySet<ResourceType> = new Set(['integer', 'unsigned', 'float'])

/**
 * Where a set of attributes is used:
 * - 'writeAttributes': a Write-Attributes operation (every <NOTIFICATION> attribute, unsetting allowed);
 * - 'observe': observation attributes of an Observe (1.2, Core TS section 6.4.1), same names, no unsetting;
 * - 'observeComposite': observation attributes of an Observe-Composite (1.2, section 6.4.4):
 *   only the object-level ones pmin, pmax, epmin, epmax and con.
 */
export type AttributeContext = 'writeAttributes' | 'observe' | 'observeComposite'

const COMPOSITE_ALLOWED: ReadonlySet<NotificationAttributeName> = new Set([
  'pmin',
  'pmax',
  'epmin',
  'epmax',
  'con',
])

/** What {@link validateAttributes} checks against. */
export interface AttributeTarget {
  /** The target path; omit for Observe-Composite (several paths). */
  readonly path?: Lwm2mPath
  /** The resource model of the target (resource or resource-instance paths), when known. */
  readonly resource?: ResourceModel
  /** The LwM2M version of the client; attributes newer than it are refused. Defaults to the latest. */
  readonly version?: Lwm2mVersion
  readonly context?: AttributeContext
}

/**
 * Checks a change set against the rules of Core TS 1.2 section 7.3.2 (1.1 section 5.1.2)
 * and throws Lwm2mError LWM2M_INVALID_ATTRIBUTES (answered 4.00 Bad Request) when one is broken:
 * - no attribute on the root path; gt, lt, st and edge only at the Resource or Resource
 *   Instance level ("Assignation Level");
 * - gt, lt and st only on numeric resources, edge only on Boolean ones, and no
 *   <NOTIFICATION> attribute on a resource that cannot be read (when the model is known);
 * - "lt" value < "gt" value and "lt" + 2 * "st" < "gt" when they are set together ("When the
 *   Change Value Conditions Attributes are set in a single Write-Attributes operation, the
 *   operation MUST be rejected when the rules above are violated");
 * - pmin <= pmax and epmin <= epmax when both are set together (the specification ignores an
 *   inconsistent pmax when notifying; a request that sets both inconsistently is refused, as
 *   Leshan does, so that the server learns of its mistake);
 * - epmin/epmax need LwM2M 1.1, edge/con/hqmax 1.2, when the client's version is given;
 * - Observe-Composite carries only pmin, pmax, epmin, epmax and con.
 */
export function validateAttributes(changes: AttributeChanges, target: AttributeTarget = {}): void {
  const context = target.context ?? 'writeAttributes'
  const path = target.path
  for (const name of NOTIFICATION_ATTRIBUTES) {
    const value = changes[name]
    if (value === undefined) continue
    if (value === null && context !== 'writeAttributes')
      invalid(`attribute ${name} cannot be unset in an Observe`)
    if (target.version !== undefined && !versionAtLeast(target.version, INTRODUCED[name])) {
      invalid(`attribute ${name} needs LwM2M ${INTRODUCED[name]} or later (client is ${target.version})`)
    }
    if (context === 'observeComposite' && !COMPOSITE_ALLOWED.has(name)) {
      invalid(`attribute ${name} is not allowed in an Observe-Composite`)
    }
    if (path !== undefined) {
      if (path.isRoot()) invalid('attributes cannot be attached to the root path')
      if (RESOURCE_LEVEL_ONLY.has(name) && !(path.isResource() || path.isResourceInstance())) {
        invalid(`attribute ${name} can only be set on a resource or resource instance, not on ${path}`)
      }
    }
    const resource = target.resource
    if (resource !== undefined) {
      if (!resource.operations.includes('R'))
        invalid(`attribute ${name} needs a readable resource; ${resource.name} is not`)
      if ((name === 'gt' || name === 'lt' || name === 'st') && !NUMERIC.has(resource.type)) {
        invalid(`attribute ${name} needs a numeric resource; ${resource.name} is ${resource.type}`)
      }
      if (name === 'edge' && resource.type !== 'boolean') {
        invalid(`attribute edge needs a boolean resource; ${resource.name} is ${resource.type}`)
      }
    }
  }
  checkConsistency(changes)
}

function num(v: number | null | undefined): number | undefined {
  return typeof v === 'number' ? v : undefined
}

/** The cross-attribute rules, on the values set in one change set. */
function checkConsistency(changes: AttributeChanges): void {
  const gt = num(changes.gt)
  const lt = num(changes.lt)
  const st = num(changes.st)
  if (gt !== undefined && lt !== undefined) {
    if (!(lt < gt)) invalid(`lt (${lt}) must be less than gt (${gt})`)
    if (st !== undefined && !(lt + 2 * st < gt))
      invalid(`lt + 2 * st (${lt} + 2 * ${st}) must be less than gt (${gt})`)
  }
  const pmin = num(changes.pmin)
  const pmax = num(changes.pmax)
  if (pmin !== undefined && pmax !== undefined && pmax !== 0 && pmin > pmax) {
    invalid(`pmin (${pmin}) must not be greater than pmax (${pmax})`)
  }
  const epmin = num(changes.epmin)
  const epmax = num(changes.epmax)
  if (epmin !== undefined && epmax !== undefined && epmin > epmax) {
    invalid(`epmin (${epmin}) must not be greater than epmax (${epmax})`)
  }
}

/**
 * True when gt, lt and st of an effective attribute set form valid Change Value Conditions
 * (Core TS 1.2 section 7.3.2: lt < gt and lt + 2 * st < gt, where given). Attributes
 * inherited from different levels can break the rules even though each write was valid;
 * the notification evaluator then ignores them.
 */
export function hasValidChangeConditions(a: { gt?: number; lt?: number; st?: number }): boolean {
  if (a.gt !== undefined && a.lt !== undefined) {
    if (!(a.lt < a.gt)) return false
    if (a.st !== undefined && !(a.lt + 2 * a.st < a.gt)) return false
  }
  return true
}
