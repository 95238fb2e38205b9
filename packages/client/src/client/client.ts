import { type Clock, DeadlineQueue, deriveParameters, silentLogger, systemClock } from '@lwm2m/coap'
import {
  type AnnouncedObject,
  applyProfiles,
  createAttributeStore,
  createCodecRegistry,
  defaultCodecs,
  formatRegistrationLinks,
  isLwm2mVersion,
  type Lwm2mPath,
  type Lwm2mVersion,
  type NotificationAttributes,
  type SendOperation,
  versionAtLeast,
} from '@lwm2m/core'
import { defaultObjectVersion, type ObjectImplementation } from '@lwm2m/objects'
import { readAccounts, type ServerAccount, shortServerIdOf } from '../accounts/accounts.js'
import { AccessControl } from '../dispatch/access.js'
import { Dispatcher } from '../dispatch/dispatcher.js'
import { ClientError } from '../errors.js'
import { ObserverRegistry } from '../observe/registry.js'
import { defaultUpdateMargin } from '../registration/retry.js'
import { type Announcement, ServerSession, type ServerStatus } from '../registration/session.js'
import { Collector, readValues } from '../send/values.js'
import type { Scheduler } from '../time/timer.js'
import type { ClientContext, ResolvedOptions } from './context.js'
import { type BootstrapReason, ClientEmitter, type ClientEventSource } from './events.js'
import {
  announcedFormats,
  compositeFormat,
  defaultContentFormats,
  defaultPreferredFormats,
  restrictCodecs,
} from './formats.js'
import { ObjectTree, type TreeEvent } from './object-tree.js'
import type { ClientOptions } from './options.js'

/** Objects never announced on Register (Core TS 1.2 section 6.2.1). */
const NEVER_REGISTERED: readonly number[] = [0, 21, 23]

/** One observation, as `client.observations()` lists it. */
export interface ObservationStatus {
  readonly shortServerId: number
  readonly kind: 'single' | 'composite'
  readonly paths: readonly string[]
  /** The content format of its notifications. */
  readonly contentFormat: number
  /** The attributes in force (attached, inherited, server defaults, and the Observe's own). */
  readonly attributes: NotificationAttributes
  readonly lastNotifiedAt: number
  /** A change waits for pmin. */
  readonly pending: boolean
}

/** Options of {@link Lwm2mClient.send}. */
export interface SendOptions {
  /** The Short Server ID to send to; default every registered server whose Mute Send (/1/x/23) is false. */
  readonly server?: number
  /** SenML CBOR by default (then SenML JSON, LwM2M CBOR), as supported. */
  readonly contentFormat?: number
}

/** An OMA LwM2M Client. */
export interface Lwm2mClient extends ClientEventSource {
  /** The Endpoint Client Name. */
  readonly endpoint: string
  readonly version: Lwm2mVersion
  /** True between `start()` and `stop()`. */
  readonly running: boolean
  /**
   * Reads the server accounts from the Security and Server objects and starts registering
   * (Registration Priority Order, Initial Registration Delay and the retry procedure of
   * each server). Resolves once started, not once registered: wait for `registered`.
   * Emits `bootstrapNeeded` when there is no server account.
   */
  start(): Promise<void>
  /** De-registers from every server (unless `deregister: false`), ends observations, closes the connections. */
  stop(options?: { readonly deregister?: boolean }): Promise<void>
  /** Every server connection. */
  servers(): ServerStatus[]
  server(shortServerId: number): ServerStatus | undefined
  /** Sends an Update to one server, or to every registered server, now (Core TS 1.1 section 6.2.2). */
  update(shortServerId?: number): Promise<void>
  /**
   * The device's network changed (another bearer, a new IP address): opens a new connection to
   * one server, or to every registered server, and sends an Update from it (Core TS 1.2 section
   * 6.2.2). The servers' observations end with the old connections.
   */
  reconnect(shortServerId?: number): Promise<void>
  /**
   * Send (Core TS 1.1 section 6.4.6, LwM2M 1.1+): POST /dp with the current values of
   * `paths`. Throws ClientError CLIENT_SEND_MUTED when Mute Send (/1/x/23) is true or
   * absent, CLIENT_NO_SERVER when no server is registered, CLIENT_REQUEST_FAILED when the
   * server refused or did not answer.
   */
  send(paths: readonly (string | Lwm2mPath)[], options?: SendOptions): Promise<void>
  /** Reads `paths` now and keeps the values with their time, for {@link Lwm2mClient.sendCollected}. */
  collect(paths: readonly (string | Lwm2mPath)[]): Promise<void>
  /** Sends the collected values in one timestamped Send; they are forgotten once the server took them. */
  sendCollected(options?: SendOptions): Promise<void>
  /** Groups of collected values waiting. */
  readonly collected: number
  /** The observations the servers hold. */
  observations(): ObservationStatus[]
  /** Hosts another object; the servers learn of it with an Update. */
  addObject(object: ObjectImplementation): void
  /** Stops hosting an object; the servers learn of it with an Update. */
  removeObject(objectId: number): ObjectImplementation | undefined
  /** The implementation of an object the client hosts. */
  object(objectId: number): ObjectImplementation | undefined
}

