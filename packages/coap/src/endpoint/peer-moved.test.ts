import { afterEach, describe, expect, it } from 'vitest'
import { Code } from '../message/codes.js'
import { seededRandom } from '../random.js'
import { FakeClock } from '../time/fake-clock.js'
import { createMemoryNetwork } from '../transport/memory.js'
import type { Peer } from '../transport/types.js'
import { createEndpoint, type LocalEndpoint } from './endpoint.js'
import { type MovingClient, movingClient, sessionServer } from './moving-peer.test-helper.js'
import { flushIo } from './raw-peer.test-helper.js'
import type { CoapResponse, ServerObservation } from './types.js'

// RFC 9146 section 6: with a Connection ID the newest authenticated record moves the peer
// to its new address within the same DTLS session; the transport tells the endpoint
// (TransportEvents.peerMoved), which carries over what it holds for the peer.

const txt = (b: Uint8Array) => new TextDecoder().decode(b)

const open: LocalEndpoint[] = []
afterEach(async () => {
  await Promise.all(open.splice(0).map((e) => e.close()))
})

interface Bed {
  clock: FakeClock
  /** The endpoint that sees its peer move (an LwM2M server, say). */
  server: LocalEndpoint
  /** The endpoint behind the NAT. */
  client: LocalEndpoint
  nat: MovingClient
  serverPeer: Peer
  /** The client as the server first saw it. */
  first: Peer
  moves: [Peer, Peer][]
  clientObservations: ServerObservation[]
  /** Resolves the client's pending answer to GET /slow. */
  release: (() => void)[]
}

async function bed(parameters: { nstart?: number } = {}): Promise<Bed> {
  const clock = new FakeClock(1_700_000_000_000)
  const net = createMemoryNetwork()
  const clientObservations: ServerObservation[] = []
  const release: (() => void)[] = []
  let value = 0
  const server = await createEndpoint({
    transport: sessionServer(net.transport()),
    clock,
    random: seededRandom(1),
    parameters,
    handler: () => ({ code: Code.Content, payload: 'server' }),
  })
  const nat = movingClient(net, 7)
  const client = await createEndpoint({
    transport: nat,
    clock,
    random: seededRandom(2),
    handler: (req, ctx) => {
      const path = req.path.join('/')
      if (path === 'obs') {
        const o = ctx.observe()
        if (o !== undefined) clientObservations.push(o)
        return { code: Code.Content, payload: `v${value++}` }
      }
      if (path === 'slow')
        return new Promise((resolve) => release.push(() => resolve({ code: Code.Content, payload: 'late' })))
      return { code: Code.Content, payload: `at ${client.address().port}` }
    },
  })
  open.push(server, client)
  const serverPeer = { address: '127.0.0.1', port: server.address().port }
  const moves: [Peer, Peer][] = []
  server.onPeerMoved((from, to) => moves.push([from, to]))
  // The client speaks first (a Register): the server learns its session and address.
  await client.request(serverPeer, { method: 'POST', path: 'rd' })
  const first = { address: '127.0.0.1', port: client.address().port }
  return { clock, server, client, nat, serverPeer, first, moves, clientObservations, release }
}

async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !cond(); i++) await flushIo(2)
  expect(cond()).toBe(true)
}

