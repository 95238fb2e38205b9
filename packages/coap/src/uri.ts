import { isIP } from 'node:net'
import { CoapError } from './errors.js'
import { encodeString, encodeUint, getStringOptions, getUintOption, OptionNumber } from './message/options.js'
import type { CoapOption } from './message/types.js'

/** A `coap://` or `coaps://` URI taken apart (RFC 7252 section 6). */
export interface CoapUri {
  readonly scheme: 'coap' | 'coaps'
  /** Host name (lower-cased) or IP address literal (IPv6 without brackets). */
  readonly host: string
  readonly port: number
  /** Path segments, percent-decoded; `[]` for "" and "/". */
  readonly path: readonly string[]
  /** Query items (split on "&"), percent-decoded. */
  readonly query: readonly string[]
}

/** 5683 for coap, 5684 for coaps (RFC 7252 sections 6.1 and 6.2). */
export function defaultPort(scheme: 'coap' | 'coaps'): number {
  return scheme === 'coaps' ? 5684 : 5683
}

function fail(uri: string, why: string): never {
  throw new CoapError('COAP_INVALID_URI', `invalid CoAP URI "${uri}": ${why}`)
}

const fatalDecoder = new TextDecoder('utf-8', { fatal: true })

// RFC 3986: unreserved / sub-delims / ":" / "@" (pchar without pct-encoded).
const PCHAR = /^[A-Za-z0-9\-._~!$&'()*+,;=:@]$/
const REG_NAME = /^[A-Za-z0-9\-._~!$&'()*+,;=]$/

function percentDecode(uri: string, text: string, allowed: RegExp, extra: string): string {
  if (!text.includes('%')) {
    for (const ch of text)
      if (!allowed.test(ch) && !extra.includes(ch)) fail(uri, `character "${ch}" must be percent-encoded`)
    return text
  }
  const bytes: number[] = []
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!
    if (ch === '%') {
      const hex = text.slice(i + 1, i + 3)
      if (!/^[0-9A-Fa-f]{2}$/.test(hex)) fail(uri, `bad percent-encoding at "${text.slice(i, i + 3)}"`)
      bytes.push(Number.parseInt(hex, 16))
      i += 2
    } else {
      if (!allowed.test(ch) && !extra.includes(ch)) fail(uri, `character "${ch}" must be percent-encoded`)
      bytes.push(ch.charCodeAt(0))
    }
  }
  try {
    return fatalDecoder.decode(Uint8Array.from(bytes))
  } catch {
    return fail(uri, `percent-encoded bytes in "${text}" are not UTF-8`)
  }
}

/** RFC 3986 section 5.2.4, on already split segments. */
function removeDotSegments(segments: string[]): string[] {
  const out: string[] = []
  for (let i = 0; i < segments.length; i++) {
    const s = segments[i]!
    const last = i === segments.length - 1
    if (s === '.') {
      if (last) out.push('')
    } else if (s === '..') {
      out.pop()
      if (last) out.push('')
    } else out.push(s)
  }
  return out
}

/**
 * Parses a `coap://` or `coaps://` URI (RFC 7252 section 6; decomposition as in
 * section 6.4). Throws a CoapError with code COAP_INVALID_URI for anything else: other
 * schemes, relative references, a fragment, user information, a bad port, characters
 * that must be percent-encoded, or percent-encodings that are not UTF-8.
 */
export function parseCoapUri(uri: string): CoapUri {
  const m = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^/?#]*)([^?#]*)(?:\?([^#]*))?(#.*)?$/.exec(uri)
  if (!m) fail(uri, 'not an absolute URI with an authority (coap://host[:port]/path?query)')
  const scheme = m[1]!.toLowerCase()
  if (scheme !== 'coap' && scheme !== 'coaps') fail(uri, `scheme "${scheme}" (coap or coaps)`)
  if (m[5] !== undefined) fail(uri, 'a fragment is not allowed (RFC 7252 section 6.4 step 4)')
  const authority = m[2]!
  if (authority.includes('@')) fail(uri, 'user information is not allowed')
  let host: string
  let portText: string | undefined
  if (authority.startsWith('[')) {
    const close = authority.indexOf(']')
    if (close < 0) fail(uri, 'unterminated IPv6 literal')
    host = authority.slice(1, close)
    const zone = host.indexOf('%25')
    const bare = zone < 0 ? host : host.slice(0, zone)
    if (isIP(bare) !== 6) fail(uri, `"${host}" is not an IPv6 address`)
    host = zone < 0 ? bare.toLowerCase() : `${bare.toLowerCase()}%${host.slice(zone + 3)}`
    const rest = authority.slice(close + 1)
    if (rest !== '') {
      if (!rest.startsWith(':')) fail(uri, `unexpected "${rest}" after the IPv6 literal`)
      portText = rest.slice(1)
    }
  } else {
    const colon = authority.lastIndexOf(':')
    const raw = colon < 0 ? authority : authority.slice(0, colon)
    if (colon >= 0) portText = authority.slice(colon + 1)
    host = percentDecode(uri, raw, REG_NAME, '').toLowerCase()
  }
  if (host === '') fail(uri, 'empty host')
  let port = defaultPort(scheme)
  if (portText !== undefined && portText !== '') {
    if (!/^[0-9]{1,5}$/.test(portText)) fail(uri, `port "${portText}"`)
    port = Number(portText)
    if (port > 65535) fail(uri, `port ${port} out of range`)
  }
  const pathText = m[3]!
  let path: string[] = []
  if (pathText !== '' && pathText !== '/') {
    const raw = pathText.slice(1).split('/')
    path = removeDotSegments(raw).map((s) => percentDecode(uri, s, PCHAR, ''))
  }
  const queryText = m[4]
  const query =
    queryText === undefined || queryText === ''
      ? []
      : queryText.split('&').map((q) => percentDecode(uri, q, PCHAR, '/?'))
  return { scheme, host, port, path, query }
}

function percentEncode(text: string, allowed: RegExp, extra: string): string {
  let out = ''
  for (const ch of text) {
    if (allowed.test(ch) || extra.includes(ch)) out += ch
    else for (const b of encodeString(ch)) out += `%${b.toString(16).toUpperCase().padStart(2, '0')}`
  }
  return out
}

/** Composes a URI from its parts (RFC 7252 section 6.5), percent-encoding as needed. */
export function formatCoapUri(uri: CoapUri): string {
  const host = isIP(uri.host.split('%')[0]!) === 6 ? `[${uri.host.replace('%', '%25')}]` : uri.host
  const port = uri.port === defaultPort(uri.scheme) ? '' : `:${uri.port}`
  // "&" separates query items, so it is encoded inside one; "/" and "?" may stay.
  const path = uri.path.map((s) => `/${percentEncode(s, PCHAR, '')}`).join('') || '/'
  const query =
    uri.query.length === 0
      ? ''
      : `?${uri.query.map((q) => percentEncode(q, /[A-Za-z0-9\-._~!$'()*+,;=:@]/, '/?')).join('&')}`
  return `${uri.scheme}://${host}${port}${path}${query}`
}

/**
 * The request options of a URI (RFC 7252 section 6.4): Uri-Host when the host is a
 * name rather than an IP literal, Uri-Path and Uri-Query. No Uri-Port: a request is
 * sent to the URI's port, so the option would always be elided.
 */
export function uriToOptions(uri: string | CoapUri): CoapOption[] {
  const u = typeof uri === 'string' ? parseCoapUri(uri) : uri
  const out: CoapOption[] = []
  if (isIP(u.host.split('%')[0]!) === 0)
    out.push({ number: OptionNumber.UriHost, value: encodeString(u.host) })
  for (const s of u.path) out.push({ number: OptionNumber.UriPath, value: encodeString(s) })
  for (const q of u.query) out.push({ number: OptionNumber.UriQuery, value: encodeString(q) })
  return out
}

/**
 * The URI a request's options name (RFC 7252 section 6.5), given where it was sent:
 * Uri-Host and Uri-Port override the destination's address and port.
 */
export function optionsToUri(
  options: readonly CoapOption[],
  destination: { readonly scheme: 'coap' | 'coaps'; readonly address: string; readonly port: number },
): string {
  const hosts = getStringOptions(options, OptionNumber.UriHost)
  const port = getUintOption(options, OptionNumber.UriPort) ?? destination.port
  return formatCoapUri({
    scheme: destination.scheme,
    host: hosts[0]?.toLowerCase() ?? destination.address,
    port,
    path: getStringOptions(options, OptionNumber.UriPath),
    query: getStringOptions(options, OptionNumber.UriQuery),
  })
}

/** The Uri-Port option for a port (for proxies and tests). */
export function uriPortOption(port: number): CoapOption {
  return { number: OptionNumber.UriPort, value: encodeUint(port) }
}
