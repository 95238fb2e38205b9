import {
  instance,
  type Lwm2mNode,
  Lwm2mPath,
  nodeLeaves,
  type ObjectInstance,
  type ObjectModel,
  type ResourceValue,
} from '@lwm2m/core'

/**
 * The values of a node as a flat record by full path, so that a case compares the exact
 * values it reads: `{ '/1/0/1': 86400, '/3/0/11/0': 0 }`.
 */
export function flatValues(node: Lwm2mNode, path: string | Lwm2mPath): Record<string, ResourceValue> {
  const p = typeof path === 'string' ? Lwm2mPath.parse(path) : path
  const out: Record<string, ResourceValue> = {}
  for (const leaf of nodeLeaves(node, p)) {
    const ids = [leaf.objectId, leaf.instanceId, leaf.resourceId]
    if (leaf.resourceInstanceId !== undefined) ids.push(leaf.resourceInstanceId)
    out[`/${ids.join('/')}`] = leaf.value
  }
  return out
}

/** The values of several nodes by requested path (Read-Composite), flattened and merged. */
export function flatComposite(nodes: ReadonlyMap<string, Lwm2mNode | null>): Record<string, ResourceValue> {
  let out: Record<string, ResourceValue> = {}
  for (const [path, node] of nodes) if (node !== null) out = { ...out, ...flatValues(node, path) }
  return out
}

/**
 * The part of a read instance a server can write back: its writable resources. A Write that
 * carries a read-only resource (the Short Server ID /1/x/0, say) is refused with 4.05 as a whole
 * (Core TS 1.2 section 6.3.3; int-256), so "PUT /1/0 with the saved values" of int-215, 220 and
 * 651 means the saved writable values.
 */
export function writablePart(node: Lwm2mNode, model: ObjectModel): ObjectInstance {
  if (node.kind !== 'instance') throw new Error(`expected an instance, got ${node.kind}`)
  const resources = [...node.resources.values()].filter((r) =>
    (model.resources.get(r.id)?.operations ?? '').includes('W'),
  )
  return instance(node.id, resources)
}
