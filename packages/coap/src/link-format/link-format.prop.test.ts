import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { LinkFormatError } from '../errors.js'
import { formatLinkFormat } from './format.js'
import { parseLinkFormat } from './parse.js'
import type { Link, LinkAttribute } from './types.js'

// Properties of the CoRE link-format parser and writer (RFC 6690 section 2).

const PTOKEN = "!#$%&'()*+-./:<=>?@[]^_`{|}~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
const ATTR = '!#$&+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'
const pick = (chars: string) => fc.constantFrom(...chars.split(''))

/** Targets: URI-reference characters, plus commas, semicolons and non-ASCII text. */
const target = fc.oneof(
  fc.constantFrom('/', '', '/1/0', '/3/0/7', '/.well-known/core', 'coap://[::1]:5683/a?b=c#d', '/x;y,z'),
  fc.string({
    unit: fc.oneof(
      pick(`${PTOKEN.replace('<', '').replace('>', '')},;`),
      fc.constantFrom('é', '°', '\u{1f600}'),
    ),
    maxLength: 20,
  }),
)

const name = fc.oneof(
  fc.constantFrom(
    'rt',
    'if',
    'ct',
    'sz',
    'title',
    'anchor',
    'rel',
    'obs',
    'pmin',
    'pmax',
    'dim',
    'ver',
    'title*',
  ),
  fc
    .tuple(fc.string({ unit: pick(ATTR), minLength: 1, maxLength: 8 }), fc.boolean())
    .map(([n, star]) => (star ? `${n}*` : n)),
)

/** Values: ptokens, anything at all (quotes, backslashes, separators, controls, Unicode), or none. */
const value: fc.Arbitrary<string | true> = fc.oneof(
  fc.string({ unit: pick(PTOKEN), minLength: 1, maxLength: 12 }),
  fc.string({ unit: fc.oneof(pick(`${PTOKEN} ,;"\\\t\n`), fc.constantFrom('é', '\u0000')), maxLength: 12 }),
  fc.string({ unit: 'grapheme', maxLength: 6 }),
  fc.constant<true>(true),
)

const attribute: fc.Arbitrary<LinkAttribute> = fc.tuple(name, value)
const link: fc.Arbitrary<Link> = fc.record({ target, attributes: fc.array(attribute, { maxLength: 6 }) })
const links = fc.array(link, { maxLength: 6 })

/** Strings near link-format: pieces of the grammar in any order, and plain random text. */
const fragment = fc.constantFrom(
  '<',
  '>',
  '/a',
  ';',
  ',',
  '=',
  '"',
  '\\',
  ' ',
  '\n',
  'rt',
  'x',
  '*',
  'é',
  '\u0000',
  '1',
)
const nearLinkFormat = fc.oneof(
  fc.array(fragment, { maxLength: 40 }).map((parts) => parts.join('')),
  links.map(formatLinkFormat).chain((text) =>
    fc.tuple(fc.nat(text.length), fc.nat(text.length), fragment).map(([a, b, f]) => {
      const [from, to] = a <= b ? [a, b] : [b, a]
      return text.slice(0, from) + f + text.slice(to)
    }),
  ),
  fc.string({ maxLength: 80 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
)

function parseOrError(text: string): Link[] | undefined {
  try {
    return parseLinkFormat(text)
  } catch (e) {
    expect(LinkFormatError.isInstance(e)).toBe(true)
    const err = e as LinkFormatError
    expect(err.code).toBe('COAP_LINK_FORMAT')
    expect(err.offset).toBeGreaterThanOrEqual(0)
    expect(err.offset).toBeLessThanOrEqual(text.length)
    return undefined
  }
}

describe('link-format properties (RFC 6690 section 2)', () => {
  it('parse(format(links)) equals links: order, repeats, quoting and escapes survive', () => {
    fc.assert(
      fc.property(links, (l) => {
        expect(parseLinkFormat(formatLinkFormat(l))).toEqual(l)
      }),
      { numRuns: 2000 },
    )
  })

  it('parse(format(links, { quote })) equals links whatever the option quotes', () => {
    fc.assert(
      fc.property(
        links,
        fc.oneof(
          fc.array(fc.string({ unit: pick(ATTR), minLength: 1, maxLength: 4 }), { maxLength: 4 }),
          fc.func(fc.boolean()).map((f) => (name: string, value: string) => f(name, value)),
        ),
        (l, quote) => {
          expect(parseLinkFormat(formatLinkFormat(l, { quote }))).toEqual(l)
        },
      ),
      { numRuns: 1000 },
    )
  })

  it('format(parse(text)) equals text for text written by format', () => {
    fc.assert(
      fc.property(links, (l) => {
        const text = formatLinkFormat(l)
        expect(formatLinkFormat(parseLinkFormat(text))).toBe(text)
      }),
    )
  })

  it('extra whitespace around separators does not change what is parsed', () => {
    const space = fc.constantFrom(' ', '\t', '\r\n', '  ')
    fc.assert(
      fc.property(links, space, (l, ws) => {
        // Rewrite the formatted text with whitespace after each separator outside quotes and targets.
        const text = formatLinkFormat(l)
        let spaced = ''
        let state: 'link' | 'target' | 'name' | 'value' | 'quoted' = 'link'
        for (let i = 0; i < text.length; i++) {
          const c = text[i]!
          spaced += c
          if (state === 'quoted') {
            if (c === '\\') spaced += text[++i]!
            else if (c === '"') state = 'link'
          } else if (state === 'target') {
            if (c === '>') state = 'link'
          } else if (c === '<' && state === 'link') state = 'target'
          else if (c === '"' && state === 'value') state = 'quoted'
          else if (c === '=' && state === 'name') {
            spaced += ws
            state = 'value'
          } else if (c === ';') {
            spaced += ws
            state = 'name'
          } else if (c === ',') {
            spaced += ws
            state = 'link'
          }
        }
        expect(parseLinkFormat(ws + spaced + ws)).toEqual(l)
      }),
    )
  })

  it('any string parses or throws a LinkFormatError with an offset inside it, nothing else', () => {
    let parsed = 0
    fc.assert(
      fc.property(nearLinkFormat, (text) => {
        const result = parseOrError(text)
        if (result !== undefined) {
          parsed++
          // What parses can be written and read back to the same links.
          expect(parseLinkFormat(formatLinkFormat(result))).toEqual(result)
        }
      }),
      { numRuns: 5000 },
    )
    expect(parsed).toBeGreaterThan(0)
  })

  it('long inputs parse in one pass (no backtracking)', () => {
    const many = Array.from({ length: 20_000 }, (_, i) => `</${i}/0>;pmin=${i};rt="a,b;c"`).join(',')
    expect(parseLinkFormat(many)).toHaveLength(20_000)
    const quote = `</a>;t="${'\\"'.repeat(100_000)}`
    expect(() => parseLinkFormat(quote)).toThrow(LinkFormatError)
    const target = `<${'/'.repeat(200_000)}`
    expect(() => parseLinkFormat(target)).toThrow(LinkFormatError)
  })
})
