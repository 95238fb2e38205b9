/**
 * The acceptance harness: our LwM2M Server (@lwm2m/server) and our LwM2M Client
 * (@lwm2m/client) hosting an Appendix C configuration, over the in-memory network with a
 * FakeClock (the default: hours of lifetimes in milliseconds), over UDP on 127.0.0.1, or
 * over DTLS on 127.0.0.1. The server's side of the network is tapped, so that every case
 * checks the CoAP messages that really travelled.
 */

import { type ClientOptions, createClient, type Lwm2mClient, type TransportFactory } from '@lwm2m/client'
import {
  type CoapEndpoint,
  createEndpoint,
  createMemoryNetwork,
  FakeClock,
  type MemoryNetwork,
  seededRandom,
  type Transport,
  udp,
} from '@lwm2m/coap'
import type { Lwm2mVersion } from '@lwm2m/core'
import type { Lwm2mServer, Registration, ServerOptions } from '@lwm2m/server'
import type { AccountSecurity, ClientConfiguration, ConfigurationContext } from './configurations/context.js'
import { untilSettled } from './fake-time.js'
import type { ServerEventLog } from './server-events.js'
import { startTappedServer } from './tapped-server.js'
import type { WireTap } from './wire.js'

/** The Endpoint Client Name of the client under test. */
export const ENDPOINT = 'ets-client'

/** How client and server reach each other. */
export type EtsNetwork =
  /** The in-memory network of @lwm2m/coap: no sockets, NoSec accounts. */
  | { readonly kind: 'memory' }
  /** UDP sockets on 127.0.0.1, OS-chosen ports, NoSec accounts. */
  | { readonly kind: 'udp' }
  /**
   * A secure transport on 127.0.0.1: the server endpoint and the client's `coaps` factory are
   * given (the DTLS transports of @lwm2m/dtls), with the account's credentials.
   */
  | {
      readonly kind: 'secure'
      readonly serverTransport: Transport
      /** The client's `coaps` transport factory; default the client's own (set up from its Security object). */
      readonly clientTransport?: TransportFactory
      readonly security: AccountSecurity
      /** The host in the Server URI (default 127.0.0.1); the client's resolver maps it to 127.0.0.1. */
      readonly host?: string
    }

export interface EtsOptions<C extends ClientConfiguration> {
  /** The Appendix C configuration the client hosts. */
  readonly configuration: (context: ConfigurationContext) => C
  readonly network?: EtsNetwork
  /** The client's LwM2M version; default 1.2 (inventory section 3: the 1.1 cases apply to 1.2 clients). */
  readonly version?: Lwm2mVersion
  /** Where the fake clock starts, ms since the epoch (default 2024-03-12 12:00 UTC); certificates need the real time. */
  readonly startTime?: number
  /** Start the client and wait for its registration (default true). */
  readonly start?: boolean
  /** More client options (queue mode, ...). */
  readonly client?: Partial<Omit<ClientOptions, 'objects' | 'endpoint' | 'clock'>>
  /** More server options (security store, queue mode, ...). */
  readonly server?: Partial<Omit<ServerOptions, 'endpoints' | 'clock'>>
}

/** A running case: server, client, configuration, the wire and the clock. */
export interface Ets<C extends ClientConfiguration> {
  readonly clock: FakeClock
  readonly server: Lwm2mServer
  /** The client under test; a new one after `reboot()`. */
  readonly client: Lwm2mClient
  /** The configuration's objects. */
  readonly config: C
  readonly endpoint: string
  /** Every CoAP message the server's transport sent or received. */
  readonly wire: WireTap
  readonly events: ServerEventLog
  readonly serverUri: string
  /** The client's current registration at the server (throws when there is none). */
  registration(): Promise<Registration>
  /** Starts the client (when `start: false` was given) and waits until the server registered it. */
  register(): Promise<Registration>
  /** Waits for `promise`, moving the fake clock from timer to timer while nothing else happens (at most `limit` ms). */
  until<T>(promise: Promise<T>, limit?: number): Promise<T>
  /** Moves the fake clock by `ms`, letting I/O happen before and after each timer. */
  advance(ms: number): Promise<void>
  /** The device reboots: the client stops without De-register and a new one starts with the same objects. */
  reboot(): Promise<void>
  /** A plain CoAP endpoint on the same network (for what the ETS sends as raw CoAP). */
  rawEndpoint(): Promise<CoapEndpoint>
  close(): Promise<void>
}

