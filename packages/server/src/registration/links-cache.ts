import { type BindingMode, parseRegistrationLinks, type RegistrationLinks } from '@lwm2m/core'

/**
 * Shared pieces of registrations. Parsed Register/Update payloads by their text, bounded (least recently used dropped first):
 * clients of one kind announce the same objects, so their registrations share one parsed
 * link set instead of each holding a copy. Parse errors are not cached.
 */
export class LinksCache {
  readonly #max: number
  readonly #entries = new Map<string, RegistrationLinks>()
  readonly #bindings = new Map<string, BindingMode>()

  constructor(max = 1024) {
    this.#max = max
  }

  /** The parsed links of `text` (Core TS 1.2 section 6.2.1); throws what `parseRegistrationLinks` throws. */
  parse(text: string): RegistrationLinks {
    const hit = this.#entries.get(text)
    if (hit !== undefined) {
      // Move to the young end.
      this.#entries.delete(text)
      this.#entries.set(text, hit)
      return hit
    }
    const links = parseRegistrationLinks(text)
    // Long payloads are rarely shared: keep only those worth the key's memory.
    if (text.length <= 4096) {
      if (this.#entries.size >= this.#max) this.#entries.delete(this.#entries.keys().next().value!)
      this.#entries.set(text, links)
    }
    return links
  }

  get size(): number {
    return this.#entries.size
  }

  /** One shared, frozen BindingMode per distinct value (there are few). */
  binding(mode: BindingMode): BindingMode {
    const key = `${mode.transports.join('')}${mode.queueMode ? '+Q' : ''}`
    let shared = this.#bindings.get(key)
    if (shared === undefined) {
      if (this.#bindings.size >= 64) return mode
      shared = Object.freeze({ transports: Object.freeze([...mode.transports]), queueMode: mode.queueMode })
      this.#bindings.set(key, shared)
    }
    return shared
  }
}
