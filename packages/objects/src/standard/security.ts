import type { Logger } from '@lwm2m/coap'
import type { ObjectModel } from '@lwm2m/core'
import { ObjectsError } from '../errors.js'
import { securityModel } from '../generated/object-0.js'
import {
  type DefinedObject,
  defineObject,
  type InstanceValues,
  type ResourceContent,
  type StoredContent,
} from '../object/define-object.js'
import { fail } from '../object/result.js'
import { isSecretBytes, SecretBytes } from '../object/secret.js'

/** Security Mode (/0/x/2, Core TS 1.1 section E.1). */
export const SecurityMode = {
  PreSharedKey: 0,
  RawPublicKey: 1,
  Certificate: 2,
  NoSec: 3,
  CertificateWithEst: 4,
} as const

/** The secret resources of the Security object: Secret Key (5) and SMS Binding Secret Key(s) (8). */
export const SECURITY_SECRET_RESOURCES: readonly number[] = [5, 8]

/** A Security object instance (an LwM2M Server or Bootstrap-Server account) as the client gives it. */
export interface SecurityAccountInit {
  /** /0/x/0, e.g. "coaps://lwm2m.example.com:5684". */
  readonly serverUri: string
  /** /0/x/1, default false. */
  readonly bootstrapServer?: boolean
  /** /0/x/2, default NoSec (3). */
  readonly securityMode?: number
  /** /0/x/3: the PSK identity (UTF-8 bytes), the client's raw public key or certificate (DER). */
  readonly publicKeyOrIdentity?: Uint8Array | string
  /** /0/x/4: the server's raw public key or certificate (DER). */
  readonly serverPublicKey?: Uint8Array
  /** /0/x/5: the PSK or the client's private key. Kept as SecretBytes, never printed. */
  readonly secretKey?: Uint8Array
  /** /0/x/10, required for a LwM2M Server account (1..65534). */
  readonly shortServerId?: number
  /** /0/x/11, seconds. */
  readonly clientHoldOffTime?: number
  /** /0/x/12, seconds. */
  readonly bootstrapServerAccountTimeout?: number
  /** Any other resource of the model, by id (SNI 14, Certificate Usage 15, ...). */
  readonly resources?: InstanceValues
}

/** A Security instance as the client role reads it: typed, the secret as {@link SecretBytes}. */
export interface SecurityAccount {
  readonly instanceId: number
  readonly serverUri: string
  readonly bootstrapServer: boolean
  readonly securityMode: number
  readonly publicKeyOrIdentity: Uint8Array
  readonly serverPublicKey: Uint8Array
  /** Prints as "[redacted]"; `secretKey.reveal()` gives the bytes for the DTLS handshake. */
  readonly secretKey: SecretBytes
  readonly shortServerId: number | undefined
  readonly clientHoldOffTime: number | undefined
  readonly bootstrapServerAccountTimeout: number | undefined
}

export interface SecurityObjectOptions {
  /** The accounts, by instance id (an array numbers them from 0). */
  readonly accounts?: readonly SecurityAccountInit[] | Readonly<Record<number, SecurityAccountInit>>
  /** The model to follow (default Security 1.2); give `securityModelV1_0` for an LwM2M 1.0 client. */
  readonly model?: ObjectModel
  readonly logger?: Logger
}

/** The Security object implementation with the client role's typed view of its accounts. */
export interface SecurityObject extends DefinedObject {
  /** Every account, by instance id. */
  accounts(): SecurityAccount[]
  account(instanceId: number): SecurityAccount | undefined
  /** The Bootstrap-Server account, if any. */
  bootstrapAccount(): SecurityAccount | undefined
  /** The account of the LwM2M Server with this Short Server ID. */
  serverAccount(shortServerId: number): SecurityAccount | undefined
}

function initValues(init: SecurityAccountInit, has: (id: number) => boolean): Map<number, ResourceContent> {
  const out = new Map<number, ResourceContent>()
  const put = (id: number, value: ResourceContent | undefined) => {
    if (value !== undefined && has(id)) out.set(id, value)
  }
  const identity = init.publicKeyOrIdentity
  put(0, init.serverUri)
  put(1, init.bootstrapServer ?? false)
  put(2, init.securityMode ?? SecurityMode.NoSec)
  put(3, typeof identity === 'string' ? new TextEncoder().encode(identity) : (identity ?? new Uint8Array(0)))
  put(4, init.serverPublicKey ?? new Uint8Array(0))
  put(5, init.secretKey ?? new Uint8Array(0))
  put(10, init.shortServerId)
  put(11, init.clientHoldOffTime)
  put(12, init.bootstrapServerAccountTimeout)
  const extra = init.resources ?? {}
  const pairs =
    extra instanceof Map
      ? [...extra]
      : Object.entries(extra).map(([k, v]): [number, ResourceContent] => [Number(k), v])
  for (const [id, value] of pairs) put(Number(id), value as ResourceContent)
  return out
}

