import type { Lwm2mPath } from '@lwm2m/core'
import { ServerError } from '../errors.js'
import type { Notification } from './notification.js'

/**
 * Why a subscription ended:
 * - 'cancelled': `cancel()` (or leaving a `for await` loop);
 * - 'deregistered', 'expired', 'replaced': the registration ended (re-registration replaces it);
 * - 'refused': the client answered without starting an observation (a plain 2.05, RFC 7641 section 4.1);
 * - 'failed': the Observe request failed, the client answered or notified an error code, or reset the relation;
 * - 'stopped': the server stopped.
 */
export type SubscriptionEndReason =
  | 'cancelled'
  | 'deregistered'
  | 'expired'
  | 'replaced'
  | 'refused'
  | 'failed'
  | 'stopped'

/** How a subscription ended. `error` is set for 'failed'. */
export interface SubscriptionEnd {
  readonly reason: SubscriptionEndReason
  readonly error: Error | undefined
}

/** The events of a subscription. */
export interface SubscriptionEvents<N extends Notification> {
  /** Each notification, the initial answer first. */
  notification: [notification: N]
  /** A notification that could not be decoded (the subscription goes on). */
  invalid: [error: Error]
  /** The subscription ended. */
  end: [end: SubscriptionEnd]
}

/** Options of a cancellation. */
export interface CancelOptions {
  /**
   * true: forget the observation here only; the CoAP layer answers the client's next
   * notification with RST (RFC 7641 section 3.6). false (the default): send the cancellation
   * (GET or FETCH with Observe=1 and the same token and paths).
   */
  readonly passive?: boolean
}

/** What the server does for a subscription. */
export interface SubscriptionHost {
  cancel(subscription: Subscription<Notification>, passive: boolean): Promise<void>
  listenerError(error: unknown): void
}

/** The server's handle on a subscription: delivers into it and ends it. */
export interface SubscriptionControl<N extends Notification> {
  readonly subscription: Subscription<N>
  /** The client accepted: the registration it belongs to. */
  established(registrationId: string): void
  deliver(notification: N): void
  invalid(error: Error): void
  /** Ends it; false when it had ended already. */
  end(reason: SubscriptionEndReason, error?: Error): boolean
}

type Listener<A extends unknown[]> = (...args: A) => void
// biome-ignore lint/suspicious/noExplicitAny: listeners of every event share one table
type AnyListener = (...args: any[]) => void

/**
 * An observation of one path (Observe) or several (Observe-Composite): an async iterator of
 * its notifications, the initial answer first, and an emitter of `notification`, `invalid`
 * and `end` events. Notifications wait in a bounded buffer until the iterator takes them
 * (the oldest are dropped beyond, counted in `dropped`). The iterator ends when the
 * subscription ends, and throws its error when it 'failed'. Leaving a `for await` loop
 * cancels the observation (actively).
 */
export class Subscription<N extends Notification> implements AsyncIterable<N> {
  readonly id: string
  readonly endpoint: string
  /** The observed paths (one for Observe). */
  readonly paths: readonly Lwm2mPath[]
  readonly composite: boolean
  /** Resolves with the initial notification; rejects when the observation could not be made. */
  readonly ready: Promise<N>

  readonly #host: SubscriptionHost
  readonly #bufferSize: number
  #buffer: N[] = []
  #head = 0
  #waiter: { resolve(r: IteratorResult<N>): void; reject(e: unknown): void } | undefined
  #registrationId: string | undefined
  #end: SubscriptionEnd | undefined
  #errorThrown = false
  #dropped = 0
  #readyResolve!: (n: N) => void
  #readyReject!: (e: unknown) => void
  #readyDone = false
  readonly #listeners = new Map<keyof SubscriptionEvents<N>, Set<AnyListener>>()

  private constructor(
    host: SubscriptionHost,
    id: string,
    endpoint: string,
    paths: readonly Lwm2mPath[],
    composite: boolean,
    bufferSize: number,
  ) {
    this.#host = host
    this.id = id
    this.endpoint = endpoint
    this.paths = paths
    this.composite = composite
    this.#bufferSize = bufferSize
    this.ready = new Promise<N>((resolve, reject) => {
      this.#readyResolve = resolve
      this.#readyReject = reject
    })
    // The caller may use only the iterator or the events: never an unhandled rejection.
    this.ready.catch(() => {})
  }

  /** @internal Creates a subscription and the server's handle on it. */
  static create<N extends Notification>(
    host: SubscriptionHost,
    init: {
      readonly id: string
      readonly endpoint: string
      readonly paths: readonly Lwm2mPath[]
      readonly composite: boolean
      readonly bufferSize: number
    },
  ): SubscriptionControl<N> {
    const s = new Subscription<N>(host, init.id, init.endpoint, init.paths, init.composite, init.bufferSize)
    return {
      subscription: s,
      established: (registrationId) => {
        s.#registrationId = registrationId
      },
      deliver: (n) => s.#deliver(n),
      invalid: (e) => s.#emit('invalid', e),
      end: (reason, error) => s.#finish(reason, error),
    }
  }

