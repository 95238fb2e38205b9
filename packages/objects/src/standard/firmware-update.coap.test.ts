import { type CoapEndpoint, createEndpoint, type Transport, udp } from '@lwm2m/coap'
import { Lwm2mPath } from '@lwm2m/core'
import { afterEach, describe, expect, it } from 'vitest'
import { createFirmwareUpdateObject, FirmwareResult, FirmwareState } from './firmware-update.js'

// The pull path end to end: a CoAP server of our own @lwm2m/coap on 127.0.0.1 (OS-chosen
// port) serves a firmware image that needs many Block2 blocks (RFC 7959 section 2.4); the
// Firmware Update object downloads it through a real client endpoint.
describe('Firmware Update pull over a real CoAP endpoint (Core TS 1.1 E.6, RFC 7959 Block2)', () => {
  const open: CoapEndpoint[] = []
  afterEach(async () => {
    await Promise.all(open.splice(0).map((e) => e.close()))
  })

  it('downloads a 40 KB image block-wise, verifies and applies it', async () => {
    const image = Uint8Array.from({ length: 40_000 }, (_, i) => (i * 7) & 0xff)
    // Counts the datagrams the server sends: one response would be one datagram.
    const socket = udp({ host: '127.0.0.1', port: 0 })
    let datagrams = 0
    const counting: Transport = Object.assign(Object.create(socket) as Transport, {
      send: (
        datagram: Uint8Array,
        peer: Parameters<Transport['send']>[1],
        callback?: Parameters<Transport['send']>[2],
      ) => {
        datagrams++
        socket.send(datagram, peer, callback)
      },
    })
    const server = await createEndpoint({
      transport: counting,
      blockSize: 512,
      handler: (request) => {
        return request.path.join('/') === 'fw/v2.bin' ? { code: '2.05', payload: image } : { code: '4.04' }
      },
    })
    const client = await createEndpoint({
      transport: udp({ host: '127.0.0.1', port: 0 }),
      requestTimeout: 10_000,
    })
    open.push(server, client)
    const applied: Uint8Array[] = []
    const fw = createFirmwareUpdateObject({
      endpoints: [client],
      apply: (pkg) => void applied.push(pkg.bytes),
    })
    const port = server.address().port
    const write = (uri: string) =>
      fw.write(
        Lwm2mPath.parse('/5/0/1'),
        { kind: 'resource', id: 1, type: 'string', value: uri },
        'replace',
        { origin: 'server' },
      )

    expect(await write(`coap://127.0.0.1:${port}/fw/v2.bin`)).toMatchObject({ ok: true })
    await fw.idle()
    expect([fw.state(), fw.result()]).toEqual([FirmwareState.Downloaded, FirmwareResult.Initial])
    expect(datagrams).toBeGreaterThanOrEqual(Math.ceil(image.length / 512))
    const r = await fw.execute(Lwm2mPath.parse('/5/0/2'), '', { origin: 'server' })
    if (r.ok) await r.afterResponse?.()
    await fw.idle()
    expect(fw.result()).toBe(FirmwareResult.Success)
    expect(applied).toHaveLength(1)
    expect(Buffer.from(applied[0]!).equals(Buffer.from(image))).toBe(true)

    await write('')
    expect(await write(`coap://127.0.0.1:${port}/fw/missing.bin`)).toMatchObject({ ok: true })
    await fw.idle()
    expect([fw.state(), fw.result()]).toEqual([FirmwareState.Idle, FirmwareResult.InvalidUri])
  })
})
