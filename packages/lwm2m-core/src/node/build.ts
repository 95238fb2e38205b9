import { Lwm2mError } from '../errors.js'
import type { ResourceType } from '../model/types.js'
import { MAX_ID } from '../path/path.js'
import { checkValue } from '../value/check.js'
import type {
  MultipleResource,
  ObjectInstance,
  ObjectNode,
  Resource,
  ResourceInstance,
  ResourceValue,
  SingleResource,
} from './types.js'

function checkId(id: number, what: string): number {
  if (!Number.isInteger(id) || id < 0 || id > MAX_ID) {
    throw new Lwm2mError('LWM2M_INVALID_PATH', `${what} id ${id} out of 0..${MAX_ID}`)
  }
  return id
}

/** A single-instance resource; the value is checked against the type and normalized. */
export function singleResource(id: number, type: ResourceType, value: ResourceValue): SingleResource {
  return { kind: 'resource', id: checkId(id, 'resource'), type, value: checkValue(type, value) }
}

/**
 * A multiple-instance resource from (instance id, value) pairs, a Map, or an array of
 * values (index = instance id, holes skipped). Throws on a repeated instance id.
 */
export function multipleResource(
  id: number,
  type: ResourceType,
  instances: Iterable<readonly [number, ResourceValue]> | readonly ResourceValue[],
): MultipleResource {
  const map = new Map<number, ResourceValue>()
  // Resource values are never arrays, so an array of arrays is a list of pairs.
  const pairs = !Array.isArray(instances) || instances.every((e) => Array.isArray(e))
  const entries: Iterable<readonly [number, ResourceValue]> = pairs
    ? (instances as Iterable<readonly [number, ResourceValue]>)
    : (instances as readonly ResourceValue[]).flatMap((v, i) => (v === undefined ? [] : [[i, v] as const]))
  for (const [ri, v] of entries) {
    checkId(ri, 'resource instance')
    if (map.has(ri)) throw new Lwm2mError('LWM2M_INVALID_VALUE', `resource ${id}: instance ${ri} given twice`)
    map.set(ri, checkValue(type, v))
  }
  return { kind: 'multipleResource', id: checkId(id, 'resource'), type, instances: map }
}

/** One instance of a multiple-instance resource, addressed on its own (/o/i/r/ri). */
export function resourceInstance(id: number, type: ResourceType, value: ResourceValue): ResourceInstance {
  return {
    kind: 'resourceInstance',
    id: checkId(id, 'resource instance'),
    type,
    value: checkValue(type, value),
  }
}

/** An object instance with these resources; throws on a repeated resource id. */
export function instance(id: number, resources: Iterable<Resource> = []): ObjectInstance {
  const map = new Map<number, Resource>()
  for (const r of resources) {
    if (map.has(r.id))
      throw new Lwm2mError('LWM2M_INVALID_VALUE', `instance ${id}: resource ${r.id} given twice`)
    map.set(r.id, r)
  }
  return { kind: 'instance', id: checkId(id, 'instance'), resources: map }
}

/** An object with these instances; throws on a repeated instance id. */
export function objectNode(id: number, instances: Iterable<ObjectInstance> = []): ObjectNode {
  const map = new Map<number, ObjectInstance>()
  for (const i of instances) {
    if (map.has(i.id))
      throw new Lwm2mError('LWM2M_INVALID_VALUE', `object ${id}: instance ${i.id} given twice`)
    map.set(i.id, i)
  }
  return { kind: 'object', id: checkId(id, 'object'), instances: map }
}
