import { valuesEqual } from '../value/check.js'
import type { Lwm2mNode, Resource } from './types.js'

/**
 * Deep equality of two nodes: same kind, ids, types, children and values (values as
 * {@link valuesEqual} compares them). Map order does not matter.
 */
export function nodesEqual(a: Lwm2mNode, b: Lwm2mNode): boolean {
  if (a.kind !== b.kind || a.id !== b.id) return false
  switch (a.kind) {
    case 'object': {
      const other = (b as typeof a).instances
      if (a.instances.size !== other.size) return false
      for (const [id, inst] of a.instances) {
        const o = other.get(id)
        if (o === undefined || !nodesEqual(inst, o)) return false
      }
      return true
    }
    case 'instance': {
      const other = (b as typeof a).resources
      if (a.resources.size !== other.size) return false
      for (const [id, res] of a.resources) {
        const o = other.get(id)
        if (o === undefined || !nodesEqual(res, o)) return false
      }
      return true
    }
    case 'multipleResource': {
      const o = b as typeof a
      if (a.type !== o.type || a.instances.size !== o.instances.size) return false
      for (const [id, v] of a.instances) {
        const w = o.instances.get(id)
        if (w === undefined || !valuesEqual(a.type, v, w)) return false
      }
      return true
    }
    default: {
      const o = b as Exclude<Lwm2mNode, Resource> | Resource
      return 'value' in o && a.type === o.type && valuesEqual(a.type, a.value, o.value)
    }
  }
}
