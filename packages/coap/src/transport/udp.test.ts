import { createSocket } from 'node:dgram'
import { describe, expect, it } from 'vitest'
import { udp } from './udp.js'

/** A raw node:dgram receiver on 127.0.0.1 that collects the first byte of each datagram. */
async function receiver(): Promise<{ port: number; got: number[]; close: () => void }> {
  const sock = createSocket('udp4')
  const got: number[] = []
  sock.on('message', (msg) => got.push(msg[0] ?? -1))
  await new Promise<void>((resolve) => sock.bind(0, '127.0.0.1', resolve))
  return { port: sock.address().port, got, close: () => sock.close() }
}

async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 5))
}

describe('udp() sends', () => {
  it('sends datagrams without a callback in order, before a later send with a callback', async () => {
    const rx = await receiver()
    const t = udp({ host: '127.0.0.1' })
    await t.open(() => {})
    try {
      const peer = { address: '127.0.0.1', port: rx.port }
      for (let i = 0; i < 20; i++) t.send(Uint8Array.of(i), peer)
      const done = new Promise<Error | undefined>((resolve) => t.send(Uint8Array.of(20), peer, resolve))
      for (let i = 21; i < 30; i++) t.send(Uint8Array.of(i), peer)
      expect(await done).toBeUndefined()
      await until(() => rx.got.length === 30)
      expect(rx.got).toEqual(Array.from({ length: 30 }, (_, i) => i))
    } finally {
      await t.close()
      rx.close()
    }
  })

  it('sends what was sent before close() resolves, and nothing after', async () => {
    const rx = await receiver()
    const t = udp({ host: '127.0.0.1' })
    await t.open(() => {})
    const peer = { address: '127.0.0.1', port: rx.port }
    for (let i = 0; i < 10; i++) t.send(Uint8Array.of(i), peer)
    await t.close()
    const late = await new Promise<Error | undefined>((resolve) => t.send(Uint8Array.of(99), peer, resolve))
    expect(late).toBeInstanceOf(Error)
    await until(() => rx.got.length === 10)
    expect(rx.got).toEqual(Array.from({ length: 10 }, (_, i) => i))
    rx.close()
  })
})
