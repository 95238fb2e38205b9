import type { ResourceValue } from '@lwm2m/core'
import type { ReadHandler, ResourceContent } from '../object/define-object.js'
import type { Awaitable } from '../object/result.js'

/**
 * A resource value as the standard objects take it: the value itself (kept, changed
 * with the object's `update`), or a function read each time (call the object's
 * `changed` when its result changes, so that observers hear of it).
 */
export type Value<T extends ResourceValue | readonly ResourceValue[]> = T | (() => Awaitable<T | undefined>)

/** Sorts resource options into initial values and getters for defineObject. */
export function sources(
  values: Readonly<Record<number, Value<ResourceValue | readonly ResourceValue[]> | undefined>>,
): { initial: Record<number, ResourceContent>; read: Record<number, ReadHandler> } {
  const initial: Record<number, ResourceContent> = {}
  const read: Record<number, ReadHandler> = {}
  for (const [key, value] of Object.entries(values)) {
    if (value === undefined) continue
    if (typeof value === 'function')
      read[Number(key)] = () => (value as () => Awaitable<ResourceContent | undefined>)()
    else initial[Number(key)] = value as ResourceContent
  }
  return { initial, read }
}

/** Keeps the entries whose resource the model defines (an older model may lack newer resources). */
export function onlyDefined<T>(
  record: Readonly<Record<number, T>>,
  has: (id: number) => boolean,
): Record<number, T> {
  const out: Record<number, T> = {}
  for (const [key, value] of Object.entries(record)) if (has(Number(key))) out[Number(key)] = value
  return out
}
