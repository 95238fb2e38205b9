import type { CoapResponse } from '@lwm2m/coap'
import type { Lwm2mNode, TimestampedNodes } from '../node/types.js'
import type { OperationContext } from './context.js'
import { parseResponse } from './response.js'
import type { NodeResult, NodesResult, ObserveCompositeOperation, ObserveOperation } from './types.js'

/** A notification of an Observe (or its initial answer), read: the node and, where the payload dated it, every sample. */
export interface NotificationResult extends NodeResult {
  /**
   * The samples the payload carried with their times (SenML `bt`/`t`, OMA JSON `bt`/`t`), oldest
   * first as written, when it carried any time; undefined for an undated payload. `node` is then
   * the newest sample (Core TS 1.2 section 7.4.4, notifications with historical data).
   */
  readonly timestamped: readonly TimestampedNodes[] | undefined
}

/** A notification of an Observe-Composite (or its initial answer), read. */
export interface CompositeNotificationResult extends NodesResult {
  /** As {@link NotificationResult.timestamped}; `nodes` is then the newest sample of each path. */
  readonly timestamped: readonly TimestampedNodes[] | undefined
}

type Response = Pick<CoapResponse, 'code' | 'payload' | 'contentFormat' | 'locationPath'>

/**
 * Reads a notification (or the answer that started the observation) like `parseResponse`, and
 * keeps the times of a dated payload: a SenML or OMA JSON notification may carry several
 * samples of the observed path ("historical data", Core TS 1.2 section 7.4.4; 1.1 section
 * 7.4.4/7.4.5 with `t`). One decode either way: formats that can carry times are decoded with
 * their timestamped decoder, the others with the plain one. Throws what `parseResponse` throws.
 */
export function parseNotification(
  op: ObserveOperation,
  response: Response,
  ctx: OperationContext,
): NotificationResult
export function parseNotification(
  op: ObserveCompositeOperation,
  response: Response,
  ctx: OperationContext,
): CompositeNotificationResult
export function parseNotification(
  op: ObserveOperation | ObserveCompositeOperation,
  response: Response,
  ctx: OperationContext,
): NotificationResult | CompositeNotificationResult {
  const format = response.contentFormat
  const codec = format === undefined ? undefined : ctx.codecs.get(format)
  const dated =
    codec?.decodeTimestamped !== undefined &&
    response.payload.length > 0 &&
    response.code === 0x45 &&
    !(op.kind === 'observe' && op.path.isRoot())
  if (!dated) {
    if (op.kind === 'observe') return { ...parseResponse(op, response, ctx), timestamped: undefined }
    return { ...parseResponse(op, response, ctx), timestamped: undefined }
  }
  const paths = op.kind === 'observe' ? [op.path] : op.paths
  const groups = codec.decodeTimestamped!(response.payload, ctx.models, paths)
  const undated = groups.length <= 1 && groups[0]?.timestamp === undefined
  if (op.kind === 'observe') {
    const key = op.path.toString()
    const node = newestGroup(groups)?.nodes.get(key)
    if (node === undefined) {
      // Nothing under the observed path (an object without instances): the plain reading decides.
      return { ...parseResponse(op, response, ctx), timestamped: undefined }
    }
    return {
      code: response.code,
      node,
      contentFormat: format,
      timestamped: undated ? undefined : groups,
    }
  }
  const nodes = new Map<string, Lwm2mNode | null>()
  for (const p of op.paths) nodes.set(p.toString(), null)
  // Each path takes its newest sample: later groups (in time) overwrite earlier ones.
  for (const g of sortedByTime(groups)) for (const [k, v] of g.nodes) if (nodes.has(k)) nodes.set(k, v)
  return { code: response.code, nodes, contentFormat: format, timestamped: undated ? undefined : groups }
}

/** The group of the latest time; an undated group ("now", RFC 8428) counts as the latest; ties go to the later one. */
function newestGroup(groups: readonly TimestampedNodes[]): TimestampedNodes | undefined {
  let best: TimestampedNodes | undefined
  for (const g of groups) {
    if (best === undefined || timeOf(g) >= timeOf(best)) best = g
  }
  return best
}

function timeOf(g: TimestampedNodes): number {
  return g.timestamp === undefined ? Number.POSITIVE_INFINITY : g.timestamp
}

function sortedByTime(groups: readonly TimestampedNodes[]): readonly TimestampedNodes[] {
  // One group (the usual notification): nothing to order, nothing to copy.
  if (groups.length <= 1) return groups
  // A stable sort keeps the payload order of equal times.
  return [...groups].sort((a, b) => (timeOf(a) === timeOf(b) ? 0 : timeOf(a) < timeOf(b) ? -1 : 1))
}
