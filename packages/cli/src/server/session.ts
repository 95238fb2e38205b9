import { type Clock, systemClock } from '@lwm2m/coap'
import type { Lwm2mServer, Notification, Subscription } from '@lwm2m/server'
import { type ConsoleRunner, createConsole } from '../console/runner.js'
import type { Terminal } from '../console/terminal.js'
import type { Output } from '../output/output.js'
import { SensorUnits } from '../render/sensor-units.js'
import { serverCommands } from './commands.js'
import type { ServerContext } from './context.js'
import { printServerEvents } from './events.js'

/** Options of {@link createServerSession}. */
export interface ServerSessionOptions {
  readonly server: Lwm2mServer
  readonly terminal: Terminal
  readonly output: Output
  /** The default deadline of requests, ms. */
  readonly timeout: number
  readonly debug: boolean
  readonly clock?: Clock
  /** Runs before the server stops (the demo stops its clients first, so that they de-register). */
  readonly beforeStop?: () => Promise<void>
}

/** A server with its prompt: the events printed, the commands ready. */
export interface ServerSession {
  readonly context: ServerContext
  readonly runner: ConsoleRunner
  /** Stops printing events and stops the server (idempotent). */
  close(): Promise<void>
}

/** Wires a running server to a prompt: prints its events, runs the server commands. */
export function createServerSession(options: ServerSessionOptions): ServerSession {
  const { server, output } = options
  const clock = options.clock ?? systemClock
  const observations = new Map<string, Subscription<Notification>>()
  const units = new SensorUnits()
  const stopEvents = printServerEvents(server, output, units)
  let closing: Promise<void> | undefined
  const close = (): Promise<void> => {
    closing ??= (async () => {
      try {
        await options.beforeStop?.()
      } finally {
        await server.stop()
      }
      stopEvents()
    })()
    return closing
  }
  const context: ServerContext = {
    server,
    output,
    timeout: options.timeout,
    observations,
    units,
    quit: close,
    now: () => clock.now(),
  }
  const runner = createConsole({
    table: serverCommands(),
    context,
    terminal: options.terminal,
    output,
    debug: options.debug,
  })
  return { context, runner, close }
}
