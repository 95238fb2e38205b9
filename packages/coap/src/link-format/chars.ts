// Character classes of the RFC 6690 section 2 ABNF, as lookup tables over ASCII.

function table(chars: string, ranges: readonly [number, number][] = []): Uint8Array {
  const t = new Uint8Array(128)
  for (let i = 0; i < chars.length; i++) t[chars.charCodeAt(i)] = 1
  for (const [from, to] of ranges) for (let c = from; c <= to; c++) t[c] = 1
  return t
}

const ALNUM: readonly [number, number][] = [
  [0x30, 0x39],
  [0x41, 0x5a],
  [0x61, 0x7a],
]

/** `ptokenchar` (RFC 6690 section 2): the characters of an unquoted attribute value. */
const PTOKEN = table("!#$%&'()*+-./:<=>?@[]^_`{|}~", ALNUM)

/** `attr-char` of `parmname` (RFC 5987 section 3.2.1): the characters of an attribute name. */
const ATTR = table('!#$&+-.^_`|~', ALNUM)

export function isPtokenChar(c: number): boolean {
  return c < 128 && PTOKEN[c] === 1
}

export function isAttrChar(c: number): boolean {
  return c < 128 && ATTR[c] === 1
}

/** Whitespace tolerated around separators: SP and HTAB (RFC 8288 OWS), and CR and LF. */
export function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d
}

/**
 * Characters that cannot stand in a target between `<` and `>`: controls, space, `<`,
 * `>`, `"` (none of them may appear unencoded in a URI-reference, RFC 3986 section 2).
 * Other characters, non-ASCII included (CoRE link-format is UTF-8, RFC 6690 section 2),
 * are taken as written.
 */
export function isTargetChar(c: number): boolean {
  return c > 0x20 && c !== 0x7f && c !== 0x3c && c !== 0x3e && c !== 0x22
}

/** True if `value` can be written unquoted: a non-empty run of `ptokenchar`. */
export function isPtoken(value: string): boolean {
  if (value.length === 0) return false
  for (let i = 0; i < value.length; i++) if (!isPtokenChar(value.charCodeAt(i))) return false
  return true
}
