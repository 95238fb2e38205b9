import { Lwm2mCodecError } from '../../errors.js'
import { assembleNode, type DecodedEntry, groupNodes } from '../../node/assemble.js'
import { type Leaf, leafPath, nodeLeaves } from '../../node/leaves.js'
import type { Lwm2mNode, TimestampedNodes } from '../../node/types.js'
import { Lwm2mPath } from '../../path/path.js'
import { decodeBase64, encodeBase64 } from '../../value/base64.js'
import { type JsonObject, type JsonValue, parseJsonWithOffsets } from '../json/json-parse.js'
import { fitsPath, resourceModelOf, unsupported } from '../models.js'
import {
  fromSenmlValue,
  type ResolvedRecord,
  resolveRecords,
  type SenmlRecord,
  type SenmlValue,
  toSenmlValue,
} from '../senml/records.js'
import { jsonNumber } from '../senml/senml-json-codec.js'
import type { ModelLookup, NodeCodec } from '../types.js'

const FORMAT = 11543
const utf8 = new TextEncoder()

/** The OMA JSON entry text of one value: "v", "sv" (strings, and Opaque in base64), "bv", "ov". */
function valueJson(l: Leaf, where: string): string {
  const v = toSenmlValue(l.type, l.value, where)
  switch (v.label) {
    case 'v':
      return `"v":${jsonNumber(v.value, where)}`
    case 'vs':
      return `"sv":${JSON.stringify(v.value)}`
    case 'vb':
      return `"bv":${v.value}`
    case 'vd':
      return `"sv":"${encodeBase64(v.value)}"`
    case 'vlo':
      return `"ov":"${v.value}"`
  }
}

function document(bn: string, entries: readonly string[]): Uint8Array {
  return utf8.encode(`{"bn":${JSON.stringify(bn)},"e":[${entries.join(',')}]}`)
}

/** Reads the document into SenML-like records (bn/bt carried by the first), for shared resolution. */
function parse(payload: Uint8Array): SenmlRecord[] {
  const { value, offsetOf } = parseJsonWithOffsets(FORMAT, payload)
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Lwm2mCodecError(FORMAT, 'an OMA JSON document is a JSON object', { offset: 0 })
  }
  const top = value as JsonObject
  const bad = (label: string, want: string, at: number): never => {
    throw new Lwm2mCodecError(FORMAT, `"${label}" must be ${want}`, { offset: at })
  }
  let bn: string | undefined
  let bt: number | undefined
  let e: JsonValue[] | undefined
  for (const key in top) {
    const v = top[key]!
    if (key === 'bn') bn = typeof v === 'string' ? v : bad(key, 'a string', 0)
    else if (key === 'bt')
      bt = typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : bad(key, 'a number', 0)
    else if (key === 'e') e = Array.isArray(v) ? v : bad(key, 'an array', 0)
  }
  if (e === undefined) throw new Lwm2mCodecError(FORMAT, 'missing "e" array', { offset: 0 })
  const out: SenmlRecord[] = []
  for (let i = 0; i < e.length; i++) {
    const item = e[i]!
    if (typeof item !== 'object' || item === null || Array.isArray(item)) bad('e', 'an array of objects', 0)
    const o = item as JsonObject
    const at = offsetOf(o) ?? 0
    const r: SenmlRecord = { at }
    if (i === 0) {
      if (bn !== undefined) r.bn = bn
      if (bt !== undefined) r.bt = bt
    }
    for (const key in o) {
      const v = o[key]!
      switch (key) {
        case 'n':
          r.n = typeof v === 'string' ? v : bad(key, 'a string', at)
          break
        case 't':
          r.t = typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : bad(key, 'a number', at)
          break
        case 'v':
          r.v = typeof v === 'number' || typeof v === 'bigint' ? v : bad(key, 'a number', at)
          break
        case 'sv':
          r.vs = typeof v === 'string' ? v : bad(key, 'a string', at)
          break
        case 'bv':
          r.vb = typeof v === 'boolean' ? v : bad(key, 'true or false', at)
          break
        case 'ov':
          r.vlo = typeof v === 'string' ? v : bad(key, 'a string "oid:iid"', at)
          break
      }
    }
    out.push(r)
  }
  return out
}

