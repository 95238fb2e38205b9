const brand = Symbol.for('@lwm2m/coap/error')
const kinds = Symbol.for('@lwm2m/coap/error-kinds')

/** The names of a class and its ancestors up to the package's base error class. */
function classNames(target: unknown): readonly string[] {
  const names: string[] = []
  for (let c = target as { name?: unknown } | null; c && c !== Error; c = Object.getPrototypeOf(c)) {
    if (typeof c.name === 'string' && c.name !== '') names.push(c.name)
    if (c.name === 'CoapError') break
  }
  return names
}

/** Every code a {@link CoapError} can carry. Match on `code`, never on the message text. */
export type CoapErrorCode =
  /** A datagram or option value breaks RFC 7252 section 3; {@link CoapCodecError} says where. */
  | 'COAP_MALFORMED'
  /** A value cannot be encoded (too long, out of range, wrong type). */
  | 'COAP_INVALID_ARGUMENT'
  /** A URI that is not a valid `coap://` or `coaps://` URI (RFC 7252 section 6). */
  | 'COAP_INVALID_URI'
  /** A link-format document that breaks RFC 6690; {@link LinkFormatError} says where. */
  | 'COAP_LINK_FORMAT'
  /** No response before the request's deadline (or MAX_TRANSMIT_WAIT for CON). */
  | 'COAP_TIMEOUT'
  /** The request was cancelled through its AbortSignal. */
  | 'COAP_ABORTED'
  /** The peer answered with RST. */
  | 'COAP_RESET'
  /** The endpoint was closed while the exchange was in flight. */
  | 'COAP_CLOSED'
  /** A resource limit of the endpoint was reached (exchanges, observations, body size). */
  | 'COAP_LIMIT'
  /** The transport failed to send (socket error, failed handshake). */
  | 'COAP_TRANSPORT'
  /** A block-wise transfer went wrong (ETag changed, block out of order, peer error). */
  | 'COAP_BLOCKWISE'

/** Base class of every error thrown by @lwm2m/coap. */
export class CoapError extends Error {
  static override readonly name: string = 'CoapError'
  readonly code: CoapErrorCode
  readonly [brand] = true
  /** The class names from this error's class up to the base, for {@link CoapError.isInstance}. */
  readonly [kinds]: readonly string[]

  constructor(code: CoapErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.code = code
    this.name = new.target.name
    this[kinds] = classNames(new.target)
  }

  /**
   * True if `value` is an instance of the class this is called on (`CoapError.isInstance(e)`,
   * or a subclass's `isInstance`), from any copy of this package: duplicate installs included,
   * since it checks a `Symbol.for` brand and class names, not the prototype chain.
   */
  static isInstance<T extends CoapError>(
    this: abstract new (
      ...args: never[]
    ) => T,
    value: unknown,
  ): value is T {
    if (typeof value !== 'object' || value === null) return false
    const v = value as { [brand]?: unknown; [kinds]?: unknown }
    // biome-ignore lint/complexity/noThisInStatic: `this` is the class isInstance was called on
    return v[brand] === true && Array.isArray(v[kinds]) && v[kinds].includes(this.name)
  }
}

/** A malformed datagram or option: `offset` is the byte where decoding stopped, `reason` says why. */
export class CoapCodecError extends CoapError {
  static override readonly name: string = 'CoapCodecError'
  readonly offset: number
  readonly reason: string

  constructor(offset: number, reason: string) {
    super('COAP_MALFORMED', `malformed CoAP message at byte ${offset}: ${reason}`)
    this.offset = offset
    this.reason = reason
  }
}

/** A malformed link-format document (RFC 6690): `offset` is the character where parsing stopped. */
export class LinkFormatError extends CoapError {
  static override readonly name: string = 'LinkFormatError'
  readonly offset: number
  readonly reason: string

  constructor(offset: number, reason: string) {
    super('COAP_LINK_FORMAT', `malformed link-format at character ${offset}: ${reason}`)
    this.offset = offset
    this.reason = reason
  }
}

/** The peer answered an exchange with RST (RFC 7252 section 4.2). */
export class CoapResetError extends CoapError {
  static override readonly name: string = 'CoapResetError'
  constructor(message = 'the peer answered with RST') {
    super('COAP_RESET', message)
  }
}

/** No answer in time. */
export class CoapTimeoutError extends CoapError {
  static override readonly name: string = 'CoapTimeoutError'
  constructor(message = 'no response before the deadline') {
    super('COAP_TIMEOUT', message)
  }
}
