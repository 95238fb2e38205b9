import {
  createEndpoint,
  createMemoryNetwork,
  FakeClock,
  type MemoryNetwork,
  type Peer,
  type PeerIdentity,
  seededRandom,
} from '@lwm2m/coap'
import { createServer, type Lwm2mServer, type ServerEvents, type ServerOptions } from '../../src/index.js'
import { withIdentities } from './identity-transport.js'
import { ScriptedClient } from './scripted-client.js'

/** A server on an in-memory network with a fake clock, and a way to make scripted clients. */
export interface TestBed {
  readonly clock: FakeClock
  readonly net: MemoryNetwork
  readonly server: Lwm2mServer
  /** Where clients reach the server. */
  readonly serverPeer: Peer
  /** Identities the server's transport attaches to datagrams, by peerKey of the client. */
  readonly identities: Map<string, PeerIdentity>
  client(name: string, options?: Parameters<typeof ScriptedClient.inMemory>[4]): Promise<ScriptedClient>
  close(): Promise<void>
}

/** A server on an in-memory network (plain CoAP, with identities attachable per client). */
export async function testBed(options: Partial<ServerOptions> = {}): Promise<TestBed> {
  const clock = new FakeClock(1_700_000_000_000)
  const net = createMemoryNetwork()
  const identities = new Map<string, PeerIdentity>()
  const endpoint = await createEndpoint({
    transport: withIdentities(net.transport(), identities),
    clock,
    random: seededRandom(7),
  })
  const server = await createServer({ endpoints: [endpoint], clock, random: seededRandom(11), ...options })
  const a = endpoint.address()
  const serverPeer = { address: a.address, port: a.port }
  const clients: ScriptedClient[] = []
  return {
    clock,
    net,
    server,
    serverPeer,
    identities,
    async client(name, opts) {
      const c = await ScriptedClient.inMemory(net, clock, serverPeer, name, opts)
      clients.push(c)
      return c
    },
    async close() {
      await server.stop()
      await endpoint.close()
      await Promise.all(clients.map((c) => c.close()))
    },
  }
}

/** The next `event` of the server, with its arguments. */
export function next<E extends keyof ServerEvents>(server: Lwm2mServer, event: E): Promise<ServerEvents[E]> {
  return new Promise((resolve) => {
    server.once(event, ((...args: ServerEvents[E]) => resolve(args)) as never)
  })
}

/** Lets the in-memory network and pending callbacks run (a few event-loop turns). */
export async function settle(turns = 5): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise<void>((r) => setImmediate(r))
}

export const DEVICE_LINKS = '</>;rt="oma.lwm2m";ct="60 110 112 11542",</1/0>,</3/0>,</3303/0>,</5/0>'
