/**
 * A wire tap: a Transport that passes every datagram through and keeps each CoAP message
 * decoded, so that a test checks what really travelled (codes, options, payload bytes) and
 * not only what an API made of it. Above a DTLS transport it sees the plaintext.
 */
import {
  type Clock,
  type CoapMessage,
  Code,
  decodeMessage,
  decodeString,
  formatCode,
  getOption,
  getStringOptions,
  getUintOption,
  isRequestCode,
  isResponseCode,
  MessageType,
  methodName,
  OptionNumber,
  type Peer,
  type Transport,
  transportSymbol,
} from '@lwm2m/coap'

/** One CoAP message as the tapped side saw it: received (`in`) or sent (`out`). */
export interface WireMessage {
  readonly dir: 'in' | 'out'
  readonly peer: Peer
  /** Clock time (ms) at which it passed. */
  readonly at: number
  readonly message: CoapMessage
}

/** A request with the response that answered it (piggybacked or separate), if any came yet. */
export interface WireExchange {
  readonly request: WireMessage
  readonly response: WireMessage | undefined
}

/** What a test filters requests by. */
export interface RequestFilter {
  /** Who sent the request, seen from the tapped side: `in` (to it) or `out` (from it). */
  readonly dir?: 'in' | 'out'
  readonly method?: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'FETCH' | 'iPATCH'
  /** "/rd", "/3/0/1" ... compared with the Uri-Path options joined. */
  readonly path?: string
  /** Only messages at or after this index of {@link WireTap.messages}. */
  readonly since?: number
}

export interface WireTap {
  /** The transport to hand to the endpoint. */
  readonly transport: Transport
  /** Every message in order. */
  readonly messages: readonly WireMessage[]
  /** A mark for `since`: the number of messages so far. */
  mark(): number
  /** Requests matching the filter, each with its response. */
  exchanges(filter?: RequestFilter): WireExchange[]
  /** The last matching exchange; throws when none. */
  last(filter?: RequestFilter): WireExchange
}

function copy(bytes: Uint8Array): Uint8Array {
  return bytes.slice()
}

/** Wraps `inner`; datagrams that do not decode as CoAP are passed on and not kept. */
export function tapTransport(inner: Transport, clock: Clock): WireTap {
  const messages: WireMessage[] = []
  const keep = (dir: 'in' | 'out', datagram: Uint8Array, peer: Peer): void => {
    try {
      messages.push({ dir, peer, at: clock.now(), message: decodeMessage(copy(datagram)) })
    } catch {
      // Not CoAP: a test of garbage input; nothing to keep.
    }
  }
  const transport: Transport = {
    [transportSymbol]: true,
    scheme: inner.scheme,
    ...(inner.maxDatagramSize === undefined ? {} : { maxDatagramSize: inner.maxDatagramSize }),
    open(handler) {
      return inner.open((datagram, peer) => {
        keep('in', datagram, peer)
        handler(datagram, peer)
      })
    },
    send(datagram, peer, callback) {
      keep('out', datagram, peer)
      inner.send(datagram, peer, callback)
    },
    address: () => inner.address(),
    close: () => inner.close(),
  }

  const exchanges = (filter: RequestFilter = {}): WireExchange[] => {
    const out: WireExchange[] = []
    for (let i = filter.since ?? 0; i < messages.length; i++) {
      const m = messages[i]!
      if (!isRequestCode(m.message.code)) continue
      if (filter.dir !== undefined && m.dir !== filter.dir) continue
      if (filter.method !== undefined && methodName(m.message.code) !== filter.method) continue
      if (filter.path !== undefined && uriPath(m.message) !== filter.path) continue
      // Retransmissions repeat the message ID: keep the first copy only.
      if (out.some((e) => sameMessage(e.request, m))) continue
      out.push({ request: m, response: responseOf(messages, i) })
    }
    return out
  }

  return {
    transport,
    messages,
    mark: () => messages.length,
    exchanges,
    last(filter) {
      const all = exchanges(filter)
      const e = all[all.length - 1]
      if (e === undefined) throw new Error(`no request on the wire matches ${JSON.stringify(filter)}`)
      return e
    },
  }
}

function sameMessage(a: WireMessage, b: WireMessage): boolean {
  return a.dir === b.dir && a.message.messageId === b.message.messageId && a.peer.port === b.peer.port
}

function sameToken(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i])
}

/** The first response after `index`, going the other way, with the request's token. */
function responseOf(messages: readonly WireMessage[], index: number): WireMessage | undefined {
  const req = messages[index]!
  for (let i = index + 1; i < messages.length; i++) {
    const m = messages[i]!
    if (m.dir === req.dir || !isResponseCode(m.message.code)) continue
    if (m.message.type === MessageType.RST) continue
    if (sameToken(m.message.token, req.message.token)) return m
  }
  return undefined
}

/** "/3/0/1": the Uri-Path options joined ("/" for none). */
export function uriPath(message: CoapMessage): string {
  return `/${getStringOptions(message.options, OptionNumber.UriPath).join('/')}`
}

/** The Uri-Path of an exchange's request. */
export function uriPathOf(exchange: WireExchange): string {
  return uriPath(exchange.request.message)
}

/** The method of an exchange's request ("GET", "iPATCH" ...). */
export function methodOf(exchange: WireExchange): string | undefined {
  return methodName(exchange.request.message.code)
}

/** The Uri-Query options, in order. */
export function uriQuery(message: CoapMessage): string[] {
  return getStringOptions(message.options, OptionNumber.UriQuery)
}

/** "/rd/abc": the Location-Path options joined. */
export function locationPath(message: CoapMessage): string {
  return `/${getStringOptions(message.options, OptionNumber.LocationPath).join('/')}`
}

export function contentFormatOf(message: CoapMessage): number | undefined {
  return getUintOption(message.options, OptionNumber.ContentFormat)
}

export function acceptOf(message: CoapMessage): number | undefined {
  return getUintOption(message.options, OptionNumber.Accept)
}

export function observeOf(message: CoapMessage): number | undefined {
  return getOption(message.options, OptionNumber.Observe) === undefined
    ? undefined
    : getUintOption(message.options, OptionNumber.Observe)
}

/** The payload as UTF-8 text. */
export function text(message: CoapMessage): string {
  return decodeString(message.payload)
}

/** "2.05": the code in dotted form. */
export function codeOf(exchange: WireExchange | WireMessage | undefined): string | undefined {
  if (exchange === undefined) return undefined
  if ('message' in exchange) return formatCode(exchange.message.code)
  return exchange.response === undefined ? undefined : formatCode(exchange.response.message.code)
}

/** Lower-case hex of bytes, e.g. "c10265". */
export function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex')
}

export { Code }
