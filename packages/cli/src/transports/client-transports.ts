import { isIP } from 'node:net'
import type { TransportFactories, TransportFactory } from '@lwm2m/client'
import { type CoapUri, parseCoapUri, udp } from '@lwm2m/coap'
import { type SecurityAccountInit, SecurityMode } from '@lwm2m/objects'
import type { Command } from 'commander'
import { CliError } from '../errors.js'
import { parsePort } from './port.js'
import type { ParsedOptions } from './server-transports.js'

/** The Security-object fields (mode, identity, keys) an account of a transport needs. */
export type AccountSecurity = Omit<SecurityAccountInit, 'serverUri' | 'shortServerId'>

/**
 * One kind of transport of `lwm2m client`, chosen by the scheme of `--server`: its
 * command-line options, the Security-object fields of the account (security mode, identity,
 * keys) and the transport factory. Plain CoAP is one; a secure transport (coaps) adds
 * itself to the list given to the command, with its credential options.
 */
export interface ClientTransportProvider {
  readonly scheme: 'coap' | 'coaps'
  /** Adds its options to a command. */
  addOptions(command: Command): Command
  /** The account's security fields for a server at `uri`. */
  account(options: ParsedOptions, uri: CoapUri): AccountSecurity
  /** The factory of the client's transport to such a server. */
  factory(options: ParsedOptions): TransportFactory
}

/** The loopback address of the family of `host` when `host` is a loopback address. */
function loopbackOf(host: string): string | undefined {
  if (isIP(host) === 4 && host.startsWith('127.')) return '127.0.0.1'
  if (host === '::1') return '::1'
  if (host === 'localhost') return '127.0.0.1'
  return undefined
}

/** The local address and port the client's socket binds, from `--local-address` and `--local-port`. */
export function localBinding(options: ParsedOptions, uri: CoapUri): { host?: string; port: number } {
  const port = options.localPort === undefined ? 0 : parsePort(String(options.localPort), '--local-port')
  const given = options.localAddress === undefined ? undefined : String(options.localAddress)
  if (given !== undefined && isIP(given) === 0) {
    throw new CliError(
      'CLI_INVALID_OPTION',
      `--local-address takes an IP address, not "${given.slice(0, 60)}"`,
    )
  }
  const host = given ?? loopbackOf(uri.host)
  return host === undefined ? { port } : { host, port }
}

/** Plain CoAP over UDP (Security Mode NoSec): `--local-address`, `--local-port`. */
export const coapClientTransport: ClientTransportProvider = {
  scheme: 'coap',
  addOptions: (command) =>
    command
      .option(
        '--local-address <address>',
        'address the client binds (default: loopback for a loopback server, else all)',
      )
      .option('--local-port <port>', 'port the client binds (default: one the system picks)'),
  account: (options, uri) => {
    localBinding(options, uri) // refuses a bad --local-address or --local-port at once
    return { securityMode: SecurityMode.NoSec }
  },
  factory: (options) => (context) => {
    const { host, port } = localBinding(options, context.uri)
    const family = isIP(host ?? context.uri.host) === 6 ? 'udp6' : 'udp4'
    return udp({ type: family, port, logger: context.logger, ...(host === undefined ? {} : { host }) })
  },
}

/** The transports of `lwm2m client` by default. */
export const defaultClientTransports: readonly ClientTransportProvider[] = [coapClientTransport]

/** The Server URI of `--server`, checked; CliError CLI_INVALID_OPTION otherwise. */
export function parseServerUri(text: string): CoapUri {
  try {
    return parseCoapUri(text)
  } catch (err) {
    throw new CliError(
      'CLI_INVALID_OPTION',
      `--server takes a coap:// URI such as coap://127.0.0.1:5683: ${(err as Error).message}`,
      { cause: err },
    )
  }
}

/** The provider for the scheme of `uri`, with its account fields and the client's transport factories. */
export function resolveClientTransport(
  providers: readonly ClientTransportProvider[],
  options: ParsedOptions,
  uri: CoapUri,
): { readonly account: AccountSecurity; readonly transports: TransportFactories } {
  const provider = providers.find((p) => p.scheme === uri.scheme)
  if (provider === undefined) {
    throw new CliError(
      'CLI_INVALID_OPTION',
      `this lwm2m tool has no ${uri.scheme} transport (it has ${providers.map((p) => p.scheme).join(', ')})`,
    )
  }
  return { account: provider.account(options, uri), transports: { [uri.scheme]: provider.factory(options) } }
}
