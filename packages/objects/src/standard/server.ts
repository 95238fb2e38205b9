import { type Logger, silentLogger } from '@lwm2m/coap'
import type { ObjectModel } from '@lwm2m/core'
import { ObjectsError } from '../errors.js'
import { serverModel } from '../generated/object-1.js'
import {
  type DefinedObject,
  defineObject,
  type InstanceValues,
  type ResourceContent,
  type StoredContent,
} from '../object/define-object.js'
import { fail } from '../object/result.js'
import { createEmitter, type Emitter } from './events.js'

/**
 * Defaults of the registration retry procedure (Core TS 1.1.1 section 6.2.1.1, table
 * "Registration Procedures Default Values"): Communication Retry Count 5, Retry
 * Timer 60 s, Sequence Delay Timer 86400 s, Sequence Retry Count 1.
 */
export const REGISTRATION_RETRY_DEFAULTS = {
  communicationRetryCount: 5,
  communicationRetryTimer: 60,
  communicationSequenceDelayTimer: 86400,
  communicationSequenceRetryCount: 1,
} as const

/** Disable Timeout when the resource is not set (/1/x/5 description): one day. */
export const DEFAULT_DISABLE_TIMEOUT = 86400

/** A Server object instance (an LwM2M Server account) as the client gives it. */
export interface ServerAccountInit {
  /** /1/x/0, 1..65534. */
  readonly shortServerId: number
  /** /1/x/1, seconds (0: infinite in LwM2M 1.2). */
  readonly lifetime: number
  /** /1/x/2, seconds. */
  readonly defaultMinPeriod?: number
  /** /1/x/3, seconds. */
  readonly defaultMaxPeriod?: number
  /** /1/x/5, seconds (default 86400). */
  readonly disableTimeout?: number
  /** /1/x/6, default true. */
  readonly notificationStoring?: boolean
  /** /1/x/7, default "U". */
  readonly binding?: string
  /** /1/x/13 (LwM2M 1.1+). */
  readonly registrationPriorityOrder?: number
  /** /1/x/14, seconds. */
  readonly initialRegistrationDelayTimer?: number
  /** /1/x/15. */
  readonly registrationFailureBlock?: boolean
  /** /1/x/16. */
  readonly bootstrapOnRegistrationFailure?: boolean
  /** /1/x/17 (default 5), /1/x/18 (default 60 s), /1/x/19 (default 86400 s), /1/x/20 (default 1). */
  readonly communicationRetryCount?: number
  readonly communicationRetryTimer?: number
  readonly communicationSequenceDelayTimer?: number
  readonly communicationSequenceRetryCount?: number
  /** /1/x/22 (LwM2M 1.1+), e.g. "U". */
  readonly preferredTransport?: string
  /** /1/x/23. */
  readonly muteSend?: boolean
  /** Any other resource of the model, by id. */
  readonly resources?: InstanceValues
}

/** A Server instance as the client role reads it, with the defaults applied. */
export interface ServerAccount {
  readonly instanceId: number
  readonly shortServerId: number
  readonly lifetime: number
  readonly defaultMinPeriod: number | undefined
  readonly defaultMaxPeriod: number | undefined
  readonly disableTimeout: number
  readonly notificationStoring: boolean
  readonly binding: string
  readonly registrationPriorityOrder: number | undefined
  readonly initialRegistrationDelayTimer: number | undefined
  readonly registrationFailureBlock: boolean | undefined
  readonly bootstrapOnRegistrationFailure: boolean | undefined
  readonly communicationRetryCount: number
  readonly communicationRetryTimer: number
  readonly communicationSequenceDelayTimer: number
  readonly communicationSequenceRetryCount: number
  readonly preferredTransport: string | undefined
  readonly muteSend: boolean | undefined
}

/** What the Server object's executable resources ask of the client role. */
export interface ServerObjectEvents extends Record<string, unknown> {
  /** Registration Update Trigger (/1/x/8) executed: send an Update to this server; `args` may name a transport. */
  registrationUpdate: { readonly instanceId: number; readonly shortServerId: number; readonly args: string }
  /** Disable (/1/x/4) executed: deregister, stay silent for `timeout` seconds, then register again. */
  disable: { readonly instanceId: number; readonly shortServerId: number; readonly timeout: number }
  /** Bootstrap-Request Trigger (/1/x/9) executed: start a client-initiated bootstrap. */
  bootstrapRequest: { readonly instanceId: number; readonly shortServerId: number }
}