/** Where the fake clock starts unless told otherwise: 2024-03-12 12:00 UTC (the date of ETS 1.2.1). */
export const START = Date.UTC(2024, 2, 12, 12, 0, 0)

/** Starts server and client for one case. */
export async function startEts<C extends ClientConfiguration>(options: EtsOptions<C>): Promise<Ets<C>> {
  const clock = new FakeClock(options.startTime ?? START)
  const net = options.network ?? { kind: 'memory' }
  let memory: MemoryNetwork | undefined
  let serverTransport: Transport
  if (net.kind === 'memory') {
    memory = createMemoryNetwork()
    serverTransport = memory.transport({ address: '127.0.0.1' })
  } else if (net.kind === 'udp') {
    serverTransport = udp({ host: '127.0.0.1', port: 0 })
  } else {
    serverTransport = net.serverTransport
  }
  const { server, wire, events, port } = await startTappedServer(serverTransport, clock, 1, options.server)
  const scheme = net.kind === 'secure' ? 'coaps' : 'coap'
  const host = net.kind === 'secure' ? (net.host ?? '127.0.0.1') : '127.0.0.1'
  const serverUri = `${scheme}://${host}:${port}`
  const real = net.kind !== 'memory'

  const others: CoapEndpoint[] = []
  let client!: Lwm2mClient
  let seed = 1000
  const ctx: ConfigurationContext = {
    serverUri,
    security: net.kind === 'secure' ? net.security : { mode: 'nosec' },
    clock,
    version: options.version ?? '1.2',
    onReboot: () => void ets.reboot(),
    // reconnect() refuses only a client that is stopped or not registered: nothing to move then.
    onNetworkChange: () => void client.reconnect().catch(() => undefined),
  }
  const config = options.configuration(ctx)
  const makeClient = (): Lwm2mClient =>
    createClient({
      endpoint: ENDPOINT,
      version: ctx.version,
      clock,
      random: seededRandom(seed++),
      objects: config.objects,
      transports:
        net.kind === 'memory'
          ? { coap: () => memory!.transport() }
          : net.kind === 'udp'
            ? { coap: () => udp({ host: '127.0.0.1', port: 0 }) }
            : net.clientTransport === undefined
              ? {}
              : { coaps: net.clientTransport },
      // Host names of the Server URI (server.example.com of int-402/403) are this machine.
      resolve: async () => '127.0.0.1',
      ...options.client,
    })

  // Real sockets: let the kernel deliver before the fake clock moves.
  const until = <T>(promise: Promise<T>, limit?: number): Promise<T> =>
    untilSettled(clock, promise, { limit, turns: 20, realIo: real })

  const registration = async (): Promise<Registration> => {
    const r = await server.getRegistration(ENDPOINT)
    if (r === undefined) throw new Error(`${ENDPOINT} is not registered`)
    return r
  }

  const register = async (): Promise<Registration> => {
    const registered = events.next('registered')
    await client.start()
    const [reg] = (await until(registered)).args
    return reg
  }

  const ets: Ets<C> = {
    clock,
    server,
    get client() {
      return client
    },
    config,
    endpoint: ENDPOINT,
    wire,
    events,
    serverUri,
    registration,
    register,
    until,
    advance: (ms) => clock.advanceAsync(ms),
    async reboot() {
      const old = client
      await old.stop({ deregister: false })
      client = makeClient()
      await client.start()
    },
    async rawEndpoint() {
      if (memory === undefined) throw new Error('raw endpoints are made on the in-memory network')
      const ep = await createEndpoint({ transport: memory.transport(), clock, random: seededRandom(seed++) })
      others.push(ep)
      return ep
    },
    async close() {
      await client.stop({ deregister: false })
      for (const ep of others) await ep.close()
      await server.stop()
    },
  }
  client = makeClient()
  if (options.start !== false) await register()
  return ets
}

/** Runs one case: starts server and client, runs `body`, and closes them however it ends. */
export async function withEts<C extends ClientConfiguration>(
  options: EtsOptions<C>,
  body: (ets: Ets<C>) => Promise<void>,
): Promise<void> {
  const ets = await startEts(options)
  try {
    await body(ets)
  } finally {
    await ets.close()
  }
}
