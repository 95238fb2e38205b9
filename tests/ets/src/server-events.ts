import type { Clock } from '@lwm2m/coap'
import type { Lwm2mServer, ServerEvents } from '@lwm2m/server'

/** Registration events the ETS cases judge the server by. */
type Recorded = 'registered' | 'updated' | 'deregistered' | 'expired' | 'awake' | 'sleeping' | 'send'

/** One server event with the clock time it happened. */
export interface RecordedEvent<E extends Recorded = Recorded> {
  readonly event: E
  readonly at: number
  readonly args: ServerEvents[E]
}

/** Keeps the server's events in order, so that a test reads what the server concluded and when. */
export interface ServerEventLog {
  all<E extends Recorded>(event: E): RecordedEvent<E>[]
  /** The next event of this kind after now (or the first at/after `since` already recorded). */
  next<E extends Recorded>(event: E, since?: number): Promise<RecordedEvent<E>>
  /** A mark for `next(event, since)`: the number of events so far. */
  mark(): number
}

const RECORDED: readonly Recorded[] = [
  'registered',
  'updated',
  'deregistered',
  'expired',
  'awake',
  'sleeping',
  'send',
]

export function recordServerEvents(server: Lwm2mServer, clock: Clock): ServerEventLog {
  const log: RecordedEvent[] = []
  const waiters: { event: Recorded; resolve: (e: RecordedEvent) => void }[] = []
  for (const event of RECORDED) {
    server.on(event, (...args: unknown[]) => {
      const e = { event, at: clock.now(), args } as unknown as RecordedEvent
      log.push(e)
      for (const w of [...waiters]) {
        if (w.event !== event) continue
        waiters.splice(waiters.indexOf(w), 1)
        w.resolve(e)
      }
    })
  }
  return {
    all: <E extends Recorded>(event: E) => log.filter((e) => e.event === event) as RecordedEvent<E>[],
    next<E extends Recorded>(event: E, since?: number): Promise<RecordedEvent<E>> {
      if (since !== undefined) {
        const found = log.slice(since).find((e) => e.event === event)
        if (found !== undefined) return Promise.resolve(found as RecordedEvent<E>)
      }
      return new Promise((resolve) => waiters.push({ event, resolve: resolve as (e: RecordedEvent) => void }))
    },
    mark: () => log.length,
  }
}
