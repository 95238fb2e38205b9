/**
 * A world for end-to-end tests: an @lwm2m/server and @lwm2m/client instances of one LwM2M
 * version, over UDP on 127.0.0.1 (OS-chosen ports) or over an in-memory network, with the
 * system clock or a shared FakeClock.
 */
import { type ClientOptions, createClient, type Lwm2mClient } from '@lwm2m/client'
import {
  type Clock,
  type CoapEndpoint,
  createEndpoint,
  createMemoryNetwork,
  type EndpointOptions,
  type MemoryNetwork,
  seededRandom,
  systemClock,
  type Transport,
  udp,
} from '@lwm2m/coap'
import type { Lwm2mVersion } from '@lwm2m/core'
import {
  createDeviceObject,
  createModelRegistry,
  createSecurityObject,
  createServerObject,
  deviceModelV1_0,
  type ObjectImplementation,
  type ServerAccountInit,
  securityModelV1_0,
  serverModelV1_0,
  standardModels,
} from '@lwm2m/objects'
import { createServer, type Lwm2mServer, type ServerOptions } from '@lwm2m/server'
import { testModel } from './test-object.js'

export type TransportKind = 'udp' | 'memory'

export const models = createModelRegistry(standardModels).with([testModel])

export interface WorldOptions {
  readonly transport: TransportKind
  readonly clock?: Clock
  readonly server?: Partial<ServerOptions>
  /** Options of the server's CoAP endpoint. */
  readonly coap?: Omit<EndpointOptions, 'transport'>
  /** Wraps every transport (the server's and each client's), e.g. with `faulty()`. */
  readonly wrap?: (transport: Transport, role: 'server' | 'client', index: number) => Transport
}

export interface ClientInit extends Partial<Omit<ClientOptions, 'objects'>> {
  readonly version: Lwm2mVersion
  readonly objects?: readonly ObjectImplementation[]
  readonly account?: Partial<ServerAccountInit>
}

export interface World {
  readonly server: Lwm2mServer
  readonly serverEndpoint: CoapEndpoint
  readonly uri: string
  readonly network: MemoryNetwork | undefined
  readonly clock: Clock
  /** A client of the given version with Security, Server and Device objects and `objects`, not started. */
  client(endpoint: string, init: ClientInit): Lwm2mClient
  close(): Promise<void>
}

export async function createWorld(options: WorldOptions): Promise<World> {
  const clock = options.clock ?? systemClock
  const network = options.transport === 'memory' ? createMemoryNetwork() : undefined
  const raw = (): Transport =>
    network === undefined ? udp({ host: '127.0.0.1', port: 0 }) : network.transport()
  let clientIndex = 0
  const wrap = options.wrap ?? ((t) => t)
  const serverEndpoint = await createEndpoint({
    transport: wrap(raw(), 'server', 0),
    clock,
    random: seededRandom(1),
    ...options.coap,
  })
  const server = await createServer({
    endpoints: [serverEndpoint],
    clock,
    models,
    ...options.server,
  })
  const a = serverEndpoint.address()
  const uri = `coap://${a.address}:${a.port}`
  const clients: Lwm2mClient[] = []
  let seed = 100
  return {
    server,
    serverEndpoint,
    uri,
    network,
    clock,
    client(endpoint, init) {
      const { version, objects = [], account = {}, ...rest } = init
      const v10 = version === '1.0'
      const index = clientIndex++
      const client = createClient({
        endpoint,
        version,
        clock,
        random: seededRandom(seed++),
        transports: { coap: () => wrap(raw(), 'client', index) },
        objects: [
          createSecurityObject({
            accounts: [{ serverUri: uri, shortServerId: 1 }],
            ...(v10 ? { model: securityModelV1_0 } : {}),
          }),
          createServerObject({
            servers: [{ shortServerId: 1, lifetime: 300, ...(v10 ? {} : { muteSend: false }), ...account }],
            ...(v10 ? { model: serverModelV1_0 } : {}),
          }),
          createDeviceObject({
            manufacturer: 'ACME',
            modelNumber: 'E2E-1',
            serialNumber: endpoint,
            clock,
            ...(v10 ? { model: deviceModelV1_0 } : {}),
          }),
          ...objects,
        ],
        ...rest,
      })
      clients.push(client)
      return client
    },
    async close() {
      await Promise.all(clients.map((c) => c.stop({ deregister: false }).catch(() => {})))
      await server.stop()
      await serverEndpoint.close()
    },
  }
}

/** Starts a client and waits until both sides know the registration. */
export async function registered(world: World, client: Lwm2mClient, endpoint: string): Promise<void> {
  const answered = client.once('registered')
  const seen = new Promise<void>((resolve) => {
    const on = (reg: { endpoint: string }) => {
      if (reg.endpoint !== endpoint) return
      world.server.off('registered', on)
      resolve()
    }
    world.server.on('registered', on)
  })
  await client.start()
  await Promise.all([seen, answered])
}
