// The program's command line, run in this process with its streams in memory.
import { describe, expect, it } from 'vitest'
import { main } from '../src/program.js'
import { packageVersion } from '../src/version.js'
import { memoryIo } from './support/memory-io.js'

async function run(args: string[], input: string[] = []) {
  const io = memoryIo()
  for (const line of input) io.input.write(`${line}\n`)
  io.input.end()
  const code = await main(args, { io, signals: false })
  return { code, out: io.out(), err: io.err() }
}

describe('the lwm2m program', () => {
  it('--version prints the package version', async () => {
    const r = await run(['--version'])
    expect(r).toMatchObject({ code: 0, out: `${packageVersion()}\n` })
  })

  it('--help and no arguments list the commands', async () => {
    for (const args of [['--help'], []]) {
      const r = await run(args)
      expect(r.code).toBe(0)
      expect(r.out).toContain('Usage: lwm2m [options] [command]')
      for (const c of ['server', 'client', 'demo']) expect(r.out).toMatch(new RegExp(`^ {2}${c} `, 'm'))
    }
    const client = await run(['client', '--help'])
    expect(client.out).toContain('--lwm2m-version <version>')
    expect(client.out).toContain('--local-port <port>')
  })

  it('refuses unknown commands and options with exit code 2', async () => {
    const r = await run(['serve'])
    expect(r.code).toBe(2)
    expect(r.err).toContain("unknown command 'serve'")
    expect((await run(['server', '--prot', '1'])).code).toBe(2)
  })

  it('refuses bad option values with a message and exit code 1', async () => {
    const port = await run(['server', '--port', '99999'])
    expect(port).toMatchObject({ code: 1 })
    expect(port.err).toBe('error: --port takes a port number 0-65535, not "99999"\n')
    expect((await run(['server', '--host', 'example.com'])).err).toContain('--host takes an IP address')
    expect((await run(['server', '--port', '0', '--timeout', 'soon'])).err).toContain(
      '--timeout takes a duration',
    )
    expect((await run(['client', '--server', 'http://x'])).err).toContain('--server takes a coap:// URI')
    expect((await run(['client', '--server', 'coaps://127.0.0.1'])).err).toContain(
      'a coaps:// server needs credentials',
    )
    expect((await run(['client', '--lwm2m-version', '2.0'])).err).toContain(
      '--lwm2m-version is 1.0, 1.1 or 1.2',
    )
    expect((await run(['client', '--binding', 'UQ'])).err).toContain('use --queue')
    expect((await run(['client', '--endpoint', 'a b'])).err).toContain('--endpoint takes a name')
    expect((await run(['client', '--lifetime', '-1'])).err).toContain('--lifetime takes a whole number')
    const json = await run(['server', '--port', 'x', '--json'])
    expect(JSON.parse(json.out)).toMatchObject({ type: 'error', ok: false, code: 'CLI_INVALID_OPTION' })
  })

  it('server: runs the piped commands in this process and stops at the end of the input', async () => {
    const r = await run(['server', '--host', '127.0.0.1', '--port', '0', '--json'], ['list', 'read x /3/0'])
    expect(r.code).toBe(0)
    const lines = r.out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
    expect(lines.map((l) => l.type)).toEqual(['listening', 'result', 'error', 'stopped'])
    expect(lines[1].value).toEqual({ registrations: [] })
    expect(r.err).toBe('')
  })
})
