import type { Clock } from '@lwm2m/coap'

/**
 * A bounded cache with least-recently-used eviction and a lifetime per entry, on an
 * injected clock. Used for the server's session cache (resumption by session id,
 * RFC 5246 section 7.3) and the client's per-server sessions.
 */
export class BoundedCache<V> {
  private readonly map = new Map<string, { value: V; expires: number }>()
  readonly maxEntries: number
  readonly lifetimeMs: number
  private readonly clock: Clock

  constructor(clock: Clock, maxEntries: number, lifetimeMs: number) {
    this.clock = clock
    this.maxEntries = maxEntries
    this.lifetimeMs = lifetimeMs
  }

  get size(): number {
    return this.map.size
  }

  get(key: string): V | undefined {
    const e = this.map.get(key)
    if (e === undefined) return undefined
    if (e.expires <= this.clock.now()) {
      this.map.delete(key)
      return undefined
    }
    // Refresh recency.
    this.map.delete(key)
    this.map.set(key, e)
    return e.value
  }

  set(key: string, value: V): void {
    if (this.maxEntries <= 0) return
    this.map.delete(key)
    this.map.set(key, { value, expires: this.clock.now() + this.lifetimeMs })
    while (this.map.size > this.maxEntries) {
      const oldest = this.map.keys().next().value as string
      this.map.delete(oldest)
    }
  }

  delete(key: string): void {
    this.map.delete(key)
  }

  /** Drops expired entries (called from the endpoint's periodic sweep). */
  sweep(): void {
    const now = this.clock.now()
    for (const [k, e] of this.map) if (e.expires <= now) this.map.delete(k)
  }

  clear(): void {
    this.map.clear()
  }
}
