#!/usr/bin/env node
import { installSignalHandlers } from './console/signals.js'
import { main } from './program.js'

// Before anything runs or prints: a SIGINT/SIGTERM must never find Node's default action.
installSignalHandlers()

// Output into a closed pipe (`lwm2m server --json | head -1`): leave quietly, as other tools do.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0)
    throw err
  })
}

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
