import type { ModelLookup } from '../codec/types.js'
import { Lwm2mCodecError } from '../errors.js'
import type { ResourceType } from '../model/types.js'
import type { Lwm2mPath } from '../path/path.js'
import { valuesEqual } from '../value/check.js'
import type {
  Lwm2mNode,
  MultipleResource,
  ObjectInstance,
  ObjectNode,
  Resource,
  ResourceInstance,
  ResourceValue,
  SingleResource,
} from './types.js'

/**
 * What a decoder found at one path, before it is assembled into nodes:
 * - `value`: a value at /o/i/r or /o/i/r/ri, already typed;
 * - `null`: a path named without a value (a SenML record without value, CBOR null);
 * - `container`: an object, instance or multiple resource that exists but may be
 *   empty (an empty map in LwM2M CBOR).
 */
export type DecodedEntry =
  | {
      readonly kind: 'value'
      readonly ids: readonly number[]
      readonly type: ResourceType
      readonly value: ResourceValue
    }
  | { readonly kind: 'null'; readonly ids: readonly number[] }
  | { readonly kind: 'container'; readonly ids: readonly number[] }

/** The type a multiple resource gets when neither its instances nor a model tell (LwM2M CBOR empty map). */
export const UNKNOWN_TYPE: ResourceType = 'opaque'

interface ResAcc {
  multiple: boolean | undefined
  type: ResourceType | undefined
  value: ResourceValue | undefined
  instances: Map<number, ResourceValue> | undefined
  /** Types seen among instances, to unify numbers when no model types them. */
  mixed: boolean
}
type InstAcc = Map<number, ResAcc>
type ObjAcc = Map<number, InstAcc>

function pathText(ids: readonly number[]): string {
  return ids.length === 0 ? '/' : `/${ids.join('/')}`
}

const NUMERIC: ReadonlySet<ResourceType> = new Set(['integer', 'unsigned', 'float'])

/** Collects entries into a tree, checking shape against the models. */
class Tree {
  readonly objects = new Map<number, ObjAcc>()

  constructor(
    private readonly format: number,
    private readonly models: ModelLookup,
  ) {}

  fail(ids: readonly number[], why: string): never {
    throw new Lwm2mCodecError(this.format, why, { path: pathText(ids) })
  }

  private obj(id: number): ObjAcc {
    let o = this.objects.get(id)
    if (o === undefined) this.objects.set(id, (o = new Map()))
    return o
  }

  private inst(ids: readonly number[]): InstAcc {
    const o = this.obj(ids[0]!)
    let i = o.get(ids[1]!)
    if (i === undefined) o.set(ids[1]!, (i = new Map()))
    return i
  }

  private res(ids: readonly number[], multiple: boolean): ResAcc {
    const i = this.inst(ids)
    let r = i.get(ids[2]!)
    const model = this.models.getObjectModel(ids[0]!)?.resources.get(ids[2]!)
    if (model !== undefined && model.multiple !== multiple) {
      this.fail(
        ids,
        `resource ${model.id} (${model.name}) is ${model.multiple ? 'multiple' : 'single'}-instance`,
      )
    }
    if (r === undefined) {
      r = { multiple, type: model?.type, value: undefined, instances: undefined, mixed: false }
      i.set(ids[2]!, r)
    } else if (r.multiple !== undefined && r.multiple !== multiple) {
      this.fail(ids, 'resource given both as single and as multiple')
    }
    r.multiple = multiple
    return r
  }

