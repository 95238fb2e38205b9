/**
 * Content-Format numbers (RFC 7252 section 12.3 and the IANA registry), including the
 * ones LwM2M uses. The registry is open: unknown numbers travel as plain numbers.
 */
export const ContentFormat = {
  TEXT: 0,
  LINK_FORMAT: 40,
  XML: 41,
  OCTET_STREAM: 42,
  EXI: 47,
  JSON: 50,
  JSON_PATCH: 51,
  MERGE_PATCH: 52,
  CBOR: 60,
  CWT: 61,
  SENML_JSON: 110,
  SENML_CBOR: 112,
  SENML_ETCH_JSON: 320,
  SENML_ETCH_CBOR: 322,
  /** Numbers LwM2M 1.0 peers used before the IANA assignments. */
  LWM2M_TLV_OLD: 1542,
  LWM2M_JSON_OLD: 1543,
  LWM2M_TEXT_OLD: 1541,
  LWM2M_TLV: 11542,
  LWM2M_JSON: 11543,
  LWM2M_CBOR: 11544,
} as const

const NAMES: ReadonlyMap<number, string> = new Map([
  [0, 'text/plain;charset=utf-8'],
  [40, 'application/link-format'],
  [41, 'application/xml'],
  [42, 'application/octet-stream'],
  [47, 'application/exi'],
  [50, 'application/json'],
  [51, 'application/json-patch+json'],
  [52, 'application/merge-patch+json'],
  [60, 'application/cbor'],
  [61, 'application/cwt'],
  [110, 'application/senml+json'],
  [112, 'application/senml+cbor'],
  [320, 'application/senml-etch+json'],
  [322, 'application/senml-etch+cbor'],
  [1541, 'application/vnd.oma.lwm2m+text (pre-IANA)'],
  [1542, 'application/vnd.oma.lwm2m+tlv (pre-IANA)'],
  [1543, 'application/vnd.oma.lwm2m+json (pre-IANA)'],
  [11542, 'application/vnd.oma.lwm2m+tlv'],
  [11543, 'application/vnd.oma.lwm2m+json'],
  [11544, 'application/vnd.oma.lwm2m+cbor'],
])

/** The media type of a content-format number, or `"<n>"` when it is not one we know. */
export function contentFormatName(format: number): string {
  return NAMES.get(format) ?? String(format)
}
