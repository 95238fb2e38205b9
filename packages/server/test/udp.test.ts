import { Code, FakeClock, udp } from '@lwm2m/coap'
import { instance, singleResource } from '@lwm2m/core'
import { describe, expect, it } from 'vitest'
import { createServer, type NodeNotification } from '../src/index.js'
import { ScriptedClient } from './support/scripted-client.js'
import { DEVICE_LINKS } from './support/setup.js'

describe('over real UDP sockets (127.0.0.1, OS-chosen ports)', () => {
  it('registers, reads, observes, receives Send, de-registers; stop closes the socket it opened', async () => {
    // Real time for the sockets' round trips; the fake clock only drives timers (nothing waits on it here).
    const clock = new FakeClock(Date.now())
    const server = await createServer({ endpoints: [udp({ host: '127.0.0.1', port: 0 })], clock })
    const address = server.endpoints[0]!.address()
    expect(address.port).toBeGreaterThan(0)
    const c = await ScriptedClient.create({
      transport: udp({ host: '127.0.0.1', port: 0 }),
      clock,
      server: { address: '127.0.0.1', port: address.port },
      name: 'udp-node',
    })
    try {
      const registered = new Promise((resolve) => server.once('registered', resolve))
      expect((await c.register(DEVICE_LINKS)).code).toBe(Code.Created)
      await registered
      const reg = (await server.getRegistration('udp-node'))!
      expect(reg.peer).toMatchObject({ address: '127.0.0.1', port: c.endpoint.address().port })

      c.answer = () => ({
        node: instance(0, [singleResource(0, 'string', 'ACME'), singleResource(9, 'integer', 80)]),
      })
      const read = await server.read('udp-node', '/3/0')
      expect(read.node).toEqual(
        instance(0, [singleResource(0, 'string', 'ACME'), singleResource(9, 'integer', 80)]),
      )

      c.answer = () => ({ node: singleResource(5700, 'float', 20) })
      const sub = server.observe('udp-node', '/3303/0/5700')
      await sub.ready
      await c.observations[0]!.notify({ node: singleResource(5700, 'float', 21) }, { confirmable: true })
      const it = sub[Symbol.asyncIterator]()
      await it.next()
      expect(((await it.next()).value as NodeNotification).node).toEqual(singleResource(5700, 'float', 21))

      const sent = new Promise((resolve) => server.once('send', resolve))
      const nodes = new Map([['/3/0/9', singleResource(9, 'integer', 79)]])
      expect((await c.send([{ timestamp: undefined, nodes }])).code).toBe(Code.Changed)
      await sent

      await sub.cancel()
      expect(c.ops('cancelObservation')).toHaveLength(1)
      expect((await c.deregister()).code).toBe(Code.Deleted)
      expect(await server.getRegistration('udp-node')).toBeUndefined()
    } finally {
      await c.close()
      await server.stop()
    }
    // The server closed the endpoint it created: its port is free again.
    const again = udp({ host: '127.0.0.1', port: address.port })
    await again.open(() => {})
    await again.close()
  })
})
