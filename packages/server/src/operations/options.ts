import type { DiscoveredLink, ExecuteArgument, LinksResult, NotificationAttributes } from '@lwm2m/core'

/** Options every operation takes. */
export interface OperationOptions {
  /**
   * Overall deadline in ms from the call, including time waiting in the client's queue (queue
   * mode, in-flight limit). Without it: the CoAP endpoint's request timeout once sent, and the
   * queue-mode request timeout while waiting.
   */
  readonly timeout?: number
  /**
   * Aborts the request while it waits in the queue or runs (ServerError ABORTED). For
   * `observe`, it aborts the making of the observation only: end a running one with `cancel()`.
   */
  readonly signal?: AbortSignal
}

/** Read: the content format to ask for (Accept), overriding the server's choice. */
export interface ReadOptions extends OperationOptions {
  /**
   * The Accept to send; `null` sends none, so that the client answers in the format it
   * prefers (Core TS 1.2 section 7.5), whatever the server decodes. Default: the best format
   * the client announced.
   */
  readonly format?: number | null
}

export interface DiscoverOptions extends OperationOptions {
  /** `depth` 0-3 (Core TS 1.2 section 6.3.2; LwM2M 1.2 clients). */
  readonly depth?: number
}

/** A Discover answer: the link-format text and its links read (alternate path removed). */
export interface DiscoverResult extends LinksResult {
  readonly entries: readonly DiscoveredLink[]
}

export interface WriteOptions extends OperationOptions {
  /** The payload's content format, overriding the server's choice. */
  readonly format?: number
  /** 'replace' (PUT, the default) or 'partialUpdate' (POST) (Core TS 1.2 section 6.3.3). */
  readonly mode?: 'replace' | 'partialUpdate'
}

export interface CreateOptions extends OperationOptions {
  readonly format?: number
}

export interface ExecuteOptions extends OperationOptions {
  /** Execute arguments (Core TS 1.2 section 6.3.5): parsed ones, or their text (`0='x',1`). */
  readonly arguments?: readonly ExecuteArgument[] | string
}

/** Read-Composite, Observe-Composite (LwM2M 1.1+). */
export interface CompositeOptions extends OperationOptions {
  /** The Accept of the answer, overriding the server's choice. */
  readonly format?: number
  /** The content format of the request's list of paths (SenML JSON/CBOR), overriding the server's choice. */
  readonly requestFormat?: number
}

export interface WriteCompositeOptions extends OperationOptions {
  readonly format?: number
}

/** Observe, Observe-Composite. */
export interface ObserveOptions extends OperationOptions {
  /** The Accept of the notifications, overriding the server's choice. */
  readonly format?: number
  /** The content format of an Observe-Composite's list of paths. */
  readonly requestFormat?: number
  /**
   * Notification attributes for this observation: sent in the Observe query to LwM2M 1.2
   * clients (Core TS 1.2 section 6.4.1), set with Write-Attributes before the Observe for older ones.
   */
  readonly attributes?: NotificationAttributes
  /** Notifications kept for the iterator before the oldest are dropped; default 256. */
  readonly bufferSize?: number
}
