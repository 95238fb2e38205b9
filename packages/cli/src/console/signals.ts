/**
 * SIGINT and SIGTERM for the real process. The handlers go in when the program starts
 * (before anything is printed), so a signal sent as soon as the tool says it listens is
 * never met by Node's default action; a session that starts later still learns of it.
 */
type Listener = () => void

const listeners = new Set<Listener>()
let installed = false
let received = false

function onSignal(): void {
  received = true
  for (const l of [...listeners]) l()
}

/** Installs the process's SIGINT/SIGTERM handlers once. */
export function installSignalHandlers(): void {
  if (installed) return
  installed = true
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
}

/**
 * Calls `listener` on the next SIGINT/SIGTERM, or at once if one came already;
 * returns the function that stops listening.
 */
export function onStopSignal(listener: Listener): () => void {
  installSignalHandlers()
  if (received) {
    queueMicrotask(listener)
    return () => {}
  }
  listeners.add(listener)
  return () => {
    listeners.delete(listener)
  }
}
