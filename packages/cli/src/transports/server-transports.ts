import { isIP } from 'node:net'
import { type Logger, type Transport, udp } from '@lwm2m/coap'
import type { ServerSecurityOptions } from '@lwm2m/server'
import type { Command } from 'commander'
import { CliError } from '../errors.js'
import { parsePort } from './port.js'

/** The parsed command-line options of a command, as commander gives them (camelCase names). */
export type ParsedOptions = Readonly<Record<string, unknown>>

/** What a transport provider makes of the options: transports to listen on, and the security they need. */
export interface ServerTransportSetup {
  /** Transports the server listens on (made into CoAP endpoints, closed when it stops). */
  readonly transports: readonly Transport[]
  /** The security store and rules, for secure transports (PSK, RPK, certificates). */
  readonly security?: ServerSecurityOptions
  /** Facts to print with the `listening` event (an ephemeral server public key, ...). */
  readonly announce?: { readonly [key: string]: string }
}

/**
 * One kind of transport of `lwm2m server` (and `lwm2m demo`): its command-line options and
 * the transports they give. Plain CoAP over UDP is one; a secure transport (coaps) adds
 * itself to the list given to the commands, with its port and credential options, without
 * any change to the rest of the tool.
 */
export interface ServerTransportProvider {
  /** The URI scheme it serves: "coap", "coaps". */
  readonly scheme: string
  /** Adds its options to a command. */
  addOptions(command: Command): Command
  /** The transports the options ask for; undefined when they ask for none of this kind. */
  resolve(options: ParsedOptions, context: { readonly logger: Logger }): ServerTransportSetup | undefined
}

/** Plain CoAP over UDP: `--host` (default all IPv4 interfaces) and `--port` (default 5683; 0 picks a free one). */
export const coapServerTransport: ServerTransportProvider = {
  scheme: 'coap',
  addOptions: (command) =>
    command
      .option('--host <address>', 'address to listen on for CoAP (udp6 for an IPv6 address)', '0.0.0.0')
      .option('--port <port>', 'CoAP port; 0 lets the system pick a free one (printed)', '5683'),
  resolve(options, { logger }) {
    const host = String(options.host ?? '0.0.0.0')
    if (isIP(host) === 0)
      throw new CliError('CLI_INVALID_OPTION', `--host takes an IP address, not "${host.slice(0, 60)}"`)
    const port = parsePort(String(options.port ?? '5683'), '--port')
    return { transports: [udp({ host, port, logger })] }
  },
}

/** The transports of `lwm2m server` by default (DTLS is added in program.ts, beside this one). */
export const defaultServerTransports: readonly ServerTransportProvider[] = [coapServerTransport]

/** The transports and security of all providers together; CliError when none is asked for. */
export function resolveServerTransports(
  providers: readonly ServerTransportProvider[],
  options: ParsedOptions,
  context: { readonly logger: Logger },
): ServerTransportSetup {
  const transports: Transport[] = []
  let security: ServerSecurityOptions | undefined
  const announce: { [key: string]: string } = {}
  for (const provider of providers) {
    const setup = provider.resolve(options, context)
    if (setup === undefined) continue
    transports.push(...setup.transports)
    Object.assign(announce, setup.announce)
    if (setup.security !== undefined) {
      if (security !== undefined) {
        throw new CliError(
          'CLI_INVALID_OPTION',
          'two transports give security settings: combine them in one provider',
        )
      }
      security = setup.security
    }
  }
  if (transports.length === 0) throw new CliError('CLI_INVALID_OPTION', 'no transport to listen on')
  return {
    transports,
    ...(security === undefined ? {} : { security }),
    ...(Object.keys(announce).length === 0 ? {} : { announce }),
  }
}
