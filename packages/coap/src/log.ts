/**
 * A minimal structured logger, injectable everywhere. The default logs nothing;
 * pass `consoleLogger` or an adapter to pino/winston to see what happens.
 */
export interface Logger {
  debug(message: string, data?: Record<string, unknown>): void
  info(message: string, data?: Record<string, unknown>): void
  warn(message: string, data?: Record<string, unknown>): void
  error(message: string, data?: Record<string, unknown>): void
}

const noop = (): void => {}

/** Logs nothing. */
export const silentLogger: Logger = { debug: noop, info: noop, warn: noop, error: noop }

/** Logs info and above to the console (debug too with `{ debug: true }`). */
export function consoleLogger(opts: { debug?: boolean; prefix?: string } = {}): Logger {
  const p = opts.prefix ? `[${opts.prefix}] ` : ''
  const out =
    (fn: (...a: unknown[]) => void) =>
    (message: string, data?: Record<string, unknown>): void =>
      data === undefined ? fn(p + message) : fn(p + message, data)
  return {
    debug: opts.debug ? out(console.debug) : noop,
    info: out(console.info),
    warn: out(console.warn),
    error: out(console.error),
  }
}
