import type {
  Clock,
  EndpointLimits,
  HostResolver,
  Logger,
  RandomSource,
  TransmissionParameters,
} from '@lwm2m/coap'
import type { CodecLookup, Lwm2mVersion, RegistrationProfile } from '@lwm2m/core'
import type { ObjectImplementation } from '@lwm2m/objects'
import type { TransportFactories } from '../transport/factories.js'

/** Knobs of the CoAP endpoint of each server connection. */
export interface ClientCoapOptions {
  /** RFC 7252 section 4.8 transmission parameters (ACK_TIMEOUT, MAX_RETRANSMIT, ...). */
  readonly parameters?: Partial<TransmissionParameters>
  readonly limits?: Partial<EndpointLimits>
  /** Overall deadline of a request (Register, Update, Send), ms; default EXCHANGE_LIFETIME. */
  readonly requestTimeout?: number
  /** Preferred block size, 16-1024. */
  readonly blockSize?: number
}

/** Options of {@link createClient}. */
export interface ClientOptions {
  /** The Endpoint Client Name (`ep=`). */
  readonly endpoint: string
  /**
   * The objects the client hosts. The Security (0) and Server (1) objects hold the server
   * accounts: the client reads them through these implementations (origin 'internal'),
   * whoever writes them. Give at least a Device (3) object.
   */
  readonly objects: readonly ObjectImplementation[]
  /** The LwM2M version the client speaks: '1.0', '1.1' (the default) or '1.2'. */
  readonly version?: Lwm2mVersion
  /** The lifetime (seconds) used when a Server instance has no /1/x/1. Default 86400. */
  readonly lifetime?: number
  /** The binding used when a Server instance has no /1/x/7. Default "U". */
  readonly binding?: string
  /**
   * Queue mode for every server (Core TS 1.1 section 6.5): `Q` on Register (1.1+), or `b=UQ`
   * (1.0). Default: on where the Server instance's binding contains Q.
   */
  readonly queueMode?: boolean
  /**
   * Queue mode: how long the client stays awake after its last exchange with a server, ms.
   * Default MAX_TRANSMIT_WAIT of the transmission parameters (93 s with the defaults of RFC 7252).
   */
  readonly awakeTime?: number
  /**
   * Profile IDs (LwM2M 1.2 `pid`, Core TS 1.2 section 6.2.1) the servers know, each with the
   * objects it stands for (`registrationProfile('6:27354b9a', '</1/0>,</3/0>')` of @lwm2m/core):
   * a profile whose objects the client hosts goes in `pid` and its objects leave the payload.
   * Give only profiles the servers know; ignored below LwM2M 1.2.
   */
  readonly profiles?: readonly RegistrationProfile[]
  /** The MSISDN announced with `sms=`. */
  readonly smsNumber?: string
  /** Content formats offered (answers, payloads accepted); default per version, see `defaultContentFormats`. */
  readonly contentFormats?: readonly number[]
  /** Formats tried, best first, for answers without Accept; default per version, see `defaultPreferredFormats`. */
  readonly preferredFormats?: readonly number[]
  /** The codecs; default `createCodecRegistry(defaultCodecs())` of @lwm2m/core. */
  readonly codecs?: CodecLookup
  /** The alternate path ("/lwm2m") announced on Register; default "/". */
  readonly rootPath?: string
  /**
   * Transports by Server URI scheme; `coap` defaults to UDP, `coaps` to `secureTransport()`
   * (DTLS from the Security instance; needs @lwm2m/dtls installed).
   */
  readonly transports?: TransportFactories
  readonly coap?: ClientCoapOptions
  /**
   * Seconds before the end of the lifetime at which the Update goes out; default
   * `defaultUpdateMargin`: max(10 % of the lifetime, MAX_TRANSMIT_WAIT), at most half the lifetime.
   */
  readonly updateMargin?: (lifetime: number) => number
  /** Notifications stored per server while it is unreachable (/1/x/6 true); the oldest go first beyond. Default 128. */
  readonly maxStoredNotifications?: number
  /** Collected values kept for `sendCollected` (oldest dropped beyond). Default 1024. */
  readonly maxCollected?: number
  /** CON or NON notifications when neither the `con` attribute nor /1/x/26 says. Default NON. */
  readonly notificationMode?: 'con' | 'non'
  /** Resolves host names of Server URIs; default node:dns lookup. */
  readonly resolve?: HostResolver
  readonly clock?: Clock
  readonly logger?: Logger
  /** Random bytes for CoAP message IDs and tokens. */
  readonly random?: RandomSource
}
