import { CoapError, type CoapResponse, type Logger, type Observation } from '@lwm2m/coap'
import {
  isResponseError,
  type Lwm2mPath,
  type ObserveCompositeOperation,
  type ObserveOperation,
  type OperationContext,
  parseNotification,
} from '@lwm2m/core'
import { ServerError } from '../errors.js'
import type { Registration } from '../registration/registration.js'
import type { ObservationStore } from '../store/observation-store.js'
import type { CompositeNotification, NodeNotification, Notification } from './notification.js'
import {
  Subscription,
  type SubscriptionControl,
  type SubscriptionEndReason,
  type SubscriptionHost,
} from './subscription.js'

/** One observation as the server runs it. */
interface Live {
  readonly control: SubscriptionControl<Notification>
  readonly endpoint: string
  registration: Registration | undefined
  op: ObserveOperation | ObserveCompositeOperation | undefined
  ctx: OperationContext | undefined
  coap: Observation | undefined
  /** Set while the observation is accepted but its initial answer not yet delivered. */
  early: CoapResponse[] | undefined
  /** How the caller cancelled before the observation was made. */
  cancelled: 'active' | 'passive' | undefined
}

/** What the observations need from the server. */
export interface ObservationsHost {
  readonly logger: Logger
  readonly store: ObservationStore
  now(): number
  emitNotification(notification: Notification): void
  /** A message from the client arrived (queue mode: it is awake). */
  seen(endpoint: string): void
  /** Sends the active cancellation through the client's queue. */
  sendCancel(endpoint: string, run: () => Promise<void>): Promise<void>
  listenerError(error: unknown): void
}

/** What {@link Observations.attach} needs once the client accepted. */
export interface Accepted {
  readonly registration: Registration
  readonly op: ObserveOperation | ObserveCompositeOperation
  readonly ctx: OperationContext
}

/**
 * The server's live observations (Core TS 1.2 section 6.4): subscriptions by id, their CoAP
 * relations, and the records in the observation store. Notifications are decoded with
 * @lwm2m/core's `parseNotification` in the client's models and delivered to the subscription
 * and the server's `notification` event.
 */
export class Observations implements SubscriptionHost {
  readonly #h: ObservationsHost
  readonly #live = new Map<string, Live>()

  constructor(host: ObservationsHost) {
    this.#h = host
  }

  get size(): number {
    return this.#live.size
  }

