import type { AlertDescription } from './record/alert.js'

const brand = Symbol.for('@lwm2m/dtls/error')
const kinds = Symbol.for('@lwm2m/dtls/error-kinds')

/** The names of a class and its ancestors up to the package's base error class. */
function classNames(target: unknown): readonly string[] {
  const names: string[] = []
  for (let c = target as { name?: unknown } | null; c && c !== Error; c = Object.getPrototypeOf(c)) {
    if (typeof c.name === 'string' && c.name !== '') names.push(c.name)
    if (c.name === 'DtlsError') break
  }
  return names
}

/** Every code a {@link DtlsError} can carry. Match on `code`, never on the message text. */
export type DtlsErrorCode =
  /** A record or handshake message breaks RFC 6347 / RFC 5246; {@link DtlsCodecError} says where. */
  | 'DTLS_MALFORMED'
  /** The handshake failed on our side (bad credentials, no common suite, bad Finished ...). */
  | 'DTLS_HANDSHAKE_FAILED'
  /** The peer sent a fatal alert; `alert` names it. */
  | 'DTLS_ALERT'
  /** The handshake did not complete before the retransmission timer gave up (RFC 6347 section 4.2.4). */
  | 'DTLS_TIMEOUT'
  /** The session or the transport was closed. */
  | 'DTLS_CLOSED'
  /** A configured limit was reached (sessions, handshakes, buffered bytes). */
  | 'DTLS_LIMIT'
  /** There is no session with the peer and this side cannot start one (a server). */
  | 'DTLS_NO_SESSION'
  /** An option or argument is invalid. */
  | 'DTLS_INVALID_ARGUMENT'
  /** The socket failed. */
  | 'DTLS_SOCKET'

/** Base class of every error thrown or reported by @lwm2m/dtls. */
export class DtlsError extends Error {
  static override readonly name: string = 'DtlsError'
  readonly code: DtlsErrorCode
  /** The alert that was sent or received for this error, if any. */
  readonly alert: AlertDescription | undefined
  readonly [brand] = true
  /** The class names from this error's class up to the base, for {@link DtlsError.isInstance}. */
  readonly [kinds]: readonly string[]

  constructor(code: DtlsErrorCode, message: string, options?: { cause?: unknown; alert?: AlertDescription }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause })
    this.code = code
    this.alert = options?.alert
    this.name = new.target.name
    this[kinds] = classNames(new.target)
  }

  /**
   * True if `value` is an instance of the class this is called on (`DtlsError.isInstance(e)`,
   * or a subclass's `isInstance`), from any copy of this package: duplicate installs included,
   * since it checks a `Symbol.for` brand and class names, not the prototype chain.
   */
  static isInstance<T extends DtlsError>(
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

/**
 * A malformed record or handshake message: `offset` is the byte (within the decoded unit)
 * where decoding stopped, `reason` says why, `alert` is the alert RFC 5246 names for it
 * (decode_error unless a more precise one applies).
 */
export class DtlsCodecError extends DtlsError {
  static override readonly name: string = 'DtlsCodecError'
  readonly offset: number
  readonly reason: string

  constructor(offset: number, reason: string, alert: AlertDescription = 50) {
    super('DTLS_MALFORMED', `malformed DTLS data at byte ${offset}: ${reason}`, { alert })
    this.offset = offset
    this.reason = reason
  }
}

/** A handshake that failed: `alert` is the alert sent (locally detected) or received (`received`). */
export class DtlsHandshakeError extends DtlsError {
  static override readonly name: string = 'DtlsHandshakeError'
  /** True when the peer sent the alert, false when we sent it. */
  readonly received: boolean

  constructor(
    code: 'DTLS_HANDSHAKE_FAILED' | 'DTLS_ALERT',
    message: string,
    alert: AlertDescription,
    received = false,
    cause?: unknown,
  ) {
    super(code, message, { alert, cause })
    this.received = received
  }
}
