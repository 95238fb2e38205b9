import { CoapCodecError, CoapError } from '../errors.js'
import type { CoapMessage, CoapOption, MessageType } from './types.js'

const EMPTY: Uint8Array = new Uint8Array(0)
const NO_OPTIONS: readonly CoapOption[] = Object.freeze([])

/** The largest option delta or length the extended forms can carry: 65535 + 269. */
const MAX_EXTENDED = 0xffff + 269

/**
 * Decodes one CoAP datagram (RFC 7252 section 3). The token, option values and
 * payload are views over `bytes`, not copies. Throws {@link CoapCodecError} with
 * the byte offset and the reason for every message format error; never anything else.
 */
export function decodeMessage(bytes: Uint8Array): CoapMessage {
  const len = bytes.length
  if (len < 4) throw new CoapCodecError(len, `a message needs a 4-byte header, got ${len} bytes`)
  const b0 = bytes[0]!
  const version = b0 >>> 6
  if (version !== 1) throw new CoapCodecError(0, `version ${version} (only version 1 is defined)`)
  const type = ((b0 >>> 4) & 3) as MessageType
  const tkl = b0 & 0x0f
  if (tkl > 8) throw new CoapCodecError(0, `token length ${tkl} (9 to 15 are reserved)`)
  const code = bytes[1]!
  const messageId = (bytes[2]! << 8) | bytes[3]!
  if (code === 0 && (tkl !== 0 || len !== 4)) {
    throw new CoapCodecError(
      tkl !== 0 ? 0 : 4,
      'an Empty message (0.00) carries nothing after the Message ID',
    )
  }
  let pos = 4
  if (pos + tkl > len) throw new CoapCodecError(pos, `token of ${tkl} bytes runs past the end`)
  const token = tkl === 0 ? EMPTY : bytes.subarray(pos, pos + tkl)
  pos += tkl

  let options: CoapOption[] | undefined
  let number = 0
  let payload: Uint8Array = EMPTY
  while (pos < len) {
    const start = pos
    const head = bytes[pos++]!
    if (head === 0xff) {
      if (pos === len) throw new CoapCodecError(start, 'payload marker followed by an empty payload')
      payload = bytes.subarray(pos)
      break
    }
    let delta = head >>> 4
    let length = head & 0x0f
    if (delta === 15) throw new CoapCodecError(start, 'option delta 15 outside a payload marker')
    if (length === 15) throw new CoapCodecError(start, 'option length 15 is reserved')
    if (delta === 13) {
      if (pos >= len) throw new CoapCodecError(pos, 'extended option delta runs past the end')
      delta = bytes[pos++]! + 13
    } else if (delta === 14) {
      if (pos + 2 > len) throw new CoapCodecError(pos, 'extended option delta runs past the end')
      delta = ((bytes[pos]! << 8) | bytes[pos + 1]!) + 269
      pos += 2
    }
    if (length === 13) {
      if (pos >= len) throw new CoapCodecError(pos, 'extended option length runs past the end')
      length = bytes[pos++]! + 13
    } else if (length === 14) {
      if (pos + 2 > len) throw new CoapCodecError(pos, 'extended option length runs past the end')
      length = ((bytes[pos]! << 8) | bytes[pos + 1]!) + 269
      pos += 2
    }
    number += delta
    if (number > 0xffff) throw new CoapCodecError(start, `option number ${number} exceeds 65535`)
    if (pos + length > len) {
      throw new CoapCodecError(pos, `option ${number} value of ${length} bytes runs past the end`)
    }
    if (options === undefined) options = []
    options.push({ number, value: bytes.subarray(pos, pos + length) })
    pos += length
  }
  return { type, code, messageId, token, options: options ?? NO_OPTIONS, payload }
}

function extendedSize(n: number): number {
  return n < 13 ? 0 : n < 269 ? 1 : 2
}

function nibble(n: number): number {
  return n < 13 ? n : n < 269 ? 13 : 14
}

