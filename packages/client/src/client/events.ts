import type { Logger } from '@lwm2m/coap'
import type { Lwm2mOperationKind, UpdateParams } from '@lwm2m/core'

/** Why a registration ended. */
export type DeregistrationReason =
  /** `client.stop()`. */
  | 'stop'
  /** The server executed Disable (/1/x/4). */
  | 'disable'
  /** The server account was deleted from the Security or Server object. */
  | 'accountRemoved'
  /** The account's Server URI or security changed: the client registers anew. */
  | 'accountChanged'
  /**
   * The registration was lost (an Update refused, or the lifetime ran out unrenewed): the
   * client registers anew. No De-register is sent; the event marks the end of the old one.
   */
  | 'reregister'

/** Why the client asks for a bootstrap (the bootstrap itself is the application's, or a later package's). */
export type BootstrapReason =
  /** No LwM2M Server account is provisioned (Core TS 1.1 section 6.1.1). */
  | 'noServerAccount'
  /** Registration failed and the Server instance has Bootstrap on Registration Failure (/1/x/16) true. */
  | 'registrationFailure'
  /** A server executed Bootstrap-Request Trigger (/1/x/9). */
  | 'trigger'

/** The events of an LwM2M client, with their payloads. */
export interface ClientEvents {
  /** A Register was answered 2.01 (Core TS 1.1 section 6.2.1). */
  registered: {
    readonly shortServerId: number
    readonly serverUri: string
    readonly location: readonly string[]
    readonly lifetime: number
    readonly queueMode: boolean
  }
  /** An Update was answered 2.04 (section 6.2.2). */
  updated: {
    readonly shortServerId: number
    readonly location: readonly string[]
    readonly params: UpdateParams
    /** True when the Update carried the object list. */
    readonly objects: boolean
  }
  /** The registration ended (a De-register was sent, or attempted: `error` says if it failed). */
  deregistered: {
    readonly shortServerId: number
    readonly serverUri: string
    readonly reason: DeregistrationReason
    readonly error?: unknown
  }
  /**
   * A Register attempt failed. `final` is true when the registration procedure gave up
   * (Communication Retry Count and Sequence Retry Count exhausted, or the server refused
   * and /1/x/16 asks for a bootstrap); otherwise `retryIn` says when the next attempt goes.
   */
  registrationFailed: {
    readonly shortServerId: number
    readonly serverUri: string
    readonly error: unknown
    /** 1-based attempt within the sequence, and 1-based sequence. */
    readonly attempt: number
    readonly sequence: number
    readonly final: boolean
    /** Milliseconds until the next attempt, when there is one. */
    readonly retryIn?: number
    /** True when the failed server blocks the servers after it (Registration Failure Block, /1/x/15). */
    readonly blocking?: boolean
  }
  /** An Update failed: it is retried (`retryIn`), or the client registers anew (`reregister`). */
  updateFailed: {
    readonly shortServerId: number
    readonly error: unknown
    readonly reregister: boolean
    readonly retryIn?: number
  }
  /** The client needs a bootstrap. */
  bootstrapNeeded: { readonly reason: BootstrapReason; readonly shortServerId?: number }
  /** The server executed Disable: the client stays silent towards it until `until` (clock time, ms). */
  disabled: { readonly shortServerId: number; readonly until: number }
  /** Queue mode: the awake time passed; the client stopped listening to this server. */
  sleeping: { readonly shortServerId: number }
  /** Queue mode: the client woke up (it sends an Update first). */
  awake: { readonly shortServerId: number }
  /** A server's request was answered. */
  operation: {
    readonly shortServerId: number
    readonly kind: Lwm2mOperationKind | 'refused'
    readonly paths: readonly string[]
    /** The CoAP response code (0x45 for 2.05). */
    readonly code: number
  }
  /** A server started observing (Observe or Observe-Composite). */
  observationStarted: { readonly shortServerId: number; readonly paths: readonly string[] }
  /** An observation ended: cancelled by the server, reset, failed, or ended by the client. */
  observationEnded: {
    readonly shortServerId: number
    readonly paths: readonly string[]
    readonly reason: string
  }
  /** A notification was sent, or stored for later (`stored`), or dropped (`dropped`). */
  notification: {
    readonly shortServerId: number
    readonly paths: readonly string[]
    readonly outcome: 'sent' | 'stored' | 'dropped'
  }
  /** A Send (POST /dp) was answered 2.04. */
  sent: { readonly shortServerId: number; readonly paths: readonly string[]; readonly records: number }
  /** Something failed outside any request of the application (a listener, an afterResponse hook, ...). */
  error: { readonly error: unknown; readonly context: string; readonly shortServerId?: number }
}

export type ClientEventName = keyof ClientEvents
export type ClientListener<K extends ClientEventName> = (payload: ClientEvents[K]) => void

/** Subscribing to a client's events. */
export interface ClientEventSource {
  /** Adds a listener; returns the function that removes it. */
  on<K extends ClientEventName>(event: K, listener: ClientListener<K>): () => void
  off<K extends ClientEventName>(event: K, listener: ClientListener<K>): void
  /** The next occurrence of `event` (optionally one that `filter` accepts). */
  once<K extends ClientEventName>(
    event: K,
    filter?: (payload: ClientEvents[K]) => boolean,
  ): Promise<ClientEvents[K]>
}

/** The emitting side. Listeners run synchronously; one that throws is logged and the others still run. */
export class ClientEmitter implements ClientEventSource {
  readonly #listeners = new Map<ClientEventName, Set<(payload: never) => void>>()

  constructor(private readonly logger: Logger) {}

  on<K extends ClientEventName>(event: K, listener: ClientListener<K>): () => void {
    let set = this.#listeners.get(event)
    if (set === undefined) this.#listeners.set(event, (set = new Set()))
    set.add(listener as (payload: never) => void)
    return () => this.off(event, listener)
  }

  off<K extends ClientEventName>(event: K, listener: ClientListener<K>): void {
    this.#listeners.get(event)?.delete(listener as (payload: never) => void)
  }

  once<K extends ClientEventName>(
    event: K,
    filter?: (payload: ClientEvents[K]) => boolean,
  ): Promise<ClientEvents[K]> {
    return new Promise((resolve) => {
      const off = this.on(event, (payload) => {
        if (filter !== undefined && !filter(payload)) return
        off()
        resolve(payload)
      })
    })
  }

  emit<K extends ClientEventName>(event: K, payload: ClientEvents[K]): void {
    const set = this.#listeners.get(event)
    if (set === undefined || set.size === 0) return
    for (const listener of [...set]) {
      try {
        ;(listener as ClientListener<K>)(payload)
      } catch (error) {
        this.logger.error(`a "${event}" listener threw`, { error: String(error) })
      }
    }
  }
}
