import { CoapError } from '../errors.js'
import { isAttrChar, isPtoken, isTargetChar } from './chars.js'
import type { Link } from './types.js'

/**
 * Attributes written quoted even when their value is a valid ptoken, as RFC 6690
 * writes them (section 2: `anchor` and `title` must be quoted; `rel`, `rev`, `rt` and
 * `if` are quoted in every example there and in the LwM2M specification).
 */
const ALWAYS_QUOTED: ReadonlySet<string> = new Set(['anchor', 'title', 'rel', 'rev', 'rt', 'if'])

function invalid(what: string): CoapError {
  return new CoapError('COAP_INVALID_ARGUMENT', what)
}

function quote(value: string): string {
  let out = '"'
  let runStart = 0
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i)
    if (c === 0x22 || c === 0x5c) {
      out += `${value.slice(runStart, i)}\\`
      runStart = i
    }
  }
  return `${out}${value.slice(runStart)}"`
}

function checkName(name: string): void {
  let end = name.length
  if (end > 1 && name.charCodeAt(end - 1) === 0x2a) end-- // ext-name-star: parmname "*"
  let ok = end > 0
  for (let i = 0; ok && i < end; i++) ok = isAttrChar(name.charCodeAt(i))
  if (!ok) throw invalid(`attribute name ${JSON.stringify(name)} is not a parmname (RFC 6690 section 2)`)
}

function checkTarget(target: string): void {
  for (let i = 0; i < target.length; i++) {
    if (!isTargetChar(target.charCodeAt(i))) {
      throw invalid(`link target ${JSON.stringify(target)} has a character not allowed in a URI-reference`)
    }
  }
}

/** Options of {@link formatLinkFormat}. */
export interface FormatLinkFormatOptions {
  /**
   * Attributes whose values are quoted even when they are valid ptokens, beyond anchor, title,
   * rel, rev, rt and if: a list of attribute names (`['uri']`, for a grammar whose ABNF says
   * `"uri" "=" quoted-string`), or a function of the attribute's name and value. It can only
   * add quotes: a value that is no ptoken is quoted whatever it says.
   */
  readonly quote?: Iterable<string> | ((name: string, value: string) => boolean)
}

function quotePredicate(quote: FormatLinkFormatOptions['quote']): (name: string, value: string) => boolean {
  if (quote === undefined) return (name) => ALWAYS_QUOTED.has(name)
  if (typeof quote === 'function') return (name, value) => ALWAYS_QUOTED.has(name) || quote(name, value)
  const names = new Set(quote)
  return (name) => ALWAYS_QUOTED.has(name) || names.has(name)
}

/**
 * Writes links as a CoRE link-format document (RFC 6690 section 2), without whitespace:
 * `</1/0>;ssid=101,</3/0>`. A value is quoted (with `"` and `\` escaped) when it is not
 * a valid ptoken, is empty, belongs to anchor, title, rel, rev, rt or if, or is one that
 * `options.quote` names; an attribute whose value is `true` is written without `=`. Throws a
 * CoapError with code COAP_INVALID_ARGUMENT for a target or attribute name that cannot be
 * written. {@link parseLinkFormat} reads the result back to equal links.
 */
export function formatLinkFormat(links: readonly Link[], options: FormatLinkFormatOptions = {}): string {
  const quoted = quotePredicate(options.quote)
  let out = ''
  for (let i = 0; i < links.length; i++) {
    const link = links[i]!
    checkTarget(link.target)
    if (i > 0) out += ','
    out += `<${link.target}>`
    for (const [name, value] of link.attributes) {
      checkName(name)
      if (value === true) out += `;${name}`
      else if (typeof value !== 'string')
        throw invalid(`value of attribute "${name}" is neither a string nor true`)
      else if (isPtoken(value) && !quoted(name, value)) out += `;${name}=${value}`
      else out += `;${name}=${quote(value)}`
    }
  }
  return out
}
