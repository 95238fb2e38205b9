import { Lwm2mPath, singleResource } from '@lwm2m/core'
import { afterEach, describe, expect, it } from 'vitest'
import { type Bench, bench } from './harness.js'

let b: Bench
afterEach(async () => {
  await b?.close()
})

describe('reconnect: the network changed (Core TS 1.2 section 6.2.2)', () => {
  it('opens a new connection and sends an Update from the new address; the server reaches it there', async () => {
    b = await bench()
    const client = b.client()
    await client.start()
    await b.until(b.server.take('register'))
    const before = b.server.clientPeer
    const ended = client.once('observationEnded')
    await b.until(b.server.observe({ kind: 'observe', path: Lwm2mPath.parse('/3/0/0') }))
    await b.until(client.reconnect())
    const update = await b.until(b.server.take('update'))
    expect(update.peer.port).not.toBe(before.port)
    expect(b.server.registration().peer.port).toBe(update.peer.port)
    // The observation of the old connection ended with it.
    expect(await b.until(ended)).toMatchObject({ shortServerId: 1, paths: ['/3/0/0'] })
    expect(client.observations()).toEqual([])
    // Requests to the new address are answered.
    const read = await b.until(b.server.dm({ kind: 'read', path: Lwm2mPath.parse('/3/0/0') }))
    expect(read.node).toMatchObject({ value: 'ACME' })
  })

  it('refuses when not started, or for a server that is not registered', async () => {
    b = await bench()
    const client = b.client()
    await expect(client.reconnect()).rejects.toMatchObject({ code: 'CLIENT_NOT_STARTED' })
    await client.start()
    await b.until(b.server.take('register'))
    await expect(client.reconnect(7)).rejects.toMatchObject({ code: 'CLIENT_NO_SERVER' })
  })

  it('called while answering a request (a Write that changes the bearer), answers first, then moves', async () => {
    b = await bench()
    let client!: ReturnType<Bench['client']>
    client = b.client({ device: { onTimeWrite: () => void client.reconnect() } })
    await client.start()
    await b.until(b.server.take('register'))
    const before = b.server.clientPeer
    const written = await b.until(
      b.server.dm({
        kind: 'write',
        path: Lwm2mPath.parse('/3/0/13'),
        mode: 'replace',
        node: singleResource(13, 'time', new Date(1_800_000_000_000)),
        contentFormat: 0,
      }),
    )
    expect(written.code).toBe(0x44)
    const update = await b.until(b.server.take('update'))
    expect(update.peer.port).not.toBe(before.port)
  })
})
