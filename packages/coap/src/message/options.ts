import { CoapError } from '../errors.js'
import type { CoapOption } from './types.js'

/** Option numbers of the IANA CoAP Option Numbers registry that this package knows. */
export const OptionNumber = {
  IfMatch: 1,
  UriHost: 3,
  ETag: 4,
  IfNoneMatch: 5,
  Observe: 6,
  UriPort: 7,
  LocationPath: 8,
  OSCORE: 9,
  UriPath: 11,
  ContentFormat: 12,
  MaxAge: 14,
  UriQuery: 15,
  HopLimit: 16,
  Accept: 17,
  QBlock1: 19,
  LocationQuery: 20,
  EDHOC: 21,
  Block2: 23,
  Block1: 27,
  Size2: 28,
  QBlock2: 31,
  ProxyUri: 35,
  ProxyScheme: 39,
  Size1: 60,
  Echo: 252,
  NoResponse: 258,
  RequestTag: 292,
} as const

/** The value formats of RFC 7252 section 3.2. */
export type OptionFormat = 'empty' | 'opaque' | 'uint' | 'string'

/** What the registry says of an option. */
export interface OptionDefinition {
  readonly number: number
  readonly name: string
  readonly format: OptionFormat
  readonly repeatable: boolean
  readonly minLength: number
  readonly maxLength: number
}

function def(
  number: number,
  name: string,
  format: OptionFormat,
  repeatable: boolean,
  minLength: number,
  maxLength: number,
): OptionDefinition {
  return { number, name, format, repeatable, minLength, maxLength }
}

const DEFINITIONS: readonly OptionDefinition[] = [
  def(1, 'If-Match', 'opaque', true, 0, 8),
  def(3, 'Uri-Host', 'string', false, 1, 255),
  def(4, 'ETag', 'opaque', true, 1, 8),
  def(5, 'If-None-Match', 'empty', false, 0, 0),
  def(6, 'Observe', 'uint', false, 0, 3),
  def(7, 'Uri-Port', 'uint', false, 0, 2),
  def(8, 'Location-Path', 'string', true, 0, 255),
  def(9, 'OSCORE', 'opaque', false, 0, 255),
  def(11, 'Uri-Path', 'string', true, 0, 255),
  def(12, 'Content-Format', 'uint', false, 0, 2),
  def(14, 'Max-Age', 'uint', false, 0, 4),
  def(15, 'Uri-Query', 'string', true, 0, 255),
  def(16, 'Hop-Limit', 'uint', false, 1, 1),
  def(17, 'Accept', 'uint', false, 0, 2),
  def(19, 'Q-Block1', 'uint', false, 0, 3),
  def(20, 'Location-Query', 'string', true, 0, 255),
  def(21, 'EDHOC', 'empty', false, 0, 0),
  def(23, 'Block2', 'uint', false, 0, 3),
  def(27, 'Block1', 'uint', false, 0, 3),
  def(28, 'Size2', 'uint', false, 0, 4),
  def(31, 'Q-Block2', 'uint', false, 0, 3),
  def(35, 'Proxy-Uri', 'string', false, 1, 1034),
  def(39, 'Proxy-Scheme', 'string', false, 1, 255),
  def(60, 'Size1', 'uint', false, 0, 4),
  def(252, 'Echo', 'opaque', false, 1, 40),
  def(258, 'No-Response', 'uint', false, 0, 1),
  def(292, 'Request-Tag', 'opaque', true, 0, 8),
]

const BY_NUMBER: ReadonlyMap<number, OptionDefinition> = new Map(DEFINITIONS.map((d) => [d.number, d]))
const BY_NAME: ReadonlyMap<string, OptionDefinition> = new Map(DEFINITIONS.map((d) => [d.name, d]))

/** The registry entry of an option number, or undefined for numbers we do not know. */
export function optionDefinition(number: number): OptionDefinition | undefined {
  return BY_NUMBER.get(number)
}

/** The registry entry of an option name such as "Uri-Path". */
export function optionByName(name: string): OptionDefinition | undefined {
  return BY_NAME.get(name)
}

/** The name of an option number ("Uri-Path"), or "Option <n>" when unknown. */
export function optionName(number: number): string {
  return BY_NUMBER.get(number)?.name ?? `Option ${number}`
}

/** Critical options (odd numbers) must be understood by the receiver (RFC 7252 section 5.4.1). */
export function isCritical(number: number): boolean {
  return (number & 1) === 1
}

/** Elective options may be ignored by a receiver that does not know them. */
export function isElective(number: number): boolean {
  return (number & 1) === 0
}

/** Unsafe-to-forward options (bit 1 set; RFC 7252 section 5.4.2). */
export function isUnsafe(number: number): boolean {
  return (number & 2) === 2
}

/** NoCacheKey options (RFC 7252 section 5.4.2: the bits 0x1e equal 0x1c). */
export function isNoCacheKey(number: number): boolean {
  return (number & 0x1e) === 0x1c
}

/**
 * Checks an option against the registry (RFC 7252 section 5.4.3 and 5.4.5): a known
 * option with a length out of range, or a non-repeatable option repeated, is to be
 * treated as an unrecognized option. Returns the numbers of the options that are
 * unrecognized in that sense, or unknown, and critical: a request carrying any of
 * them gets 4.02 Bad Option. Elective ones are simply to be ignored.
 */
