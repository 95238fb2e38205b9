import { systemClock, udp } from '@lwm2m/coap'
import { Lwm2mPath } from '@lwm2m/core'
import {
  createDeviceObject,
  createSecurityObject,
  createServerObject,
  createTemperatureObject,
} from '@lwm2m/objects'
import { afterEach, describe, expect, it } from 'vitest'
import { createClient, type Lwm2mClient } from '../src/index.js'
import { ScriptedServer } from './harness.js'

const P = (t: string) => Lwm2mPath.parse(t)
let server: ScriptedServer | undefined
let client: Lwm2mClient | undefined
afterEach(async () => {
  await client?.stop({ deregister: false })
  await server?.close()
})

/** Waits for a promise, but at most `ms` of real time. */
function within<T>(promise: Promise<T>, ms = 5000): Promise<T> {
  return Promise.race([
    promise,
    new Promise<T>((_, reject) =>
      setTimeout(() => reject(new Error(`no result within ${ms} ms`)), ms).unref(),
    ),
  ])
}

describe('over real UDP sockets on the loopback (RFC 7252, OS-chosen ports)', () => {
  it('registers, answers a Read, notifies an observer and de-registers', async () => {
    server = await ScriptedServer.over(udp({ host: '127.0.0.1', port: 0 }), systemClock)
    const sensor = createTemperatureObject({ sensors: [{ value: 20 }] })
    client = createClient({
      endpoint: 'udp-node',
      objects: [
        createSecurityObject({ accounts: [{ serverUri: server.uri, shortServerId: 1 }] }),
        createServerObject({ servers: [{ shortServerId: 1, lifetime: 60 }] }),
        createDeviceObject({ manufacturer: 'ACME' }),
        sensor,
      ],
    })
    const registered = client.once('registered')
    await client.start()
    await within(registered)
    expect(server.registration().peer.address).toBe('127.0.0.1')
    const read = await within(server.dm({ kind: 'read', path: P('/3/0/0'), accept: 0 }))
    expect(read.node).toMatchObject({ value: 'ACME' })
    const { notifications } = await within(server.observe({ kind: 'observe', path: P('/3303/0/5700') }))
    const notified = new Promise<void>((resolve) => {
      const poll = setInterval(() => {
        if (notifications.length > 0) {
          clearInterval(poll)
          resolve()
        }
      }, 5)
    })
    sensor.record(0, 21.5)
    await within(notified)
    const value = server.decode({ kind: 'observe', path: P('/3303/0/5700') }, notifications[0]!.response).node
    expect(value).toMatchObject({ value: 21.5 })
    await within(client.stop())
    expect(server.all('deregister')).toHaveLength(1)
    client = undefined
  })
})
