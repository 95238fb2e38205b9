import type { ObjectModel } from '../model/types.js'
import type { Lwm2mNode, TimestampedNodes } from '../node/types.js'
import type { Lwm2mPath } from '../path/path.js'

/**
 * Where codecs look up object models: the per-client model set a role resolves
 * (a client that announced `</3>;ver=1.1` gets the 1.1 Device model).
 */
export interface ModelLookup {
  getObjectModel(objectId: number): ObjectModel | undefined
}

/**
 * One content format (Core TS section 7.4): encodes nodes to payload bytes and back.
 * Single-node methods serve Read/Write/Notify of one path; the `Nodes` methods serve
 * the composite operations and Send (SenML JSON/CBOR, LwM2M CBOR), the `Timestamped`
 * ones notifications with history and Send, the `Paths` ones Read-/Observe-Composite
 * request bodies (SenML records without values). A format implements what it can
 * carry; the others are absent.
 */
export interface NodeCodec {
  /** The content-format number (11542 for TLV). */
  readonly format: number
  /** Older numbers accepted on decode (1542 for TLV from LwM2M 1.0 peers). */
  readonly aliases?: readonly number[]
  /** True if this format can carry `node` found at `path` (text/plain carries one value only). */
  canEncode(node: Lwm2mNode, path: Lwm2mPath): boolean
  encode(node: Lwm2mNode, path: Lwm2mPath, models: ModelLookup): Uint8Array
  /** Decodes the node at `path`; throws Lwm2mCodecError. */
  decode(payload: Uint8Array, path: Lwm2mPath, models: ModelLookup): Lwm2mNode
  /** Encodes nodes keyed by path text; a null node is a path without value. */
  encodeNodes?(nodes: ReadonlyMap<string, Lwm2mNode | null>, models: ModelLookup): Uint8Array
  /**
   * Decodes nodes keyed by path text. With `paths` (the request of a Read-/Observe-
   * Composite) each requested path gets the node assembled under it, or null; without,
   * values are grouped per resource ("/3/0/7" -> its multiple resource) and a path sent
   * without value maps to null.
   */
  decodeNodes?(
    payload: Uint8Array,
    models: ModelLookup,
    paths?: readonly Lwm2mPath[],
  ): Map<string, Lwm2mNode | null>
  encodeTimestamped?(data: readonly TimestampedNodes[], models: ModelLookup): Uint8Array
  /** Decodes time-ordered groups of nodes; grouping as for {@link NodeCodec.decodeNodes}. */
  decodeTimestamped?(
    payload: Uint8Array,
    models: ModelLookup,
    paths?: readonly Lwm2mPath[],
  ): TimestampedNodes[]
  encodePaths?(paths: readonly Lwm2mPath[]): Uint8Array
  decodePaths?(payload: Uint8Array): Lwm2mPath[]
}
