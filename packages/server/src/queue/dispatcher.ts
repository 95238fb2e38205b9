import type { Clock, Deadline, DeadlineQueue } from '@lwm2m/coap'
import { ServerError } from '../errors.js'

/** What a task gets when it runs: the time it has left (if the caller set a timeout) and the caller's signal. */
export interface TaskContext {
  /** Milliseconds left of the caller's timeout, undefined when it set none. */
  readonly timeout: number | undefined
  readonly signal: AbortSignal | undefined
  /** True when the task waited in the queue before it started. */
  readonly waited: boolean
}

/** How to submit a task. */
export interface SubmitOptions {
  /** The caller's overall timeout in ms, counted from submission; waiting in the queue uses it up. */
  readonly timeout?: number | undefined
  readonly signal?: AbortSignal | undefined
  /** How long the task may wait in the queue when the caller gave no timeout, ms. */
  readonly queueTimeout: number
}

/** What the dispatcher reports. */
export interface DispatcherHost {
  awake(endpoint: string): void
  sleeping(endpoint: string): void
}

/** Options of a {@link Dispatcher}. */
export interface DispatcherOptions {
  readonly clock: Clock
  /** The deadline queue of the server (one timer for every deadline). */
  readonly deadlines: DeadlineQueue
  readonly host: DispatcherHost
  readonly inFlightPerClient: number
  readonly inFlightPolicy: 'queue' | 'fail'
  readonly queuedPerClient: number
  /** How long a queue-mode client stays reachable after its last message, ms. */
  readonly awakeTime: number
}

class Job implements Deadline {
  deadline = 0
  heapIndex = -1
  readonly link: ClientLink
  readonly run: (ctx: TaskContext) => Promise<unknown>
  readonly resolve: (value: unknown) => void
  readonly reject: (error: unknown) => void
  readonly expiresAt: number
  readonly hasTimeout: boolean
  readonly signal: AbortSignal | undefined
  onAbort: (() => void) | undefined = undefined
  readonly dispatcher: Dispatcher

  constructor(
    dispatcher: Dispatcher,
    link: ClientLink,
    run: (ctx: TaskContext) => Promise<unknown>,
    resolve: (value: unknown) => void,
    reject: (error: unknown) => void,
    expiresAt: number,
    hasTimeout: boolean,
    signal: AbortSignal | undefined,
  ) {
    this.dispatcher = dispatcher
    this.link = link
    this.run = run
    this.resolve = resolve
    this.reject = reject
    this.expiresAt = expiresAt
    this.hasTimeout = hasTimeout
    this.signal = signal
  }

  onDeadline(): void {
    this.dispatcher.expire(this)
  }
}

/** The per-client state: requests in flight, requests waiting, and (queue mode) whether it is awake. */
class ClientLink implements Deadline {
  deadline = 0
  heapIndex = -1
  queueMode = false
  awake = true
  inFlight = 0
  readonly waiting: Job[] = []
  readonly endpoint: string
  readonly dispatcher: Dispatcher

  /** Called when a task of this client settles (one function per client, not per task). */
  readonly settled: () => void

  constructor(dispatcher: Dispatcher, endpoint: string) {
    this.dispatcher = dispatcher
    this.endpoint = endpoint
    this.settled = () => dispatcher.settled(this)
  }

  /** The awake time passed without a message: the client sleeps. */
  onDeadline(): void {
    this.dispatcher.fallAsleep(this)
  }
}

/**
 * Sends requests to clients in order, per client (keyed by endpoint name, so that a
 * re-registration keeps the queue): at most `inFlightPerClient` at once, and for a
 * queue-mode client only while it is awake (Core TS 1.2 section 6.5: the server sends when
 * the client is reachable, MAX_TRANSMIT_WAIT after its last message). Waiting requests form
 * a bounded FIFO queue, each with its deadline in the server's deadline queue (no timer per
 * request). State exists only for clients with requests or in queue mode.
 */
export class Dispatcher {
  readonly #o: DispatcherOptions
  readonly #links = new Map<string, ClientLink>()
  #closed: Error | undefined

