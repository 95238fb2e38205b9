import { lookup } from 'node:dns/promises'
import { isIP } from 'node:net'
import {
  type CoapEndpoint,
  CoapError,
  type CoapResponse,
  type CoapUri,
  createEndpoint,
  type IncomingRequest,
  type Peer,
  parseCoapUri,
  type RequestContext,
  type RequestOptions,
  type ResponseInit,
} from '@lwm2m/coap'
import {
  type BindingMode,
  type BindingTransport,
  buildRequest,
  isResponseError,
  type Lwm2mVersion,
  parseBinding,
  parseResponse,
  type RegisterOperation,
  type RegisterParams,
  type SendOperation,
  type UpdateOperation,
  type UpdateParams,
} from '@lwm2m/core'
import type { SecurityInstance, ServerAccount } from '../accounts/accounts.js'
import type { ClientContext } from '../client/context.js'
import type { BootstrapReason, DeregistrationReason } from '../client/events.js'
import type { Dispatcher } from '../dispatch/dispatcher.js'
import { ClientError } from '../errors.js'
import type { Observation } from '../observe/observation.js'
import type { ObserverRegistry } from '../observe/registry.js'
import { Timer, wait } from '../time/timer.js'
import { defaultCoapTransport } from '../transport/factories.js'
import { type GatedTransport, gateTransport } from '../transport/gate.js'
import { defaultCoapsTransport } from '../transport/secure.js'
import { nextRetry } from './retry.js'

/** Where a server connection stands. */
export type SessionState =
  /** Not started. */
  | 'idle'
  /** Waiting: the Initial Registration Delay, a retry back-off, or the servers before it in the order. */
  | 'waiting'
  /** A Register is in flight. */
  | 'registering'
  /** Registered: Updates keep it alive. */
  | 'registered'
  /** A De-register is in flight. */
  | 'deregistering'
  /** Disabled by the server (/1/x/4) until the Disable Timeout passes. */
  | 'disabled'
  /** The registration procedure gave up (or a failed server before it in the order blocks it). */
  | 'failed'
  /** Stopped by the application. */
  | 'stopped'

/** What an application (or a CLI) sees of one server connection. */
export interface ServerStatus {
  readonly shortServerId: number
  readonly serverUri: string
  readonly state: SessionState
  /** The registration's Location-Path ("rd", "5a3f"), while registered. */
  readonly location: readonly string[] | undefined
  /** The lifetime the server knows, seconds. */
  readonly lifetime: number | undefined
  /** Clock time of the last successful Register or Update. */
  readonly lastRegistrationAt: number | undefined
  /** Clock time of the next scheduled Update, when one is scheduled. */
  readonly nextUpdateAt: number | undefined
  readonly queueMode: boolean
  /** False while asleep in queue mode. */
  readonly awake: boolean
  /** False while Updates fail: notifications are stored (or dropped) meanwhile. */
  readonly reachable: boolean
  /** Notifications waiting to be sent. */
  readonly storedNotifications: number
}

/** What a session needs from its client. */
export interface SessionHost {
  readonly ctx: ClientContext
  readonly dispatcher: Dispatcher
  readonly observers: ObserverRegistry
  /**
   * The Register/Update announcement of the objects hosted now: the link payload and the
   * Profile IDs (LwM2M 1.2 `pid`) that stand for the objects the payload leaves out.
   */
  announcement(): Announcement
  bootstrapNeeded(reason: BootstrapReason, shortServerId: number): void
}

/** The registration parameters the client wants the server to know. */
interface Desired {
  readonly lifetime: number
  readonly binding: BindingMode
  readonly bindingText: string
  readonly queueMode: boolean
}

/** What a Register or Update announces of the objects (see {@link SessionHost.announcement}). */
export interface Announcement {
  readonly links: string
  readonly profileIds: readonly string[]
}

/** What the server was last told. */
interface Registered extends Desired {
  readonly links: string
  readonly profileIds: readonly string[]
}

function sameIds(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((id, i) => id === b[i])
}

interface Stored {
  readonly observation: Observation
  readonly response: ResponseInit
  readonly confirmable: boolean
}

type Attempt =
  | { readonly ok: true }
  | { readonly ok: false; readonly kind: 'unreachable' | 'rejected' | 'config'; readonly error: unknown }

