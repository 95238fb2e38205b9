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
