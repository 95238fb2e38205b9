import { describe, expect, it } from 'vitest'
import { LinkFormatError } from '../errors.js'
import {
  getLinkAttribute,
  getLinkAttributes,
  getLinkNumber,
  getLinkTokens,
  hasLinkAttribute,
} from './attributes.js'
import { formatLinkFormat } from './format.js'
import { parseLinkFormat } from './parse.js'
import type { Link } from './types.js'

function rejects(text: string): LinkFormatError {
  try {
    parseLinkFormat(text)
  } catch (e) {
    expect(LinkFormatError.isInstance(e)).toBe(true)
    expect((e as LinkFormatError).code).toBe('COAP_LINK_FORMAT')
    return e as LinkFormatError
  }
  throw new Error(`expected ${JSON.stringify(text)} to be rejected`)
}

describe('RFC 6690 section 5: the examples', () => {
  // Section 5, first example: the response to GET /.well-known/core (line breaks in the
  // RFC are for readability; the document has none).
  const wellKnown =
    '</sensors>;ct=40;title="Sensor Index",' +
    '</sensors/temp>;rt="temperature-c";if="sensor",' +
    '</sensors/light>;rt="light-lux";if="sensor",' +
    '<http://www.example.com/sensors/t123>;anchor="/sensors/temp";rel="describedby",' +
    '</t>;anchor="/sensors/temp";rel="alternate"'
  const expected: Link[] = [
    {
      target: '/sensors',
      attributes: [
        ['ct', '40'],
        ['title', 'Sensor Index'],
      ],
    },
    {
      target: '/sensors/temp',
      attributes: [
        ['rt', 'temperature-c'],
        ['if', 'sensor'],
      ],
    },
    {
      target: '/sensors/light',
      attributes: [
        ['rt', 'light-lux'],
        ['if', 'sensor'],
      ],
    },
    {
      target: 'http://www.example.com/sensors/t123',
      attributes: [
        ['anchor', '/sensors/temp'],
        ['rel', 'describedby'],
      ],
    },
    {
      target: '/t',
      attributes: [
        ['anchor', '/sensors/temp'],
        ['rel', 'alternate'],
      ],
    },
  ]

  it('parses the /.well-known/core example and writes it back unchanged', () => {
    expect(parseLinkFormat(wellKnown)).toEqual(expected)
    expect(formatLinkFormat(expected)).toBe(wellKnown)
  })

  it('parses the example as printed, with a line break after each comma', () => {
    expect(parseLinkFormat(wellKnown.replaceAll(',<', ',\n<'))).toEqual(expected)
    expect(parseLinkFormat(wellKnown.replaceAll(',<', ',\r\n   <'))).toEqual(expected)
  })

  it('parses the filtered and the firmware examples', () => {
    expect(parseLinkFormat('</sensors/light>;rt="light-lux";if="sensor"')).toEqual([expected[2]])
    const fw = parseLinkFormat('</firmware/v2.1>;rt="firmware";sz=262144')
    expect(fw).toEqual([
      {
        target: '/firmware/v2.1',
        attributes: [
          ['rt', 'firmware'],
          ['sz', '262144'],
        ],
      },
    ])
    expect(getLinkNumber(fw[0]!, 'sz')).toBe(262144)
  })

  it('parses a well-known/core answer of one link (RFC 7252 section 7.2)', () => {
    expect(parseLinkFormat('</sensors>;ct=40')).toEqual([{ target: '/sensors', attributes: [['ct', '40']] }])
  })
})

