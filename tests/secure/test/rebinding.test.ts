import type { NodeNotification } from '@lwm2m/server'
import { afterEach, describe, expect, it } from 'vitest'
import { NatRelay } from './support/relay.js'
import { type SecureBed, secureBed, startRegistered, type TestClient, testClient } from './support/setup.js'
import { until, within } from './support/tools.js'

// RFC 9146 (Connection ID for DTLS 1.2): the server gives the client a CID in the handshake;
// the client's records carry it, so that when a NAT gives the client a new address and port
// the session (and with it the authenticated identity) goes on without a new handshake.
// At the LwM2M level the registration, its identity and its location stay. The DTLS transport
// tells the CoAP endpoint that the peer moved (RFC 9146 section 6: the newest authenticated
// record moves it) before handing up the record's data: the endpoint carries its state over
// (observations, RFC 7641 sections 3 and 4; exchanges in flight) and the server moves the
// registration at once, whatever the client sent: an Update (Core TS 1.2 section 6.2.2), a
// Send, or a notification.

const PSK = new TextEncoder().encode('rebinding pre-shared key')

let bed: SecureBed | undefined
let relay: NatRelay | undefined
let current: TestClient | undefined
afterEach(async () => {
  await current?.client.stop({ deregister: false })
  await relay?.close()
  await bed?.close()
  current = undefined
  relay = undefined
  bed = undefined
})

async function registeredBehindNat(): Promise<{ bed: SecureBed; relay: NatRelay; current: TestClient }> {
  bed = await secureBed([{ endpoint: 'nat-node', mode: 'psk', identity: 'nat-identity', key: PSK }])
  relay = new NatRelay({ address: '127.0.0.1', port: bed.coapsPort })
  const front = await relay.open()
  current = testClient('nat-node', {
    serverUri: `coaps://127.0.0.1:${front}`,
    securityMode: 0,
    publicKeyOrIdentity: 'nat-identity',
    secretKey: PSK,
  })
  await startRegistered(current)
  return { bed, relay, current }
}

describe('a client behind a NAT that rebinds keeps its DTLS session, registration and identity (RFC 9146)', () => {
  it('the next Update arrives from the new port over the same session: same registration, same identity, reachable again', async () => {
    const { bed, relay, current } = await registeredBehindNat()
    const before = (await bed.server.getRegistration('nat-node'))!
    expect(before.peer.port).toBe(relay.outboundPort)
    expect(bed.dtls.session(before.peer)?.connectionId).toBe(true)
    expect((await bed.server.read('nat-node', '/3/0/0')).node).toMatchObject({ value: 'ACME' })

    await relay.rebind()
    const updated = current.client.once('updated')
    await current.client.update(1)
    await within(updated, 10_000, 'Update')

    const after = (await bed.server.getRegistration('nat-node'))!
    expect(after.id).toBe(before.id)
    expect(after.peer.port).toBe(relay.outboundPort)
    expect(after.peer.port).not.toBe(before.peer.port)
    expect(after.peer.identity).toEqual({ mode: 'psk', identity: 'nat-identity' })
    // No second handshake: the session moved with the Connection ID.
    expect(bed.sessions).toBe(1)
    expect(bed.dtls.session(before.peer)).toBeUndefined()
    expect(bed.dtls.session(after.peer)?.resumed).toBe(false)
    // The server reaches the client at its new address.
    expect((await within(bed.server.read('nat-node', '/3/0/0'))).node).toMatchObject({ value: 'ACME' })
    await within(bed.server.write('nat-node', '/3/0/14', '-05:00'))
    expect((await bed.server.read('nat-node', '/3/0/14')).node).toMatchObject({ value: '-05:00' })
  })

  it('a Send from the new port moves the registration as well', async () => {
    const { bed, relay, current } = await registeredBehindNat()
    const before = (await bed.server.getRegistration('nat-node'))!
    await relay.rebind()
    const sent = new Promise((resolve) => bed.server.once('send', resolve))
    await within(current.client.send(['/3303/0/5700']))
    await within(sent)
    const after = (await bed.server.getRegistration('nat-node'))!
    expect(after.id).toBe(before.id)
    expect(after.peer.port).toBe(relay.outboundPort)
    expect(bed.sessions).toBe(1)
    expect((await within(bed.server.read('nat-node', '/3/0/0'))).node).toMatchObject({ value: 'ACME' })
  })

  it('an observation set up before the rebinding: the client re-announces itself, the server observes again', async () => {
    const { bed, relay, current } = await registeredBehindNat()
    const sub = bed.server.observe('nat-node', '/3303/0/5700')
    await within(sub.ready)
    await relay.rebind()
    const updated = current.client.once('updated')
    await current.client.update(1)
    await within(updated)
    const again = bed.server.observe('nat-node', '/3303/0/5700')
    expect((await within(again.ready)).node).toMatchObject({ value: 20 })
    const next = new Promise<NodeNotification>((resolve) =>
      again.on('notification', (n) => !n.initial && resolve(n)),
    )
    current.sensor.record(0, 30)
    expect((await within(next)).node).toMatchObject({ value: 30 })
    await until(() => bed.sessions === 1)
  })

  it('a notification from the new address reaches the subscription made before the rebinding, and the server reaches the client there (RFC 9146 section 6, RFC 7641 sections 3.2, 4.2)', async () => {
    const { bed, relay, current } = await registeredBehindNat()
    const before = (await bed.server.getRegistration('nat-node'))!
    const sub = bed.server.observe('nat-node', '/3303/0/5700')
    expect((await within(sub.ready)).node).toMatchObject({ value: 20 })
    const values: unknown[] = []
    let ended: unknown
    sub.on('notification', (n) => {
      if (!n.initial && 'value' in n.node) values.push(n.node.value)
    })
    sub.on('end', (e) => {
      ended = e
    })
    current.sensor.record(0, 25)
    await until(() => values.length === 1)

    // The NAT gives the client a new port; the client sends nothing else (no Update).
    await relay.rebind()
    current.sensor.record(0, 30)
    await until(() => values.length === 2)
    current.sensor.record(0, 35)
    await until(() => values.length === 3)
    expect(values).toEqual([25, 30, 35])
    expect(ended).toBeUndefined()

    // The registration followed the client: same registration, new port, same identity.
    const after = (await bed.server.getRegistration('nat-node'))!
    expect(after.id).toBe(before.id)
    expect(after.peer.port).toBe(relay.outboundPort)
    expect(after.peer.port).not.toBe(before.peer.port)
    expect(after.peer.identity).toEqual({ mode: 'psk', identity: 'nat-identity' })
    expect(bed.dtls.session(after.peer)?.connectionId).toBe(true)
    // A read reaches the client at its new address, over the same session.
    expect((await within(bed.server.read('nat-node', '/3/0/0'))).node).toMatchObject({ value: 'ACME' })
    // So does a new observation (Current Time, /3/0/13).
    const clock = bed.server.observe('nat-node', '/3/0/13')
    expect((await within(clock.ready)).node).toMatchObject({ id: 13 })
    await within(clock.cancel())
    expect(bed.sessions).toBe(1)
    // The subscription is still the one: cancelling it reaches the client (RFC 7641 section 3.6).
    await within(sub.cancel())
    expect(ended).toMatchObject({ reason: 'cancelled' })
  })
})
