import {
  type DiscoverEntry,
  Lwm2mPath,
  NOTIFICATION_ATTRIBUTES,
  type NotificationAttributes,
  type PropertyAttributes,
} from '@lwm2m/core'
import { defaultObjectVersion, fail, ok, type Result } from '@lwm2m/objects'
import type { ClientContext } from '../client/context.js'
import { guard } from '../client/object-tree.js'

const INTERNAL = { origin: 'internal' } as const

/**
 * The default depth of a Discover (Core TS 1.2 section 6.3.2): an object lists its
 * instances and their resources (2), an instance its resources (1), a resource its
 * resource instances (1; LwM2M 1.0 lists the resource alone, 0).
 */
function defaultDepth(path: Lwm2mPath, version: string): number {
  if (path.isObject()) return 2
  if (path.isInstance()) return 1
  return version === '1.0' ? 0 : 1
}

/** The attributes attached at `path` and above it: the nearest level wins (no server defaults). */
function inherited(ctx: ClientContext, ssid: number, path: Lwm2mPath): NotificationAttributes {
  const out: Record<string, number> = {}
  for (let depth = path.ids.length; depth >= 1; depth--) {
    const attached = ctx.attributes.attached(ssid, Lwm2mPath.of(...path.ids.slice(0, depth)))
    for (const name of NOTIFICATION_ATTRIBUTES) {
      const v = attached[name]
      if (v !== undefined && out[name] === undefined) out[name] = v
    }
  }
  return out as NotificationAttributes
}

/**
 * The links of a Discover by server `ssid` (Core TS 1.1 and 1.2 section 6.3.2): the target
 * and what lies below it down to `depth` levels (1.2 `depth`, else the default), each with
 * the <NOTIFICATION> attributes this server attached at exactly that level (the target
 * resource with those it inherits from its instance and object too, as the Discover of a
 * resource reports them), `dim` on multiple-instance resources and `ver` on the object
 * when its version is not the one the client's LwM2M version implies. Executable and
 * write-only resources are listed; the Security object is refused before this point.
 */
export async function discover(
  ctx: ClientContext,
  ssid: number,
  path: Lwm2mPath,
  depth: number | undefined,
): Promise<Result<DiscoverEntry[]>> {
  const object = ctx.tree.get(path.objectId!)
  if (object === undefined) return fail('NOT_FOUND', `no object ${path.objectId}`)
  const limit = path.ids.length + (depth ?? defaultDepth(path, ctx.version))
  const entries: DiscoverEntry[] = []
  const attached = (p: Lwm2mPath) => ctx.attributes.attached(ssid, p)
  const push = (p: Lwm2mPath, properties: PropertyAttributes = {}, attributes = attached(p)) => {
    const entry: DiscoverEntry = {
      path: p,
      ...(Object.keys(attributes).length > 0 ? { attributes } : {}),
      ...(Object.keys(properties).length > 0 ? { properties } : {}),
    }
    entries.push(entry)
  }

  const resourceLinks = async (iid: number, rid: number, isTarget: boolean): Promise<Result<void>> => {
    const model = object.model.resources.get(rid)
    const rpath = Lwm2mPath.of(path.objectId!, iid, rid)
    let instances: number[] = []
    if (model?.multiple === true) {
      const read = await guard(() => object.read(rpath, INTERNAL))
      if (read.ok && read.value.kind === 'multipleResource') instances = [...read.value.instances.keys()]
      else if (!read.ok && read.code !== 'NOT_FOUND') return read
    }
    const properties: PropertyAttributes = model?.multiple === true ? { dim: instances.length } : {}
    push(rpath, properties, isTarget ? inherited(ctx, ssid, rpath) : attached(rpath))
    if (rpath.ids.length < limit) for (const ri of instances.sort((a, b) => a - b)) push(rpath.child(ri))
    return ok(undefined)
  }

  const instanceLinks = async (iid: number): Promise<Result<void>> => {
    const ipath = Lwm2mPath.of(path.objectId!, iid)
    push(ipath)
    if (ipath.ids.length >= limit) return ok(undefined)
    for (const rid of object.resources(iid) ?? []) {
      const r = await resourceLinks(iid, rid, false)
      if (!r.ok) return r
    }
    return ok(undefined)
  }

  if (path.isObject()) {
    const version = object.model.version
    const implied = defaultObjectVersion(object.model.id, ctx.version)
    push(path, version !== implied ? { ver: version } : {})
    if (path.ids.length < limit) {
      for (const iid of object.instances()) {
        const r = await instanceLinks(iid)
        if (!r.ok) return r
      }
    }
    return ok(entries)
  }
  const iid = path.instanceId!
  if (!object.instances().includes(iid)) return fail('NOT_FOUND', `no instance /${path.objectId}/${iid}`)
  if (path.isInstance()) {
    const r = await instanceLinks(iid)
    return r.ok ? ok(entries) : r
  }
  const rid = path.resourceId!
  if (!(object.resources(iid) ?? []).includes(rid)) return fail('NOT_FOUND', `${path} is absent`)
  const r = await resourceLinks(iid, rid, true)
  return r.ok ? ok(entries) : r
}
