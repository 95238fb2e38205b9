import { ContentFormat } from '@lwm2m/coap'
import { CliError } from '../errors.js'

/** Short names of the content formats LwM2M uses, as `--format` takes them. */
export const FORMAT_NAMES: Readonly<Record<string, number>> = {
  text: ContentFormat.TEXT,
  opaque: ContentFormat.OCTET_STREAM,
  tlv: ContentFormat.LWM2M_TLV,
  json: ContentFormat.LWM2M_JSON,
  'senml-json': ContentFormat.SENML_JSON,
  'senml-cbor': ContentFormat.SENML_CBOR,
  'lwm2m-cbor': ContentFormat.LWM2M_CBOR,
  cbor: ContentFormat.CBOR,
  link: ContentFormat.LINK_FORMAT,
  'old-tlv': ContentFormat.LWM2M_TLV_OLD,
  'old-json': ContentFormat.LWM2M_JSON_OLD,
}

const BY_NUMBER = new Map<number, string>(Object.entries(FORMAT_NAMES).map(([n, f]) => [f, n]))

/** The short name of a content format ("senml-cbor"), or its number as text. */
export function formatName(format: number | undefined): string {
  if (format === undefined) return 'none'
  return BY_NUMBER.get(format) ?? String(format)
}

/**
 * A `--format` value: a short name (`tlv`, `senml-cbor`, `lwm2m-cbor`, `senml-json`, `json`,
 * `text`, `opaque`, `cbor`) or a content-format number. Throws CliError CLI_USAGE otherwise.
 */
export function parseFormat(text: string): number {
  const named = FORMAT_NAMES[text.toLowerCase()]
  if (named !== undefined && Object.hasOwn(FORMAT_NAMES, text.toLowerCase())) return named
  if (/^[0-9]{1,5}$/.test(text) && Number(text) <= 65535) return Number(text)
  throw new CliError(
    'CLI_USAGE',
    `unknown format "${text.slice(0, 40)}": use one of ${Object.keys(FORMAT_NAMES).join(', ')} or a content-format number`,
  )
}
