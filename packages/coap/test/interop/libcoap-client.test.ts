// libcoap's coap-client-notls (Debian libcoap3-bin) against our server.
// RFC 7252 sections 5.8 (methods) and 5.9 (response codes), RFC 7641 (observe),
// RFC 7959 (block-wise). libcoap's tools exit 0 even on failure: each test checks
// the messages the client logged (-v 6) or the body it wrote (-o).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect } from 'vitest'
import { body, coapClient, itWithPeer, LIBCOAP_INSTALL, onPath } from './peers.js'
import { BIG, startTestServer, type TestServer, text } from './server-fixture.js'

const it = itWithPeer(onPath('coap-client-notls'), 'coap-client-notls', LIBCOAP_INSTALL)

describe('interop: libcoap coap-client-notls -> @lwm2m/coap server', () => {
  let server: TestServer
  let dir: string
  let base: string

  beforeAll(async () => {
    server = await startTestServer({ notifyEveryMs: 150 })
    base = `coap://127.0.0.1:${server.port}`
    dir = mkdtempSync(join(tmpdir(), 'lwm2m-interop-'))
  })
  afterAll(async () => {
    await server?.close()
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  it('GET: piggybacked 2.05 with the payload and Content-Format (RFC 7252 section 5.2.1)', async () => {
    const run = await coapClient(['-m', 'get', `${base}/hello`])
    const answer = run.received.find((p) => p.type === 'ACK')
    expect(answer, run.stdout).toMatchObject({ code: '2.05', payload: 'world' })
    expect(answer!.options).toContain('Content-Format:text/plain') // libcoap prints format 0 by name
    expect(server.requests.at(-1)).toMatchObject({ method: 'GET', path: ['hello'], confirmable: true })
  })

  it('PUT creates then changes (2.01, 2.04), GET reads it back (RFC 7252 section 5.8.3)', async () => {
    const first = await coapClient(['-m', 'put', '-t', '0', '-e', 'one', `${base}/store/a`])
    expect(first.received.find((p) => p.type === 'ACK')?.code, first.stdout).toBe('2.01')
    const second = await coapClient(['-m', 'put', '-t', '0', '-e', 'two', `${base}/store/a`])
    expect(second.received.find((p) => p.type === 'ACK')?.code, second.stdout).toBe('2.04')
    expect(text(server.store.get('store/a')!)).toBe('two')
    expect(server.requests.at(-1)).toMatchObject({ method: 'PUT', contentFormat: 0 })
    const read = await coapClient(['-m', 'get', `${base}/store/a`])
    expect(read.received.find((p) => p.type === 'ACK')).toMatchObject({ code: '2.05', payload: 'two' })
  })

  it('POST: 2.01 Created with Location-Path (RFC 7252 sections 5.8.2 and 5.10.7)', async () => {
    const run = await coapClient(['-m', 'post', '-e', 'new item', `${base}/items`])
    const answer = run.received.find((p) => p.type === 'ACK')
    expect(answer?.code, run.stdout).toBe('2.01')
    const location = answer!.options.filter((o) => o.startsWith('Location-Path:'))
    expect(location).toHaveLength(2)
    expect(location[0]).toBe('Location-Path:items')
    const id = location[1]!.slice('Location-Path:'.length)
    expect(text(server.store.get(`items/${id}`)!)).toBe('new item')
  })

  it('DELETE: 2.02, then 4.04 for what is gone (RFC 7252 section 5.8.4)', async () => {
    await coapClient(['-m', 'put', '-e', 'x', `${base}/store/gone`])
    const del = await coapClient(['-m', 'delete', `${base}/store/gone`])
    expect(del.received.find((p) => p.type === 'ACK')?.code, del.stdout).toBe('2.02')
    const again = await coapClient(['-m', 'get', `${base}/store/gone`])
    expect(again.received.find((p) => p.type === 'ACK')?.code, again.stdout).toBe('4.04')
  })

  it('observe (-s): registration answered with Observe, then notifications in order (RFC 7641 sections 3 and 4)', async () => {
    const run = await coapClient(['-s', '2', '-m', 'get', `${base}/counter`], { waitS: 3 })
    const register = run.pdus.find((p) => p.code === 'GET')
    expect(register?.options, run.stdout).toContain('Observe:0')
    const answers = run.received.filter((p) => p.code === '2.05')
    expect(answers.length, run.stdout).toBeGreaterThanOrEqual(4)
    const sequence = answers.map((p) => Number(p.options.find((o) => o.startsWith('Observe:'))?.slice(8)))
    for (let i = 1; i < sequence.length; i++) expect(sequence[i]).toBeGreaterThan(sequence[i - 1]!)
    const values = answers.map((p) => Number(p.payload))
    expect(values[0]).toBe(0)
    for (let i = 1; i < values.length; i++) expect(values[i]).toBeGreaterThan(values[i - 1]!)
  })

  it('Block2 GET with -b 64: the whole body arrives in 64-byte blocks (RFC 7959 section 2.4)', async () => {
    const out = join(dir, 'big.out')
    const run = await coapClient(['-b', '64', '-m', 'get', '-o', out, `${base}/big`])
    const blocks = run.received.filter((p) => p.options.some((o) => o.startsWith('Block2:')))
    expect(blocks.length, run.stdout).toBe(Math.ceil(BIG.length / 64))
    expect(blocks[0]!.options).toContain('Block2:0/M/64')
    expect(readFileSync(out, 'utf8')).toBe(BIG)
  })

  it('Block1 PUT with -b 64: the server reassembles the whole body (RFC 7959 section 2.5)', async () => {
    const input = join(dir, 'up.txt')
    const payload = body(2500, 'u')
    writeFileSync(input, payload)
    const run = await coapClient(['-b', '64', '-m', 'put', '-f', input, `${base}/store/upload`])
    // libcoap logs the first request block and the final answer (the 2.31 Continue in between are not logged).
    expect(run.pdus[0]?.options, run.stdout).toContain('Block1:0/M/64')
    const final = run.received.filter((p) => p.type === 'ACK').at(-1)
    expect(final?.code, run.stdout).toBe('2.01')
    expect(final?.options).toContain(`Block1:${Math.ceil(payload.length / 64) - 1}/_/64`)
    expect(text(server.store.get('store/upload')!)).toBe(payload)
  })

  it('unknown resource: 4.04; method on a resource without it: 4.05 (RFC 7252 section 5.9.2)', async () => {
    const missing = await coapClient(['-m', 'get', `${base}/nothing/here`])
    expect(missing.received.find((p) => p.type === 'ACK')?.code, missing.stdout).toBe('4.04')
    const method = await coapClient(['-m', 'post', '-e', 'x', `${base}/store/a`])
    expect(method.received.find((p) => p.type === 'ACK')?.code, method.stdout).toBe('4.05')
  })
})
