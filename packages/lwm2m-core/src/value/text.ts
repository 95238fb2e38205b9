import { Lwm2mError } from '../errors.js'
import type { ResourceType } from '../model/types.js'
import type { ObjectLink, ResourceValue } from '../node/types.js'
import { decodeBase64, encodeBase64 } from './base64.js'
import { checkValue, secondsToTime, timeToSeconds } from './check.js'
import { parseDecimalInteger } from './integer.js'
import { formatObjectLink, parseObjectLink } from './object-link.js'

/**
 * The plain-text form of a value (Core TS section 7.4.1, text/plain): strings as they
 * are, numbers in decimal, Boolean "0"/"1", Time as decimal seconds, Objlnk as
 * "oid:iid", Opaque in base64 (LwM2M 1.1+). Floats use JavaScript's shortest round-trip
 * form; "NaN", "Infinity" and "-Infinity" stand for the non-finite floats.
 */
export function valueToText(type: ResourceType, value: ResourceValue): string {
  switch (type) {
    case 'string':
    case 'corelnk':
    case 'none':
      return value as string
    case 'integer':
    case 'unsigned':
    case 'float':
      return String(value)
    case 'boolean':
      return value ? '1' : '0'
    case 'opaque':
      return encodeBase64(value as Uint8Array)
    case 'time':
      return String(timeToSeconds(value as Date))
    case 'objlnk':
      return formatObjectLink(value as ObjectLink)
  }
}

const FLOAT = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?$/

function invalid(type: ResourceType, text: string, where: string | undefined): never {
  const at = where === undefined ? '' : ` at ${where}`
  throw new Lwm2mError('LWM2M_INVALID_VALUE', `"${text.slice(0, 40)}" is not a ${type} value${at}`)
}

/**
 * Parses the plain-text form of a value of `type` (the inverse of {@link valueToText}).
 * Integers are exact over the whole 64-bit range. Throws Lwm2mError
 * LWM2M_INVALID_VALUE when the text is not a value of the type.
 */
export function textToValue(type: ResourceType, text: string, where?: string): ResourceValue {
  switch (type) {
    case 'string':
    case 'corelnk':
    case 'none':
      return checkValue(type, text, where)
    case 'integer':
    case 'unsigned': {
      const n = parseDecimalInteger(text)
      if (n === undefined) invalid(type, text, where)
      return checkValue(type, n, where)
    }
    case 'float':
      if (text === 'NaN') return Number.NaN
      if (text === 'Infinity') return Number.POSITIVE_INFINITY
      if (text === '-Infinity') return Number.NEGATIVE_INFINITY
      if (!FLOAT.test(text)) invalid(type, text, where)
      return Number(text)
    case 'boolean':
      if (text === '1') return true
      if (text === '0') return false
      return invalid(type, text, where)
    case 'opaque': {
      const bytes = decodeBase64(text)
      if (bytes === undefined) invalid(type, text, where)
      return bytes
    }
    case 'time': {
      const n = parseDecimalInteger(text)
      if (n === undefined) invalid(type, text, where)
      return secondsToTime(n, where)
    }
    case 'objlnk': {
      const link = parseObjectLink(text)
      if (link === undefined) invalid(type, text, where)
      return link
    }
  }
}
