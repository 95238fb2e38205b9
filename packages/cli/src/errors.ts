const brand = Symbol.for('@lwm2m/cli/error')

/** Every code a {@link CliError} can carry. Match on `code`, never on the message text. */
export type CliErrorCode =
  /** A line that is not a command of the prompt (unknown name). */
  | 'CLI_UNKNOWN_COMMAND'
  /** A command with missing, extra or malformed arguments or options. */
  | 'CLI_USAGE'
  /** A value that does not fit the resource it is meant for. */
  | 'CLI_INVALID_VALUE'
  /** A path that is not an LwM2M path, or not one the command takes. */
  | 'CLI_INVALID_PATH'
  /** A command-line option of the program itself that is wrong (port, URI, version...). */
  | 'CLI_INVALID_OPTION'
  /** Something the command refers to does not exist (an object, an observation). */
  | 'CLI_NOT_FOUND'
  /** A JSON command line that does not parse or has the wrong shape. */
  | 'CLI_BAD_JSON'
  /** The command was interrupted (Ctrl-C). */
  | 'CLI_INTERRUPTED'

/**
 * An error of the command-line tool: what was wrong, in words a person can act on, with
 * the usage of the command concerned in `usage` where it helps. Expected failures are
 * CliErrors (or errors of the other @lwm2m packages) and are printed without stack traces.
 */
export class CliError extends Error {
  static override readonly name: string = 'CliError'
  readonly code: CliErrorCode
  /** The usage line of the command concerned, when the error is about how it was called. */
  readonly usage: string | undefined
  readonly [brand] = true

  constructor(code: CliErrorCode, message: string, options: { usage?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.code = code
    this.usage = options.usage
    this.name = new.target.name
  }

  /** True for a CliError from any copy of this package. */
  static isInstance(value: unknown): value is CliError {
    return typeof value === 'object' && value !== null && (value as { [brand]?: unknown })[brand] === true
  }
}
