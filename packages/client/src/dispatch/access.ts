import { type Lwm2mNode, Lwm2mPath, type ObjectInstance, type ResourceValue } from '@lwm2m/core'
import { AccessRight } from '@lwm2m/objects'
import type { ClientContext } from '../client/context.js'

/** Every right: Read, Write, Execute, Delete, Create. */
export const ALL_RIGHTS =
  AccessRight.Read | AccessRight.Write | AccessRight.Execute | AccessRight.Delete | AccessRight.Create

/** The Access Control object's id, and the instance id that stands for "create instances of". */
const ACCESS_CONTROL = 2
const CREATE_INSTANCE = 65535
const INTERNAL = { origin: 'internal' } as const

/** One Access Control instance, read. */
interface AclEntry {
  readonly instanceId: number
  readonly objectId: number
  readonly objectInstanceId: number
  readonly acl: ReadonlyMap<number, number>
  readonly owner: number
}

function numeric(v: ResourceValue | undefined): number | undefined {
  return typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : undefined
}

function entryOf(instance: ObjectInstance): AclEntry | undefined {
  const get = (id: number) => {
    const r = instance.resources.get(id)
    return r?.kind === 'resource' ? r.value : undefined
  }
  const objectId = numeric(get(0))
  const objectInstanceId = numeric(get(1))
  if (objectId === undefined || objectInstanceId === undefined) return undefined
  const aclResource = instance.resources.get(2)
  const acl = new Map<number, number>()
  if (aclResource?.kind === 'multipleResource') {
    for (const [ri, v] of aclResource.instances) {
      const n = numeric(v)
      if (n !== undefined) acl.set(ri, n)
    }
  }
  return {
    instanceId: instance.id,
    objectId,
    objectInstanceId,
    acl,
    owner: numeric(get(3)) ?? CREATE_INSTANCE,
  }
}

/**
 * Access control (Core TS 1.1 section 7.3.1 / 1.2 section 7.3.1, the Access Control object
 * of appendix E.3). With a single LwM2M Server account, or without an Access Control
 * object, every server has every right. Otherwise, for an object instance /o/i:
 * - the Access Control instance whose Object ID and Object Instance ID name it decides;
 *   without one, no server has any right on it;
 * - the ACL resource instance with the server's Short Server ID gives its rights; without
 *   one, the Access Control Owner has every right; otherwise the default ACL instance 0
 *   applies; otherwise none;
 * - Create on /o is decided by the instance for /o/65535 and its Create bit;
 * - Access Control instances themselves are readable by every server and writable and
 *   deletable only by their owner (who "can manage the Resources of this Object Instance").
 * Bits: 1 Read (Read, Observe, Write-Attributes), 2 Write, 4 Execute, 8 Delete, 16 Create.
 * Discover needs no right.
 */
export class AccessControl {
  constructor(private readonly ctx: ClientContext) {}

  /** True when rights must be checked: several server accounts and an Access Control object. */
  get enforced(): boolean {
    return this.ctx.serverIds().length > 1 && this.ctx.tree.has(ACCESS_CONTROL)
  }

  async #entries(): Promise<AclEntry[]> {
    const result = await this.ctx.tree.read(Lwm2mPath.of(ACCESS_CONTROL), INTERNAL)
    if (!result.ok) return []
    const node: Lwm2mNode = result.value
    if (node.kind !== 'object') return []
    const out: AclEntry[] = []
    for (const instance of node.instances.values()) {
      const e = entryOf(instance)
      if (e !== undefined) out.push(e)
    }
    return out
  }

  /** The rights of server `ssid` on object instance /objectId/instanceId (instance 65535: creating instances). */
  async rights(ssid: number, objectId: number, instanceId: number): Promise<number> {
    if (!this.enforced) return ALL_RIGHTS
    const entries = await this.#entries()
    if (objectId === ACCESS_CONTROL) {
      const own = entries.find((e) => e.instanceId === instanceId)
      if (instanceId === CREATE_INSTANCE || own === undefined) return AccessRight.Read
      return own.owner === ssid
        ? AccessRight.Read | AccessRight.Write | AccessRight.Execute | AccessRight.Delete
        : AccessRight.Read
    }
    const entry = entries.find((e) => e.objectId === objectId && e.objectInstanceId === instanceId)
    if (entry === undefined) return 0
    const own = entry.acl.get(ssid)
    if (own !== undefined) return own
    if (entry.owner === ssid) return ALL_RIGHTS
    return entry.acl.get(0) ?? 0
  }

  /** True when `ssid` holds every bit of `right` on /objectId/instanceId. */
  async allows(ssid: number, right: number, objectId: number, instanceId: number): Promise<boolean> {
    return ((await this.rights(ssid, objectId, instanceId)) & right) === right
  }

  /**
   * After server `ssid` created /objectId/instanceId: the client makes the Access Control
   * instance for it, owned by that server (Core TS 1.1 section 7.3.1: "the LwM2M Client MUST
   * create an Access Control Object Instance ... the Access Control Owner is the LwM2M Server
   * which created the Object Instance").
   */
  async created(ssid: number, objectId: number, instanceId: number): Promise<void> {
    if (!this.enforced || objectId === ACCESS_CONTROL) return
    const ac = this.ctx.tree.get(ACCESS_CONTROL)
    if (ac === undefined) return
    const resources = new Map([
      [0, { kind: 'resource' as const, id: 0, type: 'integer' as const, value: objectId }],
      [1, { kind: 'resource' as const, id: 1, type: 'integer' as const, value: instanceId }],
      [3, { kind: 'resource' as const, id: 3, type: 'integer' as const, value: ssid }],
    ])
    const result = await ac.create({ resources }, INTERNAL)
    if (!result.ok) {
      this.ctx.logger.warn('could not create the Access Control instance of a new object instance', {
        path: `/${objectId}/${instanceId}`,
        reason: result.message,
      })
    }
  }

  /** After /objectId/instanceId was deleted: its Access Control instance goes too. */
  async deleted(objectId: number, instanceId: number): Promise<void> {
    if (!this.ctx.tree.has(ACCESS_CONTROL) || objectId === ACCESS_CONTROL) return
    const ac = this.ctx.tree.get(ACCESS_CONTROL)!
    for (const e of await this.#entries()) {
      if (e.objectId === objectId && e.objectInstanceId === instanceId) {
        await ac.delete(Lwm2mPath.of(ACCESS_CONTROL, e.instanceId), INTERNAL)
      }
    }
  }
}
