import type { Clock, TimerHandle } from '@lwm2m/coap'

/** A {@link Clock} that moves only when told: for tests of timers in implementations. */
export interface ManualClock extends Clock {
  /** Moves time forward by `ms`, running due timers in deadline order (timers they set run too if due). */
  advance(ms: number): void
  /** How many timers are pending. */
  pending(): number
}

/** A manual clock starting at `start` milliseconds since the epoch (default 1 700 000 000 000). */
export function manualClock(start = 1_700_000_000_000): ManualClock {
  let now = start
  let seq = 0
  const timers = new Map<number, { at: number; fn: () => void; seq: number }>()
  return {
    now: () => now,
    setTimeout(fn, delay) {
      const id = ++seq
      timers.set(id, { at: now + Math.max(0, delay), fn, seq: id })
      return id as TimerHandle
    },
    clearTimeout(handle) {
      timers.delete(handle as number)
    },
    advance(ms) {
      const end = now + ms
      for (;;) {
        let next: [number, { at: number; fn: () => void; seq: number }] | undefined
        for (const entry of timers) {
          if (entry[1].at > end) continue
          if (
            next === undefined ||
            entry[1].at < next[1].at ||
            (entry[1].at === next[1].at && entry[1].seq < next[1].seq)
          )
            next = entry
        }
        if (next === undefined) break
        timers.delete(next[0])
        now = Math.max(now, next[1].at)
        next[1].fn()
      }
      now = end
    },
    pending: () => timers.size,
  }
}
