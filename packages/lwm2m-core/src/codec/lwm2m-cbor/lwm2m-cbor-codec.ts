import { Lwm2mCodecError } from '../../errors.js'
import { assembleNode, type DecodedEntry, groupNodes } from '../../node/assemble.js'
import type { Lwm2mNode, Resource } from '../../node/types.js'
import { Lwm2mPath, MAX_ID } from '../../path/path.js'
import { checkValue } from '../../value/check.js'
import { cborDecode, cborEncode } from '../cbor/cbor.js'
import { cborToValue, describe, valueToCbor } from '../cbor/cbor-values.js'
import { fitsPath, resourceModelOf, unsupported } from '../models.js'
import type { ModelLookup, NodeCodec } from '../types.js'

const FORMAT = 11544

/** A tree being built for encoding: maps keyed by id, leaves as CBOR items (null for "no value"). */
type Tree = Map<number, Tree | unknown>

function resourceContent(res: Resource, where: string): unknown {
  if (res.kind === 'resource') return valueToCbor(res.type, checkValue(res.type, res.value, where), false)
  const m: Tree = new Map()
  for (const [ri, v] of res.instances)
    m.set(ri, valueToCbor(res.type, checkValue(res.type, v, `${where}/${ri}`), false))
  return m
}

/** The content of a node: a map of its children by id, or its value. */
function content(node: Lwm2mNode, where: string): unknown {
  switch (node.kind) {
    case 'object': {
      const m: Tree = new Map()
      for (const inst of node.instances.values()) m.set(inst.id, content(inst, `${where}/${inst.id}`))
      return m
    }
    case 'instance': {
      const m: Tree = new Map()
      for (const res of node.resources.values()) m.set(res.id, resourceContent(res, `${where}/${res.id}`))
      return m
    }
    case 'resource':
    case 'multipleResource':
      return resourceContent(node, where)
    case 'resourceInstance':
      return valueToCbor(node.type, checkValue(node.type, node.value, where), false)
  }
}

/** Puts `value` at `ids` in `root`, merging maps (for composite payloads). */
function place(root: Tree, ids: readonly number[], value: unknown, where: string): void {
  let at: Tree = root
  for (let i = 0; i < ids.length - 1; i++) {
    let next = at.get(ids[i]!)
    if (next === undefined) at.set(ids[i]!, (next = new Map()))
    if (!(next instanceof Map)) unsupported(FORMAT, 'a node inside a value', where)
    at = next as Tree
  }
  const last = ids[ids.length - 1]!
  const existing = at.get(last)
  if (existing instanceof Map && value instanceof Map) {
    for (const [k, v] of value) existing.set(k, v)
  } else at.set(last, value)
}

/**
 * The top-level map with path compression (Core TS 1.2 section 7.4.6): each top-level
 * entry follows its chain of one-entry maps and is keyed by the whole id path, a single
 * id as a plain integer ({1: {...}}), several as an array ([3, 0, 0]).
 */
function compress(root: Tree): Map<unknown, unknown> {
  const out = new Map<unknown, unknown>()
  for (const [id, v] of root) {
    const ids = [id]
    let item = v
    while (item instanceof Map && item.size === 1) {
      const [k, inner] = (item as Map<number, unknown>).entries().next().value as [number, unknown]
      ids.push(k)
      item = inner
    }
    out.set(ids.length === 1 ? ids[0] : ids, item)
  }
  return out
}

function pathText(ids: readonly number[]): string {
  return `/${ids.join('/')}`
}

/** Flattens a decoded LwM2M CBOR document into entries with absolute paths. */
function entries(item: unknown, models: ModelLookup): DecodedEntry[] {
  if (!(item instanceof Map))
    throw new Lwm2mCodecError(FORMAT, `an LwM2M CBOR document is a map, not a ${describe(item)}`, {
      offset: 0,
    })
  const out: DecodedEntry[] = []
  walk([], item, models, out)
  return out
}

