import type { CoapEndpoint } from '@lwm2m/coap'
import { createServer, type Lwm2mServer } from '@lwm2m/server'
import { commonOptions, type RunEnvironment } from '../common-options.js'
import { runSession } from '../console/session.js'
import { createTerminal } from '../console/terminal.js'
import { describeError } from '../output/errors.js'
import { createCliLogger } from '../output/logger.js'
import { createOutput, type Output } from '../output/output.js'
import {
  defaultServerTransports,
  type ParsedOptions,
  resolveServerTransports,
  type ServerTransportProvider,
} from '../transports/server-transports.js'
import { createServerSession } from './session.js'

/** What a listening endpoint looks like in the `listening` event. */
export function endpointJson(ep: CoapEndpoint): {
  scheme: string
  address: string
  port: number
  uri: string
} {
  const { address, port } = ep.address()
  const host = address.includes(':') ? `[${address}]` : address
  return { scheme: ep.scheme, address, port, uri: `${ep.scheme}://${host}:${port}` }
}

/** Prints where the server listens: `{"type":"listening","endpoints":[...]}`. */
export function printListening(
  server: Lwm2mServer,
  output: Output,
  announce: { readonly [key: string]: string } = {},
): void {
  const endpoints = server.endpoints.map(endpointJson)
  output.event(
    { type: 'listening', endpoints, ...announce },
    [
      `LwM2M server listening on ${endpoints.map((e) => e.uri).join(', ')}`,
      ...Object.entries(announce).map(([k, v]) => `${k}: ${v}`),
      output.json ? '' : 'Type help for the commands, quit to leave.',
    ].filter((l) => l !== ''),
  )
}

function bindHint(err: unknown): string | undefined {
  for (
    let e = err, i = 0;
    typeof e === 'object' && e !== null && i < 8;
    e = (e as { cause?: unknown }).cause, i++
  ) {
    const code = (e as { code?: unknown }).code
    if (code === 'EADDRINUSE') return 'another program uses this port: --port 0 picks a free one'
    if (code === 'EACCES') return 'no permission to use this port: try a port above 1023, or --port 0'
    if (code === 'EADDRNOTAVAIL') return 'this machine has no such address: check --host'
  }
  return undefined
}

/**
 * `lwm2m server`: an LwM2M server on the transports of `providers` (CoAP by default) with
 * its prompt. Resolves with the exit code once the person quit, stdin ended, or a signal came.
 */
export async function runServerCommand(
  options: ParsedOptions,
  env: RunEnvironment,
  providers: readonly ServerTransportProvider[] = defaultServerTransports,
): Promise<number> {
  const prompt = options.prompt !== false
  let common: ReturnType<typeof commonOptions>
  const json = options.json === true
  const terminal = createTerminal(env.io, { json, read: prompt })
  const output = createOutput(terminal, json)
  let server: Lwm2mServer
  let announce: { readonly [key: string]: string } | undefined
  try {
    common = commonOptions(options)
    const logger = createCliLogger(terminal, common.debug)
    const setup = resolveServerTransports(providers, options, { logger })
    announce = setup.announce
    server = await createServer({
      endpoints: setup.transports,
      logger,
      ...(env.clock === undefined ? {} : { clock: env.clock }),
      ...(setup.security === undefined ? {} : { security: setup.security }),
    })
  } catch (err) {
    const report = describeError(err, {}, options.debug === true)
    const hint = bindHint(err)
    output.failure(hint === undefined ? report : { ...report, hint })
    terminal.close()
    return 1
  }
  const session = createServerSession({
    server,
    terminal,
    output,
    timeout: common.timeout,
    debug: common.debug,
    ...(env.clock === undefined ? {} : { clock: env.clock }),
  })
  printListening(server, output, announce)
  try {
    await runSession(session.runner, { prompt, signals: env.signals })
  } finally {
    try {
      await session.close()
    } catch (err) {
      output.failure(describeError(err, {}, common.debug))
    }
    output.event({ type: 'stopped' }, 'server stopped')
    terminal.close()
  }
  return 0
}
