import { Command, CommanderError } from 'commander'
import { runClientCommand } from './client/run.js'
import { addCommonOptions, addPromptOption, type RunEnvironment } from './common-options.js'
import { processIo } from './console/terminal.js'
import { runDemoCommand } from './demo/run.js'
import { runServerCommand } from './server/run.js'
import { type ClientTransportProvider, coapClientTransport } from './transports/client-transports.js'
import { coapsClientTransport } from './transports/coaps-client.js'
import { coapsServerTransport } from './transports/coaps-server.js'
import {
  coapServerTransport,
  type ParsedOptions,
  type ServerTransportProvider,
} from './transports/server-transports.js'
import { packageVersion } from './version.js'

/** What the program is made of beyond its streams: the transports each role offers. */
export interface ProgramOptions {
  /** The transports of `lwm2m server` (CoAP and DTLS by default). */
  readonly serverTransports?: readonly ServerTransportProvider[]
  /** The transports of `lwm2m client`, chosen by the scheme of `--server`. */
  readonly clientTransports?: readonly ClientTransportProvider[]
}

const EXAMPLES = `
Examples:
  lwm2m demo                                   a server and three devices, with a tour
  lwm2m server --port 0                        a server on a free port, with a prompt
  lwm2m client --endpoint dev1 --server coap://127.0.0.1:5683
  lwm2m server --json < commands.txt           scripts: JSON lines in and out
  lwm2m server --psk dev1:dev1-id:000102030405060708090a0b0c0d0e0f    DTLS on 5684 too
  lwm2m client --endpoint dev1 --server coaps://127.0.0.1:5684 --psk-identity dev1-id --psk-key 000102030405060708090a0b0c0d0e0f

Every prompt has help; lwm2m <command> --help lists the options.`

/**
 * The `lwm2m` program: `server`, `client` and `demo`. `setExitCode` receives the exit
 * code of the sub-command that ran.
 */
export function createProgram(
  env: RunEnvironment,
  setExitCode: (code: number) => void,
  options: ProgramOptions = {},
): Command {
  const serverTransports = options.serverTransports ?? [coapServerTransport, coapsServerTransport]
  const clientTransports = options.clientTransports ?? [coapClientTransport, coapsClientTransport]
  const program = new Command('lwm2m')
    .description('An OMA LwM2M server and a simulated LwM2M client with interactive prompts')
    .version(packageVersion(), '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help')
    .addHelpText('after', EXAMPLES)
    .showHelpAfterError('(lwm2m --help lists the commands and options)')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => env.io.stdout.write(s),
      writeErr: (s) => env.io.stderr.write(s),
    })

  let server = program
    .command('server')
    .description('run an LwM2M server with a prompt (CoAP on port 5683 by default)')
  for (const provider of serverTransports) server = provider.addOptions(server)
  addPromptOption(addCommonOptions(server)).action(async (opts: ParsedOptions) => {
    setExitCode(await runServerCommand(opts, env, serverTransports))
  })

  let client = program
    .command('client')
    .description(
      'run a simulated device (Device, Connectivity Monitoring, Firmware Update, Location, Temperature, Set Points)',
    )
    .option('--endpoint <name>', 'the endpoint client name (default lwm2m-<host name>)')
    .option('--server <uri>', 'the LwM2M server to register with', 'coap://127.0.0.1:5683')
    .option('--lifetime <seconds>', 'registration lifetime', '300')
    .option('--lwm2m-version <version>', 'LwM2M version: 1.0, 1.1 or 1.2', '1.1')
    .option('--binding <letters>', 'binding mode', 'U')
    .option('--queue', 'queue mode: sleep between exchanges (Q, or binding UQ for 1.0)')
    .option('--awake-time <duration>', 'queue mode: how long to stay awake after an exchange (default 93s)')
    .option('--interval <duration>', 'how often the temperature takes a step of its random walk', '2s')
  for (const provider of clientTransports) client = provider.addOptions(client)
  addPromptOption(addCommonOptions(client)).action(async (opts: ParsedOptions) => {
    setExitCode(await runClientCommand(opts, env, clientTransports))
  })

  addCommonOptions(
    program
      .command('demo')
      .description('a server and three simulated clients on loopback, a short tour, then the server prompt'),
  ).action(async (opts: ParsedOptions) => {
    setExitCode(await runDemoCommand(opts, env))
  })

  for (const sub of program.commands) {
    sub
      .exitOverride()
      .showHelpAfterError(`(lwm2m ${sub.name()} --help lists its options)`)
      .configureOutput({
        writeOut: (s) => env.io.stdout.write(s),
        writeErr: (s) => env.io.stderr.write(s),
      })
  }
  return program
}

/** The real process's environment: its streams and signals. */
export function processEnvironment(): RunEnvironment {
  return { io: processIo(), signals: true }
}

/**
 * Runs the program on `argv` (the words after `lwm2m`) and resolves with the exit code:
 * 0 after a clean end, 1 after a failure, 2 for a command line commander refused.
 */
export async function main(
  argv: readonly string[],
  env: RunEnvironment = processEnvironment(),
  options: ProgramOptions = {},
): Promise<number> {
  let code = 0
  const program = createProgram(
    env,
    (c) => {
      code = c
    },
    options,
  )
  if (argv.length === 0) {
    program.outputHelp()
    return 0
  }
  try {
    await program.parseAsync([...argv], { from: 'user' })
  } catch (err) {
    if (err instanceof CommanderError) {
      return err.exitCode === 0 ? 0 : 2
    }
    throw err
  }
  return code
}