describe('a peer that moves within its secure session (RFC 9146 section 6)', () => {
  it('an observation the server made before the move gets the next notifications from the new address, on the same listener (RFC 7641 sections 3.2, 4.2)', async () => {
    const b = await bed()
    const got: CoapResponse[] = []
    const obs = await b.server.observe(b.first, { method: 'GET', path: 'obs' }, (n) => got.push(n))
    expect(obs.active).toBe(true)
    expect(txt(obs.response.payload)).toBe('v0')
    const [relation] = b.clientObservations
    await relation!.notify({ code: Code.Content, payload: 'before' })
    await until(() => got.length === 1)

    await b.nat.rebind()
    const moved = { address: '127.0.0.1', port: b.client.address().port }
    expect(moved.port).not.toBe(b.first.port)
    // A CON notification from the new address: acknowledged (not RST), delivered, relation kept.
    await relation!.notify({ code: Code.Content, payload: 'after, CON' }, { confirmable: true })
    await relation!.notify({ code: Code.Content, payload: 'after, NON' })
    await until(() => got.length === 3)
    expect(got.map((n) => txt(n.payload))).toEqual(['before', 'after, CON', 'after, NON'])
    expect(got[1]!.peer.port).toBe(moved.port)
    expect(obs.signal.aborted).toBe(false)
    expect(relation!.signal.aborted).toBe(false)
    expect(b.moves).toHaveLength(1)
    expect(b.moves[0]![0]).toMatchObject(b.first)
    expect(b.moves[0]![1]).toMatchObject({ ...moved, identity: { mode: 'psk', identity: 's7' } })
    // One peer state, at the new address.
    expect(b.server.stats().peers).toBe(1)

    // The server's requests go to the new address: the client answers with the port it is on.
    const res = await b.server.request(b.moves[0]![1], { method: 'GET', path: 'where' })
    expect(txt(res.payload)).toBe(`at ${moved.port}`)
    // Cancelling the observation reaches the client there too (RFC 7641 section 3.6).
    await obs.cancel()
    await until(() => relation!.signal.aborted)
  })

  it("the client's observation of the server (server side, RFC 7641 section 4) notifies the client at its new address", async () => {
    const clock = new FakeClock(1_700_000_000_000)
    const net = createMemoryNetwork()
    const relations: ServerObservation[] = []
    const server = await createEndpoint({
      transport: sessionServer(net.transport()),
      clock,
      random: seededRandom(3),
      handler: (_req, ctx) => {
        const o = ctx.observe()
        if (o !== undefined) relations.push(o)
        return { code: Code.Content, payload: 'n0' }
      },
    })
    const nat = movingClient(net, 9)
    const client = await createEndpoint({ transport: nat, clock, random: seededRandom(4) })
    open.push(server, client)
    const got: string[] = []
    const obs = await client.observe(
      { address: '127.0.0.1', port: server.address().port },
      { method: 'GET', path: 'temp' },
      (n) => got.push(txt(n.payload)),
    )
    expect(obs.active).toBe(true)
    await nat.rebind()
    // The client's next message (a ping here) carries the session from the new address.
    await client.ping({ address: '127.0.0.1', port: server.address().port })
    // A CON notification goes to the new address and is acknowledged from there.
    await relations[0]!.notify({ code: Code.Content, payload: 'n1' }, { confirmable: true })
    await until(() => got.length === 1)
    expect(got).toEqual(['n1'])
    expect(relations[0]!.peer.port).toBe(client.address().port)
    expect(server.stats().observers).toBe(1)
  })

  it('exchanges in flight and the NSTART queue carry over: the ACK from the new address completes the first, the queued one goes there (RFC 7252 sections 4.7, 5.2.1)', async () => {
    const b = await bed({ nstart: 1 })
    // The first awaits its piggybacked response; the second waits for the NSTART slot.
    const slow = b.server.request(b.first, { method: 'GET', path: 'slow' })
    const queued = b.server.request(b.first, { method: 'GET', path: 'where' })
    await until(() => b.release.length === 1)
    expect(b.server.stats().outgoing).toBe(2)
    await b.nat.rebind()
    b.release[0]!()
    const moved = b.client.address().port
    expect(txt((await slow).payload)).toBe('late')
    expect((await slow).peer.port).toBe(moved)
    expect(txt((await queued).payload)).toBe(`at ${moved}`)
    expect(b.moves).toHaveLength(1)
    expect(b.server.stats().outgoing).toBe(0)
  })

  it('state left at the new address by another session ends with COAP_TRANSPORT; nothing of it goes to the moved peer', async () => {
    const b = await bed()
    // The server awaits an answer from a peer on port 40000, which has gone silent.
    const stranger: Peer = { address: '127.0.0.1', port: 40_000 }
    const lost = b.server.request(stranger, { method: 'GET', path: 'x' })
    lost.catch(() => {})
    await flushIo()
    // Our client's NAT hands it exactly that port; its next request moves its session there.
    await b.nat.rebind(40_000)
    const res = await b.client.request(b.serverPeer, { method: 'GET', path: 'again' })
    expect(txt(res.payload)).toBe('server')
    await expect(lost).rejects.toMatchObject({ code: 'COAP_TRANSPORT' })
    expect(b.moves[0]![1].port).toBe(40_000)
    // The stranger's retransmissions are gone: nothing more waits for an ACK.
    expect(b.server.stats().outgoing).toBe(0)
    expect(b.server.stats().pendingRequests).toBe(0)
  })

  it("a response of ours still in the handler when the peer moves goes to the peer's new address (RFC 7252 section 5.2.1)", async () => {
    const clock = new FakeClock(1_700_000_000_000)
    const net = createMemoryNetwork()
    const release: (() => void)[] = []
    const server = await createEndpoint({
      transport: sessionServer(net.transport()),
      clock,
      random: seededRandom(5),
      handler: (req) =>
        req.path[0] === 'slow'
          ? new Promise((resolve) => release.push(() => resolve({ code: Code.Content, payload: 'done' })))
          : { code: Code.Content, payload: 'quick' },
    })
    const nat = movingClient(net, 4)
    const client = await createEndpoint({
      transport: nat,
      clock,
      random: seededRandom(6),
      parameters: { nstart: 2 },
    })
    open.push(server, client)
    const to = { address: '127.0.0.1', port: server.address().port }
    const slow = client.request(to, { method: 'GET', path: 'slow' })
    await until(() => release.length === 1)
    await nat.rebind()
    // The client's next request comes from the new address and moves it.
    expect(txt((await client.request(to, { method: 'GET', path: 'quick' })).payload)).toBe('quick')
    release[0]!()
    // Piggybacked on the ACK, to the new address: no retransmission (the clock stands still) needed.
    expect(txt((await slow).payload)).toBe('done')
  })

  it('a listener that throws does not disturb the move or the other listeners', async () => {
    const b = await bed()
    const seen: number[] = []
    b.server.onPeerMoved(() => {
      throw new Error('listener bug')
    })
    const stop = b.server.onPeerMoved((_from, to) => seen.push(to.port))
    await b.nat.rebind()
    await b.client.request(b.serverPeer, { method: 'GET', path: 'x' })
    expect(seen).toEqual([b.client.address().port])
    stop()
    await b.nat.rebind()
    await b.client.request(b.serverPeer, { method: 'GET', path: 'x' })
    expect(seen).toHaveLength(1)
    expect(b.moves).toHaveLength(2)
  })
})
