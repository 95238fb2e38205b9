import type { Lwm2mPath } from '@lwm2m/core'
import { pathArgument } from './values.js'

/**
 * Paths given as text, parsed once: applications read the same few paths of many clients
 * ("/3/0"), so each text keeps its (immutable) Lwm2mPath. Bounded: the table starts over
 * when full. Invalid paths throw ServerError INVALID_ARGUMENT, as `pathArgument` does, and
 * are not kept.
 */
export class PathCache {
  readonly #max: number
  readonly #paths = new Map<string, Lwm2mPath>()

  constructor(max = 512) {
    this.#max = max
  }

  get(path: string | Lwm2mPath): Lwm2mPath {
    if (typeof path !== 'string') return path
    let p = this.#paths.get(path)
    if (p === undefined) {
      p = pathArgument(path)
      if (this.#paths.size >= this.#max) this.#paths.clear()
      this.#paths.set(path, p)
    }
    return p
  }

  get size(): number {
    return this.#paths.size
  }
}
