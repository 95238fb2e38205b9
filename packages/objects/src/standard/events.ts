import type { Logger } from '@lwm2m/coap'

/** A typed set of listeners per event name; a listener that throws is logged and the others still run. */
export interface Emitter<Events extends Record<string, unknown>> {
  /** Adds a listener; returns the function that removes it. */
  on<K extends keyof Events>(event: K, listener: (payload: Events[K]) => void | Promise<void>): () => void
}

/** The emitting side, for the object that owns the events. */
export interface EmitterControl<Events extends Record<string, unknown>> extends Emitter<Events> {
  /** Calls every listener of `event`, awaiting those that return promises; errors are logged, never thrown. */
  emit<K extends keyof Events>(event: K, payload: Events[K]): Promise<void>
  count(event: keyof Events): number
}

export function createEmitter<Events extends Record<string, unknown>>(
  logger: Logger,
  owner: string,
): EmitterControl<Events> {
  const sets = new Map<keyof Events, Set<(payload: never) => void | Promise<void>>>()
  return {
    on(event, listener) {
      let set = sets.get(event)
      if (set === undefined) sets.set(event, (set = new Set()))
      set.add(listener as (payload: never) => void)
      return () => {
        set.delete(listener as (payload: never) => void)
      }
    },
    async emit(event, payload) {
      for (const listener of [...(sets.get(event) ?? [])]) {
        try {
          await (listener as (p: typeof payload) => void | Promise<void>)(payload)
        } catch (error) {
          logger.error(`${owner}: a "${String(event)}" listener failed`, {
            error: error instanceof Error ? error.message : String(error),
          })
        }
      }
    },
    count: (event) => sets.get(event)?.size ?? 0,
  }
}