/** The binding letters a client of `version` may announce. */
function bindingFor(text: string, version: Lwm2mVersion): BindingMode {
  const letters = [...text].filter((c) => c !== 'Q').join('')
  try {
    return { transports: parseBinding(letters || 'U', version).transports, queueMode: false }
  } catch {
    return { transports: ['U' as BindingTransport], queueMode: false }
  }
}

function sameTransports(a: BindingMode, b: BindingMode): boolean {
  return a.transports.join('') === b.transports.join('')
}

function sameSecurity(a: SecurityInstance, b: SecurityInstance): boolean {
  const eq = (x: Uint8Array, y: Uint8Array) => x.length === y.length && x.every((v, i) => v === y[i])
  return (
    a.serverUri === b.serverUri &&
    a.securityMode === b.securityMode &&
    eq(a.publicKeyOrIdentity, b.publicKeyOrIdentity) &&
    eq(a.serverPublicKey, b.serverPublicKey) &&
    eq(a.secretKey, b.secretKey)
  )
}

/** "::ffff:1.2.3.4" and "1.2.3.4" name the same IPv4 peer. */
function plainAddress(address: string): string {
  return address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address
}

/**
 * One LwM2M Server connection (Core TS 1.1 section 6.2, 1.2 section 6.2): its CoAP
 * endpoint, its registration (Register, Update before the lifetime runs out and whenever
 * something the server knows changes, De-register), the registration retry procedure,
 * queue mode (the radio off after the awake time, an Update first on waking) and the
 * notifications stored while the server cannot be reached.
 */
export class ServerSession {
  state: SessionState = 'idle'
  #account: ServerAccount
  /** Aborted when the current procedures must stop (stop, disable, re-registration). */
  #life = new AbortController()
  #endpoint: CoapEndpoint | undefined
  #gate: GatedTransport | undefined
  /** Aborted when the transport reports the server unreachable; one per connection attempt. */
  #failFast: AbortController | undefined
  #peer: Peer | undefined
  #location: readonly string[] | undefined
  #registered: Registered | undefined
  #lastRefreshAt: number | undefined
  readonly #updateTimer: Timer
  readonly #awakeTimer: Timer
  #updating: Promise<void> | undefined
  #again = false
  #force = false
  #kicked = false
  #failedUpdates = 0
  #everRegistered = false
  #busy = 0
  #flushing = false
  #reachable = true
  #awake = true
  readonly #outbox: Stored[] = []

  constructor(
    private readonly host: SessionHost,
    account: ServerAccount,
  ) {
    this.#account = account
    this.#updateTimer = new Timer(host.ctx.scheduler, () => this.#onUpdateTimer())
    this.#awakeTimer = new Timer(host.ctx.scheduler, () => this.#onAwakeTimeout())
  }

  get shortServerId(): number {
    return this.#account.shortServerId
  }