export interface ServerObjectOptions {
  /** The accounts, by instance id (an array numbers them from 0). */
  readonly servers?: readonly ServerAccountInit[] | Readonly<Record<number, ServerAccountInit>>
  /** The model to follow (default Server 1.2); `serverModelV1_0` for an LwM2M 1.0 client. */
  readonly model?: ObjectModel
  readonly onRegistrationUpdate?: (event: ServerObjectEvents['registrationUpdate']) => void | Promise<void>
  readonly onDisable?: (event: ServerObjectEvents['disable']) => void | Promise<void>
  readonly onBootstrapRequest?: (event: ServerObjectEvents['bootstrapRequest']) => void | Promise<void>
  readonly logger?: Logger
}

/** The Server object implementation, its typed accounts and the events of its executable resources. */
export interface ServerObject extends DefinedObject, Emitter<ServerObjectEvents> {
  accounts(): ServerAccount[]
  account(instanceId: number): ServerAccount | undefined
  /** The account of the server with this Short Server ID. */
  byShortServerId(shortServerId: number): ServerAccount | undefined
  /** Sets Last Bootstrapped (/1/x/12, LwM2M 1.1+) of every instance, after a bootstrap. */
  setLastBootstrapped(time: Date): void
  /** Sets TLS-DTLS Alert Code (/1/x/11) of a server's instance after an alert from it. */
  setTlsAlertCode(shortServerId: number, code: number): void
}

const BINDING = /^[UMHTSNQ]{1,7}$/

/**
 * The LwM2M Server object (1): one instance per LwM2M Server account, with the
 * registration parameters the client role follows (lifetime, binding, the 1.1
 * registration retry resources 17-20 with their default values) and the executable
 * resources wired to events: Registration Update Trigger (8), Disable (4) and
 * Bootstrap-Request Trigger (9) answer 2.04 and then emit `registrationUpdate`,
 * `disable` and `bootstrapRequest` (after the response, as Core TS 1.1 E.2 asks).
 */
