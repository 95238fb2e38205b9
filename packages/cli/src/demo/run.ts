import { type Logger, systemClock, udp } from '@lwm2m/coap'
import type { Lwm2mVersion } from '@lwm2m/core'
import { createServer, type Lwm2mServer, type Notification } from '@lwm2m/server'
import { createSimulatedClient, type SimulatedClient } from '../client/simulated-client.js'
import { commonOptions, type RunEnvironment } from '../common-options.js'
import type { ConsoleRunner } from '../console/runner.js'
import { runSession } from '../console/session.js'
import { createTerminal } from '../console/terminal.js'
import { describeError } from '../output/errors.js'
import { createCliLogger } from '../output/logger.js'
import { createOutput, type Output } from '../output/output.js'
import { printListening } from '../server/run.js'
import { createServerSession } from '../server/session.js'
import { coapClientTransport } from '../transports/client-transports.js'
import type { ParsedOptions } from '../transports/server-transports.js'
import { packageVersion } from '../version.js'

/** The clients of the demo: endpoint name, LwM2M version, starting temperature. */
export const DEMO_CLIENTS: readonly { endpoint: string; version: Lwm2mVersion; temperature: number }[] = [
  { endpoint: 'thermo-1', version: '1.1', temperature: 21.5 },
  { endpoint: 'thermo-2', version: '1.2', temperature: 19 },
  { endpoint: 'legacy-1', version: '1.0', temperature: 24 },
]

/** How many notifications the tour waits for, and for how long at most. */
const TOUR_NOTIFICATIONS = 3
const TOUR_WAIT_MS = 15_000

function waitForRegistrations(server: Lwm2mServer, names: readonly string[], ms: number): Promise<boolean> {
  const missing = new Set(names)
  return new Promise((resolve) => {
    const timer = setTimeout(() => done(false), ms)
    const onRegistered = (reg: { endpoint: string }) => {
      missing.delete(reg.endpoint)
      if (missing.size === 0) done(true)
    }
    function done(ok: boolean) {
      clearTimeout(timer)
      server.off('registered', onRegistered)
      resolve(ok)
    }
    server.on('registered', onRegistered)
  })
}

function waitForNotifications(
  server: Lwm2mServer,
  observation: string,
  count: number,
  ms: number,
): Promise<number> {
  let seen = 0
  return new Promise((resolve) => {
    const timer = setTimeout(() => done(), ms)
    const onNotification = (n: Notification) => {
      if (n.subscription !== observation || n.initial) return
      if (++seen >= count) done()
    }
    function done() {
      clearTimeout(timer)
      server.off('notification', onNotification)
      resolve(seen)
    }
    server.on('notification', onNotification)
  })
}

/** The tour: each step's heading and the commands it runs, as a person would type them. */
async function tour(runner: ConsoleRunner, server: Lwm2mServer, output: Output): Promise<boolean> {
  let ok = true
  const run = async (line: string) => {
    const result = await runner.execute(line, { echo: true })
    if (result === undefined) ok = false
    return result
  }
  const step = (text: string) => output.say(['', `# ${text}`])
  step('The registered clients: a 1.1, a 1.2 and a 1.0 device, each with a temperature sensor.')
  await run('list')
  step('Read the Device object of thermo-1: each value with its name and unit from the model.')
  await run('read thermo-1 /3/0')
  step(`Observe the temperature; its value wanders every half second. ${TOUR_NOTIFICATIONS} notifications:`)
  const observed = await run('observe thermo-1 /3303/0/5700 pmax=30')
  const observation = (observed?.value as { observation?: unknown } | undefined)?.observation
  if (typeof observation === 'string') {
    const seen = await waitForNotifications(server, observation, TOUR_NOTIFICATIONS, TOUR_WAIT_MS)
    if (seen < TOUR_NOTIFICATIONS) {
      output.say(`(only ${seen} notifications came)`)
      ok = false
    }
  }
  await run('cancel thermo-1 /3303/0/5700')
  step('Write the UTC offset of thermo-1, then read it back.')
  await run('write thermo-1 /3/0/14 +02:00')
  await run('read thermo-1 /3/0/14')
  step('Execute "Reset Min and Max Measured Values" of the sensor, then read the sensor instance.')
  await run('exec thermo-1 /3303/0/5605')
  await run('read thermo-1 /3303/0')
  step('Read several values of thermo-2 (LwM2M 1.2) in one request: Read-Composite.')
  await run('read-composite thermo-2 /3/0/0 /3/0/9 /3303/0/5700')
  step('legacy-1 speaks LwM2M 1.0: the server reads it in TLV and names the resources of Device 1.0.')
  await run('read legacy-1 /3/0/16')
  return ok
}

/**
 * `lwm2m demo`: a server and three simulated clients in this process on loopback (ports the
 * system picks), a short tour of the server's commands, then the server prompt. With stdin
 * closed and not a terminal, it ends after the tour: exit 0 when every step worked, 1 otherwise.
 */
export async function runDemoCommand(options: ParsedOptions, env: RunEnvironment): Promise<number> {
  const json = options.json === true
  const terminal = createTerminal(env.io, { json })
  const output = createOutput(terminal, json)
  const clock = env.clock ?? systemClock
  let common: ReturnType<typeof commonOptions>
  try {
    common = commonOptions(options)
  } catch (err) {
    output.failure(describeError(err))
    terminal.close()
    return 1
  }
  const logger: Logger = createCliLogger(terminal, common.debug)
  const server = await createServer({
    endpoints: [udp({ host: '127.0.0.1', port: 0, logger })],
    logger,
    clock,
  })
  const clients: SimulatedClient[] = []
  const stopClients = async (): Promise<void> => {
    await Promise.allSettled(clients.map((c) => c.stop({ deregister: true })))
  }
  const session = createServerSession({
    server,
    terminal,
    output,
    timeout: common.timeout,
    debug: common.debug,
    clock,
    beforeStop: stopClients,
  })
  let ok = true
  try {
    output.say([
      'The lwm2m demo: an LwM2M server and three simulated devices in this process, on loopback.',
      'Everything below is what the server prompt prints; the commands are typed for you.',
      '',
    ])
    printListening(server, output)
    const { port } = server.endpoints[0]!.address()
    const registered = waitForRegistrations(
      server,
      DEMO_CLIENTS.map((c) => c.endpoint),
      TOUR_WAIT_MS,
    )
    for (const c of DEMO_CLIENTS) {
      const sim = createSimulatedClient({
        endpoint: c.endpoint,
        serverUri: `coap://127.0.0.1:${port}`,
        version: c.version,
        lifetime: 300,
        binding: 'U',
        queueMode: false,
        interval: 500,
        startTemperature: c.temperature,
        firmwareVersion: packageVersion(),
        security: coapClientTransport.account(
          {},
          { scheme: 'coap', host: '127.0.0.1', port, path: [], query: [] },
        ),
        transports: { coap: coapClientTransport.factory({}) },
        requestTimeout: common.timeout,
        clock,
        logger,
      })
      clients.push(sim)
      await sim.client.start()
    }
    if (!(await registered)) {
      output.failure({
        code: 'TIMEOUT',
        message: 'the demo clients did not all register in time',
        expected: true,
      })
      ok = false
    } else {
      ok = await tour(session.runner, server, output)
      output.say(['', 'The tour is over. Try the commands yourself: help lists them, quit leaves.'])
    }
    if (ok) await runSession(session.runner, { prompt: true, signals: env.signals })
  } finally {
    await session.close()
    output.event({ type: 'stopped' }, 'demo stopped')
    terminal.close()
  }
  return ok ? 0 : 1
}
