import { describe, expect, it } from 'vitest'
import { encodeMessage } from '../message/codec.js'
import { Code } from '../message/codes.js'
import { encodeString, OptionNumber } from '../message/options.js'
import { MessageType } from '../message/types.js'
import { SeededRandom, seededRandom } from '../random.js'
import { FakeClock } from '../time/fake-clock.js'
import { faulty } from '../transport/faulty.js'
import { createMemoryNetwork } from '../transport/memory.js'
import { createEndpoint } from './endpoint.js'
import { flushIo } from './raw-peer.test-helper.js'

const body = (n: number, seed: number) => Uint8Array.from({ length: n }, (_, i) => (i * 17 + seed) & 0xff)
const same = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i])

describe('fault injection (DESIGN.md "Fault injection"; RFC 7252 section 4)', () => {
  it('completes 240 mixed requests over 20% loss and 20% duplication both ways; each POST runs exactly once', async () => {
    const clock = new FakeClock(0)
    const net = createMemoryNetwork()
    // Each endpoint disturbs what it sends, so every datagram in either direction passes
    // exactly one faulty lane: 20% loss and 20% duplication per datagram.
    const faults = {
      drop: 0.2,
      duplicate: 0.2,
      reorder: 0.05,
      delay: [0, 40] as const,
      clock,
      direction: 'send' as const,
    }
    // More retransmissions than the default 4 keep the chance of an exchange failing
    // negligible (a round trip fails with 0.36; 0.36^11 per message); the protocol is unchanged.
    const parameters = { ackTimeout: 1000, maxRetransmit: 10, nstart: 4 }
    const executions = new Map<string, number>()
    const uploads = new Map<string, Uint8Array>()
    const serverTransport = faulty(net.transport(), { seed: 101, ...faults })
    const clientTransport = faulty(net.transport(), { seed: 202, ...faults })
    const server = await createEndpoint({
      transport: serverTransport,
      clock,
      random: seededRandom(1),
      parameters,
      // 40 uploads run at once from one client here; the default allows 16 per peer.
      limits: { maxBlockTransfersPerPeer: 64 },
      handler: (req) => {
        const id = req.query[0] ?? ''
        switch (req.method) {
          case 'POST':
            executions.set(id, (executions.get(id) ?? 0) + 1)
            return { code: Code.Created, payload: `created ${id}` }
          case 'PUT':
            uploads.set(id, req.payload)
            return { code: Code.Changed }
          case 'DELETE':
            return { code: Code.Deleted }
          default:
            return {
              code: Code.Content,
              payload: req.path[0] === 'big' ? body(3000, Number(id)) : `get ${id}`,
            }
        }
      },
    })
    const client = await createEndpoint({
      transport: clientTransport,
      clock,
      random: seededRandom(2),
      parameters,
      requestTimeout: 3_600_000,
    })
    const to = { address: server.address().address, port: server.address().port }
    const kinds = ['GET', 'POST', 'PUT', 'BIG', 'DELETE', 'POST'] as const
    let settled = 0
    const results = Array.from({ length: 240 }, (_, i) => {
      const kind = kinds[i % kinds.length]!
      const id = String(i)
      const p =
        kind === 'GET'
          ? client
              .request(to, { method: 'GET', path: 'small', query: [id] })
              .then((r) => new TextDecoder().decode(r.payload) === `get ${id}`)
          : kind === 'BIG'
            ? client
                .request(to, { method: 'GET', path: 'big', query: [id] })
                .then((r) => same(r.payload, body(3000, i)))
            : kind === 'PUT'
              ? client
                  .request(to, { method: 'PUT', query: [id], payload: body(2000, i) })
                  .then((r) => r.code === Code.Changed)
              : kind === 'DELETE'
                ? client.request(to, { method: 'DELETE', query: [id] }).then((r) => r.code === Code.Deleted)
                : client
                    .request(to, { method: 'POST', query: [id], payload: 'x' })
                    .then((r) => r.code === Code.Created)
      return p.finally(() => settled++)
    })
    const all = Promise.allSettled(results)
    for (let i = 0; i < 20_000 && settled < results.length; i++) await clock.advanceAsync(250)
    const outcomes = await all
    const failed = outcomes.flatMap((o, i) =>
      o.status === 'rejected'
        ? [`${i}: ${String(o.reason)}`]
        : o.value !== true
          ? [`${i}: wrong answer`]
          : [],
    )
    expect(failed.join('\n')).toBe('')
    // The faults did happen, at about the rates asked for.
    for (const { stats } of [serverTransport, clientTransport]) {
      const total = stats.sent + stats.dropped - stats.duplicated
      expect(stats.dropped / total).toBeGreaterThan(0.1)
      expect(stats.duplicated / total).toBeGreaterThan(0.1)
    }
    // Each non-idempotent POST ran exactly once despite retransmissions and duplicates.
    const posts = [...Array(240).keys()].filter((i) => kinds[i % kinds.length] === 'POST')
    expect(posts.map((i) => executions.get(String(i)) ?? 0)).toEqual(posts.map(() => 1))
    for (let i = 2; i < 240; i += kinds.length)
      expect(same(uploads.get(String(i)) ?? new Uint8Array(0), body(2000, i))).toBe(true)
    // Nothing leaks: no pending request, nothing awaiting ACK once the network is quiet.
    await clock.advanceAsync(300_000)
    expect(client.stats().pendingRequests).toBe(0)
    expect(client.stats().outgoing).toBe(0)
    expect(server.stats().handling).toBe(0)
    expect(server.stats().outgoing).toBe(0)
    await client.close()
    await server.close()
  })

  it("a peer sending garbage and abusive requests does not disturb another peer's exchanges", async () => {
    const net = createMemoryNetwork()
    let served = 0
    const server = await createEndpoint({
      transport: net.transport(),
      limits: { maxExchangesPerPeer: 4, maxBlockTransfersPerPeer: 2 },
      handler: (req) => {
        if (req.path[0] === 'hang') return new Promise(() => {})
        if (req.path[0] === 'throw') throw new Error('bad input')
        served++
        return { code: Code.Content, payload: req.payload.length > 0 ? req.payload : 'ok' }
      },
    })
    const to = { address: server.address().address, port: server.address().port }
    const attacker = net.transport()
    await attacker.open(() => {})
    const rng = new SeededRandom(7)
    const client = await createEndpoint({ transport: net.transport(), parameters: { nstart: 8 } })
    const good = Array.from({ length: 100 }, (_, i) =>
      client
        .request(to, { method: 'POST', path: 'echo', payload: `m${i}` })
        .then((r) => new TextDecoder().decode(r.payload)),
    )
    for (let round = 0; round < 50; round++) {
      // Random bytes, truncated headers, bad versions and token lengths.
      for (let k = 0; k < 10; k++) {
        const junk = new Uint8Array(rng.nextUint32() % 40)
        for (let j = 0; j < junk.length; j++) junk[j] = rng.nextUint32() & 0xff
        attacker.send(junk, to)
      }
      const mid = round * 10
      const req = (
        code: number,
        options: { number: number; value: Uint8Array }[],
        payload = new Uint8Array(0),
        type: 0 | 1 = MessageType.CON,
      ) =>
        attacker.send(
          encodeMessage({
            type,
            code,
            messageId: mid + options.length,
            token: Uint8Array.of(round),
            options,
            payload,
          }),
          to,
        )
      req(Code.GET, [{ number: OptionNumber.UriPath, value: encodeString('hang') }])
      req(Code.GET, [
        { number: 2, value: new Uint8Array(1) },
        { number: OptionNumber.UriPath, value: encodeString('throw') },
      ])
      req(Code.PUT, [
        { number: 2049, value: new Uint8Array(3) },
        { number: 4000, value: new Uint8Array(0) },
        { number: 4001, value: new Uint8Array(0) },
      ])
      req(
        Code.PUT,
        [{ number: OptionNumber.Block1, value: Uint8Array.of(0x18) }],
        new Uint8Array(16),
        MessageType.NON,
      )
      await flushIo(2)
    }
    const answers = await Promise.all(good)
    expect(answers).toEqual(Array.from({ length: 100 }, (_, i) => `m${i}`))
    expect(served).toBeGreaterThanOrEqual(100)
    expect(server.stats().blockTransfers).toBeLessThanOrEqual(2)
    expect(server.stats().handling).toBeLessThanOrEqual(4)
    await client.close()
    await server.close()
    await attacker.close()
  })
})
