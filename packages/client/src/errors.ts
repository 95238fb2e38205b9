const brand = Symbol.for('@lwm2m/client/error')

/** Every code a {@link ClientError} can carry. Match on `code`, never on the message text. */
export type ClientErrorCode =
  /** `createClient` was given options it cannot work with (no endpoint name, two objects with one id, ...). */
  | 'CLIENT_INVALID_OPTIONS'
  /** The client is not started (or was stopped). */
  | 'CLIENT_NOT_STARTED'
  /** No LwM2M Server account matches, or the server named is not registered. */
  | 'CLIENT_NO_SERVER'
  /** Send (Core TS 1.1 section 6.4.6) is muted for the server: /1/x/23 is true or absent. */
  | 'CLIENT_SEND_MUTED'
  /** The operation needs a newer LwM2M version than the client speaks (Send needs 1.1). */
  | 'CLIENT_UNSUPPORTED'
  /** No transport for the server URI's scheme (`coaps` needs @lwm2m/dtls), or it failed to open. */
  | 'CLIENT_TRANSPORT'
  /**
   * The Security instance cannot secure its server: NoSec or EST mode with a `coaps` URI, a
   * missing identity or key, key material that does not parse, an unknown Certificate Usage.
   */
  | 'CLIENT_SECURITY'
  /** A value could not be read from the client's own objects (for Send or collected values). */
  | 'CLIENT_READ_FAILED'
  /** An exchange with a server failed: timeout, reset, or an error answer (see `cause`). */
  | 'CLIENT_REQUEST_FAILED'

/** The error class of @lwm2m/client. */
export class ClientError extends Error {
  static override readonly name: string = 'ClientError'
  readonly code: ClientErrorCode
  readonly [brand] = true

  constructor(code: ClientErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.code = code
    this.name = new.target.name
  }

  /** True for a ClientError from any copy of this package (duplicate installs included). */
  static isInstance(value: unknown): value is ClientError {
    return typeof value === 'object' && value !== null && (value as { [brand]?: unknown })[brand] === true
  }
}