  add(e: DecodedEntry): void {
    const ids = e.ids
    if (e.kind === 'null') return
    if (e.kind === 'container') {
      if (ids.length === 1) this.obj(ids[0]!)
      else if (ids.length === 2) this.inst(ids)
      else if (ids.length === 3) {
        const r = this.res(ids, true)
        r.instances ??= new Map()
      } else this.fail(ids, 'a resource instance cannot hold other nodes')
      return
    }
    if (ids.length === 3) {
      const r = this.res(ids, false)
      if (r.value !== undefined) this.fail(ids, 'value given twice')
      r.value = e.value
      r.type = e.type
      return
    }
    if (ids.length !== 4) this.fail(ids, 'a value must name a resource or resource instance')
    const r = this.res(ids, true)
    r.instances ??= new Map()
    if (r.instances.has(ids[3]!)) this.fail(ids, 'value given twice')
    r.instances.set(ids[3]!, e.value)
    if (r.type === undefined) r.type = e.type
    else if (r.type !== e.type) {
      if (!NUMERIC.has(r.type) || !NUMERIC.has(e.type))
        this.fail(ids, `instances of types ${r.type} and ${e.type}`)
      r.mixed = true
    }
  }

  buildObject(id: number): ObjectNode {
    const instances = new Map<number, ObjectInstance>()
    const o = this.objects.get(id)
    if (o !== undefined) for (const iid of o.keys()) instances.set(iid, this.buildInstance(id, iid))
    return { kind: 'object', id, instances }
  }

  buildInstance(oid: number, iid: number): ObjectInstance {
    const resources = new Map<number, Resource>()
    const i = this.objects.get(oid)?.get(iid)
    if (i !== undefined) for (const [rid, acc] of i) resources.set(rid, this.finish([oid, iid, rid], acc))
    return { kind: 'instance', id: iid, resources }
  }

  buildResource(ids: readonly number[]): Resource {
    const acc = this.objects.get(ids[0]!)?.get(ids[1]!)?.get(ids[2]!)
    if (acc === undefined) {
      const model = this.models.getObjectModel(ids[0]!)?.resources.get(ids[2]!)
      if (model?.multiple)
        return { kind: 'multipleResource', id: ids[2]!, type: model.type, instances: new Map() }
      this.fail(ids, 'no value for this resource')
    }
    return this.finish(ids, acc)
  }

  buildResourceInstance(ids: readonly number[]): ResourceInstance {
    const acc = this.objects.get(ids[0]!)?.get(ids[1]!)?.get(ids[2]!)
    const value = acc?.instances?.get(ids[3]!)
    if (acc === undefined || value === undefined) this.fail(ids, 'no value for this resource instance')
    return { kind: 'resourceInstance', id: ids[3]!, type: acc.type!, value }
  }

  private finish(ids: readonly number[], acc: ResAcc): SingleResource | MultipleResource {
    const id = ids[2]!
    if (!acc.multiple) return { kind: 'resource', id, type: acc.type!, value: acc.value! }
    let instances = acc.instances ?? new Map<number, ResourceValue>()
    let type = acc.type ?? UNKNOWN_TYPE
    if (acc.mixed) {
      // No model and numbers of several kinds (1 and 1.5): the common type is float.
      type = 'float'
      instances = new Map([...instances].map(([k, v]) => [k, Number(v)]))
    }
    return { kind: 'multipleResource', id, type, instances }
  }

  build(ids: readonly number[]): Lwm2mNode {
    switch (ids.length) {
      case 1:
        return this.buildObject(ids[0]!)
      case 2:
        return this.buildInstance(ids[0]!, ids[1]!)
      case 3:
        return this.buildResource(ids)
      case 4:
        return this.buildResourceInstance(ids)
      default:
        return this.fail(ids, 'cannot build the root node')
    }
  }
}

function sameEntry(a: DecodedEntry, b: DecodedEntry): boolean {
  if (a.kind !== b.kind) return false
  if (a.kind !== 'value' || b.kind !== 'value') return true
  return a.type === b.type && valuesEqual(a.type, a.value, b.value)
}

function isPrefix(prefix: readonly number[], ids: readonly number[]): boolean {
  if (prefix.length > ids.length) return false
  for (let i = 0; i < prefix.length; i++) if (prefix[i] !== ids[i]) return false
  return true
}

/**
 * Assembles the node at `path` from decoded entries: every entry must lie under
 * `path`; resources are single or multiple as the model says, or, without a model, as
 * the entries show (a value at /o/i/r/ri makes a multiple resource). Throws
 * Lwm2mCodecError with the offending path.
 */
