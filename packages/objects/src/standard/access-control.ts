import type { Logger } from '@lwm2m/coap'
import type { ObjectModel, ResourceValue } from '@lwm2m/core'
import { ObjectsError } from '../errors.js'
import { accessControlModel } from '../generated/object-2.js'
import { type DefinedObject, defineObject, type InstanceValues } from '../object/define-object.js'

/** The access rights bits of an ACL value (Core TS 1.1 section E.3 / 8.2.2). */
export const AccessRight = {
  Read: 1,
  Write: 2,
  Execute: 4,
  Delete: 8,
  Create: 16,
} as const

/** The Short Server ID that, as an ACL resource instance id, gives the default rights of servers without their own. */
export const DEFAULT_ACL_SERVER = 0

/** One Access Control object instance: the rights servers have on one object instance. */
export interface AccessControlEntry {
  readonly objectId: number
  /** The instance, or 65535 for the rights to create instances of `objectId`. */
  readonly instanceId: number
  /** Rights by Short Server ID (0: the default for servers not listed). */
  readonly acl: ReadonlyMap<number, number>
  /** The Short Server ID of the owner (65535 when the bootstrap server owns it). */
  readonly owner: number
}

export interface AccessControlObjectOptions {
  readonly entries?: readonly {
    readonly objectId: number
    readonly instanceId: number
    readonly acl?: ReadonlyMap<number, number> | Readonly<Record<number, number>>
    readonly owner: number
  }[]
  /** Default Access Control 1.1; `accessControlModelV1_0` for LwM2M 1.0. */
  readonly model?: ObjectModel
  readonly logger?: Logger
}

/** The Access Control object with the lookups the client role's access checks need. */
export interface AccessControlObject extends DefinedObject {
  entries(): AccessControlEntry[]
  /** The entry for an object instance (or for creating instances of an object: instance 65535). */
  entry(
    objectId: number,
    instanceId: number,
  ): (AccessControlEntry & { readonly instanceIdOfEntry: number }) | undefined
  /**
   * The rights of a server on an object instance: its own ACL instance, else the
   * default (ACL instance 0), else undefined (no ACL entry: the client applies its rule:
   * the owner, or with a single server, full rights).
   */
  rights(objectId: number, instanceId: number, shortServerId: number): number | undefined
  /** Adds or replaces the entry of an object instance; returns the Access Control instance id. */
  grant(entry: {
    readonly objectId: number
    readonly instanceId: number
    readonly acl?: ReadonlyMap<number, number>
    readonly owner: number
  }): number
  /** Removes the entry of an object instance (after that instance was deleted). */
  revoke(objectId: number, instanceId: number): boolean
}

function aclMap(
  acl: ReadonlyMap<number, number> | Readonly<Record<number, number>> | undefined,
): Map<number, ResourceValue> {
  if (acl === undefined) return new Map()
  return acl instanceof Map
    ? new Map(acl)
    : new Map(Object.entries(acl).map(([k, v]) => [Number(k), v as number]))
}

/**
 * The LwM2M Access Control object (2): which server may Read, Write, Execute, Delete or
 * Create what (Core TS 1.1 section 8.2.2). Object ID and Object Instance ID are
 * read-only for servers; the ACL and the owner are writable.
 */
export function createAccessControlObject(options: AccessControlObjectOptions = {}): AccessControlObject {
  const model = options.model ?? accessControlModel
  if (model.id !== 2)
    throw new ObjectsError(
      'OBJECTS_INVALID_ARGUMENT',
      `the Access Control object takes an object 2 model, not ${model.id}`,
    )
  const instances = new Map<number, InstanceValues>()
  for (const [i, e] of (options.entries ?? []).entries()) {
    instances.set(i, { 0: e.objectId, 1: e.instanceId, 2: aclMap(e.acl), 3: e.owner })
  }
  const base = defineObject(model, {
    instances,
    ...(options.logger !== undefined ? { logger: options.logger } : {}),
  })
  const num = (iid: number, rid: number) => Number(base.get(iid, rid) ?? -1)
  const view = (iid: number): AccessControlEntry => {
    const acl = base.get(iid, 2)
    return {
      objectId: num(iid, 0),
      instanceId: num(iid, 1),
      acl: new Map([...(acl instanceof Map ? acl : [])].map(([k, v]) => [k, Number(v)])),
      owner: num(iid, 3),
    }
  }
  const find = (objectId: number, instanceId: number) =>
    base.instances().find((iid) => num(iid, 0) === objectId && num(iid, 1) === instanceId)

  const object = base as AccessControlObject
  object.entries = () => base.instances().map(view)
  object.entry = (objectId, instanceId) => {
    const iid = find(objectId, instanceId)
    return iid === undefined ? undefined : { ...view(iid), instanceIdOfEntry: iid }
  }
  object.rights = (objectId, instanceId, ssid) => {
    const e = object.entry(objectId, instanceId)
    if (e === undefined) return undefined
    return e.acl.get(ssid) ?? e.acl.get(DEFAULT_ACL_SERVER)
  }
  object.grant = (entry) => {
    const existing = find(entry.objectId, entry.instanceId)
    if (existing !== undefined) base.removeInstance(existing)
    return base.addInstance(
      { 0: entry.objectId, 1: entry.instanceId, 2: aclMap(entry.acl), 3: entry.owner },
      existing,
    )
  }
  object.revoke = (objectId, instanceId) => {
    const iid = find(objectId, instanceId)
    return iid !== undefined && base.removeInstance(iid)
  }
  return object
}
