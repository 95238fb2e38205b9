// The server prompt with clients that sleep (queue mode, Core TS 1.2 section 6.5), went away or
// let their registration expire: the person is told that a request waits, and why it failed.
import { udp } from '@lwm2m/coap'
import { createServer, type Lwm2mServer } from '@lwm2m/server'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createSimulatedClient, type SimulatedClient } from '../src/client/simulated-client.js'
import { createTerminal } from '../src/console/terminal.js'
import { createOutput } from '../src/output/output.js'
import { createServerSession, type ServerSession } from '../src/server/session.js'
import { coapClientTransport } from '../src/transports/client-transports.js'
import { memoryIo } from './support/memory-io.js'

let server: Lwm2mServer
let session: ServerSession
let io: ReturnType<typeof memoryIo>
const clients: SimulatedClient[] = []

function lines() {
  return io
    .out()
    .trim()
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l))
}

/** Waits until `check` holds, polling; bounded. */
async function until(check: () => boolean, ms = 5000): Promise<void> {
  for (let waited = 0; !check(); waited += 10) {
    if (waited >= ms) throw new Error('the condition did not come true')
    await new Promise((r) => setTimeout(r, 10))
  }
}

function once(event: 'registered' | 'sleeping' | 'awake', endpoint: string): Promise<void> {
  return new Promise((resolve) => {
    const listener = (reg: { endpoint: string }) => {
      if (reg.endpoint !== endpoint) return
      server.off(event, listener)
      resolve()
    }
    server.on(event, listener)
  })
}

async function startClient(endpoint: string, queueMode: boolean, lifetime = 60): Promise<SimulatedClient> {
  const { port } = server.endpoints[0]!.address()
  const sim = createSimulatedClient({
    endpoint,
    serverUri: `coap://127.0.0.1:${port}`,
    version: '1.1',
    lifetime,
    binding: 'U',
    queueMode,
    awakeTime: 200,
    interval: 60_000,
    firmwareVersion: '0',
    security: coapClientTransport.account(
      {},
      { scheme: 'coap', host: '127.0.0.1', port, path: [], query: [] },
    ),
    transports: { coap: coapClientTransport.factory({}) },
    requestTimeout: 5000,
  })
  clients.push(sim)
  const registered = once('registered', endpoint)
  await sim.client.start()
  await registered
  return sim
}

beforeAll(async () => {
  server = await createServer({
    endpoints: [udp({ host: '127.0.0.1', port: 0 })],
    queueMode: { awakeTime: 300 },
  })
  io = memoryIo()
  const terminal = createTerminal(io, { json: true, read: false })
  session = createServerSession({
    server,
    terminal,
    output: createOutput(terminal, true),
    timeout: 5000,
    debug: false,
  })
})

afterAll(async () => {
  await Promise.allSettled(clients.map((c) => c.stop({ deregister: false })))
  await session.close()
})

describe('the server prompt and sleeping clients', () => {
  it('says the request waits for a sleeping client, and that it was dropped when the client slept on', async () => {
    const sleeping = once('sleeping', 'sleepy')
    const sim = await startClient('sleepy', true)
    await sleeping
    expect(lines().some((l) => l.type === 'sleeping' && l.endpoint === 'sleepy')).toBe(true)

    await session.runner.execute('{"id":"q1","command":"read sleepy /3/0/0 --timeout 300ms"}')
    const queued = lines().find((l) => l.type === 'queued' && l.id === 'q1')
    expect(queued).toEqual({ type: 'queued', id: 'q1', endpoint: 'sleepy', timeout: 300 })
    const error = lines().find((l) => l.type === 'error' && l.id === 'q1')
    expect(error).toMatchObject({ code: 'TIMEOUT', queued: true, ok: false })
    expect(error.message).toBe(
      'sleepy is asleep (queue mode) and did not wake up within 0.3 s: the request was dropped',
    )
    expect(error.hint).toContain('awake')

    // When the client speaks (an Update), the server sends what waited.
    const answer = session.runner.execute('{"id":"q2","command":"read sleepy /3/0/0 --timeout 10s"}')
    await until(() => lines().some((l) => l.type === 'queued' && l.id === 'q2'))
    const awake = once('awake', 'sleepy')
    await sim.client.update()
    await awake
    expect((await answer)?.value).toMatchObject({
      endpoint: 'sleepy',
      values: [{ path: '/3/0/0', value: '@lwm2m' }],
    })
    expect(lines().some((l) => l.type === 'awake' && l.endpoint === 'sleepy')).toBe(true)
    expect(lines().find((l) => l.id === 'q2' && l.type === 'result')).toBeDefined()
  })

  it('says when a client does not answer', async () => {
    const sim = await startClient('gone', false)
    await sim.stop({ deregister: false })
    await session.runner.execute('{"id":"t1","command":"read gone /3/0/0 --timeout 1s"}')
    const error = lines().find((l) => l.id === 't1')
    expect(error).toMatchObject({ type: 'error', code: 'TIMEOUT', message: 'gone did not answer within 1 s' })
    expect(error.queued).toBeUndefined()
    expect(error.hint).toContain('--timeout')
  })

  it('prints the expiry of a registration the client did not renew (Core TS 1.2 section 6.2.1)', async () => {
    const expired = new Promise<void>((resolve) => server.once('expired', () => resolve()))
    const sim = await startClient('short-lived', false, 1)
    await sim.stop({ deregister: false })
    await expired
    await until(() => lines().some((l) => l.type === 'expired' && l.endpoint === 'short-lived'))
    await session.runner.execute('{"id":"e1","command":"read short-lived /3/0"}')
    expect(lines().find((l) => l.id === 'e1')).toMatchObject({ type: 'error', code: 'UNKNOWN_ENDPOINT' })
  })
})
