import { Lwm2mError } from '../errors.js'
import type { ObjectModel, ResourceModel } from '../model/types.js'
import type { Lwm2mNode } from '../node/types.js'
import type { Lwm2mPath } from '../path/path.js'
import type { ModelLookup } from './types.js'

/** A lookup that knows no object: decoders then fall back on what the format carries. */
export const NO_MODELS: ModelLookup = Object.freeze({ getObjectModel: () => undefined })

/** A lookup over a fixed set of object models. */
export function modelLookup(objects: Iterable<ObjectModel>): ModelLookup {
  const map = new Map<number, ObjectModel>()
  for (const o of objects) map.set(o.id, o)
  return { getObjectModel: (id) => map.get(id) }
}

/** The model of resource `rid` of object `oid`, if the lookup knows it. */
export function resourceModelOf(models: ModelLookup, oid: number, rid: number): ResourceModel | undefined {
  return models.getObjectModel(oid)?.resources.get(rid)
}

/** Throws LWM2M_UNSUPPORTED_FORMAT: `format` cannot carry this node or path. */
export function unsupported(format: number, what: string, path: Lwm2mPath | string): never {
  throw new Lwm2mError(
    'LWM2M_UNSUPPORTED_FORMAT',
    `content format ${format} cannot carry ${what} at ${path.toString()}`,
  )
}

/** True if `node` is a single value: a single-instance resource or a resource instance. */
export function isSingleValue(
  node: Lwm2mNode,
): node is Extract<Lwm2mNode, { kind: 'resource' | 'resourceInstance' }> {
  return node.kind === 'resource' || node.kind === 'resourceInstance'
}

/** True if the node kind fits the path level (resource paths take single or multiple resources). */
export function fitsPath(node: Lwm2mNode, path: Lwm2mPath): boolean {
  switch (path.level) {
    case 'object':
      return node.kind === 'object' && node.id === path.objectId
    case 'instance':
      return node.kind === 'instance' && node.id === path.instanceId
    case 'resource':
      return (node.kind === 'resource' || node.kind === 'multipleResource') && node.id === path.resourceId
    case 'resourceInstance':
      return node.kind === 'resourceInstance' && node.id === path.resourceInstanceId
    default:
      return false
  }
}
