import type { Logger, Peer } from '@lwm2m/coap'
import {
  type DtlsClientOptions,
  type DtlsError,
  type DtlsServerOptions,
  type DtlsTransport,
  dtlsClient,
  dtlsServer,
} from '../../src/index.js'
import { echo } from './net.js'

export const PSK = Buffer.from('0123456789abcdef', 'hex')

/** A logger that records everything, for assertions on what the transport reported. */
export function recordingLogger(): Logger & {
  lines: Array<{ level: string; message: string; data?: unknown }>
} {
  const lines: Array<{ level: string; message: string; data?: unknown }> = []
  const at =
    (level: string) =>
    (message: string, data?: Record<string, unknown>): void => {
      lines.push({ level, message, data })
    }
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') }
}

export interface Pair {
  server: DtlsTransport
  client: DtlsTransport
  to: Peer
  inbox: Array<{ data: Buffer; peer: Peer }>
  serverInbox: Array<{ data: Buffer; peer: Peer }>
  serverErrors: DtlsError[]
  clientErrors: DtlsError[]
  close(): Promise<void>
}

/** An echo server and a client, both on loopback. */
export async function pair(
  serverOpts: Omit<DtlsServerOptions, 'host' | 'port'>,
  clientOpts: Omit<DtlsClientOptions, 'host'>,
): Promise<Pair> {
  const server = dtlsServer({ host: '127.0.0.1', port: 0, ...serverOpts })
  const client = dtlsClient({ host: '127.0.0.1', ...clientOpts })
  const inbox: Pair['inbox'] = []
  const serverInbox: Pair['serverInbox'] = []
  const serverErrors: DtlsError[] = []
  const clientErrors: DtlsError[] = []
  const reply = echo(server)
  await server.open((data, peer) => {
    serverInbox.push({ data: Buffer.from(data), peer })
    reply(data, peer)
  })
  await client.open((data, peer) => inbox.push({ data: Buffer.from(data), peer }))
  server.on('handshakeFailed', (_, e) => serverErrors.push(e))
  client.on('handshakeFailed', (_, e) => clientErrors.push(e))
  return {
    server,
    client,
    to: { address: '127.0.0.1', port: server.address().port },
    inbox,
    serverInbox,
    serverErrors,
    clientErrors,
    close: async () => {
      await client.close()
      await server.close()
    },
  }
}
