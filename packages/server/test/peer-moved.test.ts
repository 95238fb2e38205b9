import {
  Code,
  createEndpoint,
  createMemoryNetwork,
  FakeClock,
  type Peer,
  type PeerIdentity,
  peerKey,
  seededRandom,
  type Transport,
  type TransportEvents,
} from '@lwm2m/coap'
import { singleResource } from '@lwm2m/core'
import { describe, expect, it } from 'vitest'
import { createMemorySecurityStore, createServer } from '../src/index.js'
import { withIdentities } from './support/identity-transport.js'
import { ScriptedClient } from './support/scripted-client.js'
import { DEVICE_LINKS } from './support/setup.js'

// RFC 9146 section 6: a DTLS Connection ID keeps a session when the client's address changes;
// the transport reports the move (TransportEvents.peerMoved) and the CoAP endpoint passes it
// on (onPeerMoved). The server then moves the registration of that session's client, so that
// its requests reach the client at once, not after the client's next Update.

const ID: PeerIdentity = { mode: 'psk', identity: 'node-id' }

async function bed() {
  const clock = new FakeClock(1_700_000_000_000)
  const net = createMemoryNetwork()
  const identities = new Map<string, PeerIdentity>()
  const inner = withIdentities(net.transport(), identities)
  let events: TransportEvents | undefined
  // The test plays the secure transport's part: it says when a peer moved.
  const transport: Transport = {
    ...inner,
    open: (handler, e) => {
      events = e
      return inner.open(handler)
    },
  }
  const endpoint = await createEndpoint({ transport, clock, random: seededRandom(3) })
  const store = createMemorySecurityStore([
    { endpoint: 'node-1', mode: 'psk', identity: 'node-id', key: Uint8Array.of(1, 2, 3, 4) },
  ])
  const server = await createServer({
    endpoints: [endpoint],
    clock,
    random: seededRandom(4),
    security: { store },
  })
  const a = endpoint.address()
  const serverPeer = { address: a.address, port: a.port }
  const client = await ScriptedClient.inMemory(net, clock, serverPeer, 'node-1')
  identities.set(peerKey(client.peer), ID)
  expect((await client.register(DEVICE_LINKS)).code).toBe(Code.Created)
  const moved = (from: Peer, to: Peer) => events!.peerMoved!(from, to)
  return {
    clock,
    net,
    identities,
    server,
    serverPeer,
    client,
    moved,
    close: async () => {
      await server.stop()
      await endpoint.close()
      await client.close()
    },
  }
}

const settle = async () => {
  for (let i = 0; i < 5; i++) await new Promise<void>((r) => setImmediate(r))
}

describe('a client that moves within its DTLS session (RFC 9146 section 6)', () => {
  it('takes its registration along: same registration, new address, reads reach it there', async () => {
    const b = await bed()
    try {
      const before = (await b.server.getRegistration('node-1'))!
      // The same session now sends from another port (a second socket stands for the NAT's new one).
      const there = await ScriptedClient.inMemory(b.net, b.clock, b.serverPeer, 'node-1')
      b.identities.set(peerKey(there.peer), ID)
      b.moved({ ...b.client.peer, identity: ID }, { ...there.peer, identity: ID })
      await settle()
      const after = (await b.server.getRegistration('node-1'))!
      expect(after.id).toBe(before.id)
      expect(after.peer).toEqual({ ...there.peer, identity: ID })
      there.answer = () => ({ node: singleResource(0, 'string', 'moved') })
      expect((await b.server.read('node-1', '/3/0/0')).node).toEqual(singleResource(0, 'string', 'moved'))
      await there.close()
    } finally {
      await b.close()
    }
  })

  it('a move reported with another identity, or for an address that is not the registration’s, changes nothing', async () => {
    const b = await bed()
    try {
      const before = (await b.server.getRegistration('node-1'))!
      const elsewhere = { address: '127.0.0.1', port: 45_000 }
      b.moved(
        { ...b.client.peer, identity: ID },
        { ...elsewhere, identity: { mode: 'psk', identity: 'other' } },
      )
      b.moved({ address: '127.0.0.1', port: 45_001, identity: ID }, { ...elsewhere, identity: ID })
      await settle()
      expect((await b.server.getRegistration('node-1'))!.peer).toEqual(before.peer)
    } finally {
      await b.close()
    }
  })
})
