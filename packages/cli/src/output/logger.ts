import type { Logger } from '@lwm2m/coap'
import type { Terminal } from '../console/terminal.js'

function line(level: string, message: string, data: Record<string, unknown> | undefined): string {
  if (data === undefined) return `[${level}] ${message}`
  let extra: string
  try {
    extra = JSON.stringify(data, (_k, v) => (typeof v === 'bigint' ? v.toString() : v))
  } catch {
    extra = String(data)
  }
  return `[${level}] ${message} ${extra}`
}

/**
 * The logger the tool gives the stack: errors on stderr (above the prompt); with `--debug`
 * warnings, info and debug too (without it, what the warnings say comes as the tool's own
 * events: a failed registration, an ended observation). stdout stays for output (and, with
 * `--json`, JSON only).
 */
export function createCliLogger(terminal: Terminal, debug: boolean): Logger {
  const out = (level: string) => (message: string, data?: Record<string, unknown>) =>
    terminal.printError([line(level, message, data)])
  const none = () => {}
  return {
    debug: debug ? out('debug') : none,
    info: debug ? out('info') : none,
    warn: debug ? out('warn') : none,
    error: out('error'),
  }
}