  /** A new subscription, not yet made; `start` is the server's job. */
  create<N extends Notification>(init: {
    readonly id: string
    readonly endpoint: string
    readonly paths: readonly Lwm2mPath[]
    readonly composite: boolean
    readonly bufferSize: number
  }): Subscription<N> {
    const control = Subscription.create<N>(this, init)
    this.#live.set(init.id, {
      control: control as unknown as SubscriptionControl<Notification>,
      endpoint: init.endpoint,
      registration: undefined,
      op: undefined,
      ctx: undefined,
      coap: undefined,
      early: undefined,
      cancelled: undefined,
    })
    return control.subscription
  }

  /** True while the subscription `id` is neither ended nor cancelled. */
  wanted(id: string): boolean {
    const live = this.#live.get(id)
    return live !== undefined && live.cancelled === undefined
  }

  /** The listener to give `CoapEndpoint.observe` for subscription `id`. */
  listener(id: string): (res: CoapResponse) => void {
    return (res) => this.#onNotification(id, res)
  }

  /** Prepares the subscription for the client's answer (call before sending the Observe). */
  prepare(id: string, accepted: Accepted): void {
    const live = this.#live.get(id)
    if (live === undefined) return
    live.registration = accepted.registration
    live.op = accepted.op
    live.ctx = accepted.ctx
    live.early = []
  }

  /**
   * The client answered the Observe: delivers the initial notification, records the
   * observation, and watches the relation. Throws what decoding the answer throws (an error
   * code: Lwm2mResponseError), after forgetting the relation.
   */
  async attach(id: string, obs: Observation): Promise<void> {
    const live = this.#live.get(id)
    if (live === undefined || live.registration === undefined) {
      await obs.cancel('passive')
      return
    }
    live.coap = obs
    if (live.cancelled !== undefined) {
      this.#live.delete(id)
      await this.#cancelRelation(live, live.cancelled === 'passive')
      return
    }
    const reg = live.registration
    let initial: Notification
    try {
      initial = this.#notification(live, obs.response, true)
    } catch (err) {
      // The caller ends the subscription with this error (`failed`).
      if (obs.active) await obs.cancel('passive')
      throw err
    }
    live.control.established(reg.id)
    this.#deliver(live, initial)
    if (!obs.active) {
      // RFC 7641 section 4.1: a plain answer, no relation.
      this.#live.delete(id)
      live.control.end('refused')
      return
    }
    const early = live.early ?? []
    live.early = undefined
    for (const res of early) this.#onNotification(id, res)
    const op = live.op!
    const record = {
      id,
      registrationId: reg.id,
      endpoint: reg.endpoint,
      paths: op.kind === 'observe' ? [op.path.toString()] : op.paths.map(String),
      composite: op.kind === 'observeComposite',
      accept: op.accept,
      attributes: op.attributes,
      createdAt: this.#h.now(),
    }
    try {
      await this.#h.store.add(record)
    } catch (err) {
      // Not recorded, not kept: the relation goes (passively) and the subscription fails.
      await obs.cancel('passive')
      throw err
    }
    if (live.control.subscription.ended !== undefined) {
      await this.#forget(id)
      return
    }
    obs.signal.addEventListener('abort', () => this.#relationEnded(id, obs.signal.reason), { once: true })
  }

  /** The subscription could not be made. */
  failed(id: string, error: Error): void {
    const live = this.#live.get(id)
    if (live === undefined) return
    this.#live.delete(id)
    if (live.cancelled !== undefined) live.control.end('cancelled')
    else live.control.end('failed', error)
  }

  /** Ends every observation of a registration that ended (the CoAP relations are forgotten: passive). */
  async endRegistration(registrationId: string, reason: SubscriptionEndReason): Promise<void> {
    let ids: string[]
    try {
      ids = (await this.#h.store.removeByRegistration(registrationId)).map((r) => r.id)
    } catch (err) {
      // The store failed: end what this process runs for the registration all the same.
      this.#h.logger.error('observation store failed', {
        registrationId,
        error: err instanceof Error ? err.message : String(err),
      })
      ids = [...this.#live].filter(([, l]) => l.registration?.id === registrationId).map(([id]) => id)
    }
    for (const id of ids) {
      const live = this.#live.get(id)
      if (live === undefined) continue
      this.#live.delete(id)
      live.control.end(reason)
      if (live.coap?.active) await live.coap.cancel('passive')
    }
  }

  /** Ends one observation (its registration ended while it was being made). */
  async endOne(id: string, reason: SubscriptionEndReason): Promise<void> {
    const live = this.#live.get(id)
    if (live === undefined) return
    this.#live.delete(id)
    await this.#forget(id)
    live.control.end(reason)
    if (live.coap?.active) await live.coap.cancel('passive')
  }

  /** Ends every observation (server stop): passive, nothing is sent. */
  async stop(): Promise<void> {
    const all = [...this.#live.entries()]
    this.#live.clear()
    for (const [id, live] of all) {
      live.control.end('stopped')
      if (live.registration !== undefined) await this.#forget(id)
      if (live.coap?.active) await live.coap.cancel('passive')
    }
  }

  // ---- SubscriptionHost ----------------------------------------------------------

  async cancel(subscription: Subscription<Notification>, passive: boolean): Promise<void> {
    const id = subscription.id
    const live = this.#live.get(id)
    if (live === undefined) return
    if (live.coap === undefined) {
      // Not made yet: end now; the relation, if it comes, is cancelled when it arrives (attach).
      live.cancelled = passive ? 'passive' : 'active'
      live.control.end('cancelled')
      return
    }
    this.#live.delete(id)
    live.control.end('cancelled')
    await this.#forget(id)
    await this.#cancelRelation(live, passive)
  }

  listenerError(error: unknown): void {
    this.#h.listenerError(error)
  }

  // ---- internals ---------------------------------------------------------------------

  /** Removes the record of an observation; a store failure is logged, never thrown. */
  async #forget(id: string): Promise<void> {
    try {
      await this.#h.store.remove(id)
    } catch (err) {
      this.#h.logger.error('observation store failed', {
        id,
        error: err instanceof Error ? err.message : String(err),
      })
    }
  }

  async #cancelRelation(live: Live, passive: boolean): Promise<void> {
    const obs = live.coap
    if (obs === undefined || !obs.active) return
    if (passive) {
      await obs.cancel('passive')
      return
    }
    try {
      // Core TS 1.2 section 6.4.3/6.4.5: GET (FETCH) with Observe=1, same token and paths; queued for a sleeping client.
      await this.#h.sendCancel(live.endpoint, () => obs.cancel('active'))
    } catch (err) {
      this.#h.logger.debug('active cancellation not sent', {
        endpoint: live.endpoint,
        error: err instanceof Error ? err.message : String(err),
      })
      await obs.cancel('passive')
    }
  }

  #notification(live: Live, res: CoapResponse, initial: boolean): Notification {
    const op = live.op!
    const ctx = live.ctx!
    const reg = live.registration!
    const receivedAt = this.#h.now()
    // One literal per kind, no spread of a common part: this runs for every notification.
    if (op.kind === 'observe') {
      const r = parseNotification(op, res, ctx)
      const n: NodeNotification = {
        subscription: live.control.subscription.id,
        endpoint: reg.endpoint,
        registrationId: reg.id,
        receivedAt,
        initial,
        contentFormat: r.contentFormat,
        timestamped: r.timestamped,
        kind: 'observe',
        path: op.path,
        node: r.node,
      }
      return n
    }
    const r = parseNotification(op, res, ctx)
    const n: CompositeNotification = {
      subscription: live.control.subscription.id,
      endpoint: reg.endpoint,
      registrationId: reg.id,
      receivedAt,
      initial,
      contentFormat: r.contentFormat,
      timestamped: r.timestamped,
      kind: 'observeComposite',
      paths: op.paths,
      nodes: r.nodes,
    }
    return n
  }

  #deliver(live: Live, n: Notification): void {
    live.control.deliver(n)
    this.#h.emitNotification(n)
  }

  #onNotification(id: string, res: CoapResponse): void {
    const live = this.#live.get(id)
    if (live === undefined || live.registration === undefined) return
    this.#h.seen(live.endpoint)
    if (live.early !== undefined) {
      live.early.push(res)
      return
    }
    if (live.control.subscription.ended !== undefined) return
    let n: Notification
    try {
      n = this.#notification(live, res, false)
    } catch (err) {
      if (isResponseError(err)) {
        // RFC 7641 section 3.2: an error answer ends the observation (Core TS 1.2 section 6.4.2).
        this.#live.delete(id)
        void this.#forget(id)
        live.control.end('failed', err)
        return
      }
      this.#h.logger.warn('undecodable notification', {
        endpoint: live.endpoint,
        error: err instanceof Error ? err.message : String(err),
      })
      live.control.invalid(err instanceof Error ? err : new Error(String(err)))
      return
    }
    this.#deliver(live, n)
  }

  #relationEnded(id: string, reason: unknown): void {
    const live = this.#live.get(id)
    if (live === undefined) return
    this.#live.delete(id)
    void this.#forget(id)
    const coap = CoapError.isInstance(reason) ? reason : undefined
    const error =
      coap?.code === 'COAP_RESET'
        ? new ServerError('RESET', `${live.endpoint} reset the observation`, {
            endpoint: live.endpoint,
            cause: reason,
          })
        : new ServerError('TRANSPORT', `${live.endpoint} ended the observation`, {
            endpoint: live.endpoint,
            cause: reason,
          })
    live.control.end('failed', error)
  }
}
