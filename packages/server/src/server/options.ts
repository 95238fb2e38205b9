import type { Clock, CoapEndpoint, EndpointOptions, Logger, RandomSource, Transport } from '@lwm2m/coap'
import type { CodecLookup, Lwm2mVersion, ModelLookup, RegistrationProfile } from '@lwm2m/core'
import type { ServerSecurityOptions } from '../security/authorizer.js'
import type { ObservationStore } from '../store/observation-store.js'
import type { RegistrationStore } from '../store/registration-store.js'

/** Resource limits of the server; every table it keeps is bounded by one of these. */
export interface ServerLimits {
  /** Registrations in all; a Register beyond gets 5.03 Service Unavailable with Max-Age. Default 250000. */
  readonly registrations: number
  /** Observations per registered client; beyond, `observe` fails with ServerError LIMIT. Default 64. */
  readonly observationsPerClient: number
  /** Requests to one client at once; what happens beyond is `inFlightPolicy`. Default 8. */
  readonly requestsInFlightPerClient: number
  /**
   * Beyond `requestsInFlightPerClient`: 'queue' (the default) waits in the client's FIFO queue,
   * 'fail' rejects at once with ServerError LIMIT.
   */
  readonly inFlightPolicy: 'queue' | 'fail'
  /** Requests waiting per client (queue mode and the in-flight limit); beyond, ServerError QUEUE_FULL. Default 64. */
  readonly queuedRequestsPerClient: number
  /** Largest Register/Update payload (link-format) accepted; beyond, 4.13. Default 64 KiB. */
  readonly registrationPayload: number
  /** Largest Send payload accepted; beyond, 4.13. Default 1 MiB. */
  readonly sendPayload: number
  /** Longest endpoint name accepted; beyond, 4.00. Default 255. */
  readonly endpointNameLength: number
}

export const DEFAULT_SERVER_LIMITS: ServerLimits = Object.freeze({
  registrations: 250_000,
  observationsPerClient: 64,
  requestsInFlightPerClient: 8,
  inFlightPolicy: 'queue' as const,
  queuedRequestsPerClient: 64,
  registrationPayload: 64 * 1024,
  sendPayload: 1024 * 1024,
  endpointNameLength: 255,
})

/** Queue mode (Core TS 1.1/1.2 section 6.5, Transport TS section 6.2.3 "Queue Mode"). */
export interface QueueModeOptions {
  /**
   * How long a queue-mode client stays reachable after its last message, ms: MAX_TRANSMIT_WAIT
   * of RFC 7252 (93 s with the default transmission parameters), after which the server holds
   * requests until the client speaks again.
   */
  readonly awakeTime?: number
  /**
   * How long a request may wait in a sleeping client's queue when the caller gave no
   * `timeout`, ms. Default: the client's lifetime (it must Update within it), 24 h for lifetime 0.
   */
  readonly requestTimeout?: number
}

/** Options of {@link createServer}. */
export interface ServerOptions {
  /**
   * The CoAP endpoints to serve on: ready CoapEndpoints (the server sets their request
   * handler and leaves them open on stop), or Transports (`udp({ port: 5683 })`), for which
   * the server creates endpoints with its clock and logger and closes them on stop. Requests
   * to a client go out through the endpoint its registration came in on.
   */
  readonly endpoints: readonly (CoapEndpoint | Transport)[]
  /**
   * Object models: an @lwm2m/objects ModelRegistry (each client gets the versions it announced
   * through `forClient`), or any ModelLookup used for every client. Default: the OMA and IPSO
   * models of @lwm2m/objects (`standardModels`).
   */
  readonly models?: ModelLookup
  /** Content formats; default every format of @lwm2m/core (`defaultCodecs`). */
  readonly codecs?: CodecLookup
  readonly stores?: {
    readonly registrations?: RegistrationStore
    readonly observations?: ObservationStore
  }
  readonly clock?: Clock
  readonly logger?: Logger
  /** Random bytes for registration and observation ids; default crypto-strong. */
  readonly random?: RandomSource
  readonly limits?: Partial<ServerLimits>
  readonly security?: ServerSecurityOptions
  readonly queueMode?: QueueModeOptions
  /** LwM2M versions accepted on Register (Core TS 1.2 section 6.2.1: 4.12 otherwise). Default 1.0, 1.1, 1.2. */
  readonly versions?: readonly Lwm2mVersion[]
  /** Unknown Register/Update parameters: 'reject' with 4.00 (the default, Transport TS table 6.7-2) or 'keep'. */
  readonly unknownParameters?: 'reject' | 'keep'
  /**
   * Extra time after a lifetime before the registration expires, ms (absorbs network delay of
   * the client's Update). Default 0: the registration ends exactly `lifetime` after the last Update.
   */
  readonly lifetimeGrace?: number
  /**
   * Profile IDs (LwM2M 1.2 `pid`, Core TS 1.2 section 6.2.1) the server knows, each with the
   * objects it stands for (`registrationProfile('6:27354b9a', '</1/0>,</3/0>')` of @lwm2m/core):
   * a client that names one registers those objects without listing them. A Register or Update
   * naming an ID not known here is answered 4.00.
   */
  readonly profiles?: readonly RegistrationProfile[]
  /**
   * Answer Send (POST /dp) with 4.04 when it carries data of objects or instances the client
   * did not register (as Leshan does); default true.
   */
  readonly checkSendObjects?: boolean
  /** Options for the endpoints the server creates from Transports (transmission parameters, limits...). */
  readonly coap?: Omit<EndpointOptions, 'transport' | 'clock' | 'logger' | 'handler'>
}

/** Fills in default limits and checks them. */
export function resolveServerLimits(limits: Partial<ServerLimits> = {}): ServerLimits {
  const out = { ...DEFAULT_SERVER_LIMITS, ...limits }
  for (const [k, v] of Object.entries(out)) {
    if (k === 'inFlightPolicy') {
      if (v !== 'queue' && v !== 'fail')
        throw new TypeError(`limits.inFlightPolicy must be 'queue' or 'fail'`)
      continue
    }
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) {
      throw new TypeError(`limits.${k} must be a positive integer, not ${String(v)}`)
    }
  }
  return out
}
