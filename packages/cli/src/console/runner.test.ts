import { describe, expect, it } from 'vitest'
import { CliError } from '../errors.js'
import { createOutput } from '../output/output.js'
import { type CommandSpec, CommandTable } from './command.js'
import { quitCommand } from './common-commands.js'
import { createConsole, readInputLine } from './runner.js'
import type { Terminal } from './terminal.js'

/** A terminal over a list of lines, keeping what is printed. */
function memoryTerminal(input: readonly string[]) {
  const out: string[] = []
  const err: string[] = []
  let interrupt: (() => void) | undefined
  let closed = false
  const lines = [...input]
  const terminal: Terminal = {
    interactive: false,
    print: (l) => out.push(...l),
    printError: (l) => err.push(...l),
    async *lines() {
      while (!closed && lines.length > 0) yield lines.shift()!
    },
    prompt: () => {},
    onInterrupt: (fn) => {
      interrupt = fn
    },
    close: () => {
      closed = true
    },
  }
  return { terminal, out, err, interrupt: () => interrupt?.() }
}

describe('readInputLine', () => {
  it('gives plain lines the sequence number as id and skips blanks and comments', () => {
    expect(readInputLine('read ep1 /3/0', 4)).toEqual({ id: 4, words: ['read', 'ep1', '/3/0'] })
    expect(readInputLine('   ', 1)).toBeUndefined()
    expect(readInputLine('# a comment', 1)).toBeUndefined()
  })

  it('reads JSON commands with their ids, as text or as words', () => {
    expect(readInputLine('{"id":"a1","command":"read ep1 /3/0"}', 1)).toEqual({
      id: 'a1',
      words: ['read', 'ep1', '/3/0'],
    })
    expect(readInputLine('{"id":7,"argv":["write","ep1","/3/0/15","a b"]}', 1)).toEqual({
      id: 7,
      words: ['write', 'ep1', '/3/0/15', 'a b'],
    })
    expect(readInputLine('{"command":"list"}', 9)).toEqual({ id: 9, words: ['list'] })
  })

  it('refuses JSON lines of the wrong shape', () => {
    for (const line of [
      '{not json',
      '{"id":1}',
      '{"id":{},"command":"list"}',
      '{"command":"list","argv":["list"]}',
      '{"argv":["list",1]}',
      `{"id":"${'x'.repeat(201)}","command":"list"}`,
    ]) {
      expect(() => readInputLine(line, 1), line).toThrow(CliError)
    }
  })
})

describe('the prompt', () => {
  const echo: CommandSpec<{ seen: string[] }> = {
    name: 'echo',
    args: '<word...>',
    summary: 'echo',
    minArgs: 1,
    async run(ctx, call) {
      ctx.seen.push(call.args.join(' '))
      if (call.args[0] === 'throw') throw new Error('boom')
      return { value: { words: call.args }, text: [call.args.join(' ')] }
    },
  }
  const wait: CommandSpec<{ seen: string[] }> = {
    name: 'wait',
    args: '',
    summary: 'wait until interrupted',
    minArgs: 0,
    run: (_ctx, call) =>
      new Promise((_resolve, reject) =>
        call.signal.addEventListener('abort', () => reject(call.signal.reason)),
      ),
  }
  const table = new CommandTable([
    echo,
    wait,
    quitCommand<{ seen: string[] }>('leave', async (ctx) => {
      ctx.seen.push('quit')
    }),
  ])

  it('runs the lines in order; a bad line is reported and the next one runs; quit ends it', async () => {
    const t = memoryTerminal(['echo a', 'nope', 'echo "b c"', 'echo', 'quit', 'echo never'])
    const ctx = { seen: [] as string[] }
    const runner = createConsole({
      table,
      context: ctx,
      terminal: t.terminal,
      output: createOutput(t.terminal, false),
      debug: false,
    })
    expect(await runner.run()).toBe('quit')
    expect(ctx.seen).toEqual(['a', 'b c', 'quit'])
    expect(t.out).toEqual(['a', 'b c'])
    expect(t.err[0]).toBe('error: unknown command "nope"; help lists the commands')
    expect(t.err).toContain('error: echo needs at least 1 argument')
    expect(t.err).toContain('usage: echo <word...>')
  })

  it('in JSON mode prints one result or error line per command, with the ids', async () => {
    const t = memoryTerminal(['echo a', '{"id":"x","command":"nope"}', 'echo throw', 'quit'])
    const runner = createConsole({
      table,
      context: { seen: [] },
      terminal: t.terminal,
      output: createOutput(t.terminal, true),
      debug: false,
    })
    expect(await runner.run()).toBe('quit')
    const lines = t.out.map((l) => JSON.parse(l))
    expect(lines[0]).toEqual({ type: 'result', id: 1, command: 'echo', ok: true, value: { words: ['a'] } })
    expect(lines[1]).toMatchObject({
      type: 'error',
      id: 'x',
      command: 'nope',
      ok: false,
      code: 'CLI_UNKNOWN_COMMAND',
    })
    // An unexpected failure: an internal error, without a stack trace unless --debug.
    expect(lines[2]).toMatchObject({
      type: 'error',
      id: 3,
      code: 'INTERNAL',
      message: 'internal error: boom',
    })
    expect(lines[2].stack).toBeUndefined()
    expect(lines[3]).toEqual({ type: 'result', id: 4, command: 'quit', ok: true, value: null })
    expect(t.err).toEqual([])
  })

  it('ends at the end of the input', async () => {
    const t = memoryTerminal(['echo a'])
    const runner = createConsole({
      table,
      context: { seen: [] },
      terminal: t.terminal,
      output: createOutput(t.terminal, false),
      debug: false,
    })
    expect(await runner.run()).toBe('end')
  })

  it('interrupts the running command on Ctrl-C, and leaves on Ctrl-C at the prompt', async () => {
    const t = memoryTerminal(['wait', 'echo after'])
    const runner = createConsole({
      table,
      context: { seen: [] },
      terminal: t.terminal,
      output: createOutput(t.terminal, false),
      debug: true,
    })
    const running = runner.run()
    await new Promise((r) => setTimeout(r, 20))
    t.interrupt()
    await new Promise((r) => setTimeout(r, 20))
    expect(t.err[0]).toBe('error: interrupted')
    t.interrupt()
    expect(await running).toBe('end')
  })

  it('runs single lines for the demo, echoing them', async () => {
    const t = memoryTerminal([])
    const runner = createConsole({
      table,
      context: { seen: [] },
      terminal: t.terminal,
      output: createOutput(t.terminal, false),
      debug: false,
      prompt: '> ',
    })
    const r = await runner.execute('echo hi', { echo: true })
    expect(r?.value).toEqual({ words: ['hi'] })
    expect(t.out).toEqual(['> echo hi', 'hi'])
    expect(await runner.execute('nope')).toBeUndefined()
  })
})