  constructor(options: DispatcherOptions) {
    this.#o = options
  }

  /** Runs `task` now, or queues it; rejects with ServerError QUEUE_FULL, LIMIT, TIMEOUT, ABORTED. */
  submit<T>(endpoint: string, task: (ctx: TaskContext) => Promise<T>, options: SubmitOptions): Promise<T> {
    if (this.#closed !== undefined) return Promise.reject(this.#closed)
    const signal = options.signal
    if (signal?.aborted) {
      return Promise.reject(
        new ServerError('ABORTED', `the request to ${endpoint} was aborted`, { endpoint }),
      )
    }
    const link = this.#link(endpoint)
    if (this.#canStart(link) && link.waiting.length === 0) {
      // Room now: the task's own promise is the answer, no Job and no promise around it.
      const timeout = options.timeout === undefined ? undefined : Math.max(1, options.timeout)
      return this.#run(link, task, { timeout, signal, waited: false }) as Promise<T>
    }
    return new Promise<T>((resolve, reject) => {
      const now = this.#o.clock.now()
      const job = new Job(
        this,
        link,
        task as (ctx: TaskContext) => Promise<unknown>,
        resolve as (value: unknown) => void,
        reject,
        now + (options.timeout ?? options.queueTimeout),
        options.timeout !== undefined,
        signal,
      )
      const reachable = !link.queueMode || link.awake
      if (reachable && this.#o.inFlightPolicy === 'fail') {
        this.#drop(link)
        return reject(
          new ServerError(
            'LIMIT',
            `${endpoint} has ${link.inFlight} requests in flight (limit ${this.#o.inFlightPerClient})`,
            { endpoint },
          ),
        )
      }
      if (link.waiting.length >= this.#o.queuedPerClient) {
        this.#drop(link)
        return reject(
          new ServerError('QUEUE_FULL', `${link.waiting.length} requests already wait for ${endpoint}`, {
            endpoint,
          }),
        )
      }
      link.waiting.push(job)
      this.#o.deadlines.schedule(job, job.expiresAt)
      if (signal !== undefined) {
        job.onAbort = () => {
          if (this.#unqueue(job)) {
            job.reject(new ServerError('ABORTED', `the request to ${endpoint} was aborted`, { endpoint }))
            this.#drop(job.link)
          }
        }
        signal.addEventListener('abort', job.onAbort, { once: true })
      }
    })
  }

  /** Puts a client in queue mode or out of it (Register, Update). In queue mode it counts as awake now. */
  setQueueMode(endpoint: string, queueMode: boolean): void {
    if (this.#closed !== undefined) return
    const link = queueMode ? this.#link(endpoint) : this.#links.get(endpoint)
    if (link === undefined) return
    link.queueMode = queueMode
    if (queueMode) {
      this.#wake(link)
    } else {
      this.#o.deadlines.cancel(link)
      link.awake = true
      this.#pump(link)
      this.#drop(link)
    }
  }

  /** The client sent a message: a queue-mode client is awake for the awake time, and its queue flows. */
  seen(endpoint: string): void {
    const link = this.#links.get(endpoint)
    if (link === undefined || this.#closed !== undefined) return
    if (link.queueMode) this.#wake(link)
    this.#pump(link)
  }

  /** A request to the client timed out: a queue-mode client went to sleep early. */
  unreachable(endpoint: string): void {
    const link = this.#links.get(endpoint)
    if (link === undefined || !link.queueMode || !link.awake) return
    this.#o.deadlines.cancel(link)
    this.fallAsleep(link)
  }

  /** True/false for a queue-mode client's state; undefined for a client not in queue mode. */
  isAwake(endpoint: string): boolean | undefined {
    const link = this.#links.get(endpoint)
    return link?.queueMode ? link.awake : undefined
  }

  /** Requests waiting for `endpoint`. */
  queued(endpoint: string): number {
    return this.#links.get(endpoint)?.waiting.length ?? 0
  }

  /** The client's registration ended: waiting requests fail with `error`, its state goes. */
  end(endpoint: string, error: Error): void {
    const link = this.#links.get(endpoint)
    if (link === undefined) return
    this.#o.deadlines.cancel(link)
    link.queueMode = false
    this.#failAll(link, error)
    this.#links.delete(endpoint)
  }

  /** Fails every waiting request with `error` and refuses new ones. */
  close(error: Error): void {
    this.#closed = error
    for (const link of this.#links.values()) {
      this.#o.deadlines.cancel(link)
      this.#failAll(link, error)
    }
    this.#links.clear()
  }

  /** Clients with state (for tests and monitoring). */
  get size(): number {
    return this.#links.size
  }

  /** @internal A waiting job's deadline passed. */
  expire(job: Job): void {
    if (!this.#unqueue(job)) return
    const ep = job.link.endpoint
    job.reject(
      new ServerError('TIMEOUT', `the request to ${ep} waited in its queue until its deadline`, {
        endpoint: ep,
      }),
    )
    this.#drop(job.link)
  }

  /** @internal */
  fallAsleep(link: ClientLink): void {
    if (!link.queueMode || !link.awake) return
    link.awake = false
    this.#o.host.sleeping(link.endpoint)
  }

  #wake(link: ClientLink): void {
    const was = link.awake
    link.awake = true
    this.#o.deadlines.schedule(link, this.#o.clock.now() + this.#o.awakeTime)
    if (!was) this.#o.host.awake(link.endpoint)
  }

  #link(endpoint: string): ClientLink {
    let link = this.#links.get(endpoint)
    if (link === undefined) {
      link = new ClientLink(this, endpoint)
      this.#links.set(endpoint, link)
    }
    return link
  }

  #canStart(link: ClientLink): boolean {
    return (!link.queueMode || link.awake) && link.inFlight < this.#o.inFlightPerClient
  }

  #start(job: Job, waited: boolean): void {
    const left = job.hasTimeout ? Math.max(1, job.expiresAt - this.#o.clock.now()) : undefined
    this.#run(job.link, job.run, { timeout: left, signal: job.signal, waited }).then(job.resolve, job.reject)
  }

  /** Runs a task on `link`, counted in flight until it settles. */
  #run(link: ClientLink, task: (ctx: TaskContext) => Promise<unknown>, ctx: TaskContext): Promise<unknown> {
    link.inFlight++
    let p: Promise<unknown>
    try {
      p = task(ctx)
    } catch (err) {
      p = Promise.reject(err)
    }
    p.then(link.settled, link.settled)
    return p
  }

