import { Code, createEndpoint, createMemoryNetwork, FakeClock, type Peer } from '@lwm2m/coap'
import { singleResource } from '@lwm2m/core'
import { describe, expect, it } from 'vitest'
import {
  createMemoryObservationStore,
  createMemoryRegistrationStore,
  createServer,
  type ObservationStore,
  type Registration,
  type RegistrationStore,
} from '../src/index.js'
import { ScriptedClient } from './support/scripted-client.js'
import { DEVICE_LINKS, settle } from './support/setup.js'

/** Every method of `store` answers through a promise a turn later, as a networked store would. */
function asynchronous<T extends object>(store: T): T {
  return new Proxy(store, {
    get(target, key, receiver) {
      const v = Reflect.get(target, key, receiver)
      if (typeof v !== 'function') return v
      if (key === 'values') {
        return async function* () {
          await new Promise((r) => setImmediate(r))
          yield* (v as () => Iterable<unknown>).call(target)
        }
      }
      return async (...args: unknown[]) => {
        await new Promise((r) => setImmediate(r))
        return (v as (...a: unknown[]) => unknown).apply(target, args)
      }
    },
  })
}

async function world() {
  const clock = new FakeClock(1_700_000_000_000)
  const net = createMemoryNetwork()
  const endpoint = await createEndpoint({ transport: net.transport(), clock })
  const a = endpoint.address()
  const peer: Peer = { address: a.address, port: a.port }
  return { clock, net, endpoint, peer }
}

describe('stop() (the server ends; what it was doing fails typed)', () => {
  it('fails running and held requests with STOPPED, ends subscriptions, keeps given endpoints open and registrations stored', async () => {
    const { clock, net, endpoint, peer } = await world()
    const registrations = createMemoryRegistrationStore()
    const server = await createServer({ endpoints: [endpoint], clock, stores: { registrations } })
    const c = await ScriptedClient.inMemory(net, clock, peer, 'node-1')
    const q = await ScriptedClient.inMemory(net, clock, peer, 'sleepy')
    await c.register(DEVICE_LINKS)
    await q.register(DEVICE_LINKS, { queueMode: true })
    c.answer = () => ({ node: singleResource(9, 'integer', 1) })
    const sub = server.observe('node-1', '/3/0/9')
    await sub.ready
    c.listening = false
    const running = server.read('node-1', '/3/0/9').catch((e: unknown) => e)
    await clock.advanceAsync(93_000)
    const held = server.read('sleepy', '/3/0/9').catch((e: unknown) => e)
    await settle()
    const events: string[] = []
    server.on('deregistered', () => events.push('deregistered'))
    await server.stop()
    await server.stop()
    expect(await running).toMatchObject({ code: 'STOPPED' })
    expect(await held).toMatchObject({ code: 'STOPPED' })
    expect(sub.ended?.reason).toBe('stopped')
    await expect(server.read('node-1', '/3/0/9')).rejects.toMatchObject({ code: 'STOPPED' })
    expect(registrations.size()).toBe(2)
    // The endpoint given is still open (the server only removed its handler): requests now get 4.04.
    c.listening = true
    expect((await c.update()).code).toBe(Code.NotFound)
    expect(events).toEqual([])
    await c.close()
    await q.close()
    await endpoint.close()
  })

  it('a new server on the same store knows the registrations and expires them', async () => {
    const { clock, net, endpoint, peer } = await world()
    const registrations = createMemoryRegistrationStore()
    const first = await createServer({ endpoints: [endpoint], clock, stores: { registrations } })
    const c = await ScriptedClient.inMemory(net, clock, peer, 'node-1')
    await c.register(DEVICE_LINKS, { lifetime: 60 })
    await first.stop()
    const second = await createServer({ endpoints: [endpoint], clock, stores: { registrations } })
    const expired: Registration[] = []
    second.on('expired', (r) => expired.push(r))
    expect((await second.getRegistration('node-1'))?.lifetime).toBe(60)
    expect((await c.update()).code).toBe(Code.Changed)
    await clock.advanceAsync(60_000)
    expect(expired.map((r) => r.endpoint)).toEqual(['node-1'])
    await second.stop()
    await c.close()
    await endpoint.close()
  })
})

it('works the same over stores that answer with promises (a networked store slots in)', async () => {
  const { clock, net, endpoint, peer } = await world()
  const registrations: RegistrationStore = asynchronous(createMemoryRegistrationStore())
  const observations: ObservationStore = asynchronous(createMemoryObservationStore())
  const server = await createServer({ endpoints: [endpoint], clock, stores: { registrations, observations } })
  const c = await ScriptedClient.inMemory(net, clock, peer, 'node-1')
  try {
    expect((await c.register(DEVICE_LINKS, { lifetime: 100 })).code).toBe(Code.Created)
    expect((await c.update({ lifetime: 50 })).code).toBe(Code.Changed)
    c.answer = () => ({ node: singleResource(9, 'integer', 7) })
    expect((await server.read('node-1', '/3/0/9')).node).toEqual(singleResource(9, 'integer', 7))
    const sub = server.observe('node-1', '/3/0/9')
    await sub.ready
    expect(await observations.size()).toBe(1)
    const nodes = new Map([['/3/0/9', singleResource(9, 'integer', 1)]])
    expect((await c.send([{ timestamp: undefined, nodes }])).code).toBe(Code.Changed)
    const all: string[] = []
    for await (const r of server.registrations()) all.push(r.endpoint)
    expect(all).toEqual(['node-1'])
    const expired = new Promise<Registration>((r) => server.once('expired', r))
    await clock.advanceAsync(50_000)
    expect((await expired).endpoint).toBe('node-1')
    await settle()
    expect(sub.ended?.reason).toBe('expired')
    expect(await observations.size()).toBe(0)
    expect(await registrations.size()).toBe(0)
  } finally {
    await server.stop()
    await c.close()
    await endpoint.close()
  }
})

describe('many requests at once', () => {
  it('sends more than ten requests at once without a listener-leak warning on the stop signal', async () => {
    const warnings: Error[] = []
    const onWarning = (w: Error) => warnings.push(w)
    process.on('warning', onWarning)
    const { clock, net, endpoint, peer } = await world()
    const server = await createServer({ endpoints: [endpoint], clock })
    const clients: ScriptedClient[] = []
    try {
      for (let i = 0; i < 16; i++) {
        const c = await ScriptedClient.inMemory(net, clock, peer, `many-${i}`)
        c.answer = () => ({ node: singleResource(0, 'string', `v${i}`) })
        expect((await c.register(DEVICE_LINKS)).code).toBe(Code.Created)
        clients.push(c)
      }
      await settle()
      const reads = await Promise.all(clients.map((_, i) => server.read(`many-${i}`, '/3/0/0')))
      expect(reads.map((r) => (r.node.kind === 'resource' ? r.node.value : undefined))).toEqual(
        clients.map((_, i) => `v${i}`),
      )
      await settle()
      expect(warnings.filter((w) => w.name === 'MaxListenersExceededWarning')).toEqual([])
    } finally {
      process.off('warning', onWarning)
      await server.stop()
      await endpoint.close()
      await Promise.all(clients.map((c) => c.close()))
    }
  })
})