describe('LwM2M payloads (OMA-TS-LightweightM2M-Core 1.1, sections 5.3.1 and 5.4.2)', () => {
  it('reads a registration payload: root with rt and ct, object instances, a version', () => {
    const text = '</>;rt="oma.lwm2m";ct=11543,</1/0>,</3/0>;ver=1.1'
    const links = parseLinkFormat(text)
    expect(links).toEqual([
      {
        target: '/',
        attributes: [
          ['rt', 'oma.lwm2m'],
          ['ct', '11543'],
        ],
      },
      { target: '/1/0', attributes: [] },
      { target: '/3/0', attributes: [['ver', '1.1']] },
    ])
    expect(getLinkAttribute(links[0]!, 'rt')).toBe('oma.lwm2m')
    expect(getLinkNumber(links[0]!, 'ct')).toBe(11543)
    expect(getLinkAttribute(links[2]!, 'ver')).toBe('1.1')
    expect(formatLinkFormat(links)).toBe(text)
  })

  it('reads an alternate-path registration and a list of object instances', () => {
    const links = parseLinkFormat(
      '</lwm2m>;rt="oma.lwm2m",</lwm2m/1/101>,</lwm2m/1/102>,</lwm2m/2/0>,</lwm2m/3/0>',
    )
    expect(links.map((l) => l.target)).toEqual([
      '/lwm2m',
      '/lwm2m/1/101',
      '/lwm2m/1/102',
      '/lwm2m/2/0',
      '/lwm2m/3/0',
    ])
  })

  it('reads discover results with dim and write-attributes', () => {
    const text = '</3/0>;pmin=10;pmax=60,</3/0/1>,</3/0/7>;dim=2;pmin=10,</3303/0/5700>;gt=20.5;lt=-3;st=0.5'
    const links = parseLinkFormat(text)
    expect(getLinkNumber(links[0]!, 'pmax')).toBe(60)
    expect(getLinkNumber(links[2]!, 'dim')).toBe(2)
    expect(getLinkNumber(links[2]!, 'pmin')).toBe(10)
    expect(getLinkNumber(links[3]!, 'gt')).toBe(20.5)
    expect(getLinkNumber(links[3]!, 'lt')).toBe(-3)
    expect(getLinkNumber(links[3]!, 'st')).toBe(0.5)
    expect(formatLinkFormat(links)).toBe(text)
  })

  it('reads the bootstrap-discover shape with ssid and uri', () => {
    const text = '</>;lwm2m=1.1,</0/0>;uri="coap://server:5683",</1/0>;ssid=101,</3/0>'
    const links = parseLinkFormat(text)
    expect(getLinkAttribute(links[0]!, 'lwm2m')).toBe('1.1')
    expect(getLinkAttribute(links[1]!, 'uri')).toBe('coap://server:5683')
    expect(getLinkNumber(links[2]!, 'ssid')).toBe(101)
    // "coap://server:5683" is a valid ptoken, so written back unquoted.
    expect(parseLinkFormat(formatLinkFormat(links))).toEqual(links)
  })
})

describe('RFC 6690 section 2: values', () => {
  it('takes ptoken characters unquoted, "<", "=", ">" and "?" included', () => {
    const [link] = parseLinkFormat("</a>;x=!#$%&'()*+-./:<=>?@[]^_`{|}~09AZaz")
    expect(getLinkAttribute(link!, 'x')).toBe("!#$%&'()*+-./:<=>?@[]^_`{|}~09AZaz")
  })

  it('keeps commas and semicolons inside quotes as part of the value', () => {
    const links = parseLinkFormat('</a>;title="one, two; three",</b>')
    expect(links).toHaveLength(2)
    expect(getLinkAttribute(links[0]!, 'title')).toBe('one, two; three')
  })

  it('unescapes quoted-pairs: \\" and \\\\ and any escaped character', () => {
    const [link] = parseLinkFormat('</a>;title="say \\"hi\\" \\\\ \\x"')
    expect(getLinkAttribute(link!, 'title')).toBe('say "hi" \\ x')
  })

  it('tells an attribute without a value from one with an empty value', () => {
    const [link] = parseLinkFormat('</a>;obs;e="";x=1')
    expect(link!.attributes).toEqual([
      ['obs', true],
      ['e', ''],
      ['x', '1'],
    ])
    expect(getLinkAttribute(link!, 'obs')).toBe(true)
    expect(getLinkNumber(link!, 'obs')).toBeUndefined()
    expect(hasLinkAttribute(link!, 'obs')).toBe(true)
    expect(hasLinkAttribute(link!, 'missing')).toBe(false)
  })

  it('keeps repeated attributes in order', () => {
    const [link] = parseLinkFormat('</a>;rt="x";if=s;rt="y z";rt=w')
    expect(getLinkAttribute(link!, 'rt')).toBe('x')
    expect(getLinkAttributes(link!, 'rt')).toEqual(['x', 'y z', 'w'])
    expect(getLinkTokens(link!, 'rt')).toEqual(['x', 'y', 'z', 'w'])
    expect(getLinkAttributes(link!, 'nope')).toEqual([])
  })

  it('lists several content-formats in one ct value (RFC 7252 section 7.2.1)', () => {
    const [link] = parseLinkFormat('</a>;ct="40 11542"')
    expect(getLinkTokens(link!, 'ct').map(Number)).toEqual([40, 11542])
  })

  it('reads ext-name-star attributes (title*)', () => {
    const [link] = parseLinkFormat("</a>;title*=UTF-8'de'n%c3%a4chstes")
    expect(link!.attributes).toEqual([['title*', "UTF-8'de'n%c3%a4chstes"]])
  })

  it('keeps UTF-8 text in targets and quoted values as written', () => {
    const [link] = parseLinkFormat('</température>;title="°C"')
    expect(link).toEqual({ target: '/température', attributes: [['title', '°C']] })
  })

  it('takes the empty target <> (an empty relative reference) and targets with commas or semicolons', () => {
    expect(parseLinkFormat('<>;a=1,</x;y,z>')).toEqual([
      { target: '', attributes: [['a', '1']] },
      { target: '/x;y,z', attributes: [] },
    ])
  })

  it('reads numbers strictly', () => {
    const [link] = parseLinkFormat('</a>;a=10;b=-1.25;c=1e3;d=+7;e=0x10;f=1.;g=.5;h=Infinity;i=1e;j=""')
    const n = (name: string) => getLinkNumber(link!, name)
    expect([n('a'), n('b'), n('c'), n('d')]).toEqual([10, -1.25, 1000, 7])
    for (const name of ['e', 'f', 'g', 'h', 'i', 'j', 'missing']) expect(n(name)).toBeUndefined()
  })
})

