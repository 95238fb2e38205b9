import { Lwm2mCodecError } from '../../errors.js'
import { assembleNode, type DecodedEntry, groupNodes } from '../../node/assemble.js'
import { type Leaf, nodeLeaves } from '../../node/leaves.js'
import type { Lwm2mNode, TimestampedNodes } from '../../node/types.js'
import { Lwm2mPath } from '../../path/path.js'
import { fitsPath, resourceModelOf, unsupported } from '../models.js'
import type { ModelLookup, NodeCodec } from '../types.js'
import {
  fromSenmlValue,
  type ResolvedRecord,
  resolveRecords,
  type SenmlOut,
  type SenmlRecord,
  toSenmlValue,
} from './records.js'

/** How one SenML serialization reads and writes records (JSON or CBOR). */
export interface SenmlIo {
  parse(payload: Uint8Array): SenmlRecord[]
  serialize(records: readonly SenmlOut[]): Uint8Array
}

function leafName(l: Leaf): string {
  const base = `/${l.objectId}/${l.instanceId}/${l.resourceId}`
  return l.resourceInstanceId === undefined ? base : `${base}/${l.resourceInstanceId}`
}

function leafRecord(l: Leaf, name: string): SenmlOut {
  return { n: name, value: toSenmlValue(l.type, l.value, leafName(l)) }
}

/** Records of `node` at `path`: the path as base name, names relative to it (Core TS 7.4.4 examples). */
function nodeRecords(node: Lwm2mNode, path: Lwm2mPath): SenmlOut[] {
  const leaves = nodeLeaves(node, path)
  const leafLevel = node.kind === 'resource' || node.kind === 'resourceInstance'
  const bn = leafLevel ? path.toString() : `${path.toString()}/`
  const prefix = bn.length
  const out: SenmlOut[] = []
  for (let i = 0; i < leaves.length; i++) {
    const l = leaves[i]!
    const name = leafName(l)
    const rec: SenmlOut = { value: toSenmlValue(l.type, l.value, name) }
    if (i === 0) rec.bn = bn
    if (!leafLevel) rec.n = name.slice(prefix)
    out.push(rec)
  }
  return out
}

function entriesOf(resolved: readonly ResolvedRecord[], format: number, models: ModelLookup): DecodedEntry[] {
  const out: DecodedEntry[] = []
  for (const r of resolved) {
    if (r.value === undefined) {
      out.push({ kind: 'null', ids: r.ids })
      continue
    }
    if (r.ids.length < 3) {
      throw new Lwm2mCodecError(format, 'a value must name a resource or resource instance', { path: r.name })
    }
    const model = resourceModelOf(models, r.ids[0]!, r.ids[2]!)
    const { type, value } = fromSenmlValue(format, r.value, model?.type, r.name)
    out.push({ kind: 'value', ids: r.ids, type, value })
  }
  return out
}

function withoutNulls(
  format: number,
  group: readonly ResolvedRecord[],
  models: ModelLookup,
  paths: readonly Lwm2mPath[] | undefined,
): Map<string, Lwm2mNode> {
  const out = new Map<string, Lwm2mNode>()
  for (const [k, v] of groupNodes(format, entriesOf(group, format, models), models, paths))
    if (v !== null) out.set(k, v)
  return out
}

/**
 * The LwM2M layer over SenML (Core TS section 7.4.4 JSON and 7.4.5 CBOR, RFC 8428):
 * single nodes with the request path as base name, composite nodes and Send payloads
 * with full names, timestamped records with base time, and records without values for
 * Read-/Observe-Composite requests. Decoders resolve bn/bt/bv, type values by the model,
 * or without one by the value label.
 */
export function senmlCodec(format: number, io: SenmlIo): NodeCodec {
  return {
    format,
    canEncode(node: Lwm2mNode, path: Lwm2mPath): boolean {
      return fitsPath(node, path)
    },
    encode(node: Lwm2mNode, path: Lwm2mPath): Uint8Array {
      if (!fitsPath(node, path)) unsupported(format, `a ${node.kind} node`, path)
      return io.serialize(nodeRecords(node, path))
    },
    decode(payload: Uint8Array, path: Lwm2mPath, models: ModelLookup): Lwm2mNode {
      if (path.isRoot()) unsupported(format, 'a single node', path)
      const resolved = resolveRecords(format, io.parse(payload))
      return assembleNode(format, path, entriesOf(resolved, format, models), models)
    },
    encodeNodes(nodes: ReadonlyMap<string, Lwm2mNode | null>): Uint8Array {
      const out: SenmlOut[] = []
      for (const [key, node] of nodes) {
        const path = Lwm2mPath.parse(key)
        if (node === null) {
          out.push({ n: path.toString() })
          continue
        }
        if (!fitsPath(node, path)) unsupported(format, `a ${node.kind} node`, path)
        for (const l of nodeLeaves(node, path)) out.push(leafRecord(l, leafName(l)))
      }
      return io.serialize(out)
    },
    decodeNodes(
      payload: Uint8Array,
      models: ModelLookup,
      paths?: readonly Lwm2mPath[],
    ): Map<string, Lwm2mNode | null> {
      const resolved = resolveRecords(format, io.parse(payload))
      return groupNodes(format, entriesOf(resolved, format, models), models, paths)
    },
    encodeTimestamped(data: readonly TimestampedNodes[]): Uint8Array {
      const out: SenmlOut[] = []
      let bt = 0
      for (const group of data) {
        const ts = group.timestamp ?? 0
        let first = true
        for (const [key, node] of group.nodes) {
          const path = Lwm2mPath.parse(key)
          if (!fitsPath(node, path)) unsupported(format, `a ${node.kind} node`, path)
          for (const l of nodeLeaves(node, path)) {
            const rec = leafRecord(l, leafName(l))
            if (first && ts !== bt) rec.bt = ts
            if (first) bt = ts
            first = false
            out.push(rec)
          }
        }
      }
      return io.serialize(out)
    },
    decodeTimestamped(
      payload: Uint8Array,
      models: ModelLookup,
      paths?: readonly Lwm2mPath[],
    ): TimestampedNodes[] {
      const resolved = resolveRecords(format, io.parse(payload))
      const out: TimestampedNodes[] = []
      let group: ResolvedRecord[] = []
      let names = new Set<string>()
      const flush = () => {
        if (group.length === 0) return
        const t = group[0]!.time
        out.push({
          timestamp: t === undefined || t === 0 ? undefined : t,
          nodes: withoutNulls(format, group, models, paths),
        })
        group = []
        names = new Set()
      }
      for (const r of resolved) {
        if (group.length > 0 && (group[0]!.time !== r.time || names.has(r.name))) flush()
        group.push(r)
        names.add(r.name)
      }
      flush()
      return out
    },
    encodePaths(paths: readonly Lwm2mPath[]): Uint8Array {
      return io.serialize(paths.map((p) => ({ n: p.toString() })))
    },
    decodePaths(payload: Uint8Array): Lwm2mPath[] {
      return resolveRecords(format, io.parse(payload)).map((r) => Lwm2mPath.of(...r.ids))
    },
  }
}