export function unrecognizedCriticalOptions(
  options: readonly CoapOption[],
  known?: ReadonlySet<number>,
): number[] {
  if (allCriticalRecognized(options, known)) return []
  const bad: number[] = []
  let reported: Set<number> | undefined
  let seen: Set<number> | undefined
  for (const opt of options) {
    const n = opt.number
    const d = BY_NUMBER.get(n)
    let ok = d !== undefined && (known === undefined || known.has(n))
    if (d !== undefined && ok) {
      ok = opt.value.length >= d.minLength && opt.value.length <= d.maxLength
      if (!d.repeatable) {
        // Only the occurrences after the first are supernumerary (RFC 7252 section 5.4.5).
        seen ??= new Set()
        if (seen.has(n)) ok = false
        else seen.add(n)
      }
    }
    if (!ok && isCritical(n)) {
      reported ??= new Set()
      if (!reported.has(n)) {
        reported.add(n)
        bad.push(n)
      }
    }
  }
  return bad
}

/**
 * The common case of {@link unrecognizedCriticalOptions} in one pass that allocates
 * nothing: options in number order (as decoded, so that a repeat is next to its first
 * occurrence), every critical one known, of a valid length and not repeated. False
 * means "look closer", not "bad".
 */
function allCriticalRecognized(
  options: readonly CoapOption[],
  known: ReadonlySet<number> | undefined,
): boolean {
  let previous = -1
  for (const o of options) {
    const n = o.number
    if (n < previous) return false
    if (isCritical(n)) {
      const d = BY_NUMBER.get(n)
      if (d === undefined || (known !== undefined && !known.has(n))) return false
      const len = o.value.length
      if (len < d.minLength || len > d.maxLength || (!d.repeatable && n === previous)) return false
    }
    previous = n
  }
  return true
}

// ---- values -------------------------------------------------------------------

const EMPTY: Uint8Array = new Uint8Array(0)
const textEncoder = new TextEncoder()
const textDecoder = new TextDecoder('utf-8', { fatal: false })

/** The shortest big-endian encoding of an unsigned integer (0 is the empty string). */
export function encodeUint(value: number): Uint8Array {
  if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) {
    throw new CoapError('COAP_INVALID_ARGUMENT', `option uint out of range: ${value}`)
  }
  if (value === 0) return EMPTY
  if (value < 0x100) return Uint8Array.of(value)
  if (value < 0x10000) return Uint8Array.of(value >>> 8, value & 0xff)
  if (value < 0x1000000) return Uint8Array.of(value >>> 16, (value >>> 8) & 0xff, value & 0xff)
  return Uint8Array.of(value >>> 24, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff)
}

/** The unsigned integer of an option value of up to 4 bytes (leading zeros allowed). */
export function decodeUint(value: Uint8Array): number {
  if (value.length > 4) {
    throw new CoapError('COAP_INVALID_ARGUMENT', `uint option value of ${value.length} bytes (at most 4)`)
  }
  let n = 0
  for (let i = 0; i < value.length; i++) n = n * 256 + value[i]!
  return n
}

/** UTF-8 bytes of a string option value. */
export function encodeString(value: string): Uint8Array {
  // Short ASCII strings (paths, queries, names) are copied here: a TextEncoder call costs
  // about a microsecond, ten times the copy.
  const n = value.length
  if (n > 64) return textEncoder.encode(value)
  const out = new Uint8Array(n)
  for (let i = 0; i < n; i++) {
    const c = value.charCodeAt(i)
    if (c > 0x7f) return textEncoder.encode(value)
    out[i] = c
  }
  return out
}

/** The string of an option value (UTF-8; invalid sequences become U+FFFD). */
export function decodeString(value: Uint8Array): string {
  // Short ASCII values (paths, queries, names) are read here, without a TextDecoder call.
  const n = value.length
  if (n > 32) return textDecoder.decode(value)
  let text = ''
  for (let i = 0; i < n; i++) {
    const c = value[i]!
    if (c > 0x7f) return textDecoder.decode(value)
    text += String.fromCharCode(c)
  }
  return text
}

// ---- lists --------------------------------------------------------------------

/** The first value of an option, or undefined. */
export function getOption(options: readonly CoapOption[], number: number): Uint8Array | undefined {
  for (const o of options) if (o.number === number) return o.value
  return undefined
}

/** Every value of a repeatable option, in order. */
export function getOptions(options: readonly CoapOption[], number: number): Uint8Array[] {
  const out: Uint8Array[] = []
  for (const o of options) if (o.number === number) out.push(o.value)
  return out
}

/** True if the option is present. */
export function hasOption(options: readonly CoapOption[], number: number): boolean {
  for (const o of options) if (o.number === number) return true
  return false
}

/** A uint option, or undefined if absent or longer than 4 bytes. */
export function getUintOption(options: readonly CoapOption[], number: number): number | undefined {
  const v = getOption(options, number)
  if (v === undefined || v.length > 4) return undefined
  return decodeUint(v)
}

/** Every value of a string option, decoded. */
export function getStringOptions(options: readonly CoapOption[], number: number): string[] {
  const out: string[] = []
  for (const o of options) if (o.number === number) out.push(decodeString(o.value))
  return out
}

/** Options with every instance of `number` removed. */
export function withoutOption(options: readonly CoapOption[], number: number): CoapOption[] {
  return options.filter((o) => o.number !== number)
}

/** Options with `number` set to one value (earlier values removed). */
export function withOption(options: readonly CoapOption[], number: number, value: Uint8Array): CoapOption[] {
  const out = withoutOption(options, number)
  out.push({ number, value })
  return sortOptions(out)
}

/** A stable sort by option number, keeping repeated options in their order. */
export function sortOptions(options: readonly CoapOption[]): CoapOption[] {
  const out = options.slice()
  for (let i = 1; i < out.length; i++) {
    if (out[i]!.number < out[i - 1]!.number) {
      out.sort((a, b) => a.number - b.number) // Array.prototype.sort is stable
      break
    }
  }
  return out
}
