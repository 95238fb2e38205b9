import type { Clock, Deadline, DeadlineQueue } from '@lwm2m/coap'

/** Node's timers take at most 2^31-1 ms; longer waits are re-armed in steps of this. */
const MAX_STEP = 2 ** 31 - 1

/** The client's one deadline queue and its clock. */
export interface Scheduler {
  readonly clock: Clock
  readonly queue: DeadlineQueue
}

/**
 * A re-armable deadline in the client's one {@link DeadlineQueue}: registration updates,
 * retry waits, queue-mode awake times, disable timeouts and every observation's pmin,
 * pmax and epmax all share the queue's single clock timer. Deadlines further than a
 * Node timer can wait (24.8 days) are reached in steps.
 */
export class Timer implements Deadline {
  deadline = 0
  heapIndex = -1
  #target = 0

  constructor(
    private readonly scheduler: Scheduler,
    private readonly fn: (now: number) => void,
  ) {}

  /** Arms (or moves) the timer for absolute clock time `time`. */
  at(time: number): void {
    this.#target = time
    const now = this.scheduler.clock.now()
    this.scheduler.queue.schedule(this, time - now > MAX_STEP ? now + MAX_STEP : time)
  }

  /** Arms the timer `ms` milliseconds from now. */
  in(ms: number): void {
    this.at(this.scheduler.clock.now() + Math.max(0, ms))
  }

  cancel(): void {
    this.scheduler.queue.cancel(this)
  }

  get armed(): boolean {
    return this.heapIndex >= 0
  }

  /** The clock time the timer is armed for, or undefined. */
  get target(): number | undefined {
    return this.armed ? this.#target : undefined
  }

  onDeadline(now: number): void {
    if (now < this.#target) {
      this.at(this.#target)
      return
    }
    this.fn(now)
  }
}

/**
 * Resolves true after `ms` milliseconds of the scheduler's clock, or false as soon as
 * `signal` aborts (the waiting procedure is abandoned).
 */
export function wait(scheduler: Scheduler, ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false)
  return new Promise<boolean>((resolve) => {
    const onAbort = (): void => {
      timer.cancel()
      resolve(false)
    }
    const timer = new Timer(scheduler, () => {
      signal.removeEventListener('abort', onAbort)
      resolve(true)
    })
    signal.addEventListener('abort', onAbort, { once: true })
    timer.in(ms)
  })
}
