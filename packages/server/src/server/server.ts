import { EventEmitter, setMaxListeners } from 'node:events'
import {
  type Clock,
  type CoapEndpoint,
  CoapError,
  type CoapResponse,
  ContentFormat,
  createEndpoint,
  cryptoRandom,
  type Deadline,
  DeadlineQueue,
  deriveParameters,
  isCoapEndpoint,
  type Logger,
  type Observation,
  type Peer,
  type RandomSource,
  type RequestOptions,
  silentLogger,
  systemClock,
} from '@lwm2m/coap'
import {
  type AttributeChanges,
  buildRequest,
  type ClientFormats,
  type CodecLookup,
  type CreateResult,
  chooseCompositeFormats,
  chooseReadFormat,
  chooseWriteFormat,
  createCodecRegistry,
  defaultCodecs,
  type EmptyResult,
  type ExecuteArgument,
  LWM2M_VERSIONS,
  Lwm2mError,
  type Lwm2mNode,
  type Lwm2mPath,
  type Lwm2mVersion,
  MAX_ID,
  type ModelLookup,
  type NodeResult,
  type NodesResult,
  type ObjectInstance,
  type ObserveCompositeOperation,
  type ObserveOperation,
  type OperationContext,
  type OperationOf,
  parseDiscoverLinks,
  parseExecuteArguments,
  parseResponse,
  type ResultOf,
  type TimestampedNodes,
  type UpdateOperation,
  versionAtLeast,
} from '@lwm2m/core'
import { createModelRegistry, type ModelRegistry, standardModels } from '@lwm2m/objects'
import { fromCoapError, ServerError } from '../errors.js'
import type { CompositeNotification, NodeNotification, Notification } from '../observe/notification.js'
import { Observations } from '../observe/observations.js'
import type { Subscription } from '../observe/subscription.js'
import type {
  CompositeOptions,
  CreateOptions,
  DiscoverOptions,
  DiscoverResult,
  ExecuteOptions,
  ObserveOptions,
  OperationOptions,
  ReadOptions,
  WriteCompositeOptions,
  WriteOptions,
} from '../operations/options.js'
import { PathCache } from '../operations/path-cache.js'
import { type InstanceValues, instanceOf, isNode, toNode, type WriteValue } from '../operations/values.js'
import { Dispatcher, type TaskContext } from '../queue/dispatcher.js'
import { LinksCache } from '../registration/links-cache.js'
import type { Registration } from '../registration/registration.js'
import { RegistrationHandler, type RegistrationHost } from '../registration/registration-handler.js'
import { randomId } from '../registration/registration-id.js'
import type { ServerSecurityOptions } from '../security/authorizer.js'
import { sameIdentity } from '../security/identity.js'
import { createMemorySecurityStore, type SecurityStore } from '../security/security-store.js'
import { createMemoryObservationStore } from '../store/memory-observation-store.js'
import { createMemoryRegistrationStore } from '../store/memory-registration-store.js'
import type { ObservationStore } from '../store/observation-store.js'
import type { RegistrationStore } from '../store/registration-store.js'
import type { RegistrationEndReason, ServerEvents } from './events.js'
import { resolveServerLimits, type ServerLimits, type ServerOptions } from './options.js'

/** MAX_TRANSMIT_WAIT with the RFC 7252 default transmission parameters: 93 s. */
const MAX_TRANSMIT_WAIT = deriveParameters().maxTransmitWait

/** How long a request may wait in a client's queue when neither an option nor a lifetime bounds it: a day. */
const DEFAULT_QUEUE_WAIT = 24 * 3600_000

/** Object and instance paths of a Create: the object, and the instance id when the path gives one. */
function createTarget(path: Lwm2mPath): { objectPath: Lwm2mPath; id: number | undefined } {
  if (path.isObject()) return { objectPath: path, id: undefined }
  if (path.isInstance()) return { objectPath: path.parent(), id: path.instanceId! }
  throw new ServerError(
    'INVALID_ARGUMENT',
    `Create targets an object (/o) or a new instance (/o/i), not ${path}`,
  )
}

function isModelRegistry(models: ModelLookup): models is ModelRegistry {
  return typeof (models as Partial<ModelRegistry>).forClient === 'function'
}

/** One deadline for the registration store's earliest expiry. */
class ExpirySweep implements Deadline {
  deadline = 0
  heapIndex = -1
  constructor(readonly run: () => void) {}
  onDeadline(): void {
    this.run()
  }
}

/** The operations {@link Lwm2mServer} runs through its request path. */
type ResultKind =
  | 'read'
  | 'discover'
  | 'write'
  | 'writeAttributes'
  | 'execute'
  | 'create'
  | 'delete'
  | 'readComposite'
  | 'writeComposite'

/**
 * The LwM2M Server (DESIGN.md "@lwm2m/server"): the Registration interface with lifetime
 * expiry, a typed API for every Device Management and Information Reporting operation by
 * endpoint name, observations as async iterators, Send, queue mode, pluggable stores and the
 * security check of endpoint names. Made by {@link createServer}, which starts it.
 *
 * Every LwM2M message goes through @lwm2m/core's operation mapping (`buildRequest`,
 * `parseResponse`, `classifyRequest`, `buildResponse`). Errors: ServerError (UNKNOWN_ENDPOINT,
 * TIMEOUT, QUEUE_FULL, ...), @lwm2m/core's Lwm2mResponseError for an LwM2M error answer (with
 * `coapCode` and `status`), and @lwm2m/core's typed errors for a payload that does not decode.
 */
