import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

/** The built program: tests of the real process run it as users do. */
export const BIN = fileURLToPath(new URL('../../dist/bin.js', import.meta.url))

export function assertBuilt(): void {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run pnpm build first`)
}

// biome-ignore lint/suspicious/noExplicitAny: JSON lines of the tool, checked field by field in the tests
export type Line = any

/** `lwm2m <args>` as a child process, its stdout read as JSON lines (or text). */
export interface CliProcess {
  readonly child: ChildProcess
  /** Every JSON line printed so far. */
  readonly lines: Line[]
  /** Every stdout line as text. */
  readonly text: string[]
  /** What it printed on stderr. */
  stderr(): string
  send(line: string): void
  /** Closes its stdin (end of input). */
  end(): void
  /** The first line from index `from` on that `match` accepts, waiting at most `ms`. */
  waitFor(
    match: (line: Line) => boolean,
    what: string,
    options?: { from?: number; ms?: number },
  ): Promise<Line>
  /** Sends a JSON command with a fresh id and waits for its result or error. */
  command(line: string, ms?: number): Promise<Line>
  /** Resolves with the exit code (or the signal's name). */
  readonly exited: Promise<number | string>
  kill(): void
}

let nextId = 0

export function spawnCli(args: readonly string[], options: { json?: boolean } = {}): CliProcess {
  assertBuilt()
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['pipe', 'pipe', 'pipe'] })
  const lines: Line[] = []
  const text: string[] = []
  let err = ''
  let buffer = ''
  const waiters = new Set<() => void>()
  child.stdout!.setEncoding('utf8')
  child.stdout!.on('data', (chunk: string) => {
    buffer += chunk
    for (;;) {
      const nl = buffer.indexOf('\n')
      if (nl < 0) break
      const line = buffer.slice(0, nl)
      buffer = buffer.slice(nl + 1)
      text.push(line)
      if (options.json !== false && line.length > 0) {
        try {
          lines.push(JSON.parse(line))
        } catch {
          lines.push({ type: 'NOT JSON', line })
        }
      }
    }
    for (const w of [...waiters]) w()
  })
  child.stderr!.setEncoding('utf8')
  child.stderr!.on('data', (chunk: string) => {
    err += chunk
  })
  const exited = new Promise<number | string>((resolve) => {
    child.on('exit', (code, signal) => {
      for (const w of [...waiters]) w()
      resolve(code ?? signal ?? -1)
    })
  })
  const proc: CliProcess = {
    child,
    lines,
    text,
    stderr: () => err,
    send: (line) => {
      child.stdin!.write(`${line}\n`)
    },
    end: () => {
      child.stdin!.end()
    },
    waitFor(match, what, opts = {}) {
      const from = opts.from ?? 0
      const ms = opts.ms ?? 10_000
      return new Promise((resolve, reject) => {
        let index = from
        const check = (): boolean => {
          for (; index < lines.length; index++) {
            if (match(lines[index])) {
              resolve(lines[index])
              return true
            }
          }
          return false
        }
        if (check()) return
        const waiter = () => {
          if (check()) finish()
          else if (child.exitCode !== null) {
            finish()
            reject(new Error(`exited before ${what}; stderr: ${err.slice(-2000)}`))
          }
        }
        const timer = setTimeout(() => {
          finish()
          reject(
            new Error(
              `no ${what} within ${ms} ms; last lines: ${JSON.stringify(lines.slice(-5))}; stderr: ${err.slice(-2000)}`,
            ),
          )
        }, ms)
        function finish() {
          clearTimeout(timer)
          waiters.delete(waiter)
        }
        waiters.add(waiter)
      })
    },
    command(line, ms) {
      const id = `t${++nextId}`
      proc.send(JSON.stringify({ id, command: line }))
      return proc.waitFor(
        (l) => l.id === id && (l.type === 'result' || l.type === 'error'),
        `the answer to ${line}`,
        {
          from: 0,
          ...(ms === undefined ? {} : { ms }),
        },
      )
    },
    exited,
    kill: () => {
      if (child.exitCode === null) child.kill('SIGKILL')
    },
  }
  return proc
}

/** Waits for a process to exit, at most `ms`; kills it then. */
export async function exitOf(p: CliProcess, ms = 15_000): Promise<number | string> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), ms)
  })
  const r = await Promise.race([p.exited, timeout])
  clearTimeout(timer)
  if (r === 'timeout') p.kill()
  return r
}
