/**
 * Running a case on a FakeClock: the event loop (and the network) runs, and the clock moves
 * only when nothing else can happen, and then only to the next timer. Shared by `harness.ts`
 * and `harness-b.ts`.
 */
import type { FakeClock } from '@lwm2m/coap'

function turn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve))
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

/** Lets the event loop run (datagrams in flight, promise chains) without moving the clock. */
export async function settle(turns = 40): Promise<void> {
  for (let i = 0; i < turns; i++) await turn()
}

export interface UntilOptions {
  /** How far the fake clock may move, ms (default 30 days). */
  readonly limit?: number | undefined
  /** Event-loop turns to let run before each move of the clock (default 40). */
  readonly turns?: number
  /** Real sockets: also sleep a little (up to 200 ms of real time) before each move, for the kernel. */
  readonly realIo?: boolean
}

/**
 * Waits for `promise`, letting the network and the event loop run and moving the fake
 * clock only when nothing else can happen, and then only to the next timer: the promise
 * settles at the earliest instant it can. Throws when no timer is left within the limit.
 */
export async function untilSettled<T>(
  clock: FakeClock,
  promise: Promise<T>,
  options: UntilOptions = {},
): Promise<T> {
  const limit = options.limit ?? 30 * 24 * 3600_000
  const turns = options.turns ?? 40
  let settled = false
  let value: T | undefined
  let failure: unknown
  let failed = false
  promise.then(
    (v) => {
      settled = true
      value = v
    },
    (e) => {
      settled = true
      failed = true
      failure = e
    },
  )
  const end = clock.now() + limit
  for (;;) {
    for (let i = 0; i < turns && !settled; i++) await turn()
    for (let i = 0; options.realIo === true && i < 100 && !settled; i++) await sleep(2)
    if (settled) break
    const next = clock.nextDue()
    if (next === undefined || next > end) throw new Error(`nothing settled within ${limit} ms of fake time`)
    await clock.advanceAsync(Math.max(0, next - clock.now()))
  }
  if (failed) throw failure
  return value as T
}

/**
 * Moves the fake clock by `ms`, timer by timer, letting the event loop and the network run
 * after each one, so that what a timer starts (a notification) arrives at its instant.
 */
export async function advanceClock(clock: FakeClock, ms: number): Promise<void> {
  const target = clock.now() + Math.max(0, ms)
  await settle()
  for (;;) {
    const next = clock.nextDue()
    if (next === undefined || next > target) break
    await clock.advanceAsync(Math.max(0, next - clock.now()))
    await settle()
  }
  await clock.advanceAsync(Math.max(0, target - clock.now()))
  await settle()
}
