import {
  INT64_MAX,
  instance,
  isObjectLink,
  Lwm2mError,
  type Lwm2mNode,
  Lwm2mPath,
  type ModelLookup,
  multipleResource,
  type ObjectInstance,
  type Resource,
  type ResourceType,
  type ResourceValue,
  resourceInstance,
  singleResource,
  validateNode,
} from '@lwm2m/core'
import { ServerError } from '../errors.js'

/** The values of an object instance by resource id: a value, or several for a multiple-instance resource. */
export type InstanceValues =
  | { readonly [resourceId: number]: ResourceValue | readonly ResourceValue[] }
  | ReadonlyMap<number, ResourceValue | readonly ResourceValue[] | ReadonlyMap<number, ResourceValue>>

/**
 * What a write takes: a node of @lwm2m/core, or plain values that the server types with the
 * client's object model (`write(ep, '/3/0/14', '+02:00')`): one value for a resource or
 * resource instance, an array or Map (instance id to value) for a multiple-instance resource,
 * an {@link InstanceValues} record for an instance.
 */
export type WriteValue =
  | Lwm2mNode
  | ResourceValue
  | readonly ResourceValue[]
  | ReadonlyMap<number, ResourceValue>
  | InstanceValues

const NODE_KINDS: ReadonlySet<string> = new Set([
  'object',
  'instance',
  'resource',
  'multipleResource',
  'resourceInstance',
])

/** True for a node of @lwm2m/core. */
export function isNode(value: unknown): value is Lwm2mNode {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { kind?: unknown }).kind === 'string' &&
    NODE_KINDS.has((value as { kind: string }).kind) &&
    typeof (value as { id?: unknown }).id === 'number'
  )
}

function invalid(message: string, cause?: unknown): never {
  throw new ServerError('INVALID_ARGUMENT', message, cause === undefined ? {} : { cause })
}

/** A path from text or a Lwm2mPath; ServerError INVALID_ARGUMENT for bad text. */
export function pathArgument(path: string | Lwm2mPath): Lwm2mPath {
  if (typeof path !== 'string') return path
  try {
    return Lwm2mPath.parse(path)
  } catch (err) {
    invalid(Lwm2mError.isInstance(err) ? err.message : `invalid path ${path}`, err)
  }
}

/** The resource type a plain value suggests when no model is known. */
export function inferType(value: ResourceValue): ResourceType {
  switch (typeof value) {
    case 'string':
      return 'string'
    case 'boolean':
      return 'boolean'
    case 'number':
      return Number.isInteger(value) ? 'integer' : 'float'
    case 'bigint':
      return value > INT64_MAX ? 'unsigned' : 'integer'
    default:
      if (value instanceof Uint8Array) return 'opaque'
      if (value instanceof Date) return 'time'
      if (isObjectLink(value)) return 'objlnk'
      return invalid(`cannot write a value of type ${Object.prototype.toString.call(value)}`)
  }
}

function isScalar(value: unknown): value is ResourceValue {
  return (
    typeof value === 'string' ||
    typeof value === 'number' ||
    typeof value === 'bigint' ||
    typeof value === 'boolean' ||
    value instanceof Uint8Array ||
    value instanceof Date ||
    isObjectLink(value)
  )
}

function resourceOf(
  objectId: number,
  resourceId: number,
  value: unknown,
  models: ModelLookup,
  where: string,
): Resource {
  const model = models.getObjectModel(objectId)?.resources.get(resourceId)
  const many = Array.isArray(value) || value instanceof Map
  if (model !== undefined && model.multiple !== many) {
    invalid(
      model.multiple
        ? `${where} is a multiple-instance resource: give an array or a Map of instance values`
        : `${where} is a single-instance resource: give one value`,
    )
  }
  try {
    if (many) {
      const entries: [number, ResourceValue][] =
        value instanceof Map
          ? [...(value as ReadonlyMap<number, ResourceValue>)]
          : (value as readonly ResourceValue[]).map((v, i) => [i, v])
      const first = entries[0]?.[1]
      const type = model?.type ?? (first === undefined ? 'string' : inferType(first))
      return multipleResource(resourceId, type, entries)
    }
    if (!isScalar(value)) invalid(`${where}: not a resource value`)
    return singleResource(resourceId, model?.type ?? inferType(value), value)
  } catch (err) {
    if (Lwm2mError.isInstance(err)) invalid(`${where}: ${err.message}`, err)
    throw err
  }
}

/** The instance node of `values` with id `id` for object `objectId`, typed by the model. */
export function instanceOf(
  objectId: number,
  id: number,
  values: InstanceValues | ObjectInstance,
  models: ModelLookup,
): ObjectInstance {
  if (isNode(values)) {
    if (values.kind !== 'instance') invalid(`expected an object instance, got a ${values.kind}`)
    return values
  }
  const entries: [number, unknown][] =
    values instanceof Map
      ? [...values]
      : Object.entries(values).map(([k, v]) => {
          if (!/^(0|[1-9][0-9]{0,4})$/.test(k)) invalid(`"${k}" is not a resource id`)
          return [Number(k), v]
        })
  const resources = entries.map(([rid, v]) =>
    resourceOf(objectId, rid, v, models, `/${objectId}/${id}/${rid}`),
  )
  try {
    return instance(id, resources)
  } catch (err) {
    if (Lwm2mError.isInstance(err)) invalid(err.message, err)
    throw err
  }
}

/**
 * The node to write at `path` from `value` (see {@link WriteValue}). Plain values are typed and
 * checked against the model (type, multiplicity, RangeEnumeration); a node goes as it is, so
 * that a test may send a client what it must refuse.
 */
export function toNode(path: Lwm2mPath, value: WriteValue, models: ModelLookup): Lwm2mNode {
  if (isNode(value)) return value
  const node = plainToNode(path, value, models)
  try {
    validateNode(node, path, models)
  } catch (err) {
    if (Lwm2mError.isInstance(err)) invalid(err.message, err)
    throw err
  }
  return node
}

function plainToNode(path: Lwm2mPath, value: WriteValue, models: ModelLookup): Lwm2mNode {
  const where = path.toString()
  if (path.isResourceInstance()) {
    if (!isScalar(value)) invalid(`${where}: give one value for a resource instance`)
    const model = models.getObjectModel(path.objectId!)?.resources.get(path.resourceId!)
    try {
      return resourceInstance(path.resourceInstanceId!, model?.type ?? inferType(value), value)
    } catch (err) {
      if (Lwm2mError.isInstance(err)) invalid(`${where}: ${err.message}`, err)
      throw err
    }
  }
  if (path.isResource()) return resourceOf(path.objectId!, path.resourceId!, value, models, where)
  if (path.isInstance()) {
    if (isScalar(value) || Array.isArray(value)) invalid(`${where}: give the resource values of the instance`)
    return instanceOf(path.objectId!, path.instanceId!, value as InstanceValues, models)
  }
  return invalid(`cannot write plain values at ${where}: give a node`)
}