class ClientScheduler implements Scheduler {
  queue: DeadlineQueue
  constructor(readonly clock: Clock) {
    this.queue = new DeadlineQueue(clock)
  }
  reset(): void {
    this.queue.close()
    this.queue = new DeadlineQueue(this.clock)
  }
}

function resolveOptions(options: ClientOptions): {
  version: Lwm2mVersion
  formats: number[]
  resolved: ResolvedOptions
} {
  if (typeof options !== 'object' || options === null) {
    throw new ClientError('CLIENT_INVALID_OPTIONS', 'createClient takes an options object')
  }
  if (typeof options.endpoint !== 'string' || options.endpoint.length === 0) {
    throw new ClientError(
      'CLIENT_INVALID_OPTIONS',
      'endpoint (the Endpoint Client Name) must be a non-empty string',
    )
  }
  if (!Array.isArray(options.objects)) {
    throw new ClientError('CLIENT_INVALID_OPTIONS', 'objects must be an array of object implementations')
  }
  const version = options.version ?? '1.1'
  if (!isLwm2mVersion(version)) {
    throw new ClientError('CLIENT_INVALID_OPTIONS', `version must be 1.0, 1.1 or 1.2, not ${String(version)}`)
  }
  const formats = [...(options.contentFormats ?? defaultContentFormats(version))]
  if (formats.length === 0) throw new ClientError('CLIENT_INVALID_OPTIONS', 'contentFormats is empty')
  const positive = (name: string, v: number | undefined, integer = false) => {
    if (v !== undefined && (!(v > 0) || (integer && !Number.isInteger(v)))) {
      throw new ClientError('CLIENT_INVALID_OPTIONS', `${name} must be a positive number, not ${v}`)
    }
  }
  positive('awakeTime', options.awakeTime)
  positive('maxStoredNotifications', options.maxStoredNotifications, true)
  positive('maxCollected', options.maxCollected, true)
  if (options.lifetime !== undefined && !(options.lifetime >= 0)) {
    throw new ClientError(
      'CLIENT_INVALID_OPTIONS',
      `lifetime must be 0 or more seconds, not ${options.lifetime}`,
    )
  }
  let maxTransmitWait: number
  try {
    maxTransmitWait = deriveParameters(options.coap?.parameters).maxTransmitWait
  } catch (error) {
    throw new ClientError('CLIENT_INVALID_OPTIONS', 'bad coap.parameters', { cause: error })
  }
  return {
    version,
    formats,
    resolved: {
      lifetime: options.lifetime ?? 86400,
      binding: options.binding ?? 'U',
      queueMode: options.queueMode,
      awakeTime: options.awakeTime ?? maxTransmitWait,
      smsNumber: options.smsNumber,
      transports: options.transports ?? {},
      coap: options.coap ?? {},
      updateMargin: options.updateMargin ?? ((lifetime) => defaultUpdateMargin(lifetime, maxTransmitWait)),
      maxStoredNotifications: options.maxStoredNotifications ?? 128,
      maxCollected: options.maxCollected ?? 1024,
      confirmableByDefault: options.notificationMode === 'con',
      resolve: options.resolve,
      maxTransmitWait,
    },
  }
}

/**
 * Creates an LwM2M Client (OMA LwM2M Core TS 1.0, 1.1 and 1.2): registration with several
 * servers, device management with access control, observations and Send, queue mode.
 *
 * ```ts
 * const client = createClient({
 *   endpoint: 'node-1',
 *   objects: [
 *     createSecurityObject({ accounts: [{ serverUri: 'coap://127.0.0.1:5683', shortServerId: 1 }] }),
 *     createServerObject({ servers: [{ shortServerId: 1, lifetime: 300 }] }),
 *     createDeviceObject({ manufacturer: 'ACME' }),
 *   ],
 * })
 * client.on('registered', ({ location }) => console.log('registered at', location))
 * await client.start()
 * ```
 */
