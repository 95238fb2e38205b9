import {
  type Lwm2mNode,
  type Lwm2mPath,
  leafPath,
  type ModelLookup,
  nodeLeaves,
  type ResourceType,
  type ResourceValue,
  type TimestampedNodes,
} from '@lwm2m/core'
import { type JsonValue, jsonResourceValue } from '../output/json.js'
import { formatValueWithUnit } from './value.js'

/** One value with what the model says of it: what `read` and notifications print, one per line. */
export interface ValueRow {
  /** "/3/0/9", or "/3/0/7/1" for an instance of a multiple-instance resource. */
  readonly path: string
  /** The resource's name in the model, undefined when the model does not know it. */
  readonly name: string | undefined
  readonly type: ResourceType
  readonly value: ResourceValue
  /** The model's unit ("%", "Cel"), undefined when it gives none. */
  readonly unit: string | undefined
}

/** The values under `node`, found at `path`, named by `models`. */
export function nodeRows(node: Lwm2mNode, path: Lwm2mPath, models: ModelLookup): ValueRow[] {
  return nodeLeaves(node, path).map((leaf) => {
    const model = models.getObjectModel(leaf.objectId)?.resources.get(leaf.resourceId)
    return {
      path: leafPath(leaf),
      name: model?.name,
      type: leaf.type,
      value: leaf.value,
      unit: model?.units === '' ? undefined : model?.units,
    }
  })
}

/** Rows of nodes keyed by path text (composite reads, Send), in path order. */
export function nodesRows(
  nodes: ReadonlyMap<string, Lwm2mNode | null>,
  parse: (path: string) => Lwm2mPath,
  models: ModelLookup,
): ValueRow[] {
  const rows: ValueRow[] = []
  for (const [key, node] of nodes) {
    if (node !== null) rows.push(...nodeRows(node, parse(key), models))
  }
  return rows
}

/**
 * A row in JSON (the `values` items of the JSON schema):
 * `{ "path", "name", "type", "value", "unit" }`; `name` and `unit` are null when the
 * model does not give them; `value` as {@link jsonResourceValue} encodes it.
 */
export function rowJson(row: ValueRow): { [key: string]: JsonValue } {
  return {
    path: row.path,
    name: row.name ?? null,
    type: row.type,
    value: jsonResourceValue(row.type, row.value),
    unit: row.unit ?? null,
  }
}

/** Rows as aligned lines: path, name, value and unit. */
export function formatRows(rows: readonly ValueRow[], indent = '  '): string[] {
  if (rows.length === 0) return [`${indent}(no values)`]
  const pathWidth = Math.max(...rows.map((r) => r.path.length))
  const nameWidth = Math.max(...rows.map((r) => (r.name ?? '').length))
  return rows.map((r) => {
    const name = (r.name ?? '').padEnd(nameWidth)
    return `${indent}${r.path.padEnd(pathWidth)}  ${name}  ${formatValueWithUnit(r.value, r.unit)}`.trimEnd()
  })
}

/** Timestamped groups (Send, notifications with history) as JSON: `[{ "time", "values" }]`. */
export function timestampedJson(
  groups: readonly TimestampedNodes[],
  parse: (path: string) => Lwm2mPath,
  models: ModelLookup,
  fill: (rows: ValueRow[]) => ValueRow[] = (rows) => rows,
): JsonValue[] {
  return groups.map((g) => ({
    time: g.timestamp === undefined ? null : new Date(g.timestamp * 1000).toISOString(),
    values: fill(nodesRows(g.nodes, parse, models)).map(rowJson),
  }))
}
