import {
  checkValue,
  decodeBase64,
  Lwm2mError,
  parseDecimalInteger,
  parseObjectLink,
  type ResourceModel,
  type ResourceType,
  type ResourceValue,
  secondsToTime,
} from '@lwm2m/core'
import { CliError } from '../errors.js'

const FLOAT = /^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/
const HEX = /^0x((?:[0-9a-fA-F]{2})*)$/
const ISO_DATE =
  /^[0-9]{4}-[0-9]{2}-[0-9]{2}(?:[T ][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?)?(?:Z|[+-][0-9]{2}:?[0-9]{2})?$/

const TRUE = new Set(['true', '1', 'on', 'yes'])
const FALSE = new Set(['false', '0', 'off', 'no'])

/** What a value of each type looks like, for error messages and help. */
export const VALUE_SYNTAX: Readonly<Record<ResourceType, string>> = {
  string: 'any text (quote it when it has blanks)',
  corelnk: 'CoRE link-format text such as </3/0>',
  integer: 'a whole number such as -12',
  unsigned: 'a whole number of 0 or more',
  float: 'a number such as 21.5 or 1e-3',
  boolean: 'true or false (1/0, on/off, yes/no)',
  opaque: 'bytes as 0x0a1b... (hex) or base64',
  time: 'seconds since 1970, an ISO date such as 2024-05-01T12:00:00Z, or now',
  objlnk: 'an object link oid:iid such as 3:0',
  none: 'nothing ("")',
}

function stripPlus(text: string): string {
  return text.startsWith('+') && text.length > 1 && text[1] !== '-' ? text.slice(1) : text
}

function parseTyped(type: ResourceType, text: string, now: () => number): ResourceValue | undefined {
  switch (type) {
    case 'string':
    case 'corelnk':
      return text
    case 'none':
      return text === '' ? '' : undefined
    case 'integer':
    case 'unsigned':
      return parseDecimalInteger(stripPlus(text))
    case 'float':
      if (text === 'NaN') return Number.NaN
      if (text === 'Infinity' || text === '+Infinity') return Number.POSITIVE_INFINITY
      if (text === '-Infinity') return Number.NEGATIVE_INFINITY
      return FLOAT.test(text) ? Number(text) : undefined
    case 'boolean': {
      const t = text.toLowerCase()
      return TRUE.has(t) ? true : FALSE.has(t) ? false : undefined
    }
    case 'opaque': {
      if (text === '') return new Uint8Array(0)
      const hex = HEX.exec(text)
      if (hex !== null) return Uint8Array.from(hex[1]!.match(/../g) ?? [], (b) => Number.parseInt(b, 16))
      return decodeBase64(text)
    }
    case 'time': {
      if (text === 'now') return new Date(Math.floor(now() / 1000) * 1000)
      const seconds = parseDecimalInteger(stripPlus(text))
      if (seconds !== undefined) return secondsToTime(seconds)
      if (!ISO_DATE.test(text)) return undefined
      const ms = Date.parse(text.replace(' ', 'T'))
      return Number.isNaN(ms) ? undefined : new Date(Math.floor(ms / 1000) * 1000)
    }
    case 'objlnk':
      return parseObjectLink(text)
  }
}

/**
 * The type a value written as text suggests when no model tells: `true`/`false` a boolean,
 * a whole number an integer, a decimal number a float, anything else a string.
 */
export function inferTextType(text: string): ResourceType {
  const t = text.toLowerCase()
  if (t === 'true' || t === 'false') return 'boolean'
  if (parseDecimalInteger(stripPlus(text)) !== undefined) return 'integer'
  if (FLOAT.test(text)) return 'float'
  return 'string'
}

/** Where a value goes, for messages: the path and, when the model knows it, the resource. */
export function describeTarget(where: string, model: ResourceModel | undefined): string {
  return model === undefined ? where : `${where} (${model.name}, ${model.type})`
}

/**
 * Reads a value typed at the prompt for a resource of `model` (or, without a model, of the
 * type the text suggests). Accepts friendlier forms than text/plain: `true`/`false` for
 * booleans, `0x..` hex or base64 for opaque, ISO dates or `now` for time, `oid:iid` for
 * object links. Throws CliError CLI_INVALID_VALUE with what the resource takes.
 */
export function parseValueText(
  text: string,
  model: ResourceModel | undefined,
  where: string,
  now: () => number = Date.now,
): ResourceValue {
  const type = model?.type ?? inferTextType(text)
  let value: ResourceValue | undefined
  try {
    value = parseTyped(type, text, now)
    if (value !== undefined) return checkValue(type, value, where)
  } catch (err) {
    if (!Lwm2mError.isInstance(err)) throw err
    throw new CliError('CLI_INVALID_VALUE', `${describeTarget(where, model)}: ${err.message}`, { cause: err })
  }
  const shown = text.length > 40 ? `${text.slice(0, 40)}...` : text
  throw new CliError(
    'CLI_INVALID_VALUE',
    `${describeTarget(where, model)} takes ${VALUE_SYNTAX[type]}, not ${JSON.stringify(shown)}`,
  )
}