export class Lwm2mServer extends EventEmitter<ServerEvents> {
  /** The endpoints served, in the order given; a registration's `transport` indexes them. */
  readonly endpoints: readonly CoapEndpoint[]
  readonly limits: ServerLimits
  readonly registrationStore: RegistrationStore
  readonly observationStore: ObservationStore
  readonly securityStore: SecurityStore
  readonly codecs: CodecLookup
  readonly models: ModelLookup

  readonly #owned: readonly boolean[]
  readonly #clock: Clock
  readonly #logger: Logger
  readonly #random: RandomSource
  readonly #deadlines: DeadlineQueue
  readonly #dispatcher: Dispatcher
  readonly #observations: Observations
  readonly #handler: RegistrationHandler
  readonly #links = new LinksCache()
  readonly #modelCache = new WeakMap<object, Map<Lwm2mVersion, ModelLookup>>()
  /** The operation context made last, with what it was made for (see #opContext). */
  #lastContext:
    | { readonly objectLinks: object; readonly version: Lwm2mVersion; readonly ctx: OperationContext }
    | undefined = undefined
  readonly #paths = new PathCache()
  readonly #sweep: ExpirySweep
  readonly #stop = new AbortController()
  /** Stop listening to the endpoints' peer moves. */
  readonly #unlisten: (() => void)[] = []
  /**
   * One controller per request in flight, aborted by stop(). Not listeners on the stop signal:
   * an EventTarget checks every listener it has on each add, so that thousands of requests
   * and observations in flight would make each new one cost as much as all of them.
   */
  readonly #inFlight = new Set<AbortController>()
  readonly #queueTimeout: number | undefined
  /** Work for after the answers of this turn of the event loop (see #afterAnswer), in order. */
  #afterAnswerQueue: (() => void)[] = []
  #sweeping = false
  #sweepAgain = false
  #stopped: Promise<void> | undefined

