#!/usr/bin/env node
import { main } from './program.js'

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code
    // The prompt stopped reading; an open stdin pipe must not keep the process alive.
    process.stdin.destroy()
    // Sockets and timers are closed by then; this only guards against a handle left open.
    setTimeout(() => process.exit(code), 2000).unref()
  },
  (err: unknown) => {
    process.stderr.write(
      `lwm2m: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    )
    process.exit(1)
  },
)