  /** The registration the observation belongs to, once the client accepted it. */
  get registrationId(): string | undefined {
    return this.#registrationId
  }

  /** True while the observation runs (accepted and not ended). */
  get active(): boolean {
    return this.#registrationId !== undefined && this.#end === undefined
  }

  /** How it ended, or undefined while it runs (or is being made). */
  get ended(): SubscriptionEnd | undefined {
    return this.#end
  }

  /** Notifications dropped because the buffer was full and nobody took them. */
  get dropped(): number {
    return this.#dropped
  }

  /**
   * Ends the observation: actively by default (the client is told, through its queue when it
   * sleeps), passively with `{ passive: true }`. Resolves once done; never rejects.
   */
  cancel(options: CancelOptions = {}): Promise<void> {
    if (this.#end !== undefined) return Promise.resolve()
    return this.#host.cancel(this as unknown as Subscription<Notification>, options.passive === true)
  }

  on<E extends keyof SubscriptionEvents<N>>(event: E, listener: Listener<SubscriptionEvents<N>[E]>): this {
    let set = this.#listeners.get(event)
    if (set === undefined) this.#listeners.set(event, (set = new Set()))
    set.add(listener)
    return this
  }

  off<E extends keyof SubscriptionEvents<N>>(event: E, listener: Listener<SubscriptionEvents<N>[E]>): this {
    this.#listeners.get(event)?.delete(listener)
    return this
  }

  once<E extends keyof SubscriptionEvents<N>>(event: E, listener: Listener<SubscriptionEvents<N>[E]>): this {
    const wrapped = ((...args: SubscriptionEvents<N>[E]) => {
      this.off(event, wrapped)
      listener(...args)
    }) as Listener<SubscriptionEvents<N>[E]>
    return this.on(event, wrapped)
  }

  [Symbol.asyncIterator](): AsyncIterator<N> {
    return {
      next: () => this.#next(),
      return: async () => {
        await this.cancel()
        return { value: undefined, done: true }
      },
    }
  }

  #emit<E extends keyof SubscriptionEvents<N>>(event: E, ...args: SubscriptionEvents<N>[E]): void {
    const set = this.#listeners.get(event)
    if (set === undefined) return
    for (const fn of [...set]) {
      try {
        fn(...args)
      } catch (err) {
        this.#host.listenerError(err)
      }
    }
  }

  #deliver(n: N): void {
    if (this.#end !== undefined) return
    if (!this.#readyDone) {
      this.#readyDone = true
      this.#readyResolve(n)
    }
    const w = this.#waiter
    if (w !== undefined) {
      this.#waiter = undefined
      w.resolve({ value: n, done: false })
    } else {
      if (this.#buffer.length - this.#head >= this.#bufferSize) {
        this.#head++
        this.#dropped++
      }
      this.#buffer.push(n)
      if (this.#head > 64 && this.#head * 2 > this.#buffer.length) {
        this.#buffer = this.#buffer.slice(this.#head)
        this.#head = 0
      }
    }
    this.#emit('notification', n)
  }

  #finish(reason: SubscriptionEndReason, error?: Error): boolean {
    if (this.#end !== undefined) return false
    this.#end = { reason, error }
    if (!this.#readyDone) {
      this.#readyDone = true
      this.#readyReject(
        error ??
          new ServerError(
            reason === 'stopped' ? 'STOPPED' : reason === 'cancelled' ? 'ABORTED' : 'REGISTRATION_ENDED',
            `the observation of ${this.endpoint} ended before it started (${reason})`,
            { endpoint: this.endpoint },
          ),
      )
    }
    const w = this.#waiter
    if (w !== undefined && this.#head >= this.#buffer.length) {
      this.#waiter = undefined
      if (error !== undefined) {
        this.#errorThrown = true
        w.reject(error)
      } else w.resolve({ value: undefined, done: true })
    }
    this.#emit('end', this.#end)
    return true
  }

  #next(): Promise<IteratorResult<N>> {
    if (this.#head < this.#buffer.length) {
      const value = this.#buffer[this.#head]!
      this.#buffer[this.#head++] = undefined as never
      if (this.#head === this.#buffer.length) {
        this.#buffer = []
        this.#head = 0
      }
      return Promise.resolve({ value, done: false })
    }
    const end = this.#end
    if (end !== undefined) {
      if (end.error !== undefined && !this.#errorThrown) {
        this.#errorThrown = true
        return Promise.reject(end.error)
      }
      return Promise.resolve({ value: undefined, done: true })
    }
    if (this.#waiter !== undefined) {
      return Promise.reject(
        new TypeError('a subscription has one consumer: await each next() before the next'),
      )
    }
    return new Promise((resolve, reject) => {
      this.#waiter = { resolve, reject }
    })
  }
}
