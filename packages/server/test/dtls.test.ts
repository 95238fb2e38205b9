import { Code, FakeClock } from '@lwm2m/coap'
import { singleResource } from '@lwm2m/core'
import { dtlsClient, dtlsServer } from '@lwm2m/dtls'
import { describe, expect, it } from 'vitest'
import { createMemorySecurityStore, createServer } from '../src/index.js'
import { ScriptedClient } from './support/scripted-client.js'
import { DEVICE_LINKS } from './support/setup.js'

const KEY = Uint8Array.from({ length: 16 }, (_, i) => i * 7)

// The security check of the server needs nothing of DTLS but the transport's Peer.identity:
// a DTLS transport plugs in as it is, its PSK look-up served by the same security store.
describe('over DTLS 1.2 with PSK (@lwm2m/dtls), 127.0.0.1, OS-chosen ports', () => {
  it('the authenticated identity reaches the registration; another identity may not take the name', async () => {
    const clock = new FakeClock(Date.now())
    const security = createMemorySecurityStore([
      { endpoint: 'secure-node', mode: 'psk', identity: 'id-secure', key: KEY },
      { endpoint: 'other-node', mode: 'psk', identity: 'id-other', key: KEY },
    ])
    const server = await createServer({
      endpoints: [
        dtlsServer({ host: '127.0.0.1', port: 0, psk: { key: (identity) => security.pskKey(identity) } }),
      ],
      clock,
      security: { store: security },
    })
    const to = { address: '127.0.0.1', port: server.endpoints[0]!.address().port }
    const good = await ScriptedClient.create({
      transport: dtlsClient({ host: '127.0.0.1', psk: { identity: 'id-secure', key: KEY } }),
      clock,
      server: to,
      name: 'secure-node',
    })
    const thief = await ScriptedClient.create({
      transport: dtlsClient({ host: '127.0.0.1', psk: { identity: 'id-other', key: KEY } }),
      clock,
      server: to,
      name: 'secure-node',
    })
    try {
      expect(server.endpoints[0]!.scheme).toBe('coaps')
      expect((await good.register(DEVICE_LINKS)).code).toBe(Code.Created)
      const reg = (await server.getRegistration('secure-node'))!
      expect(reg.scheme).toBe('coaps')
      expect(reg.peer.identity).toEqual({ mode: 'psk', identity: 'id-secure' })
      good.answer = () => ({ node: singleResource(9, 'integer', 42) })
      expect((await server.read('secure-node', '/3/0/9')).node).toEqual(singleResource(9, 'integer', 42))
      // A client authenticated as id-other cannot register as secure-node, nor update its registration.
      const stolen = await thief.register(DEVICE_LINKS)
      expect(stolen.code).toBe(Code.Forbidden)
      thief.location = good.location
      expect((await thief.update()).code).toBe(Code.Forbidden)
      expect((await good.deregister()).code).toBe(Code.Deleted)
    } finally {
      await good.close()
      await thief.close()
      await server.stop()
    }
  })
})
