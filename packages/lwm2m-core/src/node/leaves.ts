import type { ResourceType } from '../model/types.js'
import type { Lwm2mPath } from '../path/path.js'
import type { Lwm2mNode, ResourceValue } from './types.js'

/**
 * One value of the data model with its full path: what the flat formats (SenML, OMA
 * JSON) carry per record. `resourceInstanceId` is set for instances of multiple
 * resources.
 */
export interface Leaf {
  readonly objectId: number
  readonly instanceId: number
  readonly resourceId: number
  readonly resourceInstanceId: number | undefined
  readonly type: ResourceType
  readonly value: ResourceValue
}

/**
 * The values under `node` (found at `path`), in map order: each single resource and
 * each instance of a multiple resource as one {@link Leaf}. Empty containers (an
 * instance without resources, a multiple resource without instances) yield nothing.
 */
export function nodeLeaves(node: Lwm2mNode, path: Lwm2mPath, out: Leaf[] = []): Leaf[] {
  const ids = path.ids
  switch (node.kind) {
    case 'object':
      for (const inst of node.instances.values()) {
        for (const res of inst.resources.values()) pushResource(node.id, inst.id, res, out)
      }
      return out
    case 'instance':
      for (const res of node.resources.values()) pushResource(ids[0]!, node.id, res, out)
      return out
    case 'resource':
    case 'multipleResource':
      pushResource(ids[0]!, ids[1]!, node, out)
      return out
    case 'resourceInstance':
      out.push({
        objectId: ids[0]!,
        instanceId: ids[1]!,
        resourceId: ids[2]!,
        resourceInstanceId: node.id,
        type: node.type,
        value: node.value,
      })
      return out
  }
}

function pushResource(
  objectId: number,
  instanceId: number,
  res: Extract<Lwm2mNode, { kind: 'resource' | 'multipleResource' }>,
  out: Leaf[],
): void {
  if (res.kind === 'resource') {
    out.push({
      objectId,
      instanceId,
      resourceId: res.id,
      resourceInstanceId: undefined,
      type: res.type,
      value: res.value,
    })
    return
  }
  for (const [ri, value] of res.instances) {
    out.push({ objectId, instanceId, resourceId: res.id, resourceInstanceId: ri, type: res.type, value })
  }
}

/** "/o/i/r" or "/o/i/r/ri" of a leaf. */
export function leafPath(leaf: Leaf): string {
  const base = `/${leaf.objectId}/${leaf.instanceId}/${leaf.resourceId}`
  return leaf.resourceInstanceId === undefined ? base : `${base}/${leaf.resourceInstanceId}`
}
