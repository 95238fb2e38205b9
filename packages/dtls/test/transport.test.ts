import { isTransport } from '@lwm2m/coap'
import { describe, expect, it } from 'vitest'
import { DtlsError, dtls, dtlsClient, dtlsServer } from '../src/index.js'
import { PSK } from './support/pair.js'

describe('the Transport contract of @lwm2m/coap', () => {
  it('is a coaps Transport with a bounded datagram size', () => {
    const t = dtlsServer({ port: 0, psk: { key: () => PSK } })
    expect(isTransport(t)).toBe(true)
    expect(t.scheme).toBe('coaps')
    expect(t.maxDatagramSize).toBeGreaterThan(1024)
    expect(t.maxDatagramSize).toBeLessThan(1280)
    expect(dtls({ role: 'client', psk: { identity: 'a', key: PSK } }).role).toBe('client')
  })

  it('opens on an OS-chosen port, reports it, closes idempotently', async () => {
    const t = dtlsServer({ host: '127.0.0.1', port: 0, psk: { key: () => PSK } })
    await t.open(() => {})
    const a = t.address()
    expect(a).toMatchObject({ address: '127.0.0.1', family: 'IPv4' })
    expect(a.port).toBeGreaterThan(0)
    await expect(t.open(() => {})).rejects.toThrow(DtlsError)
    await t.close()
    await t.close()
  })

  it('works over IPv6 loopback', async () => {
    const server = dtlsServer({ host: '::1', port: 0, psk: { key: () => PSK } })
    await server.open((d, p) => server.send(d, p))
    const client = dtlsClient({ host: '::1', psk: { identity: 'six', key: PSK } })
    const got = new Promise<string>((r) => client.open((d) => r(Buffer.from(d).toString())))
    client.send(Buffer.from('v6'), { address: '::1', port: server.address().port })
    expect(await got).toBe('v6')
    expect(client.address().family).toBe('IPv6')
    await client.close()
    await server.close()
  })

  it('reports send errors to the callback, never throws', async () => {
    const t = dtlsClient({ host: '127.0.0.1', psk: { identity: 'a', key: PSK } })
    const before = await new Promise<Error | undefined>((r) =>
      t.send(Buffer.from('x'), { address: '127.0.0.1', port: 9 }, r),
    )
    expect((before as DtlsError).code).toBe('DTLS_CLOSED')
    await t.open(() => {})
    const big = await new Promise<Error | undefined>((r) =>
      t.send(Buffer.alloc(17_000), { address: '127.0.0.1', port: 9 }, r),
    )
    expect((big as DtlsError).code).toBe('DTLS_INVALID_ARGUMENT')
    const pending = new Promise<Error | undefined>((r) =>
      t.send(Buffer.from('x'), { address: '127.0.0.1', port: 9 }, r),
    )
    await t.close()
    expect(((await pending) as DtlsError).code).toBe('DTLS_CLOSED')
  })

  it('a client without credentials for a server reports it', async () => {
    const t = dtlsClient({ host: '127.0.0.1', peerOptions: () => undefined })
    await t.open(() => {})
    const e = await new Promise<Error | undefined>((r) =>
      t.send(Buffer.from('x'), { address: '127.0.0.1', port: 9 }, r),
    )
    expect((e as DtlsError).code).toBe('DTLS_INVALID_ARGUMENT')
    await t.close()
  })
})
