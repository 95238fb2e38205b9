import { describe, expect, it } from 'vitest'
import { CoapError } from '../errors.js'
import { formatLinkFormat } from './format.js'
import { parseLinkFormat } from './parse.js'
import type { Link } from './types.js'

function refuses(links: Link[]): CoapError {
  try {
    formatLinkFormat(links)
  } catch (e) {
    expect(CoapError.isInstance(e)).toBe(true)
    expect((e as CoapError).code).toBe('COAP_INVALID_ARGUMENT')
    return e as CoapError
  }
  throw new Error('expected the links to be refused')
}

describe('formatLinkFormat (RFC 6690 section 2)', () => {
  it('writes an empty list as the empty document', () => {
    expect(formatLinkFormat([])).toBe('')
  })

  it('writes ptokens unquoted and quotes what is not a ptoken', () => {
    const text = formatLinkFormat([
      {
        target: '/a',
        attributes: [
          ['ct', '40'],
          ['sz', '1024'],
          ['e', ''],
          ['sp', 'a b'],
          ['c', 'x,y'],
          ['s', 'x;y'],
          ['u', 'é'],
          ['obs', true],
        ],
      },
    ])
    expect(text).toBe('</a>;ct=40;sz=1024;e="";sp="a b";c="x,y";s="x;y";u="é";obs')
  })

  it('always quotes anchor, title, rel, rev, rt and if, as RFC 6690 and LwM2M write them', () => {
    expect(
      formatLinkFormat([
        {
          target: '/',
          attributes: [
            ['rt', 'oma.lwm2m'],
            ['if', 'sensor'],
            ['rel', 'alternate'],
            ['rev', 'x'],
            ['anchor', '/a'],
            ['title', 'T'],
          ],
        },
      ]),
    ).toBe('</>;rt="oma.lwm2m";if="sensor";rel="alternate";rev="x";anchor="/a";title="T"')
  })

  it('quotes the attributes an option names, and only adds quotes (LwM2M: uri="..." is a quoted-string)', () => {
    const links: Link[] = [
      {
        target: '/0/0',
        attributes: [
          ['ssid', '101'],
          ['uri', 'coap://server_1.example.com'],
          ['rt', 'oma.lwm2m'],
        ],
      },
    ]
    expect(formatLinkFormat(links, { quote: ['uri'] })).toBe(
      '</0/0>;ssid=101;uri="coap://server_1.example.com";rt="oma.lwm2m"',
    )
    expect(formatLinkFormat(links, { quote: new Set(['uri', 'ssid']) })).toBe(
      '</0/0>;ssid="101";uri="coap://server_1.example.com";rt="oma.lwm2m"',
    )
    // A function decides per attribute; it cannot unquote what must be quoted.
    const seen: [string, string][] = []
    const byValue = formatLinkFormat(
      [
        {
          target: '/a',
          attributes: [
            ['x', '1'],
            ['y', 'two'],
            ['z', 'a b'],
            ['rt', 'r'],
            ['obs', true],
          ],
        },
      ],
      {
        quote: (name, value) => {
          seen.push([name, value])
          return /^[0-9]+$/.test(value)
        },
      },
    )
    expect(byValue).toBe('</a>;x="1";y=two;z="a b";rt="r";obs')
    expect(seen).toEqual([
      ['x', '1'],
      ['y', 'two'],
    ])
    // Quoted or not, the parser reads the same links back.
    expect(parseLinkFormat(formatLinkFormat(links, { quote: ['uri', 'ssid'] }))).toEqual(links)
  })

  it('writes as before without options, or with an empty set', () => {
    const links: Link[] = [
      {
        target: '/0/0',
        attributes: [
          ['uri', 'coap://h'],
          ['ssid', '1'],
        ],
      },
    ]
    expect(formatLinkFormat(links)).toBe('</0/0>;uri=coap://h;ssid=1')
    expect(formatLinkFormat(links, {})).toBe('</0/0>;uri=coap://h;ssid=1')
    expect(formatLinkFormat(links, { quote: [] })).toBe('</0/0>;uri=coap://h;ssid=1')
  })

  it('escapes double quotes and backslashes inside quotes', () => {
    const links: Link[] = [{ target: '/a', attributes: [['title', 'say "hi" \\ bye']] }]
    const text = formatLinkFormat(links)
    expect(text).toBe('</a>;title="say \\"hi\\" \\\\ bye"')
    expect(parseLinkFormat(text)).toEqual(links)
  })

  it('refuses targets and names it cannot write', () => {
    refuses([{ target: '/a b', attributes: [] }])
    refuses([{ target: '/a>', attributes: [] }])
    refuses([{ target: '/a"', attributes: [] }])
    refuses([{ target: '/a', attributes: [['', '1']] }])
    refuses([{ target: '/a', attributes: [['a b', '1']] }])
    refuses([{ target: '/a', attributes: [['a=b', '1']] }])
    refuses([{ target: '/a', attributes: [['*', '1']] }])
    refuses([{ target: '/a', attributes: [['a', 1 as unknown as string]] }])
    expect(formatLinkFormat([{ target: '/a', attributes: [['title*', "UTF-8''x"]] }])).toBe(
      "</a>;title*=UTF-8''x",
    )
  })
})
