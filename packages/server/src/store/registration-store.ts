import type { Peer } from '@lwm2m/coap'
import type { Registration } from '../registration/registration.js'

/** A value, or a promise of it: store methods may answer either way (in memory at once, Redis later). */
export type Awaitable<T> = T | Promise<T>

/**
 * Where the server keeps registrations. Every method may return a promise, so that a store
 * over Redis or a database slots in without changes to the server; the in-memory default
 * ({@link createMemoryRegistrationStore}) answers at once. Lookups are by index, never by scan.
 *
 * Registrations are plain data ({@link Registration}); a store may serialize them. The server
 * never mutates a registration: it replaces it with `update`.
 */
export interface RegistrationStore {
  /**
   * Adds a registration. A registration with the same endpoint name is removed in the same
   * step and returned (re-registration replaces it, Core TS 1.2 section 6.2.1).
   */
  add(registration: Registration): Awaitable<Registration | undefined>
  /**
   * Replaces the registration with the same id (after an Update), re-indexing its peer and
   * expiry. Returns the previous one, or undefined (nothing stored) when it no longer exists.
   */
  update(registration: Registration): Awaitable<Registration | undefined>
  /**
   * Removes the registration `id` and returns it. With `expiredBy`, only if it expires at or
   * before that time (so that an Update racing the expiry sweep wins).
   */
  remove(id: string, options?: { readonly expiredBy?: number }): Awaitable<Registration | undefined>
  getById(id: string): Awaitable<Registration | undefined>
  getByEndpoint(endpoint: string): Awaitable<Registration | undefined>
  /**
   * The registration of a peer: by its security identity when it has one, else by the
   * address and port it registered from on endpoint `transport`.
   */
  getByPeer(transport: number, peer: Peer): Awaitable<Registration | undefined>
  /** How many registrations are stored. */
  size(): Awaitable<number>
  /** Every registration, in no particular order. */
  values(): Iterable<Registration> | AsyncIterable<Registration>
  /** The earliest `expiresAt` of all registrations, undefined when none expires. */
  nextExpiry(): Awaitable<number | undefined>
  /** Registrations with `expiresAt <= now`, earliest first, at most `limit`; they stay stored. */
  expired(now: number, limit: number): Awaitable<readonly Registration[]>
}

/** The index key of a peer without identity: endpoint index, address and port. */
export function addressKey(transport: number, peer: Pick<Peer, 'address' | 'port'>): string {
  return `${transport}|${peer.address}|${peer.port}`
}
