import { LinkFormatError } from '../errors.js'
import { isAttrChar, isPtokenChar, isSpace, isTargetChar } from './chars.js'
import type { Link, LinkAttribute } from './types.js'

const LT = 0x3c
const GT = 0x3e
const SEMI = 0x3b
const COMMA = 0x2c
const EQ = 0x3d
const DQUOTE = 0x22
const BACKSLASH = 0x5c
const STAR = 0x2a

function describe(text: string, at: number): string {
  if (at >= text.length) return 'the end'
  const c = text.charCodeAt(at)
  return c < 0x20 || c === 0x7f ? `character U+${c.toString(16).padStart(4, '0')}` : `"${text[at]}"`
}

/**
 * Parses a CoRE link-format document (RFC 6690 section 2; content-format 40) into its
 * links, keeping document order, attribute order and repeated attributes.
 *
 * Values are `ptoken`s or `quoted-string`s, the latter unescaped (`\"` gives `"`, `\\`
 * gives `\`); commas and semicolons inside quotes belong to the value. An attribute
 * without `=` gets the value `true`. Whitespace (SP, HTAB, CR, LF) is tolerated where
 * RFC 8288 allows optional whitespace: around `,` and `;`, beside `=`, and at the start
 * and end of the document; nowhere else. The empty document has no links.
 *
 * Runs in one pass over the text, in time linear in its length. Throws
 * {@link LinkFormatError}, with the character offset (UTF-16 index) and the reason, for
 * anything else; never throws anything else.
 */
export function parseLinkFormat(text: string): Link[] {
  const len = text.length
  const links: Link[] = []
  let pos = 0

  const skipSpace = (): void => {
    while (pos < len && isSpace(text.charCodeAt(pos))) pos++
  }
  const fail = (at: number, reason: string): never => {
    throw new LinkFormatError(at, reason)
  }

  skipSpace()
  if (pos === len) return links
  for (;;) {
    // link-value = "<" URI-Reference ">" *( ";" link-param )
    if (pos >= len || text.charCodeAt(pos) !== LT) {
      fail(pos, `expected "<" to open a link, found ${describe(text, pos)}`)
    }
    const open = pos++
    while (pos < len && text.charCodeAt(pos) !== GT) {
      if (!isTargetChar(text.charCodeAt(pos))) fail(pos, `${describe(text, pos)} in the link target`)
      pos++
    }
    if (pos >= len) fail(len, `the link target opened at ${open} has no closing ">"`)
    const target = text.slice(open + 1, pos)
    pos++
    const attributes: LinkAttribute[] = []
    skipSpace()
    while (pos < len && text.charCodeAt(pos) === SEMI) {
      pos++
      skipSpace()
      // parmname, or ext-name-star (parmname "*", no whitespace in between)
      const nameStart = pos
      while (pos < len && isAttrChar(text.charCodeAt(pos))) pos++
      if (pos === nameStart) fail(pos, `expected an attribute name after ";", found ${describe(text, pos)}`)
      if (pos < len && text.charCodeAt(pos) === STAR) pos++
      const name = text.slice(nameStart, pos)
      skipSpace()
      if (pos < len && text.charCodeAt(pos) === EQ) {
        pos++
        skipSpace()
        if (pos < len && text.charCodeAt(pos) === DQUOTE) {
          // quoted-string: qdtext and quoted-pair ("\" followed by any character)
          const quote = pos++
          let value = ''
          let runStart = pos
          for (;;) {
            if (pos >= len) fail(len, `the quoted value of "${name}" opened at ${quote} is not closed`)
            const c = text.charCodeAt(pos)
            if (c === DQUOTE) break
            if (c === BACKSLASH) {
              if (pos + 1 >= len) fail(pos, `"\\" at the end of the quoted value of "${name}"`)
              value += text.slice(runStart, pos)
              runStart = pos + 1
              pos += 2
            } else pos++
          }
          value += text.slice(runStart, pos)
          pos++
          attributes.push([name, value])
        } else {
          const valueStart = pos
          while (pos < len && isPtokenChar(text.charCodeAt(pos))) pos++
          if (pos === valueStart) {
            fail(pos, `expected a value for "${name}" after "=", found ${describe(text, pos)}`)
          }
          attributes.push([name, text.slice(valueStart, pos)])
        }
        skipSpace()
      } else {
        attributes.push([name, true])
      }
    }
    links.push({ target, attributes })
    if (pos >= len) return links
    if (text.charCodeAt(pos) !== COMMA) {
      fail(pos, `expected ";", "," or the end after a link, found ${describe(text, pos)}`)
    }
    pos++
    skipSpace()
  }
}
