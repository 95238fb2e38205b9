import type { Peer } from '@lwm2m/coap'
import type { AnnouncedObject, BindingMode, Lwm2mVersion } from '@lwm2m/core'

/**
 * One registered client (Core TS 1.2 section 6.2.1, 1.1 section 5.3.1), as the server keeps it.
 * Plain data only, so that a store can serialize it; every field is always present (absent
 * values are `undefined`), which keeps records of one shape and small. The link data
 * (`objectLinks`, `supportedFormats`) is shared between registrations that announced the same
 * payload: never mutate it.
 */
export interface Registration {
  /** The registration id: the last segment of its location `/rd/<id>`, short and unpredictable. */
  readonly id: string
  /** The Endpoint Client Name (`ep`, or the name the security store gives the client's identity). */
  readonly endpoint: string
  /** Where the client is: its address and port, and the identity a secure transport authenticated. */
  readonly peer: Peer
  /** Index into the server's endpoints of the one the registration came in on; requests go out through it. */
  readonly transport: number
  /** "coap" or "coaps": the scheme of that endpoint. */
  readonly scheme: 'coap' | 'coaps'
  /** The LwM2M version negotiated on Register. */
  readonly version: Lwm2mVersion
  /** Lifetime in seconds; 0 means it never expires. */
  readonly lifetime: number
  /** The binding (`b`), U when the client gave none. */
  readonly binding: BindingMode
  /** Queue mode: `Q` (1.1+) or a Q inside `b` (1.0). */
  readonly queueMode: boolean
  /** `sms`: the MSISDN or External Identifier, if given. */
  readonly smsNumber: string | undefined
  /** `pid` (1.2): Profile IDs, if given. */
  readonly profileIds: readonly string[] | undefined
  /** Parameters kept with `unknownParameters: 'keep'`. */
  readonly additional: Readonly<Record<string, string | null>> | undefined
  /** The client's alternate path ("/lwm2m"), "/" for none. */
  readonly rootPath: string
  /** Content formats the client announced with `ct=` (1.1+), empty when none. */
  readonly supportedFormats: readonly number[]
  /** The objects the client announced, by id, with their versions and instances. */
  readonly objectLinks: ReadonlyMap<number, AnnouncedObject>
  /** When the client registered (clock milliseconds). */
  readonly registeredAt: number
  /** When the last Register or Update arrived (clock milliseconds). */
  readonly updatedAt: number
  /** When the registration expires without an Update (clock milliseconds); Infinity for lifetime 0. */
  readonly expiresAt: number
}
