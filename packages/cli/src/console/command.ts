import { CliError } from '../errors.js'

/** An option of a prompt command: `--format tlv` (takes a value) or `--passive` (a flag). */
export interface OptionSpec {
  /** True when the option takes a value. */
  readonly value: boolean
  /** The value's placeholder in the usage line ("F", "MS"). */
  readonly placeholder?: string
  readonly description: string
}

/** What a command run gives back: the data (JSON mode prints it as `value`) and the lines a person reads. */
export interface CommandResult {
  readonly value: unknown
  readonly text: readonly string[]
  /** True for `quit`: the prompt ends after this result. */
  readonly quit?: boolean
}

/** One call of a command, its words taken apart. */
export interface CommandCall {
  /** The command's name (the canonical one, also when an alias was typed). */
  readonly name: string
  /** The positional arguments. */
  readonly args: readonly string[]
  /** The options given: a value, or true for a flag. */
  readonly options: ReadonlyMap<string, string | true>
  /** Aborted when the person interrupts the command (Ctrl-C) or the prompt closes. */
  readonly signal: AbortSignal
  /** The id of the call (JSON mode: the id of the line), for notes printed while it runs. */
  readonly id: string | number
}

/** A command of a prompt. `C` is what it works on (the server, the client). */
export interface CommandSpec<C> {
  readonly name: string
  readonly aliases?: readonly string[]
  /** The arguments as the usage line shows them: `<endpoint> <path> [value...]`. */
  readonly args: string
  /** One line for the command list. */
  readonly summary: string
  /** More lines for `help <command>`: the rules of the arguments, examples. */
  readonly help?: readonly string[]
  readonly options?: Readonly<Record<string, OptionSpec>>
  readonly minArgs: number
  /** Most positional arguments taken; default no limit. */
  readonly maxArgs?: number
  run(context: C, call: CommandCall): Promise<CommandResult>
}

/** A parsed line: the command and its call, less the signal and id the runner adds. */
export interface ParsedCommand<C> {
  readonly spec: CommandSpec<C>
  readonly args: readonly string[]
  readonly options: ReadonlyMap<string, string | true>
}

/** The usage line of a command: `read <endpoint> <path> [--format F] [--timeout T]`. */
export function usageOf(spec: CommandSpec<unknown>): string {
  const options = Object.entries(spec.options ?? {}).map(([name, o]) =>
    o.value ? `[--${name} ${o.placeholder ?? 'V'}]` : `[--${name}]`,
  )
  return [spec.name, spec.args, ...options].filter((s) => s.length > 0).join(' ')
}

/** Edit distance of two short words (for "did you mean"), bounded by the words' lengths. */
function distance(a: string, b: string): number {
  if (a.length > 32 || b.length > 32) return Math.max(a.length, b.length)
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i)
  for (let i = 1; i <= a.length; i++) {
    const cur = [i]
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1))
    }
    prev = cur
  }
  return prev[b.length]!
}

/** The commands of one prompt, found by name or alias. */
export class CommandTable<C> {
  readonly specs: readonly CommandSpec<C>[]
  readonly #byName = new Map<string, CommandSpec<C>>()

