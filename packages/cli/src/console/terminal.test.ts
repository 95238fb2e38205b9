import { PassThrough } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { createTerminal } from './terminal.js'

function streams() {
  const stdin = new PassThrough()
  const stdout = new PassThrough()
  const stderr = new PassThrough()
  let out = ''
  stdout.on('data', (c: Buffer) => {
    out += c.toString('utf8')
  })
  return { stdin, stdout, stderr, out: () => out }
}

const tick = () => new Promise((r) => setImmediate(r))

describe('the terminal', () => {
  it('prints events above the prompt and draws the prompt again with what was typed', async () => {
    const s = streams()
    const t = createTerminal({ ...s, interactive: true }, { prompt: 'lwm2m> ' })
    expect(t.interactive).toBe(true)
    t.prompt()
    s.stdin.write('rea')
    await tick()
    const before = s.out().length
    t.print(['registered: ep1'])
    const after = s.out().slice(before)
    // Back to the start of the line, clear it, the event, then the prompt with "rea".
    expect(after.startsWith('\x1b[1G\x1b[0Jregistered: ep1\n')).toBe(true)
    expect(after).toContain('lwm2m> rea')
    s.stdin.write('d ep1 /3/0\n')
    const line = await t.lines().next()
    expect(line).toEqual({ value: 'read ep1 /3/0', done: false })
    t.close()
    expect(await t.lines().next()).toEqual({ value: undefined, done: true })
  })

  it('keeps lines that come before anyone reads them, in order, and ends after them', async () => {
    const s = streams()
    const t = createTerminal({ ...s, interactive: false })
    s.stdin.write('list\nread ep1 /3/0\n')
    s.stdin.end()
    await tick()
    await tick()
    const got: string[] = []
    for await (const line of t.lines()) got.push(line)
    expect(got).toEqual(['list', 'read ep1 /3/0'])
  })

  it('prints plainly without a terminal, and in JSON mode even at one', () => {
    const s = streams()
    const t = createTerminal({ ...s, interactive: true }, { json: true })
    expect(t.interactive).toBe(false)
    t.prompt()
    t.print(['{"type":"x"}'])
    expect(s.out()).toBe('{"type":"x"}\n')
    t.close()
  })

  it('reads nothing with read: false', async () => {
    const s = streams()
    const t = createTerminal({ ...s, interactive: false }, { read: false })
    s.stdin.write('list\n')
    expect(await t.lines().next()).toEqual({ value: undefined, done: true })
    t.print(['a', 'b'])
    expect(s.out()).toBe('a\nb\n')
  })
})
