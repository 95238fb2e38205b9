import { Code, ContentFormat } from '@lwm2m/coap'
import { instance, type Lwm2mNode, multipleResource, singleResource } from '@lwm2m/core'
import { afterEach, describe, expect, it } from 'vitest'
import type { SendEvent } from '../src/index.js'
import { DEVICE_LINKS, next, settle, type TestBed, testBed } from './support/setup.js'

let bed: TestBed | undefined
afterEach(async () => {
  await bed?.close()
  bed = undefined
})

const text = (b: Uint8Array) => new TextDecoder().decode(b)

describe('Send (Core TS 1.2 section 6.4.6; Transport TS table 6.4.5-1; ETS 1.1-int-306, 311)', () => {
  for (const format of [ContentFormat.SENML_CBOR, ContentFormat.SENML_JSON, ContentFormat.LWM2M_CBOR]) {
    it(`answers 2.04 and emits the decoded values (content format ${format})`, async () => {
      bed = await testBed()
      const c = await bed.client('node-1', { version: '1.2' })
      await c.register(DEVICE_LINKS)
      await settle()
      const sent = next(bed.server, 'send')
      const nodes = new Map<string, Lwm2mNode>([
        ['/1/0/1', singleResource(1, 'integer', 86400)],
        ['/3/0/11', multipleResource(11, 'integer', [0])],
      ])
      const res = await c.send([{ timestamp: undefined, nodes }], format)
      expect(res.code).toBe(Code.Changed)
      const [event] = (await sent) as [SendEvent]
      expect(event.endpoint).toBe('node-1')
      expect(event.registration.endpoint).toBe('node-1')
      expect(event.contentFormat).toBe(format)
      expect(event.receivedAt).toBe(bed.clock.now())
      expect(event.data).toHaveLength(1)
      expect(event.data[0]!.timestamp).toBeUndefined()
      expect(event.data[0]!.nodes.get('/1/0/1')).toEqual(singleResource(1, 'integer', 86400))
      expect(event.data[0]!.nodes.get('/3/0/11')).toEqual(multipleResource(11, 'integer', [0]))
    })
  }

  it('keeps the times of timestamped values', async () => {
    bed = await testBed()
    const c = await bed.client('node-1')
    await c.register(DEVICE_LINKS)
    const sent = next(bed.server, 'send')
    const v = (x: number) => new Map([['/3303/0/5700', singleResource(5700, 'float', x)]])
    await c.send(
      [
        { timestamp: 1_700_000_000, nodes: v(20.5) },
        { timestamp: 1_700_000_010, nodes: v(21.5) },
      ],
      ContentFormat.SENML_JSON,
    )
    const [event] = await sent
    expect(event.data.map((d) => d.timestamp)).toEqual([1_700_000_000, 1_700_000_010])
    expect(event.data[1]!.nodes.get('/3303/0/5700')).toEqual(singleResource(5700, 'float', 21.5))
  })

  it('answers 4.00 to a client that is not registered (as Leshan)', async () => {
    bed = await testBed()
    const c = await bed.client('node-1')
    const res = await c.send([
      { timestamp: undefined, nodes: new Map([['/3/0/9', singleResource(9, 'integer', 1)]]) },
    ])
    expect(res.code).toBe(Code.BadRequest)
    expect(text(res.payload)).toMatch(/not registered/)
  })

  it('answers 4.04 to data of objects or instances the client did not register (Transport TS 1.1.1 table 6.7-4), unless disabled', async () => {
    bed = await testBed()
    const c = await bed.client('node-1')
    await c.register(DEVICE_LINKS)
    const other = new Map([['/3303/7/5700', singleResource(5700, 'float', 1)]])
    const res = await c.send([{ timestamp: undefined, nodes: other }])
    expect(res.code).toBe(Code.NotFound)
    expect(text(res.payload)).toMatch(/3303\/7/)
    const res2 = await c.send([
      { timestamp: undefined, nodes: new Map([['/6/0', instance(0, [singleResource(0, 'float', 1)])]]) },
    ])
    expect(res2.code).toBe(Code.NotFound)
    await bed.close()
    bed = await testBed({ checkSendObjects: false })
    const c2 = await bed.client('node-1')
    await c2.register(DEVICE_LINKS)
    expect((await c2.send([{ timestamp: undefined, nodes: other }])).code).toBe(Code.Changed)
  })

  it('answers 4.00 to a payload that does not decode, 4.15 to a format that cannot carry Send data', async () => {
    bed = await testBed()
    const c = await bed.client('node-1')
    await c.register(DEVICE_LINKS)
    const bad = await c.endpoint.request(c.server, {
      method: 'POST',
      path: ['dp'],
      contentFormat: ContentFormat.SENML_JSON,
      payload: '[{"n":',
    })
    expect(bad.code).toBe(Code.BadRequest)
    const tlv = await c.endpoint.request(c.server, {
      method: 'POST',
      path: ['dp'],
      contentFormat: ContentFormat.LWM2M_TLV,
      payload: Uint8Array.of(0xc1, 0x09, 0x01),
    })
    expect(tlv.code).toBe(Code.UnsupportedContentFormat)
    const none = await c.endpoint.request(c.server, { method: 'POST', path: ['dp'], payload: '[]' })
    expect(none.code).toBe(Code.BadRequest)
    const get = await c.endpoint.request(c.server, { method: 'GET', path: ['dp'] })
    expect(get.code).toBe(Code.MethodNotAllowed)
  })

  it('answers 4.13 beyond the Send payload limit', async () => {
    bed = await testBed({ limits: { sendPayload: 32 } })
    const c = await bed.client('node-1')
    await c.register(DEVICE_LINKS)
    const nodes = new Map([['/3/0/0', singleResource(0, 'string', 'x'.repeat(100))]])
    expect((await c.send([{ timestamp: undefined, nodes }])).code).toBe(Code.RequestEntityTooLarge)
  })
})
