import type { ResourceType } from '../model/types.js'

/** An Object Link value (Core TS, Objlnk): object id and instance id. */
export interface ObjectLink {
  readonly objectId: number
  readonly instanceId: number
}

/**
 * A resource value, by resource type:
 * - string, corelnk: `string`
 * - integer, unsigned: `number` when it is a safe integer, `bigint` otherwise (full 64-bit range, no precision loss)
 * - float: `number`
 * - boolean: `boolean`
 * - opaque: `Uint8Array`
 * - time: `Date` (whole seconds on the wire)
 * - objlnk: {@link ObjectLink}
 */
export type ResourceValue = string | number | bigint | boolean | Uint8Array | Date | ObjectLink

/** A single-instance resource. */
export interface SingleResource {
  readonly kind: 'resource'
  readonly id: number
  readonly type: ResourceType
  readonly value: ResourceValue
}

/** A multiple-instance resource: its instances by resource instance id. */
export interface MultipleResource {
  readonly kind: 'multipleResource'
  readonly id: number
  readonly type: ResourceType
  readonly instances: ReadonlyMap<number, ResourceValue>
}

/** One instance of a multiple-instance resource, addressed on its own (/o/i/r/ri). */
export interface ResourceInstance {
  readonly kind: 'resourceInstance'
  readonly id: number
  readonly type: ResourceType
  readonly value: ResourceValue
}

export type Resource = SingleResource | MultipleResource

/** An object instance: its resources by resource id. */
export interface ObjectInstance {
  readonly kind: 'instance'
  readonly id: number
  readonly resources: ReadonlyMap<number, Resource>
}

/** An object: its instances by instance id. */
export interface ObjectNode {
  readonly kind: 'object'
  readonly id: number
  readonly instances: ReadonlyMap<number, ObjectInstance>
}

/** Any node of the data model. */
export type Lwm2mNode = ObjectNode | ObjectInstance | Resource | ResourceInstance

/**
 * Nodes with the time they were sampled, for notifications with history and Send
 * (Core TS 7.4 SenML "bt"/"t"): a list of (timestamp, path -> node) in time order.
 * `timestamp` is in seconds since the epoch (may be fractional), undefined for "now".
 */
export interface TimestampedNodes {
  readonly timestamp: number | undefined
  /** Path text ("/3/0/9") to the node found there. */
  readonly nodes: ReadonlyMap<string, Lwm2mNode>
}