  /** @internal A task of `link` settled: its slot is free. */
  settled(link: ClientLink): void {
    link.inFlight--
    if (this.#links.get(link.endpoint) === link) {
      this.#pump(link)
      this.#drop(link)
    }
  }

  #pump(link: ClientLink): void {
    while (link.waiting.length > 0 && this.#canStart(link)) {
      const job = link.waiting.shift()!
      this.#release(job)
      this.#start(job, true)
    }
  }

  #unqueue(job: Job): boolean {
    const i = job.link.waiting.indexOf(job)
    if (i < 0) return false
    job.link.waiting.splice(i, 1)
    this.#release(job)
    return true
  }

  /** A job leaves the queue: its deadline and its abort listener go. */
  #release(job: Job): void {
    this.#o.deadlines.cancel(job)
    if (job.onAbort !== undefined) job.signal!.removeEventListener('abort', job.onAbort)
  }

  #failAll(link: ClientLink, error: Error): void {
    const jobs = link.waiting.splice(0, link.waiting.length)
    for (const job of jobs) {
      this.#release(job)
      job.reject(error)
    }
  }

  /** Forgets a client's state when nothing needs it. */
  #drop(link: ClientLink): void {
    if (!link.queueMode && link.inFlight === 0 && link.waiting.length === 0) {
      if (this.#links.get(link.endpoint) === link) this.#links.delete(link.endpoint)
    }
  }
}
