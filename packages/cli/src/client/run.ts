import { hostname } from 'node:os'
import { systemClock } from '@lwm2m/coap'
import { isLwm2mVersion, type Lwm2mVersion } from '@lwm2m/core'
import { commonOptions, type RunEnvironment } from '../common-options.js'
import { createConsole } from '../console/runner.js'
import { runSession } from '../console/session.js'
import { createTerminal } from '../console/terminal.js'
import { CliError } from '../errors.js'
import { describeError } from '../output/errors.js'
import { createCliLogger } from '../output/logger.js'
import { createOutput } from '../output/output.js'
import {
  type ClientTransportProvider,
  defaultClientTransports,
  parseServerUri,
  resolveClientTransport,
} from '../transports/client-transports.js'
import type { ParsedOptions } from '../transports/server-transports.js'
import { parseDuration } from '../values/duration.js'
import { packageVersion } from '../version.js'
import { type ClientContext, clientCommands } from './commands.js'
import { printClientEvents } from './events.js'
import { createSimulatedClient, type SimulatedClient } from './simulated-client.js'

/** The endpoint name when none is given: `lwm2m-<host name>`. */
export function defaultEndpointName(): string {
  const host = hostname()
    .replace(/[^A-Za-z0-9._-]/g, '-')
    .slice(0, 60)
  return `lwm2m-${host || 'client'}`
}

function integerOption(text: unknown, name: string, min: number, max: number): number {
  const s = String(text)
  if (!/^[0-9]{1,10}$/.test(s) || Number(s) < min || Number(s) > max) {
    throw new CliError(
      'CLI_INVALID_OPTION',
      `${name} takes a whole number ${min}-${max}, not "${s.slice(0, 40)}"`,
    )
  }
  return Number(s)
}

/** The client's settings from its command-line options; CliError for what is wrong. */
export function clientSettings(options: ParsedOptions): {
  endpoint: string
  serverUri: string
  version: Lwm2mVersion
  lifetime: number
  binding: string
  queueMode: boolean
  awakeTime: number | undefined
  interval: number
} {
  const endpoint = String(options.endpoint ?? defaultEndpointName())
  if (endpoint.length === 0 || endpoint.length > 255 || !/^[\x21-\x7e]+$/.test(endpoint)) {
    throw new CliError(
      'CLI_INVALID_OPTION',
      '--endpoint takes a name of 1-255 printable characters without blanks',
    )
  }
  const version = String(options.lwm2mVersion ?? '1.1')
  if (!isLwm2mVersion(version)) {
    throw new CliError(
      'CLI_INVALID_OPTION',
      `--lwm2m-version is 1.0, 1.1 or 1.2, not "${version.slice(0, 20)}"`,
    )
  }
  const binding = String(options.binding ?? 'U').toUpperCase()
  if (!/^[USNTMH]{1,6}$/.test(binding) || binding.includes('Q')) {
    throw new CliError(
      'CLI_INVALID_OPTION',
      `--binding takes binding letters such as U (use --queue for queue mode), not "${binding.slice(0, 20)}"`,
    )
  }
  return {
    endpoint,
    serverUri: String(options.server ?? 'coap://127.0.0.1:5683'),
    version,
    lifetime: integerOption(options.lifetime ?? '300', '--lifetime', 0, 0xffffffff),
    binding,
    queueMode: options.queue === true,
    awakeTime:
      options.awakeTime === undefined ? undefined : parseDuration(String(options.awakeTime), '--awake-time'),
    interval: parseDuration(String(options.interval ?? '2s'), '--interval'),
  }
}

/**
 * `lwm2m client`: the simulated device registered with one LwM2M server, with its prompt.
 * Resolves with the exit code once the person quit (de-registering), stdin ended, or a signal came.
 */
export async function runClientCommand(
  options: ParsedOptions,
  env: RunEnvironment,
  providers: readonly ClientTransportProvider[] = defaultClientTransports,
): Promise<number> {
  const prompt = options.prompt !== false
  const json = options.json === true
  const terminal = createTerminal(env.io, { json, read: prompt, prompt: 'client> ' })
  const output = createOutput(terminal, json)
  const clock = env.clock ?? systemClock
  let sim: SimulatedClient
  let debug = options.debug === true
  let timeout = 0
  try {
    const common = commonOptions(options)
    debug = common.debug
    timeout = common.timeout
    const settings = clientSettings(options)
    const uri = parseServerUri(settings.serverUri)
    const logger = createCliLogger(terminal, common.debug)
    const transport = resolveClientTransport(providers, options, uri)
    const { awakeTime, ...rest } = settings
    sim = createSimulatedClient({
      ...rest,
      firmwareVersion: packageVersion(),
      security: transport.account,
      transports: transport.transports,
      requestTimeout: common.timeout,
      clock,
      logger,
      onReboot: () =>
        output.event({ type: 'rebooted', endpoint: settings.endpoint }, 'rebooted: registering again'),
      onFirmwareUpdate: (bytes) =>
        output.event(
          { type: 'firmwareUpdated', endpoint: settings.endpoint, bytes },
          `firmware package of ${bytes} bytes installed`,
        ),
      ...(awakeTime === undefined ? {} : { awakeTime }),
    })
  } catch (err) {
    output.failure(describeError(err, {}, debug))
    terminal.close()
    return 1
  }
  const { client, device } = sim
  const stopEvents = printClientEvents(client, output, debug)
  let stopping: Promise<void> | undefined
  const stop = (): Promise<void> => {
    stopping ??= sim.stop({ deregister: true })
    return stopping
  }
  const context: ClientContext = {
    client,
    device,
    output,
    timeout,
    quit: stop,
    now: () => clock.now(),
  }
  const runner = createConsole({
    table: clientCommands(),
    context,
    terminal,
    output,
    debug,
    prompt: 'client> ',
  })
  output.event(
    {
      type: 'started',
      endpoint: client.endpoint,
      server: String(options.server ?? 'coap://127.0.0.1:5683'),
      version: client.version,
      objects: device.objects.map((o) => o.model.id),
    },
    [
      `LwM2M ${client.version} client ${client.endpoint}: registering with ${String(options.server ?? 'coap://127.0.0.1:5683')}`,
      ...(output.json || !prompt ? [] : ['Type help for the commands, quit to de-register and leave.']),
    ],
  )
  try {
    await client.start()
    await runSession(runner, { prompt, signals: env.signals })
  } finally {
    try {
      await stop()
    } catch (err) {
      output.failure(describeError(err, {}, debug))
    }
    stopEvents()
    output.event({ type: 'stopped', endpoint: client.endpoint }, 'client stopped')
    terminal.close()
  }
  return 0
}