  /** @internal Use {@link createServer}. */
  constructor(options: ServerOptions, endpoints: readonly CoapEndpoint[], owned: readonly boolean[]) {
    super()
    this.endpoints = endpoints
    this.#owned = owned
    this.#clock = options.clock ?? systemClock
    this.#logger = options.logger ?? silentLogger
    this.#random = options.random ?? cryptoRandom()
    this.limits = resolveServerLimits(options.limits)
    this.registrationStore = options.stores?.registrations ?? createMemoryRegistrationStore()
    this.observationStore = options.stores?.observations ?? createMemoryObservationStore()
    const security: ServerSecurityOptions = options.security ?? {}
    this.securityStore = security.store ?? createMemorySecurityStore()
    this.codecs = options.codecs ?? createCodecRegistry(defaultCodecs())
    this.models = options.models ?? createModelRegistry(standardModels)
    this.#deadlines = new DeadlineQueue(this.#clock)
    // Requests without a caller's signal run under the stop signal itself. @lwm2m/coap listens
    // to a signal once however many requests use it; another endpoint may add a listener per
    // request, which is no leak.
    setMaxListeners(0, this.#stop.signal)
    this.#sweep = new ExpirySweep(() => void this.#runSweep())
    const awakeTime = options.queueMode?.awakeTime ?? MAX_TRANSMIT_WAIT
    if (!(awakeTime > 0)) throw new TypeError(`queueMode.awakeTime must be > 0, not ${awakeTime}`)
    const qt = options.queueMode?.requestTimeout
    if (qt !== undefined && !(qt > 0)) throw new TypeError(`queueMode.requestTimeout must be > 0, not ${qt}`)
    this.#queueTimeout = qt
    const grace = options.lifetimeGrace ?? 0
    if (!(grace >= 0)) throw new TypeError(`lifetimeGrace must be >= 0, not ${grace}`)
    const versions = options.versions ?? LWM2M_VERSIONS
    this.#dispatcher = new Dispatcher({
      clock: this.#clock,
      deadlines: this.#deadlines,
      host: {
        awake: (ep) => this.#emitFor(ep, 'awake'),
        sleeping: (ep) => this.#emitFor(ep, 'sleeping'),
      },
      inFlightPerClient: this.limits.requestsInFlightPerClient,
      inFlightPolicy: this.limits.inFlightPolicy,
      queuedPerClient: this.limits.queuedRequestsPerClient,
      awakeTime,
    })
    this.#observations = new Observations({
      logger: this.#logger,
      store: this.observationStore,
      now: () => this.#clock.now(),
      emitNotification: (n) => this.#emit('notification', n),
      seen: (ep) => this.#dispatcher.seen(ep),
      sendCancel: (ep, run) =>
        this.#dispatcher.submit(ep, run, { queueTimeout: this.#queueTimeout ?? DEFAULT_QUEUE_WAIT }),
      listenerError: (err) => this.#listenerError(err),
    })
    const host: RegistrationHost = {
      clock: this.#clock,
      logger: this.#logger,
      codecs: this.codecs,
      limits: this.limits,
      registrations: this.registrationStore,
      securityStore: this.securityStore,
      security,
      versions,
      unknownParameters: options.unknownParameters ?? 'reject',
      lifetimeGrace: grace,
      checkSendObjects: options.checkSendObjects ?? true,
      links: this.#links,
      profiles: new Map((options.profiles ?? []).map((p) => [p.id, p])),
      schemeOf: (i) => this.endpoints[i]!.scheme,
      newId: () => randomId(this.#random),
      modelsFor: (reg) => this.#modelsFor(reg),
      registered: (reg, replaced) => this.#registered(reg, replaced),
      updated: (reg, previous, op, linksChanged) => this.#updated(reg, previous, op, linksChanged),
      deregistered: (reg) => this.#deregistered(reg),
      sent: (reg, data, format) => this.#sent(reg, data, format),
    }
    this.#handler = new RegistrationHandler(host)
  }

  /** @internal Installs the handlers and arms the expiry of registrations already stored. */
  async start(): Promise<void> {
    this.endpoints.forEach((ep, i) => {
      ep.setHandler((req) => this.#handler.handle(req, i))
      const off = ep.onPeerMoved?.((from, to) => void this.#peerMoved(i, from, to))
      if (off !== undefined) this.#unlisten.push(off)
    })
    const next = await this.registrationStore.nextExpiry()
    if (next !== undefined) this.#armExpiry(next)
  }

  /**
   * Stops the server: no more requests are handled, waiting and running requests fail with
   * ServerError STOPPED, subscriptions end ('stopped', nothing sent), endpoints the server
   * created are closed. Registrations stay in the store. Idempotent.
   */
  stop(): Promise<void> {
    this.#stopped ??= this.#doStop()
    return this.#stopped
  }

  async #doStop(): Promise<void> {
    const err = new ServerError('STOPPED', 'the server stopped')
    for (const ep of this.endpoints) ep.setHandler(undefined)
    for (const off of this.#unlisten.splice(0)) off()
    this.#dispatcher.close(err)
    // Subscriptions end as 'stopped' before the stop signal reaches their relations.
    const ending = this.#observations.stop()
    this.#stop.abort(err)
    for (const c of this.#inFlight) c.abort(err)
    this.#inFlight.clear()
    await ending
    this.#deadlines.close()
    await Promise.all(this.endpoints.map((ep, i) => (this.#owned[i] ? ep.close() : undefined)))
  }

  // ---- registrations ------------------------------------------------------------

  /** The registration of `endpoint`, if registered. */
  async getRegistration(endpoint: string): Promise<Registration | undefined> {
    return await this.registrationStore.getByEndpoint(endpoint)
  }

  /** Every registration. */
  async *registrations(): AsyncIterable<Registration> {
    for await (const reg of this.registrationStore.values()) yield reg
  }

  /**
   * Whether a queue-mode client is reachable now: true (awake), false (asleep: requests wait
   * for it), undefined for a client not in queue mode (or not registered).
   */
  isAwake(endpoint: string): boolean | undefined {
    return this.#dispatcher.isAwake(endpoint)
  }

  /** Requests waiting in the client's queue. */
  queuedRequests(endpoint: string): number {
    return this.#dispatcher.queued(endpoint)
  }

  /** Observations running (accepted or being made). */
  get observationCount(): number {
    return this.#observations.size
  }

  // ---- Device Management (Core TS 1.2 section 6.3) -----------------------------

  /** Read (section 6.3.1): GET, in the best format the client announced (TLV for 1.0). */
  read(endpoint: string, path: string | Lwm2mPath, options: ReadOptions = {}): Promise<NodeResult> {
    let p: Lwm2mPath
    try {
      p = this.#paths.get(path)
    } catch (err) {
      return Promise.reject(err)
    }
    return this.#perform(endpoint, options, (reg) => {
      const accept =
        options.format === null ? undefined : (options.format ?? chooseReadFormat(formatsOf(reg)))
      return accept === undefined ? { kind: 'read', path: p } : { kind: 'read', path: p, accept }
    })
  }

  /** Discover (section 6.3.2): the links with their attributes, read. */
  async discover(
    endpoint: string,
    path: string | Lwm2mPath,
    options: DiscoverOptions = {},
  ): Promise<DiscoverResult> {
    const p = this.#paths.get(path)
    let rootPath = '/'
    const r = await this.#perform(endpoint, options, (reg) => {
      rootPath = reg.rootPath
      return { kind: 'discover', path: p, ...(options.depth === undefined ? {} : { depth: options.depth }) }
    })
    return { ...r, entries: parseDiscoverLinks(r.links, rootPath) }
  }

  /**
   * Write (section 6.3.3): replace (PUT, the default) or partial update (POST). Plain values
   * are typed with the client's object model: `write('node-1', '/3/0/14', '+02:00')`.
   */
  async write(
    endpoint: string,
    path: string | Lwm2mPath,
    value: WriteValue,
    options: WriteOptions = {},
  ): Promise<EmptyResult> {
    const p = this.#paths.get(path)
    return this.#perform(endpoint, options, (reg, ctx) => {
      const node = toNode(p, value, ctx.models)
      return {
        kind: 'write',
        path: p,
        mode: options.mode ?? 'replace',
        node,
        contentFormat: options.format ?? chooseWriteFormat(formatsOf(reg), node),
      }
    })
  }

  /** Write-Attributes (section 6.3.4): a number sets, null unsets. */
  async writeAttributes(
    endpoint: string,
    path: string | Lwm2mPath,
    attributes: AttributeChanges,
    options: OperationOptions = {},
  ): Promise<EmptyResult> {
    const p = this.#paths.get(path)
    return this.#perform(endpoint, options, () => ({ kind: 'writeAttributes', path: p, attributes }))
  }

  /** Execute (section 6.3.5), with optional arguments. */
  async execute(
    endpoint: string,
    path: string | Lwm2mPath,
    options: ExecuteOptions = {},
  ): Promise<EmptyResult> {
    const p = this.#paths.get(path)
    let args: readonly ExecuteArgument[] | undefined
    if (typeof options.arguments === 'string') {
      try {
        args = parseExecuteArguments(options.arguments)
      } catch (err) {
        return Promise.reject(
          new ServerError('INVALID_ARGUMENT', err instanceof Error ? err.message : String(err), {
            cause: err,
          }),
        )
      }
    } else args = options.arguments
    return this.#perform(endpoint, options, () => ({
      kind: 'execute',
      path: p,
      ...(args === undefined || args.length === 0 ? {} : { arguments: args }),
    }))
  }

  /**
   * Create (section 6.3.6): a new instance of the object `/o` (the client picks its id) or
   * `/o/i` (with that id), from a node or plain values typed by the model.
   */
  async create(
    endpoint: string,
    path: string | Lwm2mPath,
    value: InstanceValues | ObjectInstance | readonly ObjectInstance[],
    options: CreateOptions = {},
  ): Promise<CreateResult> {
    const { objectPath, id } = createTarget(this.#paths.get(path))
    const objectId = objectPath.objectId!
    return this.#perform(endpoint, options, (reg, ctx) => {
      const instances = Array.isArray(value)
        ? (value as readonly ObjectInstance[])
        : [
            instanceOf(
              objectId,
              id ?? (isNode(value) ? (value as ObjectInstance).id : MAX_ID),
              value as InstanceValues,
              ctx.models,
            ),
          ]
      return {
        kind: 'create',
        path: objectPath,
        instances,
        contentFormat: options.format ?? createFormat(reg, instances),
      }
    })
  }

  /** Delete (section 6.3.7) of an instance or a resource instance. */
  async delete(
    endpoint: string,
    path: string | Lwm2mPath,
    options: OperationOptions = {},
  ): Promise<EmptyResult> {
    const p = this.#paths.get(path)
    return this.#perform(endpoint, options, () => ({ kind: 'delete', path: p }))
  }

  /** Read-Composite (section 6.3.8, LwM2M 1.1+): FETCH with the paths; each path gets its node, or null. */
  async readComposite(
    endpoint: string,
    paths: readonly (string | Lwm2mPath)[],
    options: CompositeOptions = {},
  ): Promise<NodesResult> {
    const ps = paths.map((p) => this.#paths.get(p))
    return this.#perform(endpoint, options, (reg) => {
      needComposite(reg, 'Read-Composite')
      const f = chooseCompositeFormats(formatsOf(reg))
      return {
        kind: 'readComposite',
        paths: ps,
        contentFormat: options.requestFormat ?? f.request,
        accept: options.format ?? f.accept,
      }
    })
  }

  /**
   * Write-Composite (section 6.3.9, LwM2M 1.1+): iPATCH with values of several paths (text keys
   * or paths); plain values are typed by the model.
   */
  async writeComposite(
    endpoint: string,
    values: ReadonlyMap<string | Lwm2mPath, WriteValue> | { readonly [path: string]: WriteValue },
    options: WriteCompositeOptions = {},
  ): Promise<EmptyResult> {
    const entries: [Lwm2mPath, WriteValue][] = (
      values instanceof Map ? [...values] : Object.entries(values)
    ).map(([k, v]) => [this.#paths.get(k as string | Lwm2mPath), v as WriteValue])
    return this.#perform(endpoint, options, (reg, ctx) => {
      needComposite(reg, 'Write-Composite')
      const nodes = new Map<string, Lwm2mNode>()
      for (const [p, v] of entries) nodes.set(p.toString(), toNode(p, v, ctx.models))
      const f = chooseCompositeFormats(formatsOf(reg))
      return { kind: 'writeComposite', nodes, contentFormat: options.format ?? f.accept }
    })
  }

  // ---- Information Reporting (Core TS 1.2 section 6.4) ------------------------

  /**
   * Observe (section 6.4.1): a subscription, at once (the request goes out, through the
   * client's queue when it sleeps). Iterate it (`for await`), or listen to its events; the
   * first notification is the answer to the Observe (`ready` resolves with it). Errors (unknown
   * endpoint, the client's error answer) reject `ready` and the iterator.
   */
  observe(
    endpoint: string,
    path: string | Lwm2mPath,
    options: ObserveOptions = {},
  ): Subscription<NodeNotification> {
    return this.#subscribe<NodeNotification>(endpoint, [this.#paths.get(path)], false, options)
  }

  /** Observe-Composite (section 6.4.4, LwM2M 1.1+): one subscription for several paths. */
  observeComposite(
    endpoint: string,
    paths: readonly (string | Lwm2mPath)[],
    options: ObserveOptions = {},
  ): Subscription<CompositeNotification> {
    return this.#subscribe<CompositeNotification>(
      endpoint,
      paths.map((p) => this.#paths.get(p)),
      true,
      options,
    )
  }

  // ---- internals: requests ------------------------------------------------------

  #opContext(reg: Registration): OperationContext {
    // Clients of one kind share their (interned) object links: the last context usually fits.
    const last = this.#lastContext
    if (
      last !== undefined &&
      last.objectLinks === reg.objectLinks &&
      last.version === reg.version &&
      last.ctx.rootPath === reg.rootPath
    ) {
      return last.ctx
    }
    const ctx: OperationContext = {
      codecs: this.codecs,
      models: this.#modelsFor(reg),
      rootPath: reg.rootPath,
    }
    this.#lastContext = { objectLinks: reg.objectLinks, version: reg.version, ctx }
    return ctx
  }

  #modelsFor(reg: Registration): ModelLookup {
    const models = this.models
    if (!isModelRegistry(models)) return models
    let byVersion = this.#modelCache.get(reg.objectLinks)
    if (byVersion === undefined) this.#modelCache.set(reg.objectLinks, (byVersion = new Map()))
    let lookup = byVersion.get(reg.version)
    if (lookup === undefined) {
      lookup = models.forClient(reg.objectLinks.values(), { lwm2mVersion: reg.version })
      byVersion.set(reg.version, lookup)
    }
    return lookup
  }

  #queueTimeoutOf(reg: Registration): number {
    return this.#queueTimeout ?? (reg.lifetime > 0 ? reg.lifetime * 1000 : DEFAULT_QUEUE_WAIT)
  }

  async #registrationOf(endpoint: string): Promise<Registration> {
    if (this.#stopped !== undefined) throw new ServerError('STOPPED', 'the server stopped')
    const reg = await this.registrationStore.getByEndpoint(endpoint)
    if (reg === undefined) {
      throw new ServerError('UNKNOWN_ENDPOINT', `${endpoint} is not registered`, { endpoint })
    }
    return reg
  }

  /**
   * Runs one operation on a client: builds it (at once, so that a bad argument fails before it
   * waits in a queue), submits it to the client's queue, rebuilds it for the registration of
   * the moment if it waited, sends it through the endpoint the registration came in on, and
   * maps the answer with `parseResponse`. Without waits on the way (a store that answers at
   * once, a client with room for the request) no promise is made but the request's own and
   * the one that maps its answer.
   */
  #perform<K extends ResultKind>(
    endpoint: string,
    options: OperationOptions,
    build: (reg: Registration, ctx: OperationContext) => OperationOf<K>,
  ): Promise<ResultOf<K>> {
    if (this.#stopped !== undefined) return Promise.reject(new ServerError('STOPPED', 'the server stopped'))
    let found: Registration | undefined | Promise<Registration | undefined>
    try {
      found = this.registrationStore.getByEndpoint(endpoint)
    } catch (err) {
      return Promise.reject(err)
    }
    if (isPromiseLike(found)) {
      return Promise.resolve(found).then((reg) => this.#performOn(endpoint, reg, options, build))
    }
    return this.#performOn(endpoint, found, options, build)
  }

  #performOn<K extends ResultKind>(
    endpoint: string,
    first: Registration | undefined,
    options: OperationOptions,
    build: (reg: Registration, ctx: OperationContext) => OperationOf<K>,
  ): Promise<ResultOf<K>> {
    if (first === undefined) {
      return Promise.reject(
        new ServerError('UNKNOWN_ENDPOINT', `${endpoint} is not registered`, { endpoint }),
      )
    }
    let firstCtx: OperationContext
    let firstOp: OperationOf<K>
    let firstReq: RequestOptions
    try {
      firstCtx = this.#opContext(first)
      firstOp = argumentErrors(build, first, firstCtx)
      firstReq = argumentErrors(buildRequest, firstOp, firstCtx)
    } catch (err) {
      return Promise.reject(err)
    }
    return this.#dispatcher.submit(
      endpoint,
      (task) => {
        // Sent at once, the registration is the one just read; after a wait it may have changed.
        if (!task.waited) return this.#send(first, firstReq, task, firstOp, firstCtx)
        return this.#resend(endpoint, first, firstReq, task, firstOp, firstCtx, build)
      },
      { timeout: options.timeout, signal: options.signal, queueTimeout: this.#queueTimeoutOf(first) },
    )
  }

  /** A request that waited in the client's queue: built again if the registration changed meanwhile. */
  async #resend<K extends ResultKind>(
    endpoint: string,
    first: Registration,
    firstReq: RequestOptions,
    task: TaskContext,
    firstOp: OperationOf<K>,
    firstCtx: OperationContext,
    build: (reg: Registration, ctx: OperationContext) => OperationOf<K>,
  ): Promise<ResultOf<K>> {
    const current = await this.registrationStore.getByEndpoint(endpoint)
    if (current === undefined) {
      throw new ServerError('REGISTRATION_ENDED', `${endpoint} is no longer registered`, { endpoint })
    }
    if (current === first) return this.#send(first, firstReq, task, firstOp, firstCtx)
    const ctx = this.#opContext(current)
    const op = build(current, ctx)
    return this.#send(current, buildRequest(op, ctx), task, op, ctx)
  }

  /**
   * Sends a request to the client through its endpoint, with the caller's time left, aborted
   * by stop() (and by the caller's signal), and maps the answer with `parseResponse`.
   */
  #send<K extends ResultKind>(
    reg: Registration,
    req: RequestOptions,
    task: TaskContext,
    op: OperationOf<K>,
    ctx: OperationContext,
  ): Promise<ResultOf<K>> {
    const ep = this.endpoints[reg.transport]
    if (ep === undefined) {
      return Promise.reject(
        new ServerError('TRANSPORT', `no endpoint ${reg.transport}`, { endpoint: reg.endpoint }),
      )
    }
    // Without a caller's signal the request runs under the stop signal itself: no controller
    // of its own (an AbortController costs microseconds and garbage; the endpoint listens to
    // each signal once).
    let signal = this.#stop.signal
    let dispose: (() => void) | undefined
    if (task.signal !== undefined) ({ signal, dispose } = this.#requestSignal(task.signal))
    let sent: Promise<CoapResponse>
    try {
      sent = ep.request(reg.peer, withDeadline(req, task.timeout, signal))
    } catch (err) {
      dispose?.()
      return Promise.reject(this.#requestError(err, reg.endpoint))
    }
    return sent.then(
      (res) => {
        dispose?.()
        this.#dispatcher.seen(reg.endpoint)
        return parseResponse(op, res, ctx) as ResultOf<K>
      },
      (err: unknown) => {
        dispose?.()
        throw this.#requestError(err, reg.endpoint)
      },
    )
  }

  /**
   * The signal of one request under a caller's signal: aborted by it or by stop(); `dispose`
   * once the request is answered (an accepted observation is ended by stop() through the
   * observations).
   */
  #requestSignal(caller: AbortSignal | undefined): { signal: AbortSignal; dispose: () => void } {
    const c = new AbortController()
    if (this.#stop.signal.aborted) c.abort(this.#stop.signal.reason)
    else if (caller?.aborted) c.abort(caller.reason)
    if (c.signal.aborted) return { signal: c.signal, dispose: () => {} }
    this.#inFlight.add(c)
    const onCaller = caller === undefined ? undefined : () => c.abort(caller.reason)
    if (onCaller !== undefined) caller!.addEventListener('abort', onCaller, { once: true })
    return {
      signal: c.signal,
      dispose: () => {
        this.#inFlight.delete(c)
        if (onCaller !== undefined) caller!.removeEventListener('abort', onCaller)
      },
    }
  }

  #requestError(err: unknown, endpoint: string): unknown {
    if (this.#stop.signal.aborted) return this.#stop.signal.reason
    // No answer in time, or no way to send (no DTLS session with the client any more).
    if (CoapError.isInstance(err) && (err.code === 'COAP_TIMEOUT' || err.code === 'COAP_TRANSPORT'))
      this.#dispatcher.unreachable(endpoint)
    return fromCoapError(err, endpoint)
  }

  /**
   * A client moved within its DTLS session (a NAT rebinding kept by the Connection ID, RFC 9146
   * section 6): its registration follows, so that requests go to the new address at once, not
   * only after its next Update. The endpoint already carried over its observations and exchanges.
   */
  async #peerMoved(transport: number, from: Peer, to: Peer): Promise<void> {
    try {
      const reg = await this.registrationStore.getByPeer(transport, from)
      if (
        reg === undefined ||
        reg.transport !== transport ||
        reg.peer.address !== from.address ||
        reg.peer.port !== from.port ||
        !sameIdentity(reg.peer.identity, to.identity)
      )
        return
      await this.registrationStore.update({ ...reg, peer: to })
      this.#logger.info('client address changed', {
        endpoint: reg.endpoint,
        address: to.address,
        port: to.port,
      })
    } catch (err) {
      this.#logger.error('cannot move the registration to the new address', {
        error: err instanceof Error ? err.message : String(err),
      })
    }
  }

  // ---- internals: observations ------------------------------------------------

  #subscribe<N extends Notification>(
    endpoint: string,
    paths: readonly Lwm2mPath[],
    composite: boolean,
    options: ObserveOptions,
  ): Subscription<N> {
    const bufferSize = options.bufferSize ?? 256
    if (!Number.isInteger(bufferSize) || bufferSize < 1) {
      throw new ServerError('INVALID_ARGUMENT', `bufferSize must be a positive integer, not ${bufferSize}`)
    }
    const id = randomId(this.#random)
    const sub = this.#observations.create<N>({ id, endpoint, paths, composite, bufferSize })
    this.#startObservation(id, endpoint, paths, composite, options).catch((err: unknown) => {
      this.#observations.failed(id, err instanceof Error ? err : new Error(String(err)))
    })
    return sub
  }

  async #startObservation(
    id: string,
    endpoint: string,
    paths: readonly Lwm2mPath[],
    composite: boolean,
    options: ObserveOptions,
  ): Promise<void> {
    const first = await this.#registrationOf(endpoint)
    if (composite) needComposite(first, 'Observe-Composite')
    const attrs = options.attributes
    // Observation attributes in the Observe query are LwM2M 1.2; older clients get Write-Attributes first.
    if (attrs !== undefined && !versionAtLeast(first.version, '1.2')) {
      for (const p of paths) await this.writeAttributes(endpoint, p, attrs, options)
    }
    const build = (reg: Registration): ObserveOperation | ObserveCompositeOperation => {
      const withAttrs = attrs !== undefined && versionAtLeast(reg.version, '1.2')
      if (!composite) {
        const accept =
          options.format === null ? undefined : (options.format ?? chooseReadFormat(formatsOf(reg)))
        return {
          kind: 'observe',
          path: paths[0]!,
          ...(accept === undefined ? {} : { accept }),
          ...(withAttrs ? { attributes: attrs } : {}),
        }
      }
      const f = chooseCompositeFormats(formatsOf(reg))
      return {
        kind: 'observeComposite',
        paths,
        contentFormat: options.requestFormat ?? f.request,
        accept: options.format ?? f.accept,
        ...(withAttrs ? { attributes: attrs } : {}),
      }
    }
    argumentErrors((reg, server) => buildRequest(build(reg), server.#opContext(reg)), first, this)
    await this.#dispatcher.submit(
      endpoint,
      async (task) => {
        if (!this.#observations.wanted(id)) return
        const reg = await this.registrationStore.getByEndpoint(endpoint)
        if (reg === undefined) {
          throw new ServerError('REGISTRATION_ENDED', `${endpoint} is no longer registered`, { endpoint })
        }
        const count = await this.observationStore.countByRegistration(reg.id)
        if (count >= this.limits.observationsPerClient) {
          throw new ServerError(
            'LIMIT',
            `${endpoint} has ${count} observations (limit ${this.limits.observationsPerClient})`,
            { endpoint },
          )
        }
        const ctx = this.#opContext(reg)
        const op = build(reg)
        const req = buildRequest(op, ctx)
        const ep = this.endpoints[reg.transport]!
        this.#observations.prepare(id, { registration: reg, op, ctx })
        const { signal, dispose } = this.#requestSignal(task.signal)
        let obs: Observation
        try {
          obs = await ep.observe(
            reg.peer,
            // The observation outlives the request: only the Observe request is bounded by the caller's time.
            { ...req, ...(task.timeout === undefined ? {} : { timeout: task.timeout }), signal },
            this.#observations.listener(id),
          )
        } catch (err) {
          throw this.#requestError(err, endpoint)
        } finally {
          dispose()
        }
        this.#dispatcher.seen(endpoint)
        await this.#observations.attach(id, obs)
        // The registration may have ended while the Observe was in flight.
        if ((await this.registrationStore.getById(reg.id)) === undefined) {
          await this.#observations.endOne(id, 'deregistered')
        }
      },
      { timeout: options.timeout, signal: options.signal, queueTimeout: this.#queueTimeoutOf(first) },
    )
  }

  // ---- internals: the registration interface ---------------------------------

  /**
   * Runs `fn` once the answer to the current request went out (the endpoint sends it when the
   * handler returns; setImmediate runs after the I/O of this turn): one Immediate per turn of
   * the event loop for all the answers of the turn, in order.
   */
  #afterAnswer(fn: () => void): void {
    if (this.#afterAnswerQueue.push(fn) === 1) setImmediate(this.#runAfterAnswer)
  }

  readonly #runAfterAnswer = (): void => {
    const queue = this.#afterAnswerQueue
    this.#afterAnswerQueue = []
    for (const fn of queue) {
      try {
        fn()
      } catch (err) {
        // One failing step neither stops the others nor reaches the protocol.
        this.#logger.error('after-answer step failed', {
          error: err instanceof Error ? err.stack : String(err),
        })
      }
    }
  }

  async #registered(reg: Registration, replaced: Registration | undefined): Promise<void> {
    this.#logger.info('registered', {
      endpoint: reg.endpoint,
      id: reg.id,
      version: reg.version,
      lifetime: reg.lifetime,
      queueMode: reg.queueMode,
      replaced: replaced?.id,
    })
    this.#armExpiry(reg.expiresAt)
    if (replaced !== undefined) {
      // Core TS 1.2 section 6.2.1: a new Register of the same endpoint replaces the registration; its observations go.
      await this.#observations.endRegistration(replaced.id, 'replaced')
    }
    this.#dispatcher.setQueueMode(reg.endpoint, reg.queueMode)
    this.#afterAnswer(() => {
      this.#emit('registered', reg, replaced)
      // Queue mode: the client is awake now; requests held for it go out after the answer.
      this.#dispatcher.seen(reg.endpoint)
    })
  }

  #updated(reg: Registration, previous: Registration, op: UpdateOperation, linksChanged: boolean): void {
    this.#armExpiry(reg.expiresAt)
    if (reg.queueMode !== previous.queueMode) this.#dispatcher.setQueueMode(reg.endpoint, reg.queueMode)
    this.#afterAnswer(() => {
      this.#emit('updated', {
        registration: reg,
        previous,
        params: op.params,
        objectLinksChanged: linksChanged,
      })
      this.#dispatcher.seen(reg.endpoint)
    })
  }

  async #deregistered(reg: Registration): Promise<void> {
    this.#logger.info('deregistered', { endpoint: reg.endpoint, id: reg.id })
    await this.#ended(reg, 'deregistered')
    this.#afterAnswer(() => this.#emit('deregistered', reg))
  }

  #sent(reg: Registration, data: readonly TimestampedNodes[], contentFormat: number): void {
    const receivedAt = this.#clock.now()
    this.#afterAnswer(() => {
      this.#emit('send', { endpoint: reg.endpoint, registration: reg, data, contentFormat, receivedAt })
      this.#dispatcher.seen(reg.endpoint)
    })
  }

  async #ended(reg: Registration, reason: RegistrationEndReason): Promise<void> {
    this.#dispatcher.end(
      reg.endpoint,
      new ServerError('REGISTRATION_ENDED', `the registration of ${reg.endpoint} ended (${reason})`, {
        endpoint: reg.endpoint,
      }),
    )
    await this.#observations.endRegistration(reg.id, reason)
  }

  #armExpiry(at: number): void {
    if (at === Number.POSITIVE_INFINITY || this.#stopped !== undefined) return
    if (this.#sweep.heapIndex < 0 || at < this.#sweep.deadline) this.#deadlines.schedule(this.#sweep, at)
  }

  /** Removes the registrations whose lifetime passed (Core TS 1.2 section 6.2.1), a batch at a time. */
  async #runSweep(): Promise<void> {
    if (this.#sweeping) {
      this.#sweepAgain = true
      return
    }
    this.#sweeping = true
    try {
      do {
        this.#sweepAgain = false
        for (let round = 0; round < 10_000; round++) {
          const now = this.#clock.now()
          const due = await this.registrationStore.expired(now, 256)
          for (const reg of due) {
            const removed = await this.registrationStore.remove(reg.id, { expiredBy: now })
            if (removed === undefined) continue
            this.#logger.info('registration expired', { endpoint: removed.endpoint, id: removed.id })
            await this.#ended(removed, 'expired')
            this.#emit('expired', removed)
          }
          if (due.length < 256) break
        }
      } while (this.#sweepAgain)
      const next = await this.registrationStore.nextExpiry()
      if (next !== undefined) this.#armExpiry(Math.max(next, this.#clock.now() + 1))
    } catch (err) {
      this.#logger.error('expiry sweep failed', { error: err instanceof Error ? err.stack : String(err) })
      this.#armExpiry(this.#clock.now() + 1000)
    } finally {
      this.#sweeping = false
    }
  }

  // ---- internals: events ------------------------------------------------------------

  #emit<E extends keyof ServerEvents>(event: E, ...args: ServerEvents[E]): void {
    if (this.#stopped !== undefined) return
    // Each listener on its own: one that throws neither stops the others nor reaches the protocol.
    for (const fn of this.rawListeners(event) as ((...a: unknown[]) => void)[]) {
      try {
        fn.apply(this, args)
      } catch (err) {
        this.#listenerError(err)
      }
    }
  }

  #emitFor(endpoint: string, event: 'awake' | 'sleeping'): void {
    void Promise.resolve(this.registrationStore.getByEndpoint(endpoint)).then(
      (reg) => {
        if (reg !== undefined) this.#emit(event, reg)
      },
      (err: unknown) => this.#listenerError(err),
    )
  }

  #listenerError(err: unknown): void {
    this.#logger.error('an event listener threw', { error: err instanceof Error ? err.stack : String(err) })
  }
}

