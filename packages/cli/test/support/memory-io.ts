import { PassThrough } from 'node:stream'
import type { CliIo } from '../../src/console/terminal.js'

/** Streams for running the program in this process: stdin to write to, stdout and stderr collected. */
export function memoryIo(): CliIo & { out(): string; err(): string; input: PassThrough } {
  const input = new PassThrough()
  const stdout = new PassThrough()
  const stderr = new PassThrough()
  let out = ''
  let err = ''
  stdout.on('data', (c: Buffer) => {
    out += c.toString('utf8')
  })
  stderr.on('data', (c: Buffer) => {
    err += c.toString('utf8')
  })
  return {
    stdin: input,
    stdout,
    stderr,
    interactive: false,
    input,
    out: () => out,
    err: () => err,
  }
}
