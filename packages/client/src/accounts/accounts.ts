import {
  type Lwm2mNode,
  Lwm2mPath,
  type ObjectInstance,
  type ObjectNode,
  type Resource,
  type ResourceValue,
} from '@lwm2m/core'
import { DEFAULT_DISABLE_TIMEOUT, REGISTRATION_RETRY_DEFAULTS } from '@lwm2m/objects'
import type { ObjectTree } from '../client/object-tree.js'

/**
 * A Security object instance (object 0, Core TS 1.1 section E.1) as the client reads it
 * from the implementation: what a transport factory needs to reach the server.
 */
export interface SecurityInstance {
  readonly instanceId: number
  /** /0/x/0. */
  readonly serverUri: string
  /** /0/x/1. */
  readonly bootstrapServer: boolean
  /** /0/x/2: 0 PSK, 1 RPK, 2 certificate, 3 NoSec, 4 certificate with EST. */
  readonly securityMode: number
  /** /0/x/3: PSK identity, or the client's public key or certificate. */
  readonly publicKeyOrIdentity: Uint8Array
  /** /0/x/4: the server's public key or certificate. */
  readonly serverPublicKey: Uint8Array
  /** /0/x/5: the PSK or private key (SecretBytes when the implementation keeps it so). */
  readonly secretKey: Uint8Array
  /** /0/x/10. */
  readonly shortServerId: number | undefined
  /** /0/x/11, seconds. */
  readonly clientHoldOffTime: number | undefined
  /** Every resource of the instance, for transports that need more (SNI 14, Certificate Usage 15, ...). */
  readonly resources: ObjectInstance
}

/**
 * A Server object instance (object 1, Core TS 1.1 section E.2 and 1.2 appendix E.2) as
 * the client reads it, with the defaults of the specification applied.
 */
export interface ServerInstance {
  readonly instanceId: number
  /** /1/x/0. */
  readonly shortServerId: number
  /** /1/x/1, seconds; undefined when absent (the client's `lifetime` option applies). */
  readonly lifetime: number | undefined
  /** /1/x/2 and /1/x/3: the default pmin and pmax of observations. */
  readonly defaultMinPeriod: number | undefined
  readonly defaultMaxPeriod: number | undefined
  /** /1/x/5, seconds (default 86400). */
  readonly disableTimeout: number
  /** /1/x/6 (default true). */
  readonly notificationStoring: boolean
  /** /1/x/7; undefined when absent. */
  readonly binding: string | undefined
  /** /1/x/13. */
  readonly registrationPriorityOrder: number | undefined
  /** /1/x/14, seconds. */
  readonly initialRegistrationDelayTimer: number
  /** /1/x/15 (default false). */
  readonly registrationFailureBlock: boolean
  /** /1/x/16 (default false). */
  readonly bootstrapOnRegistrationFailure: boolean
  /** /1/x/17 (default 5), /1/x/18 (default 60 s), /1/x/19 (default 86400 s), /1/x/20 (default 1). */
  readonly communicationRetryCount: number
  readonly communicationRetryTimer: number
  readonly communicationSequenceDelayTimer: number
  readonly communicationSequenceRetryCount: number
  /** /1/x/23: "If true or the Resource is not present, the LwM2M Client Send command capability is de-activated." */
  readonly muteSend: boolean
  /** /1/x/26 (1.2) Default Notification Mode: true = CON, false = NON, undefined = absent. */
  readonly confirmableNotifications: boolean | undefined
}

/** An LwM2M Server account: a Server instance and the Security instance with its Short Server ID. */
export interface ServerAccount {
  readonly shortServerId: number
  readonly security: SecurityInstance
  readonly server: ServerInstance
}

/** The accounts found in the Security and Server objects. */
export interface Accounts {
  readonly servers: readonly ServerAccount[]
  /** The Bootstrap-Server account, if any. */
  readonly bootstrap: SecurityInstance | undefined
}

const INTERNAL = { origin: 'internal' } as const
const EMPTY = new Uint8Array(0)

/** The value of single resource `id` of an instance; undefined when absent or multiple. */
export function resourceValue(instance: ObjectInstance, id: number): ResourceValue | undefined {
  const r: Resource | undefined = instance.resources.get(id)
  return r?.kind === 'resource' ? r.value : undefined
}
function num(instance: ObjectInstance, id: number): number | undefined {
  const v = resourceValue(instance, id)
  if (typeof v === 'number') return v
  if (typeof v === 'bigint') return v > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(v)
  return undefined
}
function bool(instance: ObjectInstance, id: number): boolean | undefined {
  const v = resourceValue(instance, id)
  return typeof v === 'boolean' ? v : undefined
}
function str(instance: ObjectInstance, id: number): string | undefined {
  const v = resourceValue(instance, id)
  return typeof v === 'string' ? v : undefined
}
function bytes(instance: ObjectInstance, id: number): Uint8Array {
  const v = resourceValue(instance, id)
  return v instanceof Uint8Array ? v : EMPTY
}

