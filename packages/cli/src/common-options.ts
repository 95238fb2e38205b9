import type { Clock } from '@lwm2m/coap'
import type { Command } from 'commander'
import type { CliIo } from './console/terminal.js'
import type { ParsedOptions } from './transports/server-transports.js'
import { parseDuration } from './values/duration.js'

/** What every sub-command runs with: the streams, and whether it owns the process's signals. */
export interface RunEnvironment {
  readonly io: CliIo
  /** Handle SIGINT/SIGTERM (true for the real program; tests drive it through stdin). */
  readonly signals: boolean
  readonly clock?: Clock
}

/** The options every sub-command takes. */
export interface CommonOptions {
  readonly json: boolean
  readonly debug: boolean
  /** Default deadline of requests, ms. */
  readonly timeout: number
}

/** Adds `--json`, `--debug` and `--timeout` to a command. */
export function addCommonOptions(command: Command): Command {
  return command
    .option('--json', 'print every event and result as one JSON object per line (see the README)')
    .option('--debug', 'log the protocol on stderr and show stack traces of failures')
    .option('--timeout <duration>', 'default deadline of requests: 10s, 500ms, 2m', '10s')
}

/** Adds `--no-prompt` (run without reading commands) to a command. */
export function addPromptOption(command: Command): Command {
  return command.option('--no-prompt', 'read no commands from stdin; run until SIGINT or SIGTERM')
}

export function commonOptions(options: ParsedOptions): CommonOptions {
  return {
    json: options.json === true,
    debug: options.debug === true,
    timeout: parseDuration(String(options.timeout ?? '10s'), '--timeout'),
  }
}