/** The encoded size of a message, without encoding it (options assumed valid and sorted). */
export function encodedSize(message: Pick<CoapMessage, 'token' | 'options' | 'payload'>): number {
  let size = 4 + message.token.length
  let previous = 0
  for (const o of message.options) {
    const delta = o.number - previous
    size += 1 + extendedSize(delta) + extendedSize(o.value.length) + o.value.length
    previous = o.number
  }
  if (message.payload.length > 0) size += 1 + message.payload.length
  return size
}

function invalid(what: string): CoapError {
  return new CoapError('COAP_INVALID_ARGUMENT', what)
}

/**
 * Checks every field and option of a message and returns its encoded size, so that
 * {@link encodeMessage} allocates once, and only for a message it can encode.
 */
function checkedSize(message: CoapMessage): number {
  const { type, code, messageId, token, options, payload } = message
  if (!(Number.isInteger(type) && type >= 0 && type <= 3)) throw invalid(`message type ${type}`)
  if (!(Number.isInteger(code) && code >= 0 && code <= 255)) throw invalid(`code ${code}`)
  if (!(Number.isInteger(messageId) && messageId >= 0 && messageId <= 0xffff)) {
    throw invalid(`message ID ${messageId}`)
  }
  if (token.length > 8) throw invalid(`token of ${token.length} bytes (at most 8)`)
  if (code === 0 && (token.length !== 0 || options.length !== 0 || payload.length !== 0)) {
    throw invalid('an Empty message (0.00) carries no token, options or payload')
  }
  let size = 4 + token.length
  let previous = 0
  for (const o of options) {
    const n = o.number
    if (!(Number.isInteger(n) && n >= 0 && n <= 0xffff)) throw invalid(`option number ${n}`)
    if (n < previous)
      throw invalid(`options out of order (${n} after ${previous}); sort them with sortOptions`)
    const length = o.value.length
    if (length > MAX_EXTENDED) throw invalid(`option ${n} value of ${length} bytes (at most ${MAX_EXTENDED})`)
    size += 1 + extendedSize(n - previous) + extendedSize(length) + length
    previous = n
  }
  if (payload.length > 0) size += 1 + payload.length
  return size
}

/**
 * Encodes a message (RFC 7252 section 3). Options must be sorted by number, as
 * {@link sortOptions} leaves them; the payload marker is written only before a
 * non-empty payload. Throws a CoapError with code COAP_INVALID_ARGUMENT for fields
 * out of range, before allocating anything.
 */
export function encodeMessage(message: CoapMessage): Uint8Array {
  const out = new Uint8Array(checkedSize(message))
  const { type, code, messageId, token, options, payload } = message
  out[0] = 0x40 | (type << 4) | token.length
  out[1] = code
  out[2] = messageId >>> 8
  out[3] = messageId & 0xff
  out.set(token, 4)
  let pos = 4 + token.length
  let previous = 0
  for (const o of options) {
    const delta = o.number - previous
    const length = o.value.length
    out[pos++] = (nibble(delta) << 4) | nibble(length)
    if (delta >= 269) {
      out[pos++] = (delta - 269) >>> 8
      out[pos++] = (delta - 269) & 0xff
    } else if (delta >= 13) out[pos++] = delta - 13
    if (length >= 269) {
      out[pos++] = (length - 269) >>> 8
      out[pos++] = (length - 269) & 0xff
    } else if (length >= 13) out[pos++] = length - 13
    out.set(o.value, pos)
    pos += length
    previous = o.number
  }
  if (payload.length > 0) {
    out[pos++] = 0xff
    out.set(payload, pos)
  }
  return out
}

/** The header fields of a datagram, read without decoding the rest; undefined if too short. */
export function peekHeader(
  bytes: Uint8Array,
): { type: MessageType; code: number; messageId: number; tokenLength: number } | undefined {
  if (bytes.length < 4 || bytes[0]! >>> 6 !== 1) return undefined
  return {
    type: ((bytes[0]! >>> 4) & 3) as MessageType,
    code: bytes[1]!,
    messageId: (bytes[2]! << 8) | bytes[3]!,
    tokenLength: bytes[0]! & 0x0f,
  }
}
