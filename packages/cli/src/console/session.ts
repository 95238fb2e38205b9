import type { ConsoleRunner } from './runner.js'
import { onStopSignal } from './signals.js'

/** How a role's session runs. */
export interface SessionOptions {
  /** Read commands (true), or run until SIGINT/SIGTERM without reading stdin (false). */
  readonly prompt: boolean
  /** Handle SIGINT and SIGTERM (the real process; tests leave them alone). */
  readonly signals: boolean
}

/**
 * Runs the prompt until `quit`, the end of stdin, or SIGINT/SIGTERM; without a prompt, waits
 * for the signal alone. Resolves when the person (or the signal) ended it.
 */
export async function runSession(runner: ConsoleRunner, options: SessionOptions): Promise<void> {
  let wake: (() => void) | undefined
  const stop = (): void => {
    runner.stop()
    wake?.()
  }
  const unlisten = options.signals ? onStopSignal(stop) : undefined
  try {
    if (options.prompt) {
      await runner.run()
    } else if (options.signals) {
      await new Promise<void>((resolve) => {
        wake = resolve
      })
    }
  } finally {
    unlisten?.()
  }
}
