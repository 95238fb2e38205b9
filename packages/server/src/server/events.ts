import type { TimestampedNodes, UpdateParams } from '@lwm2m/core'
import type { Notification } from '../observe/notification.js'
import type { Registration } from '../registration/registration.js'

/** Why a registration ended. */
export type RegistrationEndReason = 'deregistered' | 'expired' | 'replaced'

/** The `updated` event. */
export interface RegistrationUpdate {
  readonly registration: Registration
  readonly previous: Registration
  /** The parameters the Update carried (only what changed). */
  readonly params: UpdateParams
  /** True when the Update carried a new object list. */
  readonly objectLinksChanged: boolean
}

/** The `send` event: data a client pushed with Send (Core TS 1.2 section 6.4.6). */
export interface SendEvent {
  /** The endpoint name of the client. */
  readonly endpoint: string
  readonly registration: Registration
  /** The values, grouped by time (SenML `bt`/`t`; `timestamp` undefined for "now"). */
  readonly data: readonly TimestampedNodes[]
  readonly contentFormat: number
  /** When the server received it (clock milliseconds). */
  readonly receivedAt: number
}

/**
 * The server's events (a typed Node EventEmitter). Listeners run after the client was
 * answered; a listener that throws is logged and does not disturb the server.
 */
export interface ServerEvents {
  /** A client registered; `replaced` is its previous registration when it registered again. */
  registered: [registration: Registration, replaced: Registration | undefined]
  /** A client updated its registration. */
  updated: [update: RegistrationUpdate]
  /** A client de-registered. */
  deregistered: [registration: Registration]
  /** A registration's lifetime passed without Update. */
  expired: [registration: Registration]
  /** A queue-mode client became reachable (it sent a message). */
  awake: [registration: Registration]
  /** A queue-mode client is considered asleep (no message for the awake time). */
  sleeping: [registration: Registration]
  /** A notification of any observation (also the initial answer, `initial: true`). */
  notification: [notification: Notification]
  /** A client sent data (Send, 1.1+). */
  send: [event: SendEvent]
}
