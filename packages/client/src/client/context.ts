import type { Clock, HostResolver, Logger, RandomSource } from '@lwm2m/coap'
import type { AttributeStore, CodecLookup, Lwm2mVersion, OperationContext } from '@lwm2m/core'
import type { Scheduler } from '../time/timer.js'
import type { TransportFactories } from '../transport/factories.js'
import type { ClientEmitter } from './events.js'
import type { ObjectTree } from './object-tree.js'
import type { ClientCoapOptions } from './options.js'

/** The options with their defaults applied. */
export interface ResolvedOptions {
  readonly lifetime: number
  readonly binding: string
  readonly queueMode: boolean | undefined
  readonly awakeTime: number
  readonly smsNumber: string | undefined
  readonly transports: TransportFactories
  readonly coap: ClientCoapOptions
  readonly updateMargin: (lifetime: number) => number
  readonly maxStoredNotifications: number
  readonly maxCollected: number
  readonly confirmableByDefault: boolean
  readonly resolve: HostResolver | undefined
  /** MAX_TRANSMIT_WAIT of the endpoints' transmission parameters, ms. */
  readonly maxTransmitWait: number
}

/** What every part of a client shares: one object, no global state. */
export interface ClientContext {
  readonly endpointName: string
  readonly version: Lwm2mVersion
  readonly tree: ObjectTree
  readonly scheduler: Scheduler
  readonly clock: Clock
  readonly logger: Logger
  readonly random: RandomSource | undefined
  readonly emitter: ClientEmitter
  /** The supported codecs only. */
  readonly codecs: CodecLookup
  readonly formats: readonly number[]
  readonly preferredFormats: readonly number[]
  readonly rootPath: string
  /** Codecs, models (the hosted objects) and root path, as core's operation mapping takes them. */
  readonly operations: OperationContext
  /** Attributes attached by each server (Write-Attributes), keyed by Short Server ID. */
  readonly attributes: AttributeStore
  readonly options: ResolvedOptions
  /** Short Server IDs of the server accounts the client currently has. */
  serverIds(): readonly number[]
}