/** Reads a Security instance node. */
export function securityInstance(instance: ObjectInstance): SecurityInstance {
  return {
    instanceId: instance.id,
    serverUri: str(instance, 0) ?? '',
    bootstrapServer: bool(instance, 1) ?? false,
    securityMode: num(instance, 2) ?? 3,
    publicKeyOrIdentity: bytes(instance, 3),
    serverPublicKey: bytes(instance, 4),
    secretKey: bytes(instance, 5),
    shortServerId: num(instance, 10),
    clientHoldOffTime: num(instance, 11),
    resources: instance,
  }
}

/** Reads a Server instance node, applying the defaults of the specification. */
export function serverInstance(instance: ObjectInstance): ServerInstance {
  const mode = num(instance, 26)
  return {
    instanceId: instance.id,
    shortServerId: num(instance, 0) ?? 0,
    lifetime: num(instance, 1),
    defaultMinPeriod: num(instance, 2),
    defaultMaxPeriod: num(instance, 3),
    disableTimeout: num(instance, 5) ?? DEFAULT_DISABLE_TIMEOUT,
    notificationStoring: bool(instance, 6) ?? true,
    binding: str(instance, 7),
    registrationPriorityOrder: num(instance, 13),
    initialRegistrationDelayTimer: num(instance, 14) ?? 0,
    registrationFailureBlock: bool(instance, 15) ?? false,
    bootstrapOnRegistrationFailure: bool(instance, 16) ?? false,
    communicationRetryCount: num(instance, 17) ?? REGISTRATION_RETRY_DEFAULTS.communicationRetryCount,
    communicationRetryTimer: num(instance, 18) ?? REGISTRATION_RETRY_DEFAULTS.communicationRetryTimer,
    communicationSequenceDelayTimer:
      num(instance, 19) ?? REGISTRATION_RETRY_DEFAULTS.communicationSequenceDelayTimer,
    communicationSequenceRetryCount:
      num(instance, 20) ?? REGISTRATION_RETRY_DEFAULTS.communicationSequenceRetryCount,
    muteSend: bool(instance, 23) ?? true,
    confirmableNotifications: mode === undefined ? undefined : mode === 1,
  }
}

async function readObject(tree: ObjectTree, objectId: number): Promise<ObjectNode | undefined> {
  if (!tree.has(objectId)) return undefined
  const result = await tree.read(Lwm2mPath.of(objectId), INTERNAL)
  if (!result.ok) return undefined
  const node: Lwm2mNode = result.value
  return node.kind === 'object' ? node : undefined
}

/**
 * Reads the server accounts through the Security (0) and Server (1) implementations with
 * origin 'internal', so that whatever wrote them (the application, a Bootstrap-Server)
 * the client follows. A Server instance pairs with the non-bootstrap Security instance of
 * the same Short Server ID; instances without a partner are left out.
 */
export async function readAccounts(tree: ObjectTree): Promise<Accounts> {
  const securityNode = await readObject(tree, 0)
  const serverNode = await readObject(tree, 1)
  const securities = [...(securityNode?.instances.values() ?? [])].map(securityInstance)
  const bootstrap = securities.find((s) => s.bootstrapServer)
  const servers: ServerAccount[] = []
  for (const instance of serverNode?.instances.values() ?? []) {
    const server = serverInstance(instance)
    if (server.shortServerId <= 0) continue
    const security = securities.find((s) => !s.bootstrapServer && s.shortServerId === server.shortServerId)
    if (security === undefined || security.serverUri === '') continue
    if (servers.some((a) => a.shortServerId === server.shortServerId)) continue
    servers.push({ shortServerId: server.shortServerId, security, server })
  }
  servers.sort((a, b) => a.shortServerId - b.shortServerId)
  return { servers, bootstrap }
}

/** The Short Server ID of the Server instance `instanceId`, read through the implementation. */
export async function shortServerIdOf(tree: ObjectTree, instanceId: number): Promise<number | undefined> {
  const result = await tree.read(Lwm2mPath.of(1, instanceId, 0), INTERNAL)
  if (!result.ok || result.value.kind !== 'resource') return undefined
  const v = result.value.value
  return typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : undefined
}
