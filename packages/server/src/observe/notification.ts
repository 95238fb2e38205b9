import type { Lwm2mNode, Lwm2mPath, TimestampedNodes } from '@lwm2m/core'

/** What every notification carries. */
interface NotificationBase {
  /** The id of the subscription it belongs to. */
  readonly subscription: string
  readonly endpoint: string
  readonly registrationId: string
  /** When the server received it (clock milliseconds). */
  readonly receivedAt: number
  /** True for the answer that started the observation. */
  readonly initial: boolean
  readonly contentFormat: number | undefined
  /**
   * The samples of a dated payload (SenML `bt`/`t`, OMA JSON), oldest first as sent; undefined
   * when the payload carried no time. The node(s) are then the newest sample.
   */
  readonly timestamped: readonly TimestampedNodes[] | undefined
}

/** A notification of an Observe (Core TS 1.2 section 6.4.2 Notify). */
export interface NodeNotification extends NotificationBase {
  readonly kind: 'observe'
  readonly path: Lwm2mPath
  readonly node: Lwm2mNode
}

/** A notification of an Observe-Composite (Core TS 1.2 section 6.4.4): each path's node, or null. */
export interface CompositeNotification extends NotificationBase {
  readonly kind: 'observeComposite'
  readonly paths: readonly Lwm2mPath[]
  readonly nodes: ReadonlyMap<string, Lwm2mNode | null>
}

export type Notification = NodeNotification | CompositeNotification
