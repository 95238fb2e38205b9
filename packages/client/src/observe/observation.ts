import type { ServerObservation } from '@lwm2m/coap'
import type { Lwm2mPath, NotificationAttributes, ObservedValue } from '@lwm2m/core'
import type { Timer } from '../time/timer.js'

/** Observe (one path) or Observe-Composite (several). */
export type ObservationKind = 'single' | 'composite'

/**
 * The state of one observation (Core TS 1.1 section 6.4.1 and 6.4.4): what it watches,
 * the relation to notify through, and what the notification criteria need: when and what
 * was last notified, what changed since, whether a notification waits for pmin.
 */
export class Observation {
  /** When the last notification (the Observe answer first) was sent, clock ms. */
  lastNotifiedAt: number
  /** When the criteria were last evaluated (epmin, epmax). */
  lastEvaluatedAt: number
  /** The single values last notified, by path text (resources and resource instances only). */
  lastValues: ReadonlyMap<string, ObservedValue>
  /** Paths (of this observation) under which something changed since the last notification. */
  changed = new Set<string>()
  /** A change condition was met and pmin holds the notification back. */
  pending = false
  /** The answer went out: notifications may follow. */
  ready = false
  running = false
  again = false
  ended = false
  timer: Timer | undefined = undefined

  constructor(
    readonly shortServerId: number,
    readonly kind: ObservationKind,
    readonly paths: readonly Lwm2mPath[],
    /** The content format of the answer; every notification uses it. */
    readonly format: number,
    /** Observe-Composite: the format of the request body (the list of paths). */
    readonly requestFormat: number,
    /** LwM2M 1.2 attributes given as query parameters of the Observe: they override attached ones. */
    readonly requestAttributes: NotificationAttributes | undefined,
    readonly relation: ServerObservation,
    now: number,
    values: ReadonlyMap<string, ObservedValue>,
  ) {
    this.lastNotifiedAt = now
    this.lastEvaluatedAt = now
    this.lastValues = values
  }

  /** The observed paths as text. */
  get pathTexts(): string[] {
    return this.paths.map(String)
  }
}
