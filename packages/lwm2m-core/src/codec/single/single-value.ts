import { Lwm2mError } from '../../errors.js'
import type { ResourceModel, ResourceType } from '../../model/types.js'
import type { Lwm2mNode, ResourceValue } from '../../node/types.js'
import type { Lwm2mPath } from '../../path/path.js'
import { resourceModelOf, unsupported } from '../models.js'
import type { ModelLookup } from '../types.js'

/**
 * The model of the resource a single-value format (text/plain, octet-stream, CBOR)
 * decodes at `path`; throws LWM2M_UNSUPPORTED_FORMAT when the path is not a resource
 * or resource instance, or names a multiple resource as a whole.
 */
export function singleValueTarget(
  format: number,
  path: Lwm2mPath,
  models: ModelLookup,
): ResourceModel | undefined {
  if (path.level !== 'resource' && path.level !== 'resourceInstance')
    unsupported(format, 'a non-resource node', path)
  const model = resourceModelOf(models, path.objectId!, path.resourceId!)
  if (model !== undefined) {
    if (path.level === 'resource' && model.multiple) unsupported(format, 'a multiple-instance resource', path)
    if (path.level === 'resourceInstance' && !model.multiple) {
      throw new Lwm2mError(
        'LWM2M_INVALID_PATH',
        `${path.toString()}: resource ${model.id} (${model.name}) is single-instance`,
      )
    }
  }
  return model
}

/** The node a single-value format decodes at a resource or resource-instance path. */
export function singleValueNode(path: Lwm2mPath, type: ResourceType, value: ResourceValue): Lwm2mNode {
  const id = path.ids[path.ids.length - 1]!
  return path.level === 'resource'
    ? { kind: 'resource', id, type, value }
    : { kind: 'resourceInstance', id, type, value }
}
