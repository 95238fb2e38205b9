import type { NotificationAttributes } from '@lwm2m/core'
import type { Awaitable } from './registration-store.js'

/** An observation the server holds with a client (Core TS 1.2 section 6.4.1, 6.4.4), as stored. */
export interface ObservationRecord {
  /** The subscription id. */
  readonly id: string
  readonly registrationId: string
  readonly endpoint: string
  /** The observed path, or the paths of an Observe-Composite, as text ("/3/0/9"). */
  readonly paths: readonly string[]
  /** True for Observe-Composite (FETCH), false for Observe (GET). */
  readonly composite: boolean
  /** The Accept the server asked notifications in, if any. */
  readonly accept: number | undefined
  /** The observation attributes sent with the request (1.2), if any. */
  readonly attributes: NotificationAttributes | undefined
  /** When the client accepted the observation (clock milliseconds). */
  readonly createdAt: number
}

/**
 * Where the server keeps its observations. As {@link RegistrationStore}, every method may
 * return a promise. The CoAP relation itself (token, sequence numbers) lives in the CoAP
 * endpoint of the process that made it; the store holds what the rest of the system may see
 * and what ends with a registration.
 */
export interface ObservationStore {
  add(record: ObservationRecord): Awaitable<void>
  get(id: string): Awaitable<ObservationRecord | undefined>
  /** Removes one observation and returns it. */
  remove(id: string): Awaitable<ObservationRecord | undefined>
  /** The observations of one registration. */
  byRegistration(registrationId: string): Awaitable<readonly ObservationRecord[]>
  /** How many observations one registration has. */
  countByRegistration(registrationId: string): Awaitable<number>
  /** Removes and returns every observation of one registration. */
  removeByRegistration(registrationId: string): Awaitable<readonly ObservationRecord[]>
  size(): Awaitable<number>
}