  constructor(specs: readonly CommandSpec<C>[]) {
    this.specs = specs
    for (const spec of specs) {
      for (const name of [spec.name, ...(spec.aliases ?? [])]) {
        if (this.#byName.has(name)) throw new TypeError(`two commands are called ${name}`)
        this.#byName.set(name, spec)
      }
    }
  }

  get(name: string): CommandSpec<C> | undefined {
    return this.#byName.get(name)
  }

  /** The closest command name to a mistyped one, if one is close. */
  suggest(name: string): string | undefined {
    let best: string | undefined
    let bestDistance = 3
    for (const candidate of this.#byName.keys()) {
      const d = distance(name, candidate)
      if (d < bestDistance || (d === bestDistance && best === undefined && candidate.startsWith(name))) {
        best = candidate
        bestDistance = d
      }
    }
    return best ?? [...this.#byName.keys()].find((n) => name.length >= 2 && n.startsWith(name))
  }

  /**
   * Takes the words of a line apart: the command (by name or alias), its positional
   * arguments and its options (`--name value`, `--name=value`, flags; `--` ends the options).
   * Throws CliError CLI_UNKNOWN_COMMAND or CLI_USAGE with the usage line.
   */
  parse(words: readonly string[]): ParsedCommand<C> {
    const [name, ...rest] = words
    if (name === undefined) throw new CliError('CLI_USAGE', 'empty command')
    const spec = this.#byName.get(name)
    if (spec === undefined) {
      const close = this.suggest(name)
      throw new CliError(
        'CLI_UNKNOWN_COMMAND',
        `unknown command "${name.slice(0, 40)}"${close === undefined ? '' : ` (did you mean ${close}?)`}; help lists the commands`,
      )
    }
    const usage = usageOf(spec as CommandSpec<unknown>)
    const args: string[] = []
    const options = new Map<string, string | true>()
    let optionsEnded = false
    for (let i = 0; i < rest.length; i++) {
      const word = rest[i]!
      if (optionsEnded || !word.startsWith('--') || word.length === 2) {
        if (word === '--' && !optionsEnded) optionsEnded = true
        else args.push(word)
        continue
      }
      const eq = word.indexOf('=')
      const optName = eq < 0 ? word.slice(2) : word.slice(2, eq)
      const option = spec.options?.[optName]
      if (option === undefined || !Object.hasOwn(spec.options ?? {}, optName)) {
        const known = Object.keys(spec.options ?? {})
        throw new CliError(
          'CLI_USAGE',
          `${spec.name} has no option --${optName.slice(0, 40)}${known.length > 0 ? ` (it takes ${known.map((k) => `--${k}`).join(', ')})` : ''}`,
          { usage },
        )
      }
      if (options.has(optName)) throw new CliError('CLI_USAGE', `--${optName} is given twice`, { usage })
      if (!option.value) {
        if (eq >= 0) throw new CliError('CLI_USAGE', `--${optName} takes no value`, { usage })
        options.set(optName, true)
        continue
      }
      if (eq >= 0) {
        options.set(optName, word.slice(eq + 1))
        continue
      }
      const value = rest[i + 1]
      if (value === undefined) throw new CliError('CLI_USAGE', `--${optName} needs a value`, { usage })
      options.set(optName, value)
      i++
    }
    if (args.length < spec.minArgs) {
      throw new CliError('CLI_USAGE', `${spec.name} needs ${describeCount(spec)}`, { usage })
    }
    if (spec.maxArgs !== undefined && args.length > spec.maxArgs) {
      throw new CliError(
        'CLI_USAGE',
        `${spec.name} takes ${describeCount(spec)}, got ${args.length} (quote values that contain blanks)`,
        { usage },
      )
    }
    return { spec, args, options }
  }

  /** The help text: every command with its summary, or one command's usage and details. */
  help(name?: string): string[] {
    if (name === undefined) {
      const width = Math.max(...this.specs.map((s) => s.name.length))
      return [
        ...this.specs.map((s) => `  ${s.name.padEnd(width)}  ${s.summary}`),
        '',
        'help <command> tells more about one command.',
      ]
    }
    const spec = this.#byName.get(name)
    if (spec === undefined) {
      const close = this.suggest(name)
      throw new CliError(
        'CLI_UNKNOWN_COMMAND',
        `no command "${name.slice(0, 40)}"${close === undefined ? '' : ` (did you mean ${close}?)`}`,
      )
    }
    const lines = [`usage: ${usageOf(spec as CommandSpec<unknown>)}`, `  ${spec.summary}`]
    if (spec.aliases !== undefined && spec.aliases.length > 0)
      lines.push(`  also: ${spec.aliases.join(', ')}`)
    if (spec.help !== undefined) lines.push(...spec.help.map((l) => (l.length > 0 ? `  ${l}` : '')))
    const options = Object.entries(spec.options ?? {})
    if (options.length > 0) {
      lines.push('  options:')
      const width = Math.max(
        ...options.map(([n, o]) => n.length + (o.value ? (o.placeholder ?? 'V').length + 1 : 0)),
      )
      for (const [n, o] of options) {
        const head = o.value ? `${n} ${o.placeholder ?? 'V'}` : n
        lines.push(`    --${head.padEnd(width)}  ${o.description}`)
      }
    }
    return lines
  }
}

function describeCount(spec: CommandSpec<unknown>): string {
  const { minArgs: min, maxArgs: max } = spec
  const n = (k: number) => `${k} argument${k === 1 ? '' : 's'}`
  if (max === min) return n(min)
  if (max === undefined) return `at least ${n(min)}`
  return `${min} to ${max} arguments`
}
