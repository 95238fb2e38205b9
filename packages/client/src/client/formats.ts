import { ContentFormat } from '@lwm2m/coap'
import type { CodecLookup, Lwm2mVersion, NodeCodec } from '@lwm2m/core'

const F = ContentFormat

/**
 * The content formats a client of each LwM2M version offers by default (Core TS 1.0
 * section 6.4, 1.1 section 7.4, 1.2 section 7.4): LwM2M 1.0 knows text/plain, opaque,
 * TLV and OMA JSON; 1.1 adds CBOR, SenML JSON and SenML CBOR; 1.2 adds LwM2M CBOR.
 */
export function defaultContentFormats(version: Lwm2mVersion): number[] {
  switch (version) {
    case '1.0':
      return [F.LWM2M_TLV, F.LWM2M_JSON, F.TEXT, F.OCTET_STREAM]
    case '1.1':
      return [F.SENML_CBOR, F.SENML_JSON, F.LWM2M_TLV, F.LWM2M_JSON, F.CBOR, F.TEXT, F.OCTET_STREAM]
    case '1.2':
      return [
        F.LWM2M_CBOR,
        F.SENML_CBOR,
        F.SENML_JSON,
        F.LWM2M_TLV,
        F.LWM2M_JSON,
        F.CBOR,
        F.TEXT,
        F.OCTET_STREAM,
      ]
  }
}

/**
 * The order in which the client answers a Read, Observe or notification that carries no
 * Accept (core's `chooseResponseFormat` walks it): TLV first for 1.0 (the format every 1.0
 * server reads, Core TS 1.0 section 6.4), SenML CBOR first for 1.1 and 1.2, then the
 * single-value formats for single values.
 */
export function defaultPreferredFormats(version: Lwm2mVersion): number[] {
  switch (version) {
    case '1.0':
      return [F.LWM2M_TLV, F.TEXT, F.OCTET_STREAM]
    case '1.1':
      return [F.SENML_CBOR, F.SENML_JSON, F.LWM2M_TLV, F.TEXT, F.OCTET_STREAM]
    case '1.2':
      return [F.SENML_CBOR, F.LWM2M_CBOR, F.SENML_JSON, F.LWM2M_TLV, F.TEXT, F.OCTET_STREAM]
  }
}

/** The pre-IANA numbers LwM2M 1.0 peers used, accepted wherever their format is supported. */
const ALIASES: ReadonlyMap<number, number> = new Map([
  [F.LWM2M_TLV_OLD, F.LWM2M_TLV],
  [F.LWM2M_JSON_OLD, F.LWM2M_JSON],
])

/**
 * The codecs of `registry` restricted to `formats` (and the old numbers of TLV and OMA
 * JSON): what the client's request classifier and answers see, so that a Content-Format
 * outside them is answered 4.15 and an Accept outside them 4.06.
 */
export function restrictCodecs(registry: CodecLookup, formats: readonly number[]): CodecLookup {
  const allowed = new Set(formats)
  const table = new Map<number, NodeCodec>()
  for (const f of formats) {
    const codec = registry.get(f)
    if (codec !== undefined) table.set(f, codec)
  }
  for (const [old, current] of ALIASES) {
    const codec = allowed.has(current) ? registry.get(old) : undefined
    if (codec !== undefined) table.set(old, codec)
  }
  return { get: (format) => table.get(format) }
}

/**
 * The formats announced with `ct=` on the root link of a Register (1.1+, Core TS 1.2
 * section 6.2.1): every supported format except text/plain and octet-stream, which every
 * client supports.
 */
export function announcedFormats(formats: readonly number[]): number[] {
  return formats.filter((f) => f !== F.TEXT && f !== F.OCTET_STREAM)
}

/** The format of a Send or Observe-Composite answer: LwM2M CBOR (1.2), SenML CBOR, SenML JSON, as supported. */
export function compositeFormat(formats: readonly number[], codecs: CodecLookup): number | undefined {
  for (const f of [F.SENML_CBOR, F.SENML_JSON, F.LWM2M_CBOR]) {
    if (formats.includes(f) && codecs.get(f)?.encodeNodes !== undefined) return f
  }
  return undefined
}
