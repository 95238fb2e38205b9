const brand = Symbol.for('@lwm2m/core/error')

/** Every code a {@link Lwm2mError} can carry. */
export type Lwm2mErrorCode =
  /** A path that is not /o, /o/i, /o/i/r or /o/i/r/ri with ids in range. */
  | 'LWM2M_INVALID_PATH'
  /** A value that does not fit its resource type or the model's range. */
  | 'LWM2M_INVALID_VALUE'
  /** A payload that its content format cannot decode; {@link Lwm2mCodecError} says where. */
  | 'LWM2M_CODEC'
  /** A content format that is not supported for this node or operation. */
  | 'LWM2M_UNSUPPORTED_FORMAT'
  /** Write-attributes parameters that break the rules (unknown name, lt + 2*st >= gt, ...). */
  | 'LWM2M_INVALID_ATTRIBUTES'
  /** Registration parameters or payload that break the rules. */
  | 'LWM2M_INVALID_REGISTRATION'
  /** A peer answered an LwM2M operation with an error code; {@link Lwm2mResponseError} carries it. */
  | 'LWM2M_RESPONSE'

/** Base class of every error thrown by @lwm2m/core. */
export class Lwm2mError extends Error {
  static override readonly name: string = 'Lwm2mError'
  readonly code: Lwm2mErrorCode
  readonly [brand] = true

  constructor(code: Lwm2mErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.code = code
    this.name = new.target.name
  }

  /** True for an Lwm2mError from any copy of this package. */
  static isInstance(value: unknown): value is Lwm2mError {
    return typeof value === 'object' && value !== null && (value as { [brand]?: unknown })[brand] === true
  }
}

/** A payload a codec cannot decode: `offset` (bytes or characters) or `path` tells where. */
export class Lwm2mCodecError extends Lwm2mError {
  static override readonly name: string = 'Lwm2mCodecError'
  readonly format: number
  readonly offset: number | undefined
  readonly path: string | undefined

  constructor(format: number, message: string, where: { offset?: number; path?: string } = {}) {
    const at =
      where.path !== undefined ? ` at ${where.path}` : where.offset !== undefined ? ` at ${where.offset}` : ''
    super('LWM2M_CODEC', `content format ${format}${at}: ${message}`)
    this.format = format
    this.offset = where.offset
    this.path = where.path
  }

  /** True for an Lwm2mCodecError from any copy of this package (not for other Lwm2mErrors). */
  static override isInstance(value: unknown): value is Lwm2mCodecError {
    return Lwm2mError.isInstance(value) && value.code === 'LWM2M_CODEC'
  }
}