/** What content formats a registration allows (core's format choice helpers take it). */
function formatsOf(reg: Registration): ClientFormats {
  return { version: reg.version, supported: reg.supportedFormats }
}

/**
 * The format of a Create: without an instance id only TLV can leave the choice to the client
 * (Core TS 1.2 section 6.3.6; SenML, LwM2M CBOR and OMA JSON name every value by its full
 * path), else the format the client's version and announcements give.
 */
function createFormat(reg: Registration, instances: readonly ObjectInstance[]): number {
  if (instances.some((i) => i.id === MAX_ID)) return ContentFormat.LWM2M_TLV
  return chooseWriteFormat(formatsOf(reg), { kind: 'object', id: 0, instances: new Map() })
}

function needComposite(reg: Registration, what: string): void {
  if (!versionAtLeast(reg.version, '1.1')) {
    throw new ServerError(
      'NOT_SUPPORTED',
      `${what} needs LwM2M 1.1; ${reg.endpoint} registered with ${reg.version}`,
      {
        endpoint: reg.endpoint,
      },
    )
  }
}

/**
 * `fn(a, b)`, with @lwm2m/core's argument errors (bad path for the operation, bad value) turned
 * into INVALID_ARGUMENT (no closure on the request path).
 */
function argumentErrors<A, B, T>(fn: (a: A, b: B) => T, a: A, b: B): T {
  try {
    return fn(a, b)
  } catch (err) {
    if (Lwm2mError.isInstance(err)) {
      throw new ServerError('INVALID_ARGUMENT', err.message, { cause: err })
    }
    throw err
  }
}

