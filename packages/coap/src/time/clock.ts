/** An opaque timer handle from a {@link Clock}. */
export type TimerHandle = unknown

/**
 * Time and timers, injected everywhere so that tests run hours of lifetimes and
 * retransmissions in milliseconds with a fake clock (see `@lwm2m/coap/testing`).
 */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number
  /** Calls `fn` once after `delay` milliseconds. */
  setTimeout(fn: () => void, delay: number): TimerHandle
  clearTimeout(handle: TimerHandle): void
}

/** The real clock: Date.now and Node's timers, unref'd so that they never keep a process alive alone. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout(fn, delay) {
    const t = setTimeout(fn, delay)
    t.unref()
    return t
  },
  clearTimeout(handle) {
    clearTimeout(handle as ReturnType<typeof setTimeout>)
  },
}
