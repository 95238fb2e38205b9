import { Code } from '@lwm2m/coap'
import { afterEach, describe, expect, it } from 'vitest'
import type { ClientEvents } from '../src/index.js'
import { type Bench, bench, ScriptedServer } from './harness.js'

let b: Bench
afterEach(async () => {
  await b?.close()
})

/** Collects registrationFailed events. */
function failures(client: {
  on: (e: 'registrationFailed', l: (p: ClientEvents['registrationFailed']) => void) => void
}) {
  const out: ClientEvents['registrationFailed'][] = []
  client.on('registrationFailed', (e) => out.push(e))
  return out
}

describe('registration retry procedure (Core TS 1.1.1 and 1.2 section 6.2.1.1)', () => {
  it('retries a refused Register after 60, 120, 240, 480 s, then gives up (defaults: 5 attempts, 1 sequence)', async () => {
    b = await bench()
    b.server.script = (op) => (op.kind === 'register' ? { code: Code.ServiceUnavailable } : undefined)
    const client = b.client({ servers: [{ shortServerId: 1, lifetime: 300 }] })
    const failed = failures(client)
    const t0 = b.clock.now()
    await client.start()
    await b.until(client.once('registrationFailed', (e) => e.final))
    const at = b.server.all('register').map((r) => (r.at - t0) / 1000)
    expect(at).toEqual([0, 60, 180, 420, 900])
    expect(failed.map((f) => [f.attempt, f.sequence, f.final, f.retryIn])).toEqual([
      [1, 1, false, 60_000],
      [2, 1, false, 120_000],
      [3, 1, false, 240_000],
      [4, 1, false, 480_000],
      [5, 1, true, undefined],
    ])
    expect(client.server(1)?.state).toBe('failed')
    // Nothing more, ever.
    await b.clock.advanceAsync(3 * 86400_000)
    expect(b.server.all('register')).toHaveLength(5)
  })

  it('runs further sequences after the Sequence Delay Timer, and registers when the server answers', async () => {
    b = await bench()
    let refuse = 4
    b.server.script = (op) =>
      op.kind === 'register' && refuse-- > 0 ? { code: Code.ServiceUnavailable } : undefined
    const client = b.client({
      servers: [
        {
          shortServerId: 1,
          lifetime: 300,
          communicationRetryCount: 2,
          communicationRetryTimer: 30,
          communicationSequenceDelayTimer: 3600,
          communicationSequenceRetryCount: 3,
        },
      ],
    })
    const t0 = b.clock.now()
    await client.start()
    await b.until(client.once('registered'))
    // Sequence 1: 0, +30. Sequence 2 after 3600 s: 3630, +30. Sequence 3: 7260 succeeds.
    expect(b.server.all('register').map((r) => (r.at - t0) / 1000)).toEqual([0, 30, 3630, 3660, 7260])
  })

  it('retries an unanswered Register after the CoAP exchange gave up, Retry Count times', async () => {
    b = await bench()
    b.server.reachable(false)
    const client = b.client({
      servers: [{ shortServerId: 1, lifetime: 300, communicationRetryCount: 3, communicationRetryTimer: 5 }],
    })
    const failed = failures(client)
    await client.start()
    await b.until(client.once('registrationFailed', (e) => e.final))
    expect(failed).toHaveLength(3)
    expect(failed.every((f) => f.sequence === 1)).toBe(true)
    expect(failed.map((f) => f.retryIn)).toEqual([5_000, 10_000, undefined])
  })

  it('asks for a bootstrap at once when the server refuses and Bootstrap on Registration Failure (/1/x/16) is true', async () => {
    b = await bench()
    b.server.script = (op) => (op.kind === 'register' ? { code: Code.Forbidden } : undefined)
    const client = b.client({
      servers: [{ shortServerId: 1, lifetime: 300, bootstrapOnRegistrationFailure: true }],
    })
    const bootstrap = client.once('bootstrapNeeded')
    await client.start()
    expect(await b.until(bootstrap)).toEqual({ reason: 'registrationFailure', shortServerId: 1 })
    expect(b.server.all('register')).toHaveLength(1)
  })

  it('asks for a bootstrap when there is no server account', async () => {
    b = await bench()
    const client = b.client({ servers: [], accounts: [] })
    const bootstrap = client.once('bootstrapNeeded')
    await client.start()
    expect(await bootstrap).toEqual({ reason: 'noServerAccount' })
  })
})

describe('several servers: Registration Priority Order, Initial Registration Delay, Failure Block', () => {
  async function twoServers(
    first: Record<string, unknown>,
    second: Record<string, unknown>,
  ): Promise<{ other: ScriptedServer; client: ReturnType<Bench['client']> }> {
    b = await bench()
    const other = await ScriptedServer.create(b.network, b.clock, 11)
    const client = b.client({
      accounts: [
        { serverUri: b.server.uri, shortServerId: 1 },
        { serverUri: other.uri, shortServerId: 2 },
      ],
      servers: [
        { shortServerId: 1, lifetime: 300, ...first },
        { shortServerId: 2, lifetime: 300, ...second },
      ],
    })
    return { other, client }
  }

  it('registers in increasing order, each after the previous one and its own initial delay', async () => {
    const { other, client } = await twoServers(
      { registrationPriorityOrder: 2, initialRegistrationDelayTimer: 30 },
      { registrationPriorityOrder: 1, initialRegistrationDelayTimer: 5 },
    )
    const t0 = b.clock.now()
    await client.start()
    const second = await b.until(b.server.take('register'))
    const first = await b.until(other.take('register'))
    expect((first.at - t0) / 1000).toBe(5)
    expect((second.at - t0) / 1000).toBe(35)
    await other.close()
  })

  it('blocks the servers after a failed one whose Registration Failure Block (/1/x/15) is true', async () => {
    const { other, client } = await twoServers(
      { registrationPriorityOrder: 1, registrationFailureBlock: true, communicationRetryCount: 1 },
      { registrationPriorityOrder: 2 },
    )
    b.server.script = (op) => (op.kind === 'register' ? { code: Code.ServiceUnavailable } : undefined)
    const failed = failures(client)
    await client.start()
    await b.until(client.once('registrationFailed', (e) => e.shortServerId === 2))
    expect(other.all('register')).toHaveLength(0)
    expect(failed.map((f) => [f.shortServerId, f.final, f.blocking])).toEqual([
      [1, true, true],
      [2, true, undefined],
    ])
    expect(client.server(2)?.state).toBe('failed')
    await other.close()
  })

  it('goes on to the next server when the failed one does not block', async () => {
    const { other, client } = await twoServers(
      { registrationPriorityOrder: 1, communicationRetryCount: 1 },
      { registrationPriorityOrder: 2 },
    )
    b.server.script = (op) => (op.kind === 'register' ? { code: Code.ServiceUnavailable } : undefined)
    await client.start()
    await b.until(other.take('register'))
    expect(client.server(2)?.state).toBe('registered')
    expect(client.server(1)?.state).toBe('failed')
    await other.close()
  })

  it('registers servers without an order at once, independently', async () => {
    const { other, client } = await twoServers({}, {})
    const t0 = b.clock.now()
    await client.start()
    const a = await b.until(b.server.take('register'))
    const c = await b.until(other.take('register'))
    expect([a.at - t0, c.at - t0]).toEqual([0, 0])
    await other.close()
  })
})
