import { Lwm2mError } from '../errors.js'
import { type AttributeChanges, NOTIFICATION_ATTRIBUTES, type NotificationAttributeName } from './types.js'

/** Names this package knows in a Write-Attributes or Observe query, with their value syntax. */
type Syntax = 'period' | 'decimal' | 'unsignedDecimal' | 'bit'

const SYNTAX: Readonly<Record<NotificationAttributeName, Syntax>> = {
  pmin: 'period',
  pmax: 'period',
  epmin: 'period',
  epmax: 'period',
  hqmax: 'period',
  gt: 'decimal',
  lt: 'decimal',
  st: 'unsignedDecimal',
  edge: 'bit',
  con: 'bit',
}

/** The read-only <PROPERTIES> attributes: they can never be written (Core TS 1.2 table 7.3.1-1, Access Mode R). */
const READ_ONLY = new Set(['dim', 'ssid', 'uri', 'ver', 'lwm2m'])

/** The longest value text accepted: enough for any finite double written out in plain decimals. */
const MAX_VALUE_LENGTH = 400

function invalid(message: string): never {
  throw new Lwm2mError('LWM2M_INVALID_ATTRIBUTES', message)
}

/** True for a <NOTIFICATION> attribute name. */
export function isNotificationAttributeName(name: string): name is NotificationAttributeName {
  return Object.hasOwn(SYNTAX, name)
}

/**
 * Parses one attribute value by the ABNF of Core TS 1.2 table 7.3.2-1:
 * - pmin, pmax, epmin, epmax, hqmax: `1*DIGIT` (seconds, or entries for hqmax);
 * - gt, lt: `1*DIGIT ["." 1*DIGIT]`; a leading "-" is accepted too, since thresholds of
 *   signed resources (a temperature below zero) cannot be written otherwise;
 * - st: `1*DIGIT ["." 1*DIGIT]`;
 * - edge, con: "0" or "1".
 * Throws LWM2M_INVALID_ATTRIBUTES.
 */
export function parseAttributeValue(name: NotificationAttributeName, text: string): number {
  if (text.length === 0 || text.length > MAX_VALUE_LENGTH)
    invalid(`attribute ${name} has an invalid value "${text}"`)
  switch (SYNTAX[name]) {
    case 'period':
      if (!/^[0-9]{1,15}$/.test(text))
        invalid(`attribute ${name} must be a whole number of 0 or more, not "${text}"`)
      return Number(text)
    case 'decimal':
      if (!/^-?[0-9]+(\.[0-9]+)?$/.test(text))
        invalid(`attribute ${name} must be a decimal number, not "${text}"`)
      return Number(text)
    case 'unsignedDecimal':
      if (!/^[0-9]+(\.[0-9]+)?$/.test(text))
        invalid(`attribute ${name} must be a decimal number of 0 or more, not "${text}"`)
      return Number(text)
    case 'bit':
      if (text !== '0' && text !== '1') invalid(`attribute ${name} must be 0 or 1, not "${text}"`)
      return Number(text)
  }
}

/** Formats one attribute value in the syntax {@link parseAttributeValue} reads. */
export function formatAttributeValue(name: NotificationAttributeName, value: number): string {
  const syntax = SYNTAX[name]
  if (!Number.isFinite(value)) invalid(`attribute ${name} must be finite, not ${value}`)
  if (syntax === 'period' || syntax === 'bit') {
    if (!Number.isSafeInteger(value) || value < 0)
      invalid(`attribute ${name} must be a whole number of 0 or more, not ${value}`)
    if (syntax === 'bit' && value > 1) invalid(`attribute ${name} must be 0 or 1, not ${value}`)
    return String(value)
  }
  if (syntax === 'unsignedDecimal' && value < 0) invalid(`attribute ${name} must be 0 or more, not ${value}`)
  return decimalText(value)
}

/** Plain decimal text of a finite number, never exponent notation ("1e-7" becomes "0.0000001"). */
function decimalText(value: number): string {
  let text = String(value)
  if (!/e/i.test(text)) return text === '-0' ? '0' : text
  const negative = text.startsWith('-')
  if (negative) text = text.slice(1)
  const [mantissa = '', exponent = '0'] = text.split('e')
  const [whole = '', fraction = ''] = mantissa.split('.')
  const digits = whole + fraction
  const point = whole.length + Number(exponent)
  let out: string
  if (point <= 0) out = `0.${'0'.repeat(-point)}${digits}`
  else if (point >= digits.length) out = digits + '0'.repeat(point - digits.length)
  else out = `${digits.slice(0, point)}.${digits.slice(point)}`
  return negative ? `-${out}` : out
}

/** Splits "a=1&b" or the Uri-Query items ["a=1", "b"] into items. */
export function queryItems(query: string | readonly string[]): readonly string[] {
  if (typeof query !== 'string') return query
  if (query.startsWith('?')) query = query.slice(1)
  return query.length === 0 ? [] : query.split('&')
}

/** Options of {@link parseAttributeQuery}. */
export interface AttributeQueryOptions {
  /**
   * Query names that belong to the operation rather than to attributes and are skipped
   * (for Discover: "depth"). Any other unknown name is an error.
   */
  readonly ignore?: readonly string[]
  /** True to allow unsetting (a name without value). Write-Attributes allows it, Observe does not. */
  readonly allowUnset?: boolean
}

/**
 * Parses the query of a Write-Attributes request (`pmin=10&pmax=60&gt=50.5&lt=10&st=2`,
 * Core TS 1.2 section 6.3.4, Transport TS section 6.4.4) or the observation attributes of
 * an Observe (1.2). A name without value ("pmin") unsets the attribute and gives `null`.
 * A name twice, an unknown or read-only name (dim, ssid, uri, ver, lwm2m) or a malformed
 * value throws Lwm2mError LWM2M_INVALID_ATTRIBUTES (answered 4.00 Bad Request).
 * Consistency (lt < gt, ...) is checked by `validateAttributes`.
 */
export function parseAttributeQuery(
  query: string | readonly string[],
  options: AttributeQueryOptions = {},
): AttributeChanges {
  const allowUnset = options.allowUnset ?? true
  const out: Partial<Record<NotificationAttributeName, number | null>> = {}
  for (const item of queryItems(query)) {
    const eq = item.indexOf('=')
    const name = eq < 0 ? item : item.slice(0, eq)
    if (options.ignore?.includes(name)) continue
    if (!isNotificationAttributeName(name)) {
      if (READ_ONLY.has(name)) invalid(`attribute ${name} is read-only and cannot be written`)
      invalid(`unknown attribute "${name.slice(0, 40)}"`)
    }
    if (Object.hasOwn(out, name)) invalid(`attribute ${name} is given twice`)
    if (eq < 0) {
      if (!allowUnset) invalid(`attribute ${name} needs a value here`)
      out[name] = null
    } else {
      out[name] = parseAttributeValue(name, item.slice(eq + 1))
    }
  }
  return out as AttributeChanges
}

/**
 * Formats a change set as Uri-Query items in the order of {@link NOTIFICATION_ATTRIBUTES}:
 * `{ pmin: 10, gt: null }` gives `["pmin=10", "gt"]`.
 */
export function formatAttributeQuery(changes: AttributeChanges): string[] {
  const items: string[] = []
  for (const name of NOTIFICATION_ATTRIBUTES) {
    if (!Object.hasOwn(changes, name)) continue
    const value = changes[name]
    if (value === undefined) continue
    items.push(value === null ? name : `${name}=${formatAttributeValue(name, value)}`)
  }
  return items
}