/**
 * `req` with the caller's time left and a signal. One literal with every field (absent ones
 * undefined, which the endpoint reads as absent), so that every request has one object shape:
 * a spread of requests of many shapes is a slow, megamorphic copy on the request path.
 */
function withDeadline(req: RequestOptions, timeout: number | undefined, signal: AbortSignal): RequestOptions {
  const out: { readonly [K in keyof RequestOptions]-?: RequestOptions[K] | undefined } = {
    method: req.method,
    path: req.path,
    query: req.query,
    contentFormat: req.contentFormat,
    accept: req.accept,
    payload: req.payload,
    options: req.options,
    confirmable: req.confirmable,
    timeout: timeout ?? req.timeout,
    signal,
  }
  return out as RequestOptions
}

function isPromiseLike<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return typeof (value as { then?: unknown } | undefined)?.then === 'function'
}

/**
 * Creates and starts an LwM2M Server on the given endpoints (CoapEndpoints, or Transports for
 * which it creates endpoints). Resolves once it handles requests; `stop()` ends it.
 *
 * ```ts
 * const server = await createServer({ endpoints: [udp({ port: 5683 })] })
 * server.on('registered', (reg) => console.log(reg.endpoint))
 * const { node } = await server.read('node-1', '/3/0')
 * ```
 */
export async function createServer(options: ServerOptions): Promise<Lwm2mServer> {
  if (options.endpoints.length === 0) throw new TypeError('createServer needs at least one endpoint')
  const endpoints: CoapEndpoint[] = []
  const owned: boolean[] = []
  try {
    for (const e of options.endpoints) {
      if (isCoapEndpoint(e)) {
        endpoints.push(e)
        owned.push(false)
      } else {
        endpoints.push(
          await createEndpoint({
            ...options.coap,
            transport: e,
            ...(options.clock === undefined ? {} : { clock: options.clock }),
            ...(options.logger === undefined ? {} : { logger: options.logger }),
          }),
        )
        owned.push(true)
      }
    }
  } catch (err) {
    await Promise.all(endpoints.map((ep, i) => (owned[i] ? ep.close() : undefined)))
    throw err
  }
  const server = new Lwm2mServer(options, endpoints, owned)
  await server.start()
  return server
}