describe('whitespace (RFC 8288 section 3 OWS/BWS; RFC 6690 writes none)', () => {
  it('tolerates whitespace around ",", ";" and "=", and at both ends', () => {
    const links = parseLinkFormat(' \t</a> ; rt = "x" ;obs , </b>;ct= 40\n')
    expect(links).toEqual([
      {
        target: '/a',
        attributes: [
          ['rt', 'x'],
          ['obs', true],
        ],
      },
      { target: '/b', attributes: [['ct', '40']] },
    ])
  })

  it('has no links in an empty or blank document', () => {
    expect(parseLinkFormat('')).toEqual([])
    expect(parseLinkFormat(' \r\n\t')).toEqual([])
  })

  it('rejects whitespace inside a target, a name or an unquoted value', () => {
    expect(rejects('</a b>').offset).toBe(3)
    expect(rejects('</a>;r t=1').offset).toBe(7)
    expect(rejects('</a>;rt=a b').offset).toBe(10)
    expect(rejects('< /a>').offset).toBe(1)
    expect(rejects('</a>;title *=x').offset).toBe(11)
  })
})

describe('malformed documents: LinkFormatError with the offset and the reason', () => {
  const cases: [text: string, offset: number, reason: RegExp][] = [
    ['/a', 0, /expected "<"/],
    ['</a', 3, /no closing ">"/],
    ['</a>x', 4, /expected ";", "," or the end/],
    ['</a>,', 5, /expected "<".*the end/],
    ['</a>,,</b>', 5, /expected "<"/],
    [',</a>', 0, /expected "<"/],
    ['</a>;', 5, /attribute name/],
    ['</a>;;b', 5, /attribute name/],
    ['</a>;=1', 5, /attribute name/],
    ['</a>;"x"', 5, /attribute name/],
    ['</a>;a=', 7, /value for "a"/],
    ['</a>;a=;b', 7, /value for "a"/],
    ['</a>;a=,</b>', 7, /value for "a"/],
    ['</a>;a="x', 9, /not closed/],
    ['</a>;a="x\\', 9, /"\\" at the end/],
    ['</a>;a="x"y', 10, /expected ";", "," or the end/],
    ['</a>;a=b"c"', 8, /expected ";", "," or the end/],
    ['</a>;a=\\b', 7, /value for "a"/],
    ['</a<b>', 3, /in the link target/],
    ['</a"b>', 3, /in the link target/],
    ['</a\u0000>', 3, /U\+0000/],
    ['</a>;a=1 x', 9, /expected ";", "," or the end/],
    ['</a>;a*b=1', 7, /expected ";", "," or the end/],
    ['</a>;é=1', 5, /attribute name/],
  ]

  it.each(cases)('%j fails at %i', (text, offset, reason) => {
    const e = rejects(text)
    expect(e.offset).toBe(offset)
    expect(e.reason).toMatch(reason)
    expect(e.message).toContain(`character ${offset}`)
  })
})