  /** Runs a procedure in the background: a failure nobody expected becomes an `error` event, never an unhandled rejection. */
  #spawn(work: Promise<unknown>, context: string): void {
    work.catch((error: unknown) =>
      this.#ctx.emitter.emit('error', { error, context, shortServerId: this.shortServerId }),
    )
  }

  get account(): ServerAccount {
    return this.#account
  }

  get #ctx(): ClientContext {
    return this.host.ctx
  }

  get registered(): boolean {
    return this.state === 'registered'
  }

  get queueMode(): boolean {
    return this.#registered?.queueMode ?? this.#desired().queueMode
  }

  status(): ServerStatus {
    return {
      shortServerId: this.shortServerId,
      serverUri: this.#account.security.serverUri,
      state: this.state,
      location: this.#location,
      lifetime: this.#registered?.lifetime,
      lastRegistrationAt: this.#lastRefreshAt,
      nextUpdateAt: this.#updateTimer.target,
      queueMode: this.queueMode,
      awake: this.#awake,
      reachable: this.#reachable,
      storedNotifications: this.#outbox.length,
    }
  }

  // ---- registration parameters -----------------------------------------------------

  #desired(): Desired {
    const s = this.#account.server
    const opts = this.#ctx.options
    const bindingText = s.binding ?? opts.binding
    return {
      lifetime: s.lifetime ?? opts.lifetime,
      binding: bindingFor(bindingText, this.#ctx.version),
      bindingText,
      queueMode: opts.queueMode ?? bindingText.includes('Q'),
    }
  }

  #registerParams(d: Desired, profileIds: readonly string[]): RegisterParams {
    const sms = this.#ctx.options.smsNumber
    return {
      endpoint: this.#ctx.endpointName,
      lifetime: d.lifetime,
      version: this.#ctx.version,
      binding: d.binding,
      queueMode: d.queueMode,
      ...(sms === undefined ? {} : { smsNumber: sms }),
      ...(profileIds.length === 0 ? {} : { profileIds }),
    }
  }

  /**
   * What changed since the server was last told: the parameters of the next Update. New
   * Profile IDs go with the links they leave out; when none applies any more an Update cannot
   * withdraw the last ones (`pid` has no empty form), so the client registers anew.
   */
  #diff(): {
    params: UpdateParams
    links: string | undefined
    desired: Desired
    profileIds: readonly string[]
    reregister: boolean
  } {
    const d = this.#desired()
    const r = this.#registered
    const current = this.host.announcement()
    const params: { -readonly [K in keyof UpdateParams]: UpdateParams[K] } = {}
    const base = { desired: d, profileIds: current.profileIds, reregister: false }
    if (r === undefined) return { ...base, params, links: undefined }
    if (d.lifetime !== r.lifetime) params.lifetime = d.lifetime
    if (!sameTransports(d.binding, r.binding) || d.queueMode !== r.queueMode) {
      params.binding = d.binding
      if (d.queueMode) params.queueMode = true
    }
    if (!sameIds(current.profileIds, r.profileIds)) {
      if (current.profileIds.length === 0) return { ...base, params, links: current.links, reregister: true }
      params.profileIds = current.profileIds
      return { ...base, params, links: current.links }
    }
    return { ...base, params, links: current.links !== r.links ? current.links : undefined }
  }

  // ---- connection ------------------------------------------------------------------

  async #connect(): Promise<void> {
    if (this.#endpoint !== undefined) return
    const ctx = this.#ctx
    let uri: CoapUri
    try {
      uri = parseCoapUri(this.#account.security.serverUri)
    } catch (error) {
      throw new ClientError('CLIENT_TRANSPORT', `bad Server URI "${this.#account.security.serverUri}"`, {
        cause: error,
      })
    }
    const factory =
      ctx.options.transports[uri.scheme] ??
      (uri.scheme === 'coap' ? defaultCoapTransport : defaultCoapsTransport)
    const failFast = new AbortController()
    const transport = await factory({
      uri,
      security: this.#account.security,
      shortServerId: this.shortServerId,
      clock: ctx.clock,
      logger: ctx.logger,
      unreachable: (error) => this.#transportFailed(failFast, error),
    })
    const gate = gateTransport(transport)
    const coap = ctx.options.coap
    const endpoint = await createEndpoint({
      transport: gate,
      clock: ctx.clock,
      logger: ctx.logger,
      ...(ctx.random === undefined ? {} : { random: ctx.random }),
      ...(coap.parameters === undefined ? {} : { parameters: coap.parameters }),
      ...(coap.limits === undefined ? {} : { limits: coap.limits }),
      ...(coap.requestTimeout === undefined ? {} : { requestTimeout: coap.requestTimeout }),
      ...(coap.blockSize === undefined ? {} : { blockSize: coap.blockSize }),
      ...(ctx.options.resolve === undefined ? {} : { resolve: ctx.options.resolve }),
      handler: (req, rctx) => this.#handle(req, rctx),
    })
    try {
      let address = uri.host
      if (isIP(address) === 0) {
        const family = endpoint.address().family === 'IPv6' ? 6 : 4
        address = ctx.options.resolve
          ? await ctx.options.resolve(uri.host, family)
          : (await lookup(uri.host, { family })).address
      }
      this.#peer = { address, port: uri.port }
    } catch (error) {
      await endpoint.close()
      throw new ClientError('CLIENT_TRANSPORT', `cannot resolve ${uri.host}`, { cause: error })
    }
    this.#endpoint = endpoint
    this.#gate = gate
    this.#failFast = failFast
  }

  /** The transport says the server cannot be reached (a failed DTLS handshake): fail the requests in flight now. */
  #transportFailed(connection: AbortController, error: Error): void {
    if (connection !== this.#failFast) return
    this.#failFast = new AbortController()
    this.#ctx.logger.warn('server unreachable', { shortServerId: this.shortServerId, error: error.message })
    connection.abort(
      new CoapError('COAP_TRANSPORT', `cannot reach the server: ${error.message}`, { cause: error }),
    )
  }

  async #closeEndpoint(): Promise<void> {
    const endpoint = this.#endpoint
    this.#endpoint = undefined
    this.#gate = undefined
    this.#failFast = undefined
    this.#peer = undefined
    this.#awakeTimer.cancel()
    if (endpoint !== undefined) await endpoint.close()
  }

  /** A request from the network: only the server's own peer is answered. */
  async #handle(req: IncomingRequest, rctx: RequestContext): Promise<ResponseInit> {
    const peer = this.#peer
    if (
      peer === undefined ||
      plainAddress(req.peer.address) !== plainAddress(peer.address) ||
      req.peer.port !== peer.port
    ) {
      return { code: 0x81, payload: 'not this client’s LwM2M Server' }
    }
    this.#busy++
    try {
      return await this.host.dispatcher.handle(this.shortServerId, req, rctx)
    } finally {
      this.#busy--
      this.#touch()
    }
  }

  async #request(options: RequestOptions): Promise<CoapResponse> {
    const endpoint = this.#endpoint
    const peer = this.#peer
    if (endpoint === undefined || peer === undefined) {
      throw new ClientError('CLIENT_NOT_STARTED', `no connection to server ${this.shortServerId}`)
    }
    this.#setAwake(true)
    this.#busy++
    try {
      const signal = this.#failFast?.signal
      return await endpoint.request(
        peer,
        options.signal === undefined && signal !== undefined ? { ...options, signal } : options,
      )
    } finally {
      this.#busy--
      this.#touch()
    }
  }

  // ---- registration procedure ------------------------------------------------------

  /**
   * The registration procedure of Core TS 1.1.1 and 1.2 section 6.2.1.1: the Initial
   * Registration Delay (/1/x/14, until the first successful registration), then Register
   * attempts with the exponential back-off of the Communication Retry Timer (/1/x/18) for
   * Communication Retry Count (/1/x/17) attempts, sequences of them separated by the
   * Communication Sequence Delay Timer (/1/x/19), Communication Sequence Retry Count
   * (/1/x/20) sequences. A server that refuses the Register (4.xx) while Bootstrap on
   * Registration Failure (/1/x/16) is true ends the procedure at once with a bootstrap
   * request. Resolves true once registered, false when it gave up or was abandoned.
   */
  async register(options: { readonly initialDelay: boolean }): Promise<boolean> {
    const life = this.#life
    const scheduler = this.#ctx.scheduler
    this.state = 'waiting'
    const delay = this.#account.server.initialRegistrationDelayTimer
    if (options.initialDelay && !this.#everRegistered && delay > 0) {
      if (!(await wait(scheduler, delay * 1000, life.signal))) return false
    }
    let attempt = 1
    let sequence = 1
    for (;;) {
      if (life.signal.aborted) return false
      this.state = 'registering'
      const outcome = await this.#attemptRegister(life)
      if (outcome.ok) return true
      if (life.signal.aborted) return false
      const s = this.#account.server
      const giveUpNow =
        outcome.kind === 'config' || (outcome.kind === 'rejected' && s.bootstrapOnRegistrationFailure)
      const step = giveUpNow
        ? ({ kind: 'giveUp' } as const)
        : nextRetry(
            {
              retryCount: s.communicationRetryCount,
              retryTimer: s.communicationRetryTimer,
              sequenceDelayTimer: s.communicationSequenceDelayTimer,
              sequenceRetryCount: s.communicationSequenceRetryCount,
            },
            attempt,
            sequence,
          )
      const final = step.kind === 'giveUp'
      this.#ctx.logger.warn('registration attempt failed', {
        shortServerId: this.shortServerId,
        attempt,
        sequence,
        final,
        error: String(outcome.error),
      })
      this.#ctx.emitter.emit('registrationFailed', {
        shortServerId: this.shortServerId,
        serverUri: this.#account.security.serverUri,
        error: outcome.error,
        attempt,
        sequence,
        final,
        ...(step.kind === 'retry' ? { retryIn: step.delay } : {}),
        ...(final ? { blocking: s.registrationFailureBlock } : {}),
      })
      if (step.kind === 'giveUp') {
        this.state = 'failed'
        await this.#closeEndpoint()
        if (s.bootstrapOnRegistrationFailure)
          this.host.bootstrapNeeded('registrationFailure', this.shortServerId)
        return false
      }
      this.state = 'waiting'
      if (!(await wait(scheduler, step.delay, life.signal))) return false
      attempt = step.attempt
      sequence = step.sequence
    }
  }

  async #attemptRegister(life: AbortController): Promise<Attempt> {
    try {
      await this.#connect()
    } catch (error) {
      // A Server URI, transport or Security instance that cannot work: no retry helps.
      const config =
        ClientError.isInstance(error) &&
        (error.code === 'CLIENT_TRANSPORT' || error.code === 'CLIENT_SECURITY')
      return { ok: false, kind: config ? 'config' : 'unreachable', error }
    }
    if (life.signal.aborted)
      return { ok: false, kind: 'unreachable', error: new ClientError('CLIENT_NOT_STARTED', 'stopped') }
    try {
      const desired = this.#desired()
      const { links, profileIds } = this.host.announcement()
      const op: RegisterOperation = {
        kind: 'register',
        params: this.#registerParams(desired, profileIds),
        links,
      }
      const response = await this.#request(buildRequest(op, this.#ctx.operations))
      const result = parseResponse(op, response, this.#ctx.operations)
      if (life.signal.aborted)
        return { ok: false, kind: 'unreachable', error: new ClientError('CLIENT_NOT_STARTED', 'stopped') }
      this.#location = result.location
      this.#registered = { ...desired, links, profileIds }
      this.#lastRefreshAt = this.#ctx.clock.now()
      this.#reachable = true
      this.#failedUpdates = 0
      this.#everRegistered = true
      this.state = 'registered'
      this.#ctx.logger.info('registered', {
        shortServerId: this.shortServerId,
        location: result.location.join('/'),
        lifetime: desired.lifetime,
      })
      this.#ctx.emitter.emit('registered', {
        shortServerId: this.shortServerId,
        serverUri: this.#account.security.serverUri,
        location: result.location,
        lifetime: desired.lifetime,
        queueMode: desired.queueMode,
      })
      this.#scheduleUpdate()
      this.#touch()
      this.maybeUpdate()
      return { ok: true }
    } catch (error) {
      return { ok: false, kind: isResponseError(error) ? 'rejected' : 'unreachable', error }
    }
  }

  // ---- updates ---------------------------------------------------------------------

  #scheduleUpdate(): void {
    const r = this.#registered
    if (r === undefined || this.#lastRefreshAt === undefined || r.lifetime <= 0) {
      this.#updateTimer.cancel()
      return
    }
    const margin = this.#ctx.options.updateMargin(r.lifetime)
    this.#updateTimer.at(this.#lastRefreshAt + Math.max(0, r.lifetime - margin) * 1000)
  }

  #onUpdateTimer(): void {
    if (this.state !== 'registered') return
    const r = this.#registered
    const now = this.#ctx.clock.now()
    if (
      !this.#reachable &&
      r !== undefined &&
      r.lifetime > 0 &&
      this.#lastRefreshAt !== undefined &&
      now >= this.#lastRefreshAt + r.lifetime * 1000
    ) {
      // The lifetime ran out without a successful Update: the server has dropped us.
      this.#spawn(this.#reregister(), 're-registering')
      return
    }
    this.#force = true
    this.#spawn(this.#startUpdate(), 'updating')
  }

  /** Sends an Update if the server's view is out of date (lifetime, binding, object list). */
  maybeUpdate(): void {
    if (this.state !== 'registered') return
    const { params, links } = this.#diff()
    if (Object.keys(params).length > 0 || links !== undefined) this.#kick(false)
  }

  /** Sends an Update soon, whatever changed (Registration Update Trigger, an application call, waking up). */
  triggerUpdate(): void {
    this.#kick(true)
  }

  #kick(force: boolean): void {
    if (force) this.#force = true
    if (this.#kicked) return
    this.#kicked = true
    // Events, not time: the Update goes in the next turn of the event loop.
    setImmediate(() => {
      this.#kicked = false
      this.#spawn(this.#startUpdate(), 'updating')
    })
  }

  /**
   * Sends an Update now (Core TS 1.1 section 6.2.2) with what changed, and waits for it;
   * concurrent calls share one Update. Resolves when done, also when it failed (the
   * failure is an event, and a retry or a new registration follows).
   */
  update(): Promise<void> {
    this.#force = true
    return this.#startUpdate()
  }

  /**
   * The device's network changed (another bearer, a new address): a new connection to the
   * server and an Update from it (Core TS 1.2 section 6.2.2: the Update tells the server the
   * client's new address). The observations of the old connection end with it: the server
   * matches notifications by their source (RFC 7641 section 4.1) and observes anew.
   */
  async reconnect(): Promise<void> {
    // Answers in progress (the Write that moved the device to another bearer, say) still go
    // out on the old connection: a turn of the event loop first.
    await new Promise<void>((resolve) => setImmediate(resolve))
    if (this.state !== 'registered') return
    this.host.observers.endServer(this.shortServerId)
    this.#outbox.length = 0
    await this.#closeEndpoint()
    try {
      await this.#connect()
    } catch (error) {
      this.#ctx.emitter.emit('error', { error, context: 'reconnecting', shortServerId: this.shortServerId })
      this.#spawn(this.#reregister(), 're-registering')
      return
    }
    await this.update()
  }

  #startUpdate(): Promise<void> {
    if (this.state !== 'registered') return Promise.resolve()
    if (this.#updating !== undefined) {
      this.#again = true
      return this.#updating
    }
    const run = async (): Promise<void> => {
      do {
        this.#again = false
        await this.#updateOnce()
      } while (this.#again && this.state === 'registered')
    }
    this.#updating = run().finally(() => {
      this.#updating = undefined
    })
    return this.#updating
  }

  async #updateOnce(): Promise<void> {
    const life = this.#life
    const { params, links, desired, profileIds, reregister } = this.#diff()
    const force = this.#force
    this.#force = false
    if (reregister) {
      this.#spawn(this.#reregister(), 're-registering')
      return
    }
    if (!force && Object.keys(params).length === 0 && links === undefined) return
    const location = this.#location
    if (location === undefined) return
    const wasAsleep = !this.#awake
    const op: UpdateOperation = {
      kind: 'update',
      location,
      params,
      version: this.#ctx.version,
      ...(links === undefined ? {} : { links }),
    }
    this.#updateTimer.cancel()
    if (wasAsleep) this.#ctx.emitter.emit('awake', { shortServerId: this.shortServerId })
    try {
      const response = await this.#request(buildRequest(op, this.#ctx.operations))
      parseResponse(op, response, this.#ctx.operations)
      if (life !== this.#life || this.state !== 'registered') return
      const before = this.#registered!
      this.#registered = {
        lifetime: params.lifetime ?? before.lifetime,
        binding: params.binding ?? before.binding,
        bindingText: params.binding !== undefined ? desired.bindingText : before.bindingText,
        queueMode: params.binding !== undefined ? desired.queueMode : before.queueMode,
        links: links ?? before.links,
        profileIds: params.profileIds === undefined ? before.profileIds : profileIds,
      }
      this.#lastRefreshAt = this.#ctx.clock.now()
      this.#reachable = true
      this.#failedUpdates = 0
      this.#ctx.emitter.emit('updated', {
        shortServerId: this.shortServerId,
        location,
        params,
        objects: links !== undefined,
      })
      this.#scheduleUpdate()
      this.#touch()
      this.#spawn(this.#flush(), 'sending stored notifications')
    } catch (error) {
      if (life !== this.#life || this.state !== 'registered') return
      if (isResponseError(error)) {
        this.#ctx.logger.warn('update refused: registering anew', {
          shortServerId: this.shortServerId,
          code: error.status,
        })
        // 4.04: the server does not know the registration (Core TS 1.1 section 6.2.2,
        // ETS LwM2M-1.1-int-105); any other refusal: register anew as well.
        this.#ctx.emitter.emit('updateFailed', { shortServerId: this.shortServerId, error, reregister: true })
        this.#spawn(this.#reregister(), 're-registering')
        return
      }
      this.#unreachable(error)
    }
  }

  /**
   * The server did not answer: Updates are retried with the back-off of the Communication
   * Retry Timer until the lifetime runs out, then the client registers anew; meanwhile
   * notifications are stored or dropped as /1/x/6 says.
   */
  #unreachable(error: unknown): void {
    this.#ctx.logger.warn('update unanswered', { shortServerId: this.shortServerId, error: String(error) })
    this.#reachable = false
    this.#failedUpdates++
    const s = this.#account.server
    const delay = Math.max(1, s.communicationRetryTimer) * 2 ** Math.min(this.#failedUpdates - 1, 30) * 1000
    const now = this.#ctx.clock.now()
    const r = this.#registered
    const expiry =
      r !== undefined && r.lifetime > 0 && this.#lastRefreshAt !== undefined
        ? this.#lastRefreshAt + r.lifetime * 1000
        : undefined
    if (expiry !== undefined && now + delay >= expiry) {
      this.#ctx.emitter.emit('updateFailed', {
        shortServerId: this.shortServerId,
        error,
        reregister: true,
        retryIn: Math.max(0, expiry - now),
      })
      this.#updateTimer.at(Math.max(now, expiry))
    } else {
      this.#ctx.emitter.emit('updateFailed', {
        shortServerId: this.shortServerId,
        error,
        reregister: false,
        retryIn: delay,
      })
      this.#updateTimer.at(now + delay)
    }
  }

  async #reregister(): Promise<void> {
    this.#updateTimer.cancel()
    this.host.observers.endServer(this.shortServerId)
    this.#outbox.length = 0
    this.#location = undefined
    this.#registered = undefined
    this.#reachable = true
    this.#life.abort()
    this.#life = new AbortController()
    this.#ctx.emitter.emit('deregistered', {
      shortServerId: this.shortServerId,
      serverUri: this.#account.security.serverUri,
      reason: 'reregister',
    })
    await this.register({ initialDelay: false })
  }

  // ---- account changes, disable, stop ------------------------------------------------

  /** The Security or Server instance of this account changed. */
  async accountChanged(account: ServerAccount): Promise<void> {
    const before = this.#account
    this.#account = account
    if (!sameSecurity(before.security, account.security)) {
      // Another server or other credentials: a new connection and a new registration.
      await this.#deregister('accountChanged')
      await this.#closeEndpoint()
      this.#life.abort()
      this.#life = new AbortController()
      this.#spawn(this.register({ initialDelay: false }), 'registering')
      return
    }
    const s = account.server
    const b = before.server
    if (s.defaultMinPeriod !== b.defaultMinPeriod || s.defaultMaxPeriod !== b.defaultMaxPeriod) {
      this.host.observers.reevaluate(this.shortServerId)
    }
    this.maybeUpdate()
  }

  /**
   * Disable (/1/x/4, Core TS 1.1 section E.2): De-register, disconnect, ignore the server
   * for the Disable Timeout (/1/x/5), then register again.
   */
  async disable(): Promise<void> {
    if (this.state === 'stopped' || this.state === 'disabled') return
    const timeout = this.#account.server.disableTimeout
    this.#life.abort()
    const life = (this.#life = new AbortController())
    await this.#deregister('disable')
    await this.#closeEndpoint()
    this.state = 'disabled'
    this.#ctx.emitter.emit('disabled', {
      shortServerId: this.shortServerId,
      until: this.#ctx.clock.now() + timeout * 1000,
    })
    if (await wait(this.#ctx.scheduler, timeout * 1000, life.signal)) {
      await this.register({ initialDelay: false })
    }
  }

  /** Stops the connection: De-register (unless told not to), end observations, close the endpoint. */
  async stop(reason: DeregistrationReason, deregister: boolean): Promise<void> {
    this.#life.abort()
    this.#life = new AbortController()
    if (deregister) await this.#deregister(reason)
    else this.#forget()
    await this.#closeEndpoint()
    this.state = 'stopped'
  }

  #forget(): void {
    this.#updateTimer.cancel()
    this.host.observers.endServer(this.shortServerId)
    this.#outbox.length = 0
    this.#location = undefined
    this.#registered = undefined
  }

  /** De-register (Core TS 1.1 section 6.2.3): DELETE the registration, when there is one. */
  async #deregister(reason: DeregistrationReason): Promise<void> {
    const location = this.#location
    const wasRegistered = this.state === 'registered'
    this.#forget()
    if (!wasRegistered || location === undefined || this.#endpoint === undefined) return
    this.state = 'deregistering'
    const op = { kind: 'deregister', location } as const
    let error: unknown
    try {
      parseResponse(op, await this.#request(buildRequest(op, this.#ctx.operations)), this.#ctx.operations)
    } catch (e) {
      error = e
    }
    this.#ctx.emitter.emit('deregistered', {
      shortServerId: this.shortServerId,
      serverUri: this.#account.security.serverUri,
      reason,
      ...(error === undefined ? {} : { error }),
    })
  }

  // ---- Send ------------------------------------------------------------------------

  /** Send (Core TS 1.1 section 6.4.6): POST /dp, waking first in queue mode. */
  async send(op: SendOperation): Promise<void> {
    if (this.state !== 'registered') {
      throw new ClientError('CLIENT_NO_SERVER', `server ${this.shortServerId} is not registered`)
    }
    if (!this.#awake) await this.update()
    try {
      parseResponse(op, await this.#request(buildRequest(op, this.#ctx.operations)), this.#ctx.operations)
    } catch (error) {
      throw new ClientError('CLIENT_REQUEST_FAILED', `Send to server ${this.shortServerId} failed`, {
        cause: error,
      })
    }
  }

  // ---- queue mode ------------------------------------------------------------------

  #setAwake(awake: boolean): void {
    if (this.#awake === awake && this.#gate?.passing === awake) return
    this.#awake = awake
    this.#gate?.setPassing(awake)
    if (!awake) this.#ctx.emitter.emit('sleeping', { shortServerId: this.shortServerId })
  }

  /** Queue mode: an exchange just happened, the client stays awake for the awake time from now. */
  #touch(): void {
    if (!this.queueMode || this.state !== 'registered') return
    this.#awakeTimer.in(this.#ctx.options.awakeTime)
  }

  #onAwakeTimeout(): void {
    if (this.state !== 'registered' || !this.queueMode) return
    if (this.#busy > 0 || this.#flushing) {
      this.#touch()
      return
    }
    // Core TS 1.1 section 6.5: after the awake time the client stops listening; the server
    // keeps its requests until the client's next Update.
    this.#ctx.logger.debug('queue mode: asleep', { shortServerId: this.shortServerId })
    this.#setAwake(false)
  }

  // ---- notifications -----------------------------------------------------------------

  /**
   * A notification of one of this server's observations: sent now; or kept, in order,
   * while the client sleeps (it wakes, sends an Update, then them) or while the server is
   * unreachable (Notification Storing When Disabled or Offline, /1/x/6: kept when true,
   * dropped when false); at most `maxStoredNotifications`, the oldest dropped first.
   */
  deliver(observation: Observation, response: ResponseInit, confirmable: boolean): void {
    const paths = observation.pathTexts
    const emit = (outcome: 'sent' | 'stored' | 'dropped') =>
      this.#ctx.emitter.emit('notification', { shortServerId: this.shortServerId, paths, outcome })
    if (this.state !== 'registered') {
      emit('dropped')
      return
    }
    const entry: Stored = { observation, response, confirmable }
    if (!this.#reachable) {
      if (this.#account.server.notificationStoring) this.#store(entry, emit)
      else emit('dropped')
      return
    }
    if (!this.#awake) {
      this.#store(entry, emit)
      this.triggerUpdate()
      return
    }
    if (this.#outbox.length > 0 || this.#flushing) {
      this.#store(entry, emit)
      return
    }
    emit('sent')
    this.#spawn(this.#notify(entry), 'notifying')
  }

  #store(entry: Stored, emit: (outcome: 'stored' | 'dropped') => void): void {
    const max = this.#ctx.options.maxStoredNotifications
    while (this.#outbox.length >= max) {
      const dropped = this.#outbox.shift()!
      this.#ctx.emitter.emit('notification', {
        shortServerId: this.shortServerId,
        paths: dropped.observation.pathTexts,
        outcome: 'dropped',
      })
    }
    this.#outbox.push(entry)
    emit('stored')
  }

  /** Sends one notification; false when the server did not acknowledge it. */
  async #notify(entry: Stored): Promise<boolean> {
    if (entry.observation.ended) return true
    this.#busy++
    try {
      await entry.observation.relation.notify(entry.response, { confirmable: entry.confirmable })
      return true
    } catch (error) {
      // A confirmable notification that timed out ends its observation (RFC 7641 section
      // 4.5); the server may be gone: an Update finds out.
      if (CoapError.isInstance(error) && error.code === 'COAP_TIMEOUT' && this.state === 'registered') {
        this.#reachable = false
        this.triggerUpdate()
        return false
      }
      return true
    } finally {
      this.#busy--
      this.#touch()
    }
  }

  /** Sends the stored notifications in order, after a successful Update. */
  async #flush(): Promise<void> {
    if (this.#flushing) return
    this.#flushing = true
    try {
      while (this.#outbox.length > 0 && this.#reachable && this.#awake && this.state === 'registered') {
        const entry = this.#outbox.shift()!
        if (entry.observation.ended) continue
        this.#ctx.emitter.emit('notification', {
          shortServerId: this.shortServerId,
          paths: entry.observation.pathTexts,
          outcome: 'sent',
        })
        await this.#notify(entry)
      }
    } finally {
      this.#flushing = false
      this.#touch()
    }
  }
}