export function createClient(options: ClientOptions): Lwm2mClient {
  const { version, formats, resolved } = resolveOptions(options)
  const clock = options.clock ?? systemClock
  const logger = options.logger ?? silentLogger
  const tree = new ObjectTree(options.objects)
  const emitter = new ClientEmitter(logger)
  const scheduler = new ClientScheduler(clock)
  const codecs = restrictCodecs(options.codecs ?? createCodecRegistry(defaultCodecs()), formats)
  const rootPath = options.rootPath ?? '/'
  const preferredFormats = (options.preferredFormats ?? defaultPreferredFormats(version)).filter((f) =>
    formats.includes(f),
  )
  const sessions = new Map<number, ServerSession>()
  const collector = new Collector(resolved.maxCollected)
  let running = false
  let stopTree: (() => void) | undefined
  let resyncScheduled = false
  let resyncing: Promise<void> = Promise.resolve()

  const ctx: ClientContext = {
    endpointName: options.endpoint,
    version,
    tree,
    scheduler,
    clock,
    logger,
    random: options.random,
    emitter,
    codecs,
    formats,
    preferredFormats,
    rootPath,
    operations: { codecs, models: tree, rootPath },
    attributes: createAttributeStore(),
    options: resolved,
    serverIds: () => [...sessions.keys()],
  }

  const access = new AccessControl(ctx)
  let dispatcher: Dispatcher
  const observers = new ObserverRegistry(ctx, {
    read: (ssid, path) => dispatcher.read(ssid, path),
    readComposite: (ssid, paths) => dispatcher.readComposite(ssid, paths),
    defaults: (ssid) => {
      const s = sessions.get(ssid)?.account.server
      return {
        ...(s?.defaultMinPeriod === undefined ? {} : { defaultPmin: s.defaultMinPeriod }),
        ...(s?.defaultMaxPeriod === undefined ? {} : { defaultPmax: s.defaultMaxPeriod }),
        confirmable: s?.confirmableNotifications,
      }
    },
    deliver: (obs, response, confirmable) => {
      const session = sessions.get(obs.shortServerId)
      if (session !== undefined) session.deliver(obs, response, confirmable)
      else
        emitter.emit('notification', {
          shortServerId: obs.shortServerId,
          paths: obs.pathTexts,
          outcome: 'dropped',
        })
    },
  })

  /** A background procedure: a failure nobody expected becomes an `error` event. */
  const spawn = (work: Promise<unknown>, context: string): void => {
    work.catch((error: unknown) => emitter.emit('error', { error, context }))
  }

  const sessionOfInstance = async (instanceId: number): Promise<ServerSession | undefined> => {
    const ssid = await shortServerIdOf(tree, instanceId)
    return ssid === undefined ? undefined : sessions.get(ssid)
  }
  const bootstrapNeeded = (reason: BootstrapReason, shortServerId?: number): void => {
    emitter.emit('bootstrapNeeded', { reason, ...(shortServerId === undefined ? {} : { shortServerId }) })
  }
  dispatcher = new Dispatcher(ctx, access, observers, {
    registrationUpdateTrigger: async (iid) => (await sessionOfInstance(iid))?.triggerUpdate(),
    disable: async (iid) => {
      const session = await sessionOfInstance(iid)
      // De-register, then silence for the Disable Timeout: a procedure of hours, in the background.
      if (session !== undefined) spawn(session.disable(), 'disabling')
    },
    bootstrapRequestTrigger: async (iid) => bootstrapNeeded('trigger', await shortServerIdOf(tree, iid)),
  })

  const profiles = versionAtLeast(version, '1.2') ? (options.profiles ?? []) : []

  /**
   * The Register/Update announcement (Core TS 1.2 section 6.2.1): the payload with objects,
   * instances, versions and the `ct=` formats, without what the applying Profile IDs stand for.
   */
  const announcement = (): Announcement => {
    const objects: AnnouncedObject[] = []
    for (const id of tree.ids()) {
      if (NEVER_REGISTERED.includes(id)) continue
      const object = tree.get(id)!
      const v = object.model.version
      objects.push({
        objectId: id,
        ...(v !== defaultObjectVersion(id, version) ? { version: v } : {}),
        instances: object.instances(),
      })
    }
    const { profileIds, objects: listed } =
      profiles.length === 0 ? { profileIds: [], objects } : applyProfiles(objects, profiles)
    return {
      links: formatRegistrationLinks({
        rootPath,
        supportedFormats: versionAtLeast(version, '1.1') ? announcedFormats(formats) : [],
        objects: listed,
      }),
      profileIds,
    }
  }

  const host = { ctx, dispatcher, observers, announcement, bootstrapNeeded }

  /**
   * Registers a set of new sessions: those with a Registration Priority Order (/1/x/13)
   * one after the other in increasing order, each after the previous one's procedure
   * ended; a failed one whose Registration Failure Block (/1/x/15) is true blocks those
   * after it. Sessions without an order register at once, independently.
   */
  const orchestrate = async (fresh: ServerSession[]): Promise<void> => {
    const ordered = fresh
      .filter((s) => s.account.server.registrationPriorityOrder !== undefined)
      .sort(
        (a, b) => a.account.server.registrationPriorityOrder! - b.account.server.registrationPriorityOrder!,
      )
    for (const s of fresh) if (!ordered.includes(s)) spawn(s.register({ initialDelay: true }), 'registering')
    let blockedBy: number | undefined
    for (const s of ordered) {
      if (!running || s.state === 'stopped') return
      if (blockedBy !== undefined) {
        s.state = 'failed'
        emitter.emit('registrationFailed', {
          shortServerId: s.shortServerId,
          serverUri: s.account.security.serverUri,
          error: new ClientError(
            'CLIENT_NO_SERVER',
            `registration blocked: server ${blockedBy} before it in the order failed (Registration Failure Block)`,
          ),
          attempt: 0,
          sequence: 0,
          final: true,
        })
        continue
      }
      const ok = await s.register({ initialDelay: true })
      if (!ok && s.state === 'failed' && s.account.server.registrationFailureBlock)
        blockedBy = s.shortServerId
    }
  }

  const newSession = (account: ServerAccount): ServerSession => {
    const session = new ServerSession(host, account)
    sessions.set(account.shortServerId, session)
    return session
  }

  /** The Security or Server object changed: follow the accounts. */
  const resync = async (): Promise<void> => {
    if (!running) return
    const { servers } = await readAccounts(tree)
    if (!running) return
    const seen = new Set<number>()
    const fresh: ServerSession[] = []
    for (const account of servers) {
      seen.add(account.shortServerId)
      const existing = sessions.get(account.shortServerId)
      if (existing === undefined) fresh.push(newSession(account))
      else await existing.accountChanged(account)
    }
    for (const [ssid, session] of [...sessions]) {
      if (seen.has(ssid)) continue
      sessions.delete(ssid)
      ctx.attributes.clearServer(ssid)
      await session.stop('accountRemoved', true)
    }
    if (fresh.length > 0) spawn(orchestrate(fresh), 'registering')
  }

  const scheduleResync = (): void => {
    if (resyncScheduled || !running) return
    resyncScheduled = true
    setImmediate(() => {
      resyncScheduled = false
      resyncing = resyncing.then(resync).catch((error) => {
        emitter.emit('error', { error, context: 'following the server accounts' })
      })
    })
  }

  const onTreeEvent = (event: TreeEvent): void => {
    observers.onTreeEvent(event)
    const objectId = 'path' in event ? event.path.objectId : event.objectId
    if (objectId === 0 || objectId === 1) scheduleResync()
    if ('path' in event && event.kind === 'deleted') ctx.attributes.removeTree(event.path)
    if (event.kind !== 'value') for (const s of sessions.values()) s.maybeUpdate()
  }

  const registeredSessions = (): ServerSession[] => [...sessions.values()].filter((s) => s.registered)

  const sendTo = async (
    op: SendOperation,
    paths: readonly string[],
    target: number | undefined,
  ): Promise<void> => {
    if (!versionAtLeast(version, '1.1')) {
      throw new ClientError('CLIENT_UNSUPPORTED', 'Send needs LwM2M 1.1 or later')
    }
    let targets: ServerSession[]
    if (target !== undefined) {
      const s = sessions.get(target)
      if (s === undefined || !s.registered)
        throw new ClientError('CLIENT_NO_SERVER', `server ${target} is not registered`)
      if (s.account.server.muteSend)
        throw new ClientError('CLIENT_SEND_MUTED', `Send is muted for server ${target} (/1/x/23)`)
      targets = [s]
    } else {
      const registered = registeredSessions()
      targets = registered.filter((s) => !s.account.server.muteSend)
      if (targets.length === 0) {
        throw registered.length > 0
          ? new ClientError(
              'CLIENT_SEND_MUTED',
              'Send is muted (/1/x/23 true or absent) for every registered server',
            )
          : new ClientError('CLIENT_NO_SERVER', 'no server is registered')
      }
    }
    const records = op.data.reduce((n, d) => n + d.nodes.size, 0)
    await Promise.all(
      targets.map(async (s) => {
        await s.send(op)
        emitter.emit('sent', { shortServerId: s.shortServerId, paths, records })
      }),
    )
  }

  const sendFormat = (requested: number | undefined): number => {
    const format = requested ?? compositeFormat(formats, codecs)
    if (format === undefined || codecs.get(format)?.encodeNodes === undefined) {
      throw new ClientError(
        'CLIENT_UNSUPPORTED',
        `no content format here can carry Send data (${String(format)})`,
      )
    }
    return format
  }

  const client: Lwm2mClient = {
    endpoint: options.endpoint,
    version,
    get running() {
      return running
    },
    get collected() {
      return collector.size
    },
    on: (event, listener) => emitter.on(event, listener),
    off: (event, listener) => emitter.off(event, listener),
    once: (event, filter) => emitter.once(event, filter),

    async start() {
      if (running) return
      running = true
      scheduler.reset()
      stopTree = tree.listen(onTreeEvent)
      const { servers } = await readAccounts(tree)
      if (servers.length === 0) {
        bootstrapNeeded('noServerAccount')
        return
      }
      spawn(orchestrate(servers.map(newSession)), 'registering')
    },

    async stop(stopOptions = {}) {
      if (!running) return
      running = false
      await resyncing
      const all = [...sessions.values()]
      sessions.clear()
      await Promise.all(all.map((s) => s.stop('stop', stopOptions.deregister ?? true)))
      observers.endAll()
      stopTree?.()
      stopTree = undefined
      scheduler.queue.close()
    },

    servers: () => [...sessions.values()].map((s) => s.status()),
    server: (ssid) => sessions.get(ssid)?.status(),

    async update(shortServerId) {
      if (!running) throw new ClientError('CLIENT_NOT_STARTED', 'the client is not started')
      if (shortServerId !== undefined) {
        const s = sessions.get(shortServerId)
        if (s === undefined || !s.registered) {
          throw new ClientError('CLIENT_NO_SERVER', `server ${shortServerId} is not registered`)
        }
        await s.update()
        return
      }
      await Promise.all(registeredSessions().map((s) => s.update()))
    },

    async reconnect(shortServerId) {
      if (!running) throw new ClientError('CLIENT_NOT_STARTED', 'the client is not started')
      if (shortServerId !== undefined) {
        const s = sessions.get(shortServerId)
        if (s === undefined || !s.registered) {
          throw new ClientError('CLIENT_NO_SERVER', `server ${shortServerId} is not registered`)
        }
        await s.reconnect()
        return
      }
      await Promise.all(registeredSessions().map((s) => s.reconnect()))
    },

    async send(paths, sendOptions = {}) {
      if (!running) throw new ClientError('CLIENT_NOT_STARTED', 'the client is not started')
      const contentFormat = sendFormat(sendOptions.contentFormat)
      const nodes = await readValues(tree, paths)
      await sendTo(
        { kind: 'send', data: [{ timestamp: undefined, nodes }], contentFormat },
        [...nodes.keys()],
        sendOptions.server,
      )
    },

    async collect(paths) {
      const nodes = await readValues(tree, paths)
      collector.push({ timestamp: clock.now() / 1000, nodes })
    },

    async sendCollected(sendOptions = {}) {
      if (!running) throw new ClientError('CLIENT_NOT_STARTED', 'the client is not started')
      const data = collector.peek()
      if (data.length === 0) return
      const contentFormat = sendFormat(sendOptions.contentFormat)
      if (codecs.get(contentFormat)?.encodeTimestamped === undefined) {
        throw new ClientError('CLIENT_UNSUPPORTED', `content format ${contentFormat} carries no timestamps`)
      }
      const paths = [...new Set(data.flatMap((d) => [...d.nodes.keys()]))]
      await sendTo({ kind: 'send', data, contentFormat }, paths, sendOptions.server)
      collector.drop(data.length)
    },

    observations: () =>
      observers.list().map((o) => ({
        shortServerId: o.shortServerId,
        kind: o.kind,
        paths: o.pathTexts,
        contentFormat: o.format,
        attributes: observers.attributesOf(o).combined,
        lastNotifiedAt: o.lastNotifiedAt,
        pending: o.pending,
      })),

    addObject: (object) => tree.add(object),
    removeObject: (objectId) => {
      if (objectId === 0 || objectId === 1) {
        throw new ClientError('CLIENT_INVALID_OPTIONS', 'the Security and Server objects cannot be removed')
      }
      return tree.remove(objectId)
    },
    object: (objectId) => tree.get(objectId),
  }
  return client
}
