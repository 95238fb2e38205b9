// Our client against libcoap's coap-server-notls (Debian libcoap3-bin), which serves
// /time (GET, observable), /example_data (GET, PUT, observable, 1000+ bytes at start) and,
// with -d, creates resources on PUT or POST to unknown paths.
// RFC 7252 sections 5.8/5.9, RFC 7641, RFC 7959.
import { afterAll, beforeAll, describe, expect } from 'vitest'
import { type CoapEndpoint, type CoapResponse, createEndpoint, formatCode, udp } from '../../src/index.js'
import { body, itWithPeer, LIBCOAP_INSTALL, type LibcoapServer, onPath, startLibcoapServer } from './peers.js'

const it = itWithPeer(onPath('coap-server-notls'), 'coap-server-notls', LIBCOAP_INSTALL)
const text = (r: CoapResponse): string => Buffer.from(r.payload).toString('utf8')

describe('interop: @lwm2m/coap client -> libcoap coap-server-notls', () => {
  let server: LibcoapServer | undefined
  let client: CoapEndpoint | undefined
  let peer: { address: string; port: number }

  beforeAll(async () => {
    if (!onPath('coap-server-notls')) return
    server = await startLibcoapServer(['-d', '10'])
    peer = { address: '127.0.0.1', port: server.port }
    client = await createEndpoint({ transport: udp({ host: '127.0.0.1', port: 0 }) })
  })
  afterAll(async () => {
    await client?.close()
    await server?.stop()
  })

  it('GET /time: 2.05 with the server clock as text (RFC 7252 section 5.8.1)', async () => {
    const res = await client!.request(peer, { method: 'GET', path: '/time' })
    expect(formatCode(res.code)).toBe('2.05')
    expect(text(res)).toMatch(/^[A-Z][a-z]{2} +\d+ \d\d:\d\d:\d\d$/)
  })

  it('Block2: the initial /example_data (over 1024 bytes) arrives whole (RFC 7959 section 2.4)', async () => {
    const res = await client!.request(peer, { method: 'GET', path: '/example_data' })
    expect(formatCode(res.code)).toBe('2.05')
    expect(res.payload.length).toBeGreaterThan(1024)
    expect(text(res)).toMatch(/^(?:[a-z]123456789)+/)
  })

  it('PUT then GET /example_data (RFC 7252 section 5.8.3)', async () => {
    const put = await client!.request(peer, {
      method: 'PUT',
      path: '/example_data',
      payload: 'hello',
      contentFormat: 0,
    })
    expect(['2.01', '2.04']).toContain(formatCode(put.code))
    const get = await client!.request(peer, { method: 'GET', path: '/example_data' })
    expect(text(get)).toBe('hello')
  })

  it('Block1: a 3000-byte PUT is stored whole and read back (RFC 7959 sections 2.5 and 2.4)', async () => {
    const payload = body(3000, 'p')
    const put = await client!.request(peer, {
      method: 'PUT',
      path: '/example_data',
      payload,
      contentFormat: 0,
    })
    expect(['2.01', '2.04']).toContain(formatCode(put.code))
    const get = await client!.request(peer, { method: 'GET', path: '/example_data' })
    expect(text(get)).toBe(payload)
  })

  it('POST to a new path: 2.01 Created with Location-Path (RFC 7252 section 5.8.2)', async () => {
    const res = await client!.request(peer, { method: 'POST', path: '/made', payload: 'v', contentFormat: 0 })
    expect(formatCode(res.code)).toBe('2.01')
    expect(res.locationPath).toEqual(['made'])
  })

  it('DELETE: 2.02, then GET answers 4.04 (RFC 7252 sections 5.8.4 and 5.9.2.5)', async () => {
    await client!.request(peer, { method: 'PUT', path: '/tmp-res', payload: 'x', contentFormat: 0 })
    const del = await client!.request(peer, { method: 'DELETE', path: '/tmp-res' })
    expect(formatCode(del.code)).toBe('2.02')
    const get = await client!.request(peer, { method: 'GET', path: '/tmp-res' })
    expect(formatCode(get.code)).toBe('4.04')
  })

  it('a method the resource lacks: 4.05 Method Not Allowed (RFC 7252 section 5.9.2.6)', async () => {
    const res = await client!.request(peer, { method: 'POST', path: '/time', payload: 'x' })
    expect(formatCode(res.code)).toBe('4.05')
  })

  it('observe /example_data: a PUT from elsewhere yields a notification (RFC 7641 sections 3.2 and 4.2)', async () => {
    await client!.request(peer, { method: 'PUT', path: '/example_data', payload: 'v0', contentFormat: 0 })
    const seen: string[] = []
    let notified: () => void = () => {}
    const arrived = new Promise<void>((resolve) => (notified = resolve))
    const observation = await client!.observe(peer, { method: 'GET', path: '/example_data' }, (n) => {
      seen.push(Buffer.from(n.payload).toString('utf8'))
      if (seen.includes('v2')) notified()
    })
    expect(observation.active).toBe(true)
    expect(observation.response.observe).toBeTypeOf('number')
    expect(text(observation.response)).toBe('v0')
    const writer = await createEndpoint({ transport: udp({ host: '127.0.0.1', port: 0 }) })
    try {
      await writer.request(peer, { method: 'PUT', path: '/example_data', payload: 'v1', contentFormat: 0 })
      await writer.request(peer, { method: 'PUT', path: '/example_data', payload: 'v2', contentFormat: 0 })
      await arrived
    } finally {
      await writer.close()
    }
    expect(seen).toContain('v2')
    await observation.cancel()
    expect(observation.signal.aborted).toBe(true)
  })

  it('observe /time: the server notifies about once a second (RFC 7641 section 4.2)', async () => {
    const values: number[] = []
    let done: () => void = () => {}
    const two = new Promise<void>((resolve) => (done = resolve))
    const observation = await client!.observe(peer, { method: 'GET', path: '/time' }, (n) => {
      if (n.observe !== undefined) values.push(n.observe)
      if (values.length >= 2) done()
    })
    await two
    expect(values[1]!).toBeGreaterThan(values[0]!)
    await observation.cancel('passive')
  }, 10_000)
})
