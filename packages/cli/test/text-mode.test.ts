// The prompts for people, with commands piped in: readable output, errors on stderr without
// stack traces, and a bad command never ends the prompt.
import { describe, expect, it } from 'vitest'
import { exitOf, spawnCli } from './support/cli-process.js'

describe('lwm2m server, text mode', () => {
  it('answers help, refuses bad commands plainly, goes on, and quits', async () => {
    const server = spawnCli(['server', '--host', '127.0.0.1', '--port', '0'], { json: false })
    for (const line of [
      'help',
      'help write',
      'read nobody /3/0',
      'raed x /3/0',
      'read x',
      'list',
      'quit',
      'list',
    ]) {
      server.send(line)
    }
    expect(await exitOf(server)).toBe(0)
    const out = server.text.join('\n')
    const err = server.stderr()
    expect(out).toMatch(/^LwM2M server listening on coap:\/\/127\.0\.0\.1:[1-9][0-9]*$/m)
    expect(out).toMatch(/^ {2}read-composite +read several paths in one request \(LwM2M 1\.1\+\)$/m)
    expect(out).toContain('usage: write <endpoint> <path> <value...> [--format F] [--partial] [--timeout T]')
    expect(out).toContain('no client is registered')
    expect(out.trimEnd().endsWith('server stopped')).toBe(true)
    expect(err).toContain(
      'error: no client named "nobody" is registered\n  (list shows the registered clients)',
    )
    expect(err).toContain('error: unknown command "raed" (did you mean read?); help lists the commands')
    expect(err).toContain('error: read needs 2 arguments\nusage: read <endpoint> <path>')
    expect(err).not.toMatch(/\n\s+at /)
    // The last `list` came after quit: it never ran.
    expect(out.match(/no client is registered/g)).toHaveLength(1)
  })

  it('says what to do when the port is taken', async () => {
    const first = spawnCli(['server', '--host', '127.0.0.1', '--port', '0', '--json'])
    const listening = await first.waitFor((l) => l.type === 'listening', 'listening')
    const second = spawnCli(
      ['server', '--host', '127.0.0.1', '--port', String(listening.endpoints[0].port)],
      {
        json: false,
      },
    )
    expect(await exitOf(second)).toBe(1)
    expect(second.stderr()).toContain('cannot bind udp 127.0.0.1')
    expect(second.stderr()).toContain('--port 0 picks a free one')
    first.end()
    expect(await exitOf(first)).toBe(0)
  })

  it('runs as a service with --no-prompt, reading nothing, until SIGTERM', async () => {
    const server = spawnCli(['server', '--host', '127.0.0.1', '--port', '0', '--json', '--no-prompt'])
    await server.waitFor((l) => l.type === 'listening', 'listening')
    server.send('quit')
    server.child.kill('SIGTERM')
    await server.waitFor((l) => l.type === 'stopped', 'stopped')
    expect(await exitOf(server)).toBe(0)
    // The quit on stdin was never read.
    expect(server.lines.map((l) => l.type)).toEqual(['listening', 'stopped'])
  })
})
