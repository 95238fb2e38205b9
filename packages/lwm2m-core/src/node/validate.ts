import type { ModelLookup } from '../codec/types.js'
import { Lwm2mError } from '../errors.js'
import type { ResourceModel } from '../model/types.js'
import { type Lwm2mPath, MAX_ID } from '../path/path.js'
import { checkValue } from '../value/check.js'
import { checkRange } from '../value/range.js'
import type { Lwm2mNode, ObjectInstance, Resource } from './types.js'

const KIND_OF_LEVEL = {
  root: undefined,
  object: 'object',
  instance: 'instance',
  resource: 'resource',
  resourceInstance: 'resourceInstance',
} as const

function fail(where: string, why: string): never {
  throw new Lwm2mError('LWM2M_INVALID_VALUE', `${where}: ${why}`)
}

function checkChildId(key: number, id: number, where: string): void {
  if (!Number.isInteger(id) || id < 0 || id > MAX_ID) fail(where, `id ${id} out of 0..${MAX_ID}`)
  if (key !== id) fail(where, `filed under id ${key} but has id ${id}`)
}

/**
 * Checks that `node` may stand at `path`: its kind matches the path level (a
 * resource path holds a single or multiple resource), its id is the path's last id,
 * every child is filed under its own id, and every value is valid for its type. With
 * `models`, resources the model knows must also have the model's type and
 * multiplicity and a value within its RangeEnumeration. Throws Lwm2mError
 * LWM2M_INVALID_VALUE naming the offending path.
 */
export function validateNode(node: Lwm2mNode, path: Lwm2mPath, models?: ModelLookup): void {
  const where = path.toString()
  const expected = KIND_OF_LEVEL[path.level]
  if (expected === undefined) fail(where, 'no node stands at the root path')
  const kind = node.kind === 'multipleResource' ? 'resource' : node.kind
  if (kind !== expected) fail(where, `a ${node.kind} node cannot stand at a ${path.level} path`)
  if (node.id !== path.ids[path.ids.length - 1]) fail(where, `node id ${node.id} does not match the path`)
  const objectModel = models?.getObjectModel(path.objectId!)
  const resourceModel = (rid: number) => objectModel?.resources.get(rid)
  switch (node.kind) {
    case 'object':
      for (const [key, inst] of node.instances) {
        const w = `${where}/${key}`
        checkChildId(key, inst.id, w)
        checkInstance(inst, w, resourceModel)
      }
      return
    case 'instance':
      checkInstance(node, where, resourceModel)
      return
    case 'resource':
    case 'multipleResource':
      checkResource(node, where, resourceModel(node.id))
      return
    case 'resourceInstance': {
      const m = resourceModel(path.resourceId!)
      if (m !== undefined) {
        if (!m.multiple) fail(where, `resource ${m.id} (${m.name}) is single-instance`)
        if (m.type !== node.type) fail(where, `type ${node.type} but the model says ${m.type}`)
      }
      checkValue(node.type, node.value, where)
      if (m !== undefined) checkRange(node.value, m, where)
      return
    }
  }
}

function checkInstance(
  inst: ObjectInstance,
  where: string,
  resourceModel: (rid: number) => ResourceModel | undefined,
): void {
  for (const [key, res] of inst.resources) {
    const w = `${where}/${key}`
    checkChildId(key, res.id, w)
    checkResource(res, w, resourceModel(res.id))
  }
}

function checkResource(res: Resource, where: string, model: ResourceModel | undefined): void {
  if (model !== undefined) {
    if (model.type !== res.type) fail(where, `type ${res.type} but the model says ${model.type}`)
    if (model.multiple !== (res.kind === 'multipleResource')) {
      fail(
        where,
        `resource ${model.id} (${model.name}) is ${model.multiple ? 'multiple' : 'single'}-instance`,
      )
    }
  }
  if (res.kind === 'resource') {
    checkValue(res.type, res.value, where)
    if (model !== undefined) checkRange(res.value, model, where)
    return
  }
  for (const [ri, v] of res.instances) {
    const w = `${where}/${ri}`
    if (!Number.isInteger(ri) || ri < 0 || ri > MAX_ID) fail(w, `id ${ri} out of 0..${MAX_ID}`)
    checkValue(res.type, v, w)
    if (model !== undefined) checkRange(v, model, w)
  }
}
