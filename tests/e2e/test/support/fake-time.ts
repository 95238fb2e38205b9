/** Driving a FakeClock shared by a client and a server over the in-memory network. */
import type { FakeClock } from '@lwm2m/coap'

/** Lets the in-memory network and the promise chains it starts run to rest. */
export async function settle(turns = 20): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise<void>((r) => setImmediate(r))
}

/**
 * Moves fake time forward by `ms`, timer by timer, letting every exchange a timer starts
 * finish (on the in-memory network it takes no fake time) before the next timer fires.
 */
export async function runFor(clock: FakeClock, ms: number): Promise<void> {
  const end = clock.now() + ms
  for (;;) {
    await settle()
    const next = clock.nextDue()
    if (next === undefined || next > end) break
    await clock.advanceAsync(Math.max(0, next - clock.now()))
  }
  await clock.advanceAsync(Math.max(0, end - clock.now()))
  await settle()
}

/** Moves fake time timer by timer until `promise` settles (at most `limit` ms), and returns its value. */
export async function runUntil<T>(
  clock: FakeClock,
  promise: Promise<T>,
  limit = 7 * 24 * 3600_000,
): Promise<T> {
  let done = false
  const watched = promise.finally(() => {
    done = true
  })
  watched.catch(() => {})
  const end = clock.now() + limit
  await settle()
  while (!done) {
    const next = clock.nextDue()
    if (next === undefined || next > end)
      throw new Error(`nothing settled it within ${limit} ms of fake time`)
    await clock.advanceAsync(Math.max(0, next - clock.now()))
    await settle()
  }
  return watched
}