export function createServerObject(options: ServerObjectOptions = {}): ServerObject {
  const model = options.model ?? serverModel
  if (model.id !== 1)
    throw new ObjectsError(
      'OBJECTS_INVALID_ARGUMENT',
      `the Server object takes an object 1 model, not ${model.id}`,
    )
  const logger = options.logger ?? silentLogger
  const has = (id: number) => model.resources.has(id)
  const events = createEmitter<ServerObjectEvents>(logger, 'Server object')
  if (options.onRegistrationUpdate !== undefined)
    events.on('registrationUpdate', options.onRegistrationUpdate)
  if (options.onDisable !== undefined) events.on('disable', options.onDisable)
  if (options.onBootstrapRequest !== undefined) events.on('bootstrapRequest', options.onBootstrapRequest)

  const initValues = (init: ServerAccountInit): Map<number, ResourceContent> => {
    const out = new Map<number, ResourceContent>()
    const put = (id: number, value: ResourceContent | undefined) => {
      if (value !== undefined && has(id)) out.set(id, value)
    }
    put(0, init.shortServerId)
    put(1, init.lifetime)
    put(2, init.defaultMinPeriod)
    put(3, init.defaultMaxPeriod)
    put(5, init.disableTimeout ?? DEFAULT_DISABLE_TIMEOUT)
    put(6, init.notificationStoring ?? true)
    put(7, init.binding ?? 'U')
    put(13, init.registrationPriorityOrder)
    put(14, init.initialRegistrationDelayTimer)
    put(15, init.registrationFailureBlock)
    put(16, init.bootstrapOnRegistrationFailure)
    put(17, init.communicationRetryCount ?? REGISTRATION_RETRY_DEFAULTS.communicationRetryCount)
    put(18, init.communicationRetryTimer ?? REGISTRATION_RETRY_DEFAULTS.communicationRetryTimer)
    put(
      19,
      init.communicationSequenceDelayTimer ?? REGISTRATION_RETRY_DEFAULTS.communicationSequenceDelayTimer,
    )
    put(
      20,
      init.communicationSequenceRetryCount ?? REGISTRATION_RETRY_DEFAULTS.communicationSequenceRetryCount,
    )
    put(22, init.preferredTransport)
    put(23, init.muteSend)
    const extra = init.resources ?? {}
    const pairs =
      extra instanceof Map
        ? [...extra]
        : Object.entries(extra).map(([k, v]): [number, ResourceContent] => [Number(k), v])
    for (const [id, value] of pairs) put(Number(id), value as ResourceContent)
    return out
  }

  const servers = options.servers ?? []
  const instances = new Map<number, InstanceValues>()
  const entries = Array.isArray(servers)
    ? (servers as readonly ServerAccountInit[]).map((a, i): [number, ServerAccountInit] => [i, a])
    : Object.entries(servers as Record<number, ServerAccountInit>).map(
        ([k, a]): [number, ServerAccountInit] => [Number(k), a],
      )
  for (const [iid, init] of entries) instances.set(iid, initValues(init))

  const ssidOf = (iid: number): number => Number(base.get(iid, 0) ?? 0)
  const nonNegative = (what: string) => (value: StoredContent) =>
    typeof value === 'number' && value < 0 ? fail('BAD_REQUEST', `${what} cannot be negative`) : undefined

  const base = defineObject(model, {
    instances,
    write: {
      1: nonNegative('Lifetime'),
      ...(has(2) ? { 2: nonNegative('Default Minimum Period') } : {}),
      ...(has(3) ? { 3: nonNegative('Default Maximum Period') } : {}),
      ...(has(5) ? { 5: nonNegative('Disable Timeout') } : {}),
      7: (value) =>
        typeof value === 'string' && BINDING.test(value)
          ? undefined
          : fail('BAD_REQUEST', 'Binding takes letters of U, M, H, T, S, N, Q'),
    },
    execute: {
      ...(has(4)
        ? {
            4: (_args, { instanceId }) => ({
              afterResponse: () =>
                events.emit('disable', {
                  instanceId,
                  shortServerId: ssidOf(instanceId),
                  timeout: Number(base.get(instanceId, 5) ?? DEFAULT_DISABLE_TIMEOUT),
                }),
            }),
          }
        : {}),
      8: (args, { instanceId }) => ({
        afterResponse: () =>
          events.emit('registrationUpdate', { instanceId, shortServerId: ssidOf(instanceId), args }),
      }),
      ...(has(9)
        ? {
            9: (_args, { instanceId }) => ({
              afterResponse: () =>
                events.emit('bootstrapRequest', { instanceId, shortServerId: ssidOf(instanceId) }),
            }),
          }
        : {}),
    },
    create: ({ resources }) => {
      const ssid = resources.get(0)
      if (typeof ssid === 'number' && base.instances().some((iid) => ssidOf(iid) === ssid)) {
        return fail('BAD_REQUEST', `a server account with Short Server ID ${ssid} exists`)
      }
      const defaults: Record<number, ResourceContent> = {}
      for (const [id, value] of initValues({ shortServerId: 0, lifetime: 0 }))
        if (id > 1 && !resources.has(id)) defaults[id] = value
      return defaults
    },
    ...(options.logger !== undefined ? { logger: options.logger } : {}),
  })

  const view = (iid: number): ServerAccount | undefined => {
    if (!base.hasInstance(iid)) return undefined
    const num = (id: number) => {
      const v = base.get(iid, id)
      return typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : undefined
    }
    const bool = (id: number) => {
      const v = base.get(iid, id)
      return typeof v === 'boolean' ? v : undefined
    }
    const str = (id: number) => {
      const v = base.get(iid, id)
      return typeof v === 'string' ? v : undefined
    }
    return {
      instanceId: iid,
      shortServerId: num(0) ?? 0,
      lifetime: num(1) ?? 0,
      defaultMinPeriod: num(2),
      defaultMaxPeriod: num(3),
      disableTimeout: num(5) ?? DEFAULT_DISABLE_TIMEOUT,
      notificationStoring: bool(6) ?? true,
      binding: str(7) ?? 'U',
      registrationPriorityOrder: num(13),
      initialRegistrationDelayTimer: num(14),
      registrationFailureBlock: bool(15),
      bootstrapOnRegistrationFailure: bool(16),
      communicationRetryCount: num(17) ?? REGISTRATION_RETRY_DEFAULTS.communicationRetryCount,
      communicationRetryTimer: num(18) ?? REGISTRATION_RETRY_DEFAULTS.communicationRetryTimer,
      communicationSequenceDelayTimer: num(19) ?? REGISTRATION_RETRY_DEFAULTS.communicationSequenceDelayTimer,
      communicationSequenceRetryCount: num(20) ?? REGISTRATION_RETRY_DEFAULTS.communicationSequenceRetryCount,
      preferredTransport: str(22),
      muteSend: bool(23),
    }
  }

  const object = base as ServerObject
  object.on = events.on
  object.accounts = () => base.instances().map((iid) => view(iid)!)
  object.account = view
  object.byShortServerId = (ssid) => object.accounts().find((a) => a.shortServerId === ssid)
  object.setLastBootstrapped = (time) => {
    if (has(12)) for (const iid of base.instances()) base.set(iid, 12, time)
  }
  object.setTlsAlertCode = (ssid, code) => {
    const account = object.byShortServerId(ssid)
    if (account !== undefined && has(11)) base.set(account.instanceId, 11, code)
  }
  return object
}
