import { describe, expect, it } from 'vitest'
import { CliError } from '../errors.js'
import { type CommandSpec, CommandTable, usageOf } from './command.js'

const ok = async () => ({ value: null, text: [] })

const read: CommandSpec<unknown> = {
  name: 'read',
  args: '<endpoint> <path>',
  summary: 'read a path',
  help: ['example: read ep1 /3/0'],
  options: {
    format: { value: true, placeholder: 'F', description: 'content format' },
    timeout: { value: true, placeholder: 'T', description: 'deadline' },
  },
  minArgs: 2,
  maxArgs: 2,
  run: ok,
}
const cancel: CommandSpec<unknown> = {
  name: 'cancel',
  aliases: ['stop-observe'],
  args: '<endpoint> [path...]',
  summary: 'cancel observations',
  options: { passive: { value: false, description: 'forget only' } },
  minArgs: 1,
  run: ok,
}
const table = new CommandTable([read, cancel])

function failure(words: string[]): CliError {
  try {
    table.parse(words)
  } catch (err) {
    if (CliError.isInstance(err)) return err
    throw err
  }
  throw new Error('expected a failure')
}

describe('CommandTable.parse', () => {
  it('takes the positional arguments and the options in both spellings', () => {
    const a = table.parse(['read', 'ep1', '--format', 'tlv', '/3/0', '--timeout=5s'])
    expect(a.spec.name).toBe('read')
    expect(a.args).toEqual(['ep1', '/3/0'])
    expect(Object.fromEntries(a.options)).toEqual({ format: 'tlv', timeout: '5s' })
  })

  it('knows aliases and flags', () => {
    const a = table.parse(['stop-observe', 'ep1', '--passive', '/3/0/1', '/3/0/2'])
    expect(a.spec.name).toBe('cancel')
    expect(a.args).toEqual(['ep1', '/3/0/1', '/3/0/2'])
    expect(a.options.get('passive')).toBe(true)
  })

  it('takes words after -- as arguments, even when they look like options', () => {
    const a = table.parse(['cancel', 'ep1', '--', '--passive'])
    expect(a.args).toEqual(['ep1', '--passive'])
    expect(a.options.size).toBe(0)
  })

  it('takes single-dash words (negative numbers) as arguments', () => {
    expect(table.parse(['read', 'ep1', '-5']).args).toEqual(['ep1', '-5'])
  })

  it('names an unknown command, with the closest one', () => {
    const err = failure(['raed', 'ep1', '/3/0'])
    expect(err.code).toBe('CLI_UNKNOWN_COMMAND')
    expect(err.message).toContain('did you mean read?')
    expect(failure(['frobnicate']).message).not.toContain('did you mean')
  })

  it('refuses unknown options, options given twice, missing values and values of flags, with the usage', () => {
    const unknown = failure(['read', 'ep1', '/3/0', '--depth', '2'])
    expect(unknown.code).toBe('CLI_USAGE')
    expect(unknown.message).toContain('--format, --timeout')
    expect(unknown.usage).toBe('read <endpoint> <path> [--format F] [--timeout T]')
    expect(failure(['read', 'ep1', '/3/0', '--format', 'a', '--format', 'b']).message).toContain('twice')
    expect(failure(['read', 'ep1', '/3/0', '--format']).message).toContain('needs a value')
    expect(failure(['cancel', 'ep1', '--passive=yes']).message).toContain('takes no value')
  })

  it('counts the arguments', () => {
    expect(failure(['read', 'ep1']).message).toBe('read needs 2 arguments')
    expect(failure(['read', 'ep1', '/3/0', 'extra']).message).toContain('quote values that contain blanks')
    expect(failure(['cancel']).message).toBe('cancel needs at least 1 argument')
    expect(() => table.parse([])).toThrow(CliError)
  })

  it('does not take names of Object.prototype for options or commands', () => {
    expect(failure(['read', 'ep1', '/3/0', '--constructor', 'x']).code).toBe('CLI_USAGE')
    expect(failure(['toString']).code).toBe('CLI_UNKNOWN_COMMAND')
  })
})

describe('help', () => {
  it('lists every command with its summary', () => {
    const lines = table.help()
    expect(lines[0]).toBe('  read    read a path')
    expect(lines[1]).toBe('  cancel  cancel observations')
  })

  it('tells one command: usage, aliases, details and options', () => {
    expect(table.help('cancel')).toEqual([
      'usage: cancel <endpoint> [path...] [--passive]',
      '  cancel observations',
      '  also: stop-observe',
      '  options:',
      '    --passive  forget only',
    ])
    expect(table.help('read')).toContain('  example: read ep1 /3/0')
    expect(() => table.help('nope')).toThrow(/no command "nope"/)
  })

  it('refuses two commands of one name', () => {
    expect(() => new CommandTable([read, { ...cancel, aliases: ['read'] }])).toThrow(TypeError)
    expect(usageOf(read as CommandSpec<unknown>)).toContain('[--format F]')
  })
})