function entriesOf(
  resolved: readonly ResolvedRecord[],
  models: ModelLookup,
  allowNull: boolean,
): DecodedEntry[] {
  const out: DecodedEntry[] = []
  for (const r of resolved) {
    if (r.value === undefined) {
      if (!allowNull) throw new Lwm2mCodecError(FORMAT, 'an entry without value', { offset: r.at })
      out.push({ kind: 'null', ids: r.ids })
      continue
    }
    if (r.ids.length < 3) {
      throw new Lwm2mCodecError(FORMAT, 'a value must name a resource or resource instance', { path: r.name })
    }
    const model = resourceModelOf(models, r.ids[0]!, r.ids[2]!)
    let sv: SenmlValue = r.value
    if (model?.type === 'opaque' && sv.label === 'vs') {
      const bytes = decodeBase64(sv.value)
      if (bytes === undefined)
        throw new Lwm2mCodecError(FORMAT, 'opaque "sv" is not base64', { path: r.name })
      sv = { label: 'vd', value: bytes }
    }
    const { type, value } = fromSenmlValue(FORMAT, sv, model?.type, r.name)
    out.push({ kind: 'value', ids: r.ids, type, value })
  }
  return out
}

/**
 * The LwM2M 1.0 JSON format (application/vnd.oma.lwm2m+json, content format 11543; the
 * pre-IANA 1543 is accepted; LwM2M 1.0 section 6.4.4): {"bn", "bt", "e": [{"n", "v" |
 * "sv" | "bv" | "ov", "t"}]}. Opaque travels base64 in "sv". Decoding types values by the
 * model, or without one by the label ("v": Integer if integral, else Float; "sv": String).
 * Timestamped entries ("t", relative to "bt") serve notifications with history.
 */
export function omaJsonCodec(): NodeCodec {
  return {
    format: FORMAT,
    aliases: [1543],
    canEncode(node: Lwm2mNode, path: Lwm2mPath): boolean {
      return fitsPath(node, path)
    },
    encode(node: Lwm2mNode, path: Lwm2mPath): Uint8Array {
      if (!fitsPath(node, path)) unsupported(FORMAT, `a ${node.kind} node`, path)
      const leafLevel = node.kind === 'resource' || node.kind === 'resourceInstance'
      const bn = leafLevel ? path.toString() : `${path.toString()}/`
      const entries = nodeLeaves(node, path).map((l) => {
        const name = leafPath(l)
        return leafLevel
          ? `{${valueJson(l, name)}}`
          : `{"n":${JSON.stringify(name.slice(bn.length))},${valueJson(l, name)}}`
      })
      return document(bn, entries)
    },
    decode(payload: Uint8Array, path: Lwm2mPath, models: ModelLookup): Lwm2mNode {
      if (path.isRoot()) unsupported(FORMAT, 'a single node', path)
      const resolved = resolveRecords(FORMAT, parse(payload))
      return assembleNode(FORMAT, path, entriesOf(resolved, models, false), models)
    },
    encodeTimestamped(data: readonly TimestampedNodes[]): Uint8Array {
      const entries: string[] = []
      for (const group of data) {
        for (const [key, node] of group.nodes) {
          const path = Lwm2mPath.parse(key)
          if (!fitsPath(node, path)) unsupported(FORMAT, `a ${node.kind} node`, path)
          for (const l of nodeLeaves(node, path)) {
            const name = leafPath(l)
            const t = group.timestamp === undefined ? '' : `,"t":${jsonNumber(group.timestamp, 't')}`
            entries.push(`{"n":${JSON.stringify(name.slice(1))},${valueJson(l, name)}${t}}`)
          }
        }
      }
      return document('/', entries)
    },
    decodeTimestamped(
      payload: Uint8Array,
      models: ModelLookup,
      paths?: readonly Lwm2mPath[],
    ): TimestampedNodes[] {
      const resolved = resolveRecords(FORMAT, parse(payload))
      const out: TimestampedNodes[] = []
      let group: ResolvedRecord[] = []
      let names = new Set<string>()
      const flush = () => {
        if (group.length === 0) return
        const t = group[0]!.time
        const nodes = new Map<string, Lwm2mNode>()
        for (const [k, v] of groupNodes(FORMAT, entriesOf(group, models, false), models, paths))
          if (v !== null) nodes.set(k, v)
        out.push({ timestamp: t === undefined || t === 0 ? undefined : t, nodes })
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
  }
}
