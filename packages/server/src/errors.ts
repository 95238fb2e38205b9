import { CoapError } from '@lwm2m/coap'

const brand = Symbol.for('@lwm2m/server/error')

/** Every code a {@link ServerError} can carry. Match on `code`, never on the message text. */
export type ServerErrorCode =
  /** No registration for this endpoint name (never registered, de-registered or expired). */
  | 'UNKNOWN_ENDPOINT'
  /** No answer before the request's deadline, or a queued request outlived its deadline. */
  | 'TIMEOUT'
  /** The caller's AbortSignal fired. */
  | 'ABORTED'
  /** The client answered the request with RST (RFC 7252 section 4.2). */
  | 'RESET'
  /** The transport or CoAP layer failed otherwise (socket error, closed endpoint, block-wise failure). */
  | 'TRANSPORT'
  /** The client's queue of waiting requests is full (queue mode, or requests beyond the in-flight limit). */
  | 'QUEUE_FULL'
  /** A limit option was reached (observations per client, requests in flight with `inFlight: 'fail'`). */
  | 'LIMIT'
  /** The registration ended (De-register, expiry, re-registration) while the request waited or ran. */
  | 'REGISTRATION_ENDED'
  /** The operation needs an LwM2M version the client did not register with (composite operations on 1.0). */
  | 'NOT_SUPPORTED'
  /** An argument the server cannot turn into a request (a value that does not fit the path). */
  | 'INVALID_ARGUMENT'
  /** The server was stopped. */
  | 'STOPPED'

/** Base class of every error thrown by @lwm2m/server. LwM2M error answers are @lwm2m/core's Lwm2mResponseError. */
export class ServerError extends Error {
  static override readonly name: string = 'ServerError'
  readonly code: ServerErrorCode
  /** The endpoint name concerned, when there is one. */
  readonly endpoint: string | undefined
  readonly [brand] = true

  constructor(code: ServerErrorCode, message: string, options: { endpoint?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.code = code
    this.endpoint = options.endpoint
    this.name = new.target.name
  }

  /** True for a ServerError from any copy of this package (duplicate installs included). */
  static isInstance(value: unknown): value is ServerError {
    return typeof value === 'object' && value !== null && (value as { [brand]?: unknown })[brand] === true
  }
}

/**
 * The ServerError for a failure of the CoAP layer: timeouts, aborts and resets get their own
 * codes, the rest is TRANSPORT. Anything that is not a CoapError is returned unchanged.
 */
export function fromCoapError(err: unknown, endpoint: string): unknown {
  if (!CoapError.isInstance(err)) return err
  switch (err.code) {
    case 'COAP_TIMEOUT':
      return new ServerError('TIMEOUT', `${endpoint} did not answer in time`, { endpoint, cause: err })
    case 'COAP_ABORTED':
      return new ServerError('ABORTED', `the request to ${endpoint} was aborted`, { endpoint, cause: err })
    case 'COAP_RESET':
      return new ServerError('RESET', `${endpoint} answered with RST`, { endpoint, cause: err })
    default:
      return new ServerError('TRANSPORT', `the request to ${endpoint} failed: ${err.message}`, {
        endpoint,
        cause: err,
      })
  }
}
