/**
 * The content formats of LwM2M (Core TS 1.2 section 7.4) and what each can carry: the
 * version that introduced it, whether it carries one value only, several nodes
 * (composite operations), and Send data.
 */
import { ContentFormat } from '@lwm2m/coap'
import { type Lwm2mVersion, versionAtLeast } from '@lwm2m/core'

export interface FormatCase {
  readonly name: string
  readonly format: number
  /** The first LwM2M version whose clients offer it. */
  readonly since: Lwm2mVersion
  /** Carries one value (a resource or a resource instance), not instances or objects. */
  readonly singleValue: boolean
  /** Carries only opaque values (application/octet-stream). */
  readonly opaqueOnly: boolean
  /** Carries the nodes of composite operations and Send (SenML, LwM2M CBOR). */
  readonly composite: boolean
}

export const FORMATS: readonly FormatCase[] = [
  {
    name: 'text/plain',
    format: ContentFormat.TEXT,
    since: '1.0',
    singleValue: true,
    opaqueOnly: false,
    composite: false,
  },
  {
    name: 'opaque',
    format: ContentFormat.OCTET_STREAM,
    since: '1.0',
    singleValue: true,
    opaqueOnly: true,
    composite: false,
  },
  {
    name: 'CBOR',
    format: ContentFormat.CBOR,
    since: '1.1',
    singleValue: true,
    opaqueOnly: false,
    composite: false,
  },
  {
    name: 'TLV',
    format: ContentFormat.LWM2M_TLV,
    since: '1.0',
    singleValue: false,
    opaqueOnly: false,
    composite: false,
  },
  {
    name: 'OMA JSON',
    format: ContentFormat.LWM2M_JSON,
    since: '1.0',
    singleValue: false,
    opaqueOnly: false,
    composite: false,
  },
  {
    name: 'SenML JSON',
    format: ContentFormat.SENML_JSON,
    since: '1.1',
    singleValue: false,
    opaqueOnly: false,
    composite: true,
  },
  {
    name: 'SenML CBOR',
    format: ContentFormat.SENML_CBOR,
    since: '1.1',
    singleValue: false,
    opaqueOnly: false,
    composite: true,
  },
  {
    name: 'LwM2M CBOR',
    format: ContentFormat.LWM2M_CBOR,
    since: '1.2',
    singleValue: false,
    opaqueOnly: false,
    composite: true,
  },
]

export const VERSIONS: readonly Lwm2mVersion[] = ['1.0', '1.1', '1.2']

export function offers(version: Lwm2mVersion, f: FormatCase): boolean {
  return versionAtLeast(version, f.since)
}
