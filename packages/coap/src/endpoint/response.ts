import { CoapError } from '../errors.js'
import { toCode } from '../message/codes.js'
import {
  encodeString,
  encodeUint,
  getOption,
  getStringOptions,
  getUintOption,
  OptionNumber,
} from '../message/options.js'
import type { CoapMessage, CoapOption, MessageType } from '../message/types.js'
import type { Peer } from '../transport/types.js'
import type { CoapResponse, RequestOptions, ResponseInit } from './types.js'

const EMPTY = new Uint8Array(0)

/** The bytes of a payload given as bytes or text (UTF-8). */
export function payloadBytes(payload: Uint8Array | string | undefined): Uint8Array {
  if (payload === undefined) return EMPTY
  return typeof payload === 'string' ? encodeString(payload) : payload
}

/** A received response; options are read out lazily, the payload may be a reassembled body. */
export class ReceivedResponse implements CoapResponse {
  readonly code: number
  readonly options: readonly CoapOption[]
  readonly payload: Uint8Array
  readonly peer: Peer
  readonly type: MessageType

  constructor(message: CoapMessage, payload: Uint8Array, peer: Peer) {
    this.code = message.code
    this.options = message.options
    this.payload = payload
    this.peer = peer
    this.type = message.type
  }

  get contentFormat(): number | undefined {
    return getUintOption(this.options, OptionNumber.ContentFormat)
  }
  get observe(): number | undefined {
    return getUintOption(this.options, OptionNumber.Observe)
  }
  get locationPath(): readonly string[] {
    return getStringOptions(this.options, OptionNumber.LocationPath)
  }
  get locationQuery(): readonly string[] {
    return getStringOptions(this.options, OptionNumber.LocationQuery)
  }
  get maxAge(): number | undefined {
    return getUintOption(this.options, OptionNumber.MaxAge)
  }
  get etag(): Uint8Array | undefined {
    return getOption(this.options, OptionNumber.ETag)
  }
  /** The payload as UTF-8 text. */
  text(): string {
    return new TextDecoder().decode(this.payload)
  }
}

/** The code of a ResponseInit; a CoapError for text that is no code. */
export function responseCode(init: ResponseInit): number {
  try {
    return toCode(init.code)
  } catch (err) {
    throw new CoapError('COAP_INVALID_ARGUMENT', (err as Error).message)
  }
}

/** The options a ResponseInit describes, unsorted (the caller adds its own and sorts). */
export function responseOptions(init: ResponseInit): CoapOption[] {
  const out: CoapOption[] = init.options === undefined ? [] : init.options.slice()
  if (init.etag !== undefined) out.push({ number: OptionNumber.ETag, value: init.etag })
  if (init.locationPath !== undefined) {
    for (const s of init.locationPath) out.push({ number: OptionNumber.LocationPath, value: encodeString(s) })
  }
  if (init.contentFormat !== undefined) {
    out.push({ number: OptionNumber.ContentFormat, value: encodeUint(init.contentFormat) })
  }
  if (init.maxAge !== undefined) out.push({ number: OptionNumber.MaxAge, value: encodeUint(init.maxAge) })
  if (init.locationQuery !== undefined) {
    for (const s of init.locationQuery)
      out.push({ number: OptionNumber.LocationQuery, value: encodeString(s) })
  }
  return out
}

/** Splits a request path: "/3/0/1" gives ["3", "0", "1"]; "" and "/" give []. */
export function splitPath(path: string | readonly string[] | undefined): readonly string[] {
  if (path === undefined) return []
  if (typeof path !== 'string') return path
  const p = path.startsWith('/') ? path.slice(1) : path
  return p === '' ? [] : p.split('/')
}

const SET_BY_REQUEST: ReadonlySet<number> = new Set([
  OptionNumber.UriPath,
  OptionNumber.UriQuery,
  OptionNumber.ContentFormat,
  OptionNumber.Accept,
])

/**
 * Encoded options an endpoint keeps (bounded) because requests repeat them: Uri-Path
 * options by path, Content-Format and Accept options by format. Never mutated once made.
 */
export class OptionCache {
  readonly paths = new Map<string, readonly CoapOption[]>()
  readonly formats = new Map<number, CoapOption>()
}

/**
 * The options of a request (unsorted, without block-wise options): `prefix` (from a
 * URI: Uri-Host, Uri-Path, Uri-Query) first, then the request's own parts.
 */
export function requestOptions(
  options: RequestOptions,
  prefix: readonly CoapOption[],
  cache?: OptionCache,
): CoapOption[] {
  const out: CoapOption[] = []
  const own = options.options
  if (own !== undefined) {
    for (const o of own) {
      if (SET_BY_REQUEST.has(o.number) && overridden(options, o.number)) continue
      out.push(o)
    }
  }
  for (const o of prefix) out.push(o)
  const path = options.path
  // Paths repeat: their encoded options are kept (bounded) instead of re-encoded per request.
  // Text paths by their text; segment lists by their segments joined with "/", when no
  // segment holds a "/" (then the joined text names one list only), in a table of their own.
  const key = cache === undefined ? undefined : cacheKey(path)
  if (key !== undefined) {
    const paths = cache!.paths
    let cached = paths.get(key)
    if (cached === undefined) {
      cached = splitPath(path).map((s) => ({ number: OptionNumber.UriPath, value: encodeString(s) }))
      if (paths.size >= 1024) paths.clear()
      paths.set(key, cached)
    }
    for (const o of cached) out.push(o)
  } else {
    for (const s of splitPath(path)) out.push({ number: OptionNumber.UriPath, value: encodeString(s) })
  }
  if (options.query !== undefined) {
    for (const q of options.query) out.push({ number: OptionNumber.UriQuery, value: encodeString(q) })
  }
  if (options.contentFormat !== undefined) {
    out.push(formatOption(OptionNumber.ContentFormat, options.contentFormat, cache))
  }
  if (options.accept !== undefined) out.push(formatOption(OptionNumber.Accept, options.accept, cache))
  return out
}

/** The key of a path in the path cache: "t" + text, "s" + segments joined; undefined when not cacheable. */
function cacheKey(path: string | readonly string[] | undefined): string | undefined {
  if (path === undefined) return undefined
  if (typeof path === 'string') return `t${path}`
  if (path.length > 8) return undefined
  for (const s of path) if (s.includes('/')) return undefined
  return `s${path.join('/')}`
}

/** Content-Format and Accept options (formats 0-65535 made once each, when there is a cache). */
function formatOption(number: number, format: number, cache: OptionCache | undefined): CoapOption {
  if (cache === undefined || !Number.isInteger(format) || format < 0 || format > 0xffff) {
    return { number, value: encodeUint(format) }
  }
  const key = number * 0x10000 + format
  let o = cache.formats.get(key)
  if (o === undefined) {
    o = { number, value: encodeUint(format) }
    if (cache.formats.size >= 256) cache.formats.clear()
    cache.formats.set(key, o)
  }
  return o
}

function overridden(options: RequestOptions, number: number): boolean {
  switch (number) {
    case OptionNumber.UriPath:
      return options.path !== undefined
    case OptionNumber.UriQuery:
      return options.query !== undefined
    case OptionNumber.ContentFormat:
      return options.contentFormat !== undefined
    default:
      return options.accept !== undefined
  }
}
