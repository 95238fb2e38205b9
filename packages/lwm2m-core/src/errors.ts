const brand = Symbol.for('@lwm2m/core/error')
const kinds = Symbol.for('@lwm2m/core/error-kinds')

/** The names of a class and its ancestors up to the package's base error class. */
function classNames(target: unknown): readonly string[] {
  const names: string[] = []
  for (let c = target as { name?: unknown } | null; c && c !== Error; c = Object.getPrototypeOf(c)) {
    if (typeof c.name === 'string' && c.name !== '') names.push(c.name)
    if (c.name === 'Lwm2mError') break
  }
  return names
}

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
  /** The class names from this error's class up to the base, for {@link Lwm2mError.isInstance}. */
  readonly [kinds]: readonly string[]

  constructor(code: Lwm2mErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.code = code
    this.name = new.target.name
    this[kinds] = classNames(new.target)
  }

  /**
   * True if `value` is an instance of the class this is called on (`Lwm2mError.isInstance(e)`,
   * or a subclass's `isInstance`), from any copy of this package: duplicate installs included,
   * since it checks a `Symbol.for` brand and class names, not the prototype chain.
   */
  static isInstance<T extends Lwm2mError>(
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
}
