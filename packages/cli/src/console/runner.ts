import { CliError } from '../errors.js'
import { contextOf, describeError } from '../output/errors.js'
import type { Output } from '../output/output.js'
import type { CommandResult, CommandTable } from './command.js'
import type { Terminal } from './terminal.js'
import { tokenize } from './tokenize.js'

/** A line of the prompt, taken apart: its id and words. */
export interface InputLine {
  readonly id: string | number
  readonly words: readonly string[]
}

const MAX_ID_LENGTH = 200

/**
 * Reads one input line. Plain text is a command (`read ep1 /3/0`) whose id is `sequence`;
 * a line starting with `{` is a JSON object `{"id": 7, "command": "read ep1 /3/0"}` or
 * `{"id": "a", "argv": ["read", "ep1", "/3/0"]}` (the id, a string or number, is optional).
 * Blank lines and lines starting with `#` give undefined. Throws CliError (CLI_BAD_JSON,
 * CLI_USAGE) for lines that cannot be read.
 */
export function readInputLine(line: string, sequence: number): InputLine | undefined {
  const text = line.trim()
  if (text === '' || text.startsWith('#')) return undefined
  if (!text.startsWith('{')) return { id: sequence, words: tokenize(text) }
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch (err) {
    throw new CliError('CLI_BAD_JSON', `the line is not JSON: ${(err as Error).message}`)
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new CliError('CLI_BAD_JSON', 'a JSON command is an object: {"id": 1, "command": "list"}')
  }
  const { id, command, argv } = parsed as { id?: unknown; command?: unknown; argv?: unknown }
  let lineId: string | number = sequence
  if (id !== undefined) {
    if (
      !(typeof id === 'number' && Number.isFinite(id)) &&
      !(typeof id === 'string' && id.length <= MAX_ID_LENGTH)
    ) {
      throw new CliError(
        'CLI_BAD_JSON',
        `"id" must be a number or a string of at most ${MAX_ID_LENGTH} characters`,
      )
    }
    lineId = id
  }
  if (typeof command === 'string' && argv === undefined) return { id: lineId, words: tokenize(command) }
  if (Array.isArray(argv) && command === undefined && argv.every((w) => typeof w === 'string')) {
    return { id: lineId, words: argv as string[] }
  }
  throw new CliError(
    'CLI_BAD_JSON',
    'a JSON command has "command" (the line as text) or "argv" (its words as strings), not both',
  )
}

/** The prompt: reads lines, runs their commands one after the other, prints what they give. */
export interface ConsoleRunner {
  /** Runs one line as if it had been typed; `echo` prints it after the prompt first (the demo tour). */
  execute(line: string, options?: { echo?: boolean }): Promise<CommandResult | undefined>
  /** Reads and runs lines until `quit` ('quit') or the end of the input ('end'). */
  run(): Promise<'quit' | 'end'>
  /** Ends the prompt: the command running is interrupted and `run` returns. */
  stop(): void
}

export interface ConsoleOptions<C> {
  readonly table: CommandTable<C>
  readonly context: C
  readonly terminal: Terminal
  readonly output: Output
  readonly debug: boolean
  /** The prompt text shown by `echo` (default `lwm2m> `). */
  readonly prompt?: string
}

/** A prompt over a command table. A bad command never ends it: its error is printed and the next line read. */
export function createConsole<C>(options: ConsoleOptions<C>): ConsoleRunner {
  const { table, context, terminal, output, debug } = options
  let sequence = 0
  let running: AbortController | undefined
  let stopped = false
  let quit = false

  terminal.onInterrupt(() => {
    if (running !== undefined) {
      running.abort(new CliError('CLI_INTERRUPTED', 'interrupted'))
      return
    }
    stopped = true
    terminal.close()
  })

  async function runLine(input: InputLine): Promise<CommandResult | undefined> {
    const [name] = input.words
    let command = name
    const controller = new AbortController()
    running = controller
    try {
      const parsed = table.parse(input.words)
      command = parsed.spec.name
      const result = await parsed.spec.run(context, {
        name: parsed.spec.name,
        args: parsed.args,
        options: parsed.options,
        signal: controller.signal,
        id: input.id,
      })
      output.result(input.id, parsed.spec.name, result)
      if (result.quit === true) quit = true
      return result
    } catch (err) {
      output.failure(describeError(err, contextOf(err), debug), input.id, command)
      return undefined
    } finally {
      if (running === controller) running = undefined
    }
  }

  async function handle(line: string, echo: boolean): Promise<CommandResult | undefined> {
    sequence++
    let input: InputLine | undefined
    try {
      input = readInputLine(line, sequence)
    } catch (err) {
      output.failure(describeError(err, {}, debug), sequence)
      return undefined
    }
    if (input === undefined) return undefined
    if (echo) output.say(`${options.prompt ?? 'lwm2m> '}${line.trim()}`)
    return runLine(input)
  }

  return {
    execute: (line, opts = {}) => handle(line, opts.echo === true),
    async run() {
      if (stopped) return quit ? 'quit' : 'end'
      terminal.prompt()
      for await (const line of terminal.lines()) {
        await handle(line, false)
        if (quit || stopped) break
        terminal.prompt()
      }
      terminal.close()
      return quit ? 'quit' : 'end'
    },
    stop() {
      stopped = true
      running?.abort(new CliError('CLI_INTERRUPTED', 'the prompt was closed'))
      terminal.close()
    },
  }
}