export function assembleNode(
  format: number,
  path: Lwm2mPath,
  entries: Iterable<DecodedEntry>,
  models: ModelLookup,
): Lwm2mNode {
  const tree = new Tree(format, models)
  const prefix = path.ids
  for (const e of entries) {
    if (!isPrefix(prefix, e.ids)) tree.fail(e.ids, `outside the requested path ${path.toString()}`)
    if (e.kind === 'null') tree.fail(e.ids, 'a record without value')
    tree.add(e)
  }
  return tree.build(prefix)
}

/**
 * Groups decoded entries into nodes keyed by path text, for composite operations and
 * Send. With `paths` (the paths of a Read-/Observe-Composite request) each requested
 * path gets the node assembled from the entries under it, or null when there are none;
 * an entry under no requested path is an error. Without `paths` the entries are grouped
 * by resource: "/o/i/r" gets its single or multiple resource; a path named without a
 * value gets null; an empty container gets its (empty) node.
 */
export function groupNodes(
  format: number,
  entries: readonly DecodedEntry[],
  models: ModelLookup,
  paths?: readonly Lwm2mPath[],
): Map<string, Lwm2mNode | null> {
  const out = new Map<string, Lwm2mNode | null>()
  if (paths !== undefined) {
    const buckets = paths.map(() => [] as DecodedEntry[])
    for (const e of entries) {
      let placed = false
      for (let p = 0; p < paths.length; p++) {
        if (isPrefix(paths[p]!.ids, e.ids)) {
          buckets[p]!.push(e)
          placed = true
        }
      }
      if (!placed)
        throw new Lwm2mCodecError(format, 'under none of the requested paths', { path: pathText(e.ids) })
    }
    for (let p = 0; p < paths.length; p++) {
      const path = paths[p]!
      const bucket = buckets[p]!
      const useful = bucket.filter((e) => e.kind !== 'null')
      if (useful.length === 0 || path.isRoot()) {
        if (path.isRoot() && useful.length > 0) {
          for (const [k, v] of groupNodes(format, useful, models)) out.set(k, v)
        } else out.set(path.toString(), null)
        continue
      }
      const tree = new Tree(format, models)
      // Overlapping requested paths (/3/0 and /3/0/6/1) bring the same value twice: once is enough.
      const seen = new Map<string, DecodedEntry>()
      for (const e of useful) {
        const key = pathText(e.ids)
        const prev = seen.get(key)
        if (prev !== undefined && sameEntry(prev, e)) continue
        seen.set(key, e)
        tree.add(e)
      }
      out.set(path.toString(), tree.build(path.ids))
    }
    return out
  }
  const tree = new Tree(format, models)
  const order: string[] = []
  const nulls = new Set<string>()
  const resources = new Map<string, readonly number[]>()
  const containers = new Map<string, readonly number[]>()
  for (const e of entries) {
    if (e.kind === 'null') {
      const key = pathText(e.ids)
      if (!nulls.has(key)) order.push(key)
      nulls.add(key)
      continue
    }
    tree.add(e)
    if (e.kind === 'container') {
      const key = pathText(e.ids)
      if (!containers.has(key)) containers.set(key, e.ids)
      continue
    }
    const ids = e.ids.slice(0, 3)
    const key = pathText(ids)
    if (!resources.has(key)) {
      resources.set(key, ids)
      order.push(key)
    }
  }
  // Empty containers with no value under them stand as nodes of their own.
  for (const [key, ids] of containers) {
    let covered = false
    for (const r of resources.values()) if (isPrefix(ids, r)) covered = true
    for (const [k2, other] of containers)
      if (k2 !== key && other.length > ids.length && isPrefix(ids, other)) covered = true
    if (!covered) {
      resources.set(key, ids)
      order.push(key)
    }
  }
  for (const key of order) {
    const ids = resources.get(key)
    if (ids !== undefined) out.set(key, tree.build(ids))
    else if (!out.has(key)) out.set(key, null)
  }
  return out
}
