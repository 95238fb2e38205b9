import { ContentFormat } from '@lwm2m/coap'
import type { Lwm2mNode } from '../node/types.js'
import { type Lwm2mVersion, versionAtLeast } from '../version/version.js'

/** What a server knows of a client's formats: its LwM2M version and the `ct=` of its Register root link. */
export interface ClientFormats {
  readonly version: Lwm2mVersion
  /** The content formats announced with `ct=` on the root link (1.1+), empty or absent when none. */
  readonly supported?: readonly number[]
}

/** Multi-value formats for a 1.1+ client, best first: LwM2M CBOR (1.2), SenML CBOR, SenML JSON. */
function richFormats(client: ClientFormats): number[] {
  return versionAtLeast(client.version, '1.2')
    ? [ContentFormat.LWM2M_CBOR, ContentFormat.SENML_CBOR, ContentFormat.SENML_JSON]
    : [ContentFormat.SENML_CBOR, ContentFormat.SENML_JSON]
}

function firstAnnounced(client: ClientFormats, candidates: readonly number[]): number | undefined {
  return candidates.find((f) => client.supported?.includes(f))
}

/** True when `node` is one value: a single resource or a resource instance. */
export function isSingleValue(node: Lwm2mNode): boolean {
  return node.kind === 'resource' || node.kind === 'resourceInstance'
}

/**
 * The Accept a server puts on a Read or Observe: TLV for a 1.0 client (the format every 1.0
 * client supports, Core TS 1.0 section 6.4); for 1.1+ the best of LwM2M CBOR (1.2), SenML
 * CBOR and SenML JSON that the client announced with `ct=`; undefined (no Accept: the client
 * answers in its preferred format, Core TS 1.2 section 7.5) when it announced none of them.
 */
export function chooseReadFormat(client: ClientFormats): number | undefined {
  if (client.version === '1.0') return ContentFormat.LWM2M_TLV
  return firstAnnounced(client, richFormats(client))
}

/**
 * The Content-Format a server writes `node` in: text/plain for one value (opaque as
 * application/octet-stream), otherwise TLV for 1.0 clients and for 1.1+ the best announced of
 * LwM2M CBOR, SenML CBOR, SenML JSON, falling back to TLV (a 1.1+ client "SHOULD NOT" produce
 * TLV but the implementations in the field all accept it).
 */
export function chooseWriteFormat(client: ClientFormats, node: Lwm2mNode): number {
  if (node.kind === 'resource' || node.kind === 'resourceInstance') {
    return node.type === 'opaque' ? ContentFormat.OCTET_STREAM : ContentFormat.TEXT
  }
  if (client.version === '1.0') return ContentFormat.LWM2M_TLV
  return firstAnnounced(client, richFormats(client)) ?? ContentFormat.LWM2M_TLV
}

/**
 * Formats of a composite operation (1.1+, Core TS 1.2 sections 6.3.8, 6.3.9, 6.4.4): the
 * request body (SenML CBOR or SenML JSON, as announced; SenML CBOR otherwise) and the Accept
 * (LwM2M CBOR for 1.2 clients that announced it, then SenML CBOR, SenML JSON).
 */
export function chooseCompositeFormats(client: ClientFormats): {
  readonly request: number
  readonly accept: number
} {
  const request =
    firstAnnounced(client, [ContentFormat.SENML_CBOR, ContentFormat.SENML_JSON]) ?? ContentFormat.SENML_CBOR
  const accept = firstAnnounced(client, richFormats(client)) ?? request
  return { request, accept }
}

/**
 * The format a client answers a Read, Observe or notification in when the server sent no
 * Accept: its own preference among the formats `canEncode` accepts for the node.
 * `preferred` lists the client's formats best first (defaults: SenML CBOR, LwM2M CBOR,
 * SenML JSON, TLV, then text/plain and octet-stream for single values).
 */
export function chooseResponseFormat(
  canEncode: (format: number) => boolean,
  preferred: readonly number[] = DEFAULT_CLIENT_PREFERENCE,
): number | undefined {
  for (const f of preferred) if (canEncode(f)) return f
  return undefined
}

/** A client's default preference when the server sent no Accept. */
export const DEFAULT_CLIENT_PREFERENCE: readonly number[] = [
  ContentFormat.SENML_CBOR,
  ContentFormat.LWM2M_CBOR,
  ContentFormat.SENML_JSON,
  ContentFormat.LWM2M_TLV,
  ContentFormat.TEXT,
  ContentFormat.OCTET_STREAM,
]

/**
 * The formats of a Send (Core TS 1.2 section 6.4.6): SenML CBOR, SenML JSON and LwM2M CBOR.
 * Of these only SenML carries timestamps.
 */
export const SEND_FORMATS: readonly number[] = [
  ContentFormat.SENML_CBOR,
  ContentFormat.SENML_JSON,
  ContentFormat.LWM2M_CBOR,
]