function walk(prefix: number[], item: unknown, models: ModelLookup, out: DecodedEntry[]): void {
  if (item instanceof Map) {
    if (prefix.length >= 4)
      throw new Lwm2mCodecError(FORMAT, 'a map below a resource instance', { path: pathText(prefix) })
    if (item.size === 0 && prefix.length > 0) out.push({ kind: 'container', ids: prefix })
    for (const [k, v] of item) {
      const ids = prefix.slice()
      if (Array.isArray(k)) {
        if (k.length === 0)
          throw new Lwm2mCodecError(FORMAT, 'an empty path key', { path: pathText(prefix) || '/' })
        for (const id of k) ids.push(checkId(id, prefix))
      } else ids.push(checkId(k, prefix))
      if (ids.length > 4)
        throw new Lwm2mCodecError(FORMAT, 'a path deeper than a resource instance', { path: pathText(ids) })
      walk(ids, v, models, out)
    }
    return
  }
  const where = pathText(prefix)
  if (item === null) {
    out.push({ kind: 'null', ids: prefix })
    return
  }
  if (prefix.length < 3)
    throw new Lwm2mCodecError(FORMAT, 'a value must name a resource or resource instance', { path: where })
  const model = resourceModelOf(models, prefix[0]!, prefix[2]!)
  const { type, value } = cborToValue(FORMAT, item, model?.type, where)
  out.push({ kind: 'value', ids: prefix, type, value })
}

function checkId(k: unknown, prefix: readonly number[]): number {
  if (typeof k !== 'number' || !Number.isInteger(k) || k < 0 || k > MAX_ID) {
    throw new Lwm2mCodecError(
      FORMAT,
      `a key must be an id 0..${MAX_ID} or an array of ids, not ${describe(k)}`,
      {
        path: prefix.length === 0 ? '/' : pathText(prefix),
      },
    )
  }
  return k
}

/**
 * LwM2M CBOR (application/vnd.oma.lwm2m+cbor, content format 11544, LwM2M 1.2, Core TS
 * section 7.4.6): nested CBOR maps keyed by ids from the root, with path compression
 * (a key may be an array of ids). Values as in {@link valueToCbor}, Time as plain
 * integer seconds like the spec's examples (tag 1 is accepted on decode); null stands for a
 * path without value in composite payloads; an empty map for an empty object, instance
 * or multiple resource. Decoding types values by the model, or without one by the CBOR
 * item's own type.
 */
export function lwm2mCborCodec(): NodeCodec {
  return {
    format: FORMAT,
    canEncode(node: Lwm2mNode, path: Lwm2mPath): boolean {
      return fitsPath(node, path)
    },
    encode(node: Lwm2mNode, path: Lwm2mPath): Uint8Array {
      if (!fitsPath(node, path)) unsupported(FORMAT, `a ${node.kind} node`, path)
      const root: Tree = new Map()
      place(root, path.ids, content(node, path.toString()), path.toString())
      return cborEncode(compress(root))
    },
    decode(payload: Uint8Array, path: Lwm2mPath, models: ModelLookup): Lwm2mNode {
      if (path.isRoot()) unsupported(FORMAT, 'a single node', path)
      return assembleNode(FORMAT, path, entries(cborDecode(FORMAT, payload), models), models)
    },
    encodeNodes(nodes: ReadonlyMap<string, Lwm2mNode | null>): Uint8Array {
      const root: Tree = new Map()
      for (const [key, node] of nodes) {
        const path = Lwm2mPath.parse(key)
        if (path.isRoot()) unsupported(FORMAT, 'the root', path)
        if (node !== null && !fitsPath(node, path)) unsupported(FORMAT, `a ${node.kind} node`, path)
        place(root, path.ids, node === null ? null : content(node, key), key)
      }
      return cborEncode(compress(root))
    },
    decodeNodes(
      payload: Uint8Array,
      models: ModelLookup,
      paths?: readonly Lwm2mPath[],
    ): Map<string, Lwm2mNode | null> {
      return groupNodes(FORMAT, entries(cborDecode(FORMAT, payload), models), models, paths)
    },
  }
}
