import { describe, expect, it } from 'vitest'
import { CoapError } from './errors.js'
import { decodeString, decodeUint, OptionNumber } from './message/options.js'
import { formatCoapUri, optionsToUri, parseCoapUri, uriToOptions } from './uri.js'

const invalid = (uri: string) => {
  try {
    parseCoapUri(uri)
  } catch (e) {
    return CoapError.isInstance(e) && e.code === 'COAP_INVALID_URI'
  }
  return false
}

describe('coap URIs (RFC 7252 section 6)', () => {
  it('parses host, default ports, path and query (section 6.1, 6.2)', () => {
    expect(parseCoapUri('coap://example.net/')).toEqual({
      scheme: 'coap',
      host: 'example.net',
      port: 5683,
      path: [],
      query: [],
    })
    expect(parseCoapUri('coaps://example.net').port).toBe(5684)
    expect(parseCoapUri('COAP://Example.NET:61616/.well-known/core?rt=temp&if=sensor')).toEqual({
      scheme: 'coap',
      host: 'example.net',
      port: 61616,
      path: ['.well-known', 'core'],
      query: ['rt=temp', 'if=sensor'],
    })
  })

  it('parses IPv4 and bracketed IPv6 literals', () => {
    expect(parseCoapUri('coap://192.0.2.1:1234/a').host).toBe('192.0.2.1')
    const v6 = parseCoapUri('coap://[2001:DB8::1]:5700/a')
    expect(v6.host).toBe('2001:db8::1')
    expect(v6.port).toBe(5700)
    expect(parseCoapUri('coap://[::1]/').host).toBe('::1')
  })

  it('percent-decodes path segments and query items (section 6.4 steps 8-9)', () => {
    const u = parseCoapUri('coap://h/%7Esensors/temp%20C/%C3%A4?a%26b=1&q=%2F')
    expect(u.path).toEqual(['~sensors', 'temp C', 'ä'])
    expect(u.query).toEqual(['a&b=1', 'q=/'])
  })

  it('keeps an empty trailing segment and removes dot segments', () => {
    expect(parseCoapUri('coap://h/a/').path).toEqual(['a', ''])
    expect(parseCoapUri('coap://h/a/./b/../c').path).toEqual(['a', 'c'])
  })

  it('rejects fragments, other schemes, relative references, bad ports and bad encodings', () => {
    expect(invalid('coap://h/a#frag')).toBe(true) // section 6.4 step 4
    expect(invalid('http://h/a')).toBe(true)
    expect(invalid('/a/b')).toBe(true)
    expect(invalid('coap://h:99999/')).toBe(true)
    expect(invalid('coap://h:12a/')).toBe(true)
    expect(invalid('coap:///a')).toBe(true)
    expect(invalid('coap://user@h/')).toBe(true)
    expect(invalid('coap://h/a%2')).toBe(true)
    expect(invalid('coap://h/a%FF')).toBe(true)
    expect(invalid('coap://h/a b')).toBe(true)
    expect(invalid('coap://[::1/')).toBe(true)
    expect(invalid('coap://[zz::1]/')).toBe(true)
  })

  it('makes Uri-Host only for names, Uri-Path and Uri-Query (section 6.4)', () => {
    const named = uriToOptions('coap://example.net/a/b?x=1')
    expect(named.map((o) => o.number)).toEqual([
      OptionNumber.UriHost,
      OptionNumber.UriPath,
      OptionNumber.UriPath,
      OptionNumber.UriQuery,
    ])
    expect(decodeString(named[0]!.value)).toBe('example.net')
    expect(uriToOptions('coap://[::1]:9/a').map((o) => o.number)).toEqual([OptionNumber.UriPath])
    expect(uriToOptions('coap://10.0.0.1/').length).toBe(0)
  })

  it('composes URIs from options (section 6.5) and round-trips', () => {
    const opts = uriToOptions('coap://example.net/a%20b/c?x=%26&y=/')
    const back = optionsToUri(opts, { scheme: 'coap', address: '192.0.2.1', port: 5683 })
    expect(back).toBe('coap://example.net/a%20b/c?x=%26&y=/')
    expect(optionsToUri([], { scheme: 'coaps', address: '::1', port: 7000 })).toBe('coaps://[::1]:7000/')
    for (const u of ['coap://h/', 'coap://[2001:db8::2]:1/x/y?z', 'coaps://n:5683/%C3%A4']) {
      expect(formatCoapUri(parseCoapUri(u))).toBe(u)
    }
    expect(decodeUint(new Uint8Array(0))).toBe(0)
  })
})
