import type { Clock, TimerHandle } from './clock.js'

interface FakeTimer {
  readonly id: number
  readonly at: number
  readonly fn: () => void
}

/**
 * A manual clock for tests: time stands still until {@link FakeClock.advance} or
 * {@link FakeClock.advanceAsync} moves it, and timers run in the order of their due
 * times (ties in the order they were set). No dependency on a test framework.
 */
export class FakeClock implements Clock {
  #now: number
  #seq = 0
  readonly #timers = new Map<number, FakeTimer>()

  constructor(start = 0) {
    this.#now = start
  }

  now(): number {
    return this.#now
  }

  setTimeout(fn: () => void, delay: number): TimerHandle {
    const id = ++this.#seq
    const d = Number.isFinite(delay) && delay > 0 ? delay : 0
    this.#timers.set(id, { id, at: this.#now + d, fn })
    return id
  }

  clearTimeout(handle: TimerHandle): void {
    if (typeof handle === 'number') this.#timers.delete(handle)
  }

  /** Timers set and not yet run or cleared. */
  get pending(): number {
    return this.#timers.size
  }

  /** The due time of the next timer, or undefined when none is set. */
  nextDue(): number | undefined {
    return this.#next()?.at
  }

  #next(): FakeTimer | undefined {
    let best: FakeTimer | undefined
    for (const t of this.#timers.values()) {
      if (best === undefined || t.at < best.at || (t.at === best.at && t.id < best.id)) best = t
    }
    return best
  }

  #runNext(until: number): boolean {
    const t = this.#next()
    if (t === undefined || t.at > until) return false
    this.#timers.delete(t.id)
    if (t.at > this.#now) this.#now = t.at
    t.fn()
    return true
  }

  /**
   * Moves time forward by `ms`, running every timer that falls due on the way (also
   * those set by timers that run), each with `now()` at its due time. Synchronous:
   * promise continuations run only after it returns; see {@link advanceAsync}.
   */
  advance(ms: number): void {
    const until = this.#now + Math.max(0, ms)
    while (this.#runNext(until)) {}
    this.#now = until
  }

  /**
   * Like {@link advance}, but lets pending promise continuations and I/O callbacks
   * (setImmediate) run before and after each timer, so that async code under test
   * reacts to each timer before the next one fires.
   */
  async advanceAsync(ms: number): Promise<void> {
    const until = this.#now + Math.max(0, ms)
    await settle()
    while (this.#runNext(until)) await settle()
    this.#now = until
    await settle()
  }

  /** Runs timers (async, as {@link advanceAsync}) until none is left or `limit` ms have passed. */
  async runAllAsync(limit = 7 * 24 * 3600_000): Promise<void> {
    const end = this.#now + limit
    await settle()
    while (this.#runNext(end)) await settle()
  }
}

/** Lets queued microtasks and immediates run: a few turns of both. */
async function settle(): Promise<void> {
  for (let i = 0; i < 3; i++) {
    await new Promise<void>((resolve) => setImmediate(resolve))
  }
}
