/**
 * One LwM2M Server of a bench: @lwm2m/server on a tapped transport (every CoAP message it
 * carries is kept), with its events recorded. Shared by `harness.ts` and `harness-b.ts`.
 */
import { type FakeClock, seededRandom, type Transport } from '@lwm2m/coap'
import { createServer, type Lwm2mServer, type ServerOptions } from '@lwm2m/server'
import { recordServerEvents, type ServerEventLog } from './server-events.js'
import { tapTransport, type WireTap } from './wire.js'

export interface TappedServer {
  readonly server: Lwm2mServer
  readonly wire: WireTap
  readonly events: ServerEventLog
  /** The port the server's endpoint is bound to. */
  readonly port: number
}

/** Starts a server on `transport` (tapped), with a random source seeded by `seed`. */
export async function startTappedServer(
  transport: Transport,
  clock: FakeClock,
  seed: number,
  options?: Partial<Omit<ServerOptions, 'endpoints' | 'clock'>>,
): Promise<TappedServer> {
  const wire = tapTransport(transport, clock)
  const server = await createServer({
    endpoints: [wire.transport],
    clock,
    random: seededRandom(seed),
    ...options,
  })
  const events = recordServerEvents(server, clock)
  return { server, wire, events, port: server.endpoints[0]!.address().port }
}
