/**
 * The <NOTIFICATION> class attributes (Core TS 1.2 section 7.3.2, 1.1 section 5.1.2):
 * periods in seconds, thresholds as numbers. Every one is optional; absent means "not set
 * at this level". `edge`, `con` and `hqmax` are LwM2M 1.2, `epmin` and `epmax` 1.1.
 */
export interface NotificationAttributes {
  /** Minimum Period: seconds the client waits between two notifications. */
  readonly pmin?: number
  /** Maximum Period: seconds after which a notification is sent anyway; 0 or absent = none. */
  readonly pmax?: number
  /** Greater Than: notify when the value crosses this threshold (either direction). */
  readonly gt?: number
  /** Less Than: notify when the value crosses this threshold (either direction). */
  readonly lt?: number
  /** Step: notify when the value moved by at least this much since the last notification. */
  readonly st?: number
  /** Minimum Evaluation Period (1.1): seconds between two evaluations of the criteria, at least. */
  readonly epmin?: number
  /** Maximum Evaluation Period (1.1): seconds between two evaluations, at most. */
  readonly epmax?: number
  /** Edge (1.2): 1 = notify on false->true, 0 = notify on true->false (Boolean resources). */
  readonly edge?: 0 | 1
  /** Confirmable Notification (1.2): 1 = send notifications as CON, 0 = NON. */
  readonly con?: 0 | 1
  /** Maximum Historical Queue (1.2): entries kept while offline or disabled. */
  readonly hqmax?: number
}

/** The name of a <NOTIFICATION> attribute. */
export type NotificationAttributeName = keyof NotificationAttributes

/** The <NOTIFICATION> attribute names in the order this package writes them. */
export const NOTIFICATION_ATTRIBUTES: readonly NotificationAttributeName[] = [
  'pmin',
  'pmax',
  'gt',
  'lt',
  'st',
  'epmin',
  'epmax',
  'edge',
  'con',
  'hqmax',
]

/**
 * A Write-Attributes change set: a number sets the attribute at the target level,
 * `null` unsets it ("pmin" without a value, Core TS 1.2 section 6.3.4), absent leaves it.
 */
export type AttributeChanges = {
  readonly [K in NotificationAttributeName]?: NotificationAttributes[K] | null
}

/**
 * The <PROPERTIES> class attributes (Core TS 1.2 section 7.3.1): read-only, reported by
 * Discover, Bootstrap-Discover and Register.
 */
export interface PropertyAttributes {
  /** Dimension: instances of a multiple-instance resource, 0..255. */
  readonly dim?: number
  /** Short Server ID of a Security, Server or OSCORE object instance (Bootstrap-Discover), 1..65534. */
  readonly ssid?: number
  /** Server URI of a Security object instance (Bootstrap-Discover). */
  readonly uri?: string
  /** Object version, `major.minor`. */
  readonly ver?: string
  /** LwM2M enabler version, on the root link of Bootstrap-Discover. */
  readonly lwm2m?: string
}

/** Where an attribute may be assigned: the levels of Core TS 1.2 table 7.3.2-1 "Assignation Level". */
export type AttributeLevel = 'object' | 'instance' | 'resource' | 'resourceInstance'
