import type { CommandResult } from '../console/command.js'
import type { Terminal } from '../console/terminal.js'
import { type ErrorReport, formatErrorReport } from './errors.js'
import { jsonLine, toJson } from './json.js'

/** An event as `--json` prints it: `type` names it, the other fields depend on it (see the README). */
export interface CliEvent {
  readonly type: string
  readonly [field: string]: unknown
}

/** Lines for people, or a function that makes them (called only in text mode). */
export type Text = string | readonly string[] | (() => string | readonly string[])

function linesOf(text: Text): readonly string[] {
  const t = typeof text === 'function' ? text() : text
  return typeof t === 'string' ? [t] : t
}

/**
 * Where everything the tool says goes: text for people, or with `--json` one JSON object
 * per line on stdout for every event, result and error (and nothing else on stdout).
 */
export interface Output {
  readonly json: boolean
  /** An event (a registration, a notification...): JSON mode prints `event`, text mode `text`. */
  event(event: CliEvent, text: Text): void
  /** A command's result: `{"type":"result","id","command","ok":true,"value"}`. */
  result(id: string | number, command: string, result: CommandResult): void
  /** A failure, of a command (with its id) or of something in the background. */
  failure(report: ErrorReport, id?: string | number, command?: string): void
  /** Words for people only (banners, the demo's headings); nothing in JSON mode. */
  say(text: Text): void
}

/** The output of one terminal, as text or JSON lines. */
export function createOutput(terminal: Terminal, json: boolean): Output {
  if (json) {
    return {
      json,
      event: (event) => terminal.print([jsonLine(event)]),
      result: (id, command, result) =>
        terminal.print([
          JSON.stringify({ type: 'result', id, command, ok: true, value: toJson(result.value) ?? null }),
        ]),
      failure(report, id, command) {
        const { expected: _expected, ...fields } = report
        terminal.print([
          jsonLine({
            type: 'error',
            ...(id === undefined ? {} : { id }),
            ...(command === undefined ? {} : { command }),
            ok: false,
            ...fields,
          }),
        ])
      },
      say: () => {},
    }
  }
  return {
    json,
    event: (_event, text) => terminal.print(linesOf(text)),
    result: (_id, _command, result) => terminal.print(result.text),
    failure: (report) => terminal.printError(formatErrorReport(report)),
    say: (text) => terminal.print(linesOf(text)),
  }
}
