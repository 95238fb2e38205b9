import type { Link } from './types.js'

/** The first value of an attribute (`true` for one without a value), or undefined if absent. */
export function getLinkAttribute(link: Link, name: string): string | true | undefined {
  for (const [n, v] of link.attributes) if (n === name) return v
  return undefined
}

/** Every value of an attribute, in document order. */
export function getLinkAttributes(link: Link, name: string): (string | true)[] {
  const out: (string | true)[] = []
  for (const [n, v] of link.attributes) if (n === name) out.push(v)
  return out
}

/** True if the link carries the attribute, with or without a value. */
export function hasLinkAttribute(link: Link, name: string): boolean {
  for (const [n] of link.attributes) if (n === name) return true
  return false
}

/** A decimal number: optional minus, digits, optional fraction, optional exponent. */
function parseDecimal(text: string): number | undefined {
  const len = text.length
  let i = 0
  if (i < len && (text[i] === '-' || text[i] === '+')) i++
  const digitsAt = i
  while (i < len && text.charCodeAt(i) >= 0x30 && text.charCodeAt(i) <= 0x39) i++
  if (i === digitsAt) return undefined
  if (i < len && text[i] === '.') {
    const fractionAt = ++i
    while (i < len && text.charCodeAt(i) >= 0x30 && text.charCodeAt(i) <= 0x39) i++
    if (i === fractionAt) return undefined
  }
  if (i < len && (text[i] === 'e' || text[i] === 'E')) {
    i++
    if (i < len && (text[i] === '-' || text[i] === '+')) i++
    const exponentAt = i
    while (i < len && text.charCodeAt(i) >= 0x30 && text.charCodeAt(i) <= 0x39) i++
    if (i === exponentAt) return undefined
  }
  if (i !== len) return undefined
  const n = Number(text)
  return Number.isFinite(n) ? n : undefined
}

/**
 * The first value of an attribute read as a decimal number (`pmin=10`, `gt=20.5`,
 * `sz=262144`, `st=1e-3`), or undefined when absent, without a value, or not a decimal
 * number (`0x10`, `Infinity`, `1,5` and the empty string are not).
 */
export function getLinkNumber(link: Link, name: string): number | undefined {
  const v = getLinkAttribute(link, name)
  return typeof v === 'string' ? parseDecimal(v) : undefined
}

/**
 * The space-separated items of every value of an attribute, in order: for `rt`, `if`,
 * `rel` and `ct`, which may list several (`rt="a b"` and `rt=c` give `a`, `b`, `c`;
 * RFC 6690 section 3.1, RFC 7252 section 7.2.1).
 */
export function getLinkTokens(link: Link, name: string): string[] {
  const out: string[] = []
  for (const [n, v] of link.attributes) {
    if (n !== name || v === true) continue
    for (const item of v.split(' ')) if (item.length > 0) out.push(item)
  }
  return out
}