/**
 * The LwM2M Security object (0): the accounts of the LwM2M Servers and the
 * Bootstrap-Server, with their credentials. Only the Bootstrap-Server and the client
 * itself may touch it: every LwM2M Server operation is answered UNAUTHORIZED (Core TS
 * 1.1 section E.1: "MUST NOT be accessible by any other LwM2M Server"). Secret keys
 * are kept as {@link SecretBytes}: no print, log or JSON of the object shows them.
 */
export function createSecurityObject(options: SecurityObjectOptions = {}): SecurityObject {
  const model = options.model ?? securityModel
  if (model.id !== 0)
    throw new ObjectsError(
      'OBJECTS_INVALID_ARGUMENT',
      `the Security object takes an object 0 model, not ${model.id}`,
    )
  const has = (id: number) => model.resources.has(id)
  const accounts = options.accounts ?? []
  const instances = new Map<number, InstanceValues>()
  const entries = Array.isArray(accounts)
    ? (accounts as readonly SecurityAccountInit[]).map((a, i): [number, SecurityAccountInit] => [i, a])
    : Object.entries(accounts as Record<number, SecurityAccountInit>).map(
        ([k, a]): [number, SecurityAccountInit] => [Number(k), a],
      )
  for (const [iid, init] of entries) instances.set(iid, initValues(init, has))

  const base = defineObject(model, {
    instances,
    secrets: SECURITY_SECRET_RESOURCES.filter(has),
    ...(options.logger !== undefined ? { logger: options.logger } : {}),
  })
  const refuse = () => fail('UNAUTHORIZED', 'the Security object is not accessible to LwM2M Servers')
  const { read, write, execute, create } = base
  const del = base.delete
  const object = base as SecurityObject
  Object.assign(object, {
    read: (path, context) => (context.origin === 'server' ? refuse() : read(path, context)),
    write: (path, node, mode, context) =>
      context.origin === 'server' ? refuse() : write(path, node, mode, context),
    execute: (path, args, context) => (context.origin === 'server' ? refuse() : execute(path, args, context)),
    create: (request, context) => (context.origin === 'server' ? refuse() : create(request, context)),
    delete: (path, context) => (context.origin === 'server' ? refuse() : del(path, context)),
  } satisfies Pick<SecurityObject, 'read' | 'write' | 'execute' | 'create' | 'delete'>)

  const view = (iid: number): SecurityAccount | undefined => {
    if (!base.hasInstance(iid)) return undefined
    const get = (id: number): StoredContent | undefined => base.get(iid, id)
    const bytes = (id: number) =>
      get(id) instanceof Uint8Array ? (get(id) as Uint8Array) : new Uint8Array(0)
    const num = (id: number) =>
      typeof get(id) === 'number'
        ? (get(id) as number)
        : typeof get(id) === 'bigint'
          ? Number(get(id))
          : undefined
    const secret = get(5)
    return {
      instanceId: iid,
      serverUri: typeof get(0) === 'string' ? (get(0) as string) : '',
      bootstrapServer: get(1) === true,
      securityMode: num(2) ?? SecurityMode.NoSec,
      publicKeyOrIdentity: bytes(3),
      serverPublicKey: bytes(4),
      secretKey: isSecretBytes(secret)
        ? secret
        : SecretBytes.copyOf(secret instanceof Uint8Array ? secret : []),
      shortServerId: num(10),
      clientHoldOffTime: num(11),
      bootstrapServerAccountTimeout: num(12),
    }
  }
  object.accounts = () => base.instances().map((iid) => view(iid)!)
  object.account = view
  object.bootstrapAccount = () => object.accounts().find((a) => a.bootstrapServer)
  object.serverAccount = (ssid) =>
    object.accounts().find((a) => !a.bootstrapServer && a.shortServerId === ssid)
  return object
}
