import { getEventListeners } from 'node:events'
import { afterEach, describe, expect, it } from 'vitest'
import { CoapError } from '../errors.js'
import { Code } from '../message/codes.js'
import { encodeString, encodeUint, getUintOption, OptionNumber } from '../message/options.js'
import { MessageType } from '../message/types.js'
import { type Rig, rig, str, tok, txt } from './raw-peer.test-helper.js'

let r: Rig | undefined
afterEach(async () => {
  await r?.close()
  r = undefined
})

const uriPath = (s: string) => ({ number: OptionNumber.UriPath, value: encodeString(s) })

describe('message layer: retransmission (RFC 7252 section 4.2, 4.8)', () => {
  it('retransmits a CON with exponential back-off within ACK_RANDOM_FACTOR, then gives up after MAX_RETRANSMIT', async () => {
    r = await rig()
    const start = r.clock.now()
    const p = r.ep.request(r.rawPeer, { method: 'GET', path: 'x' }).catch((e: unknown) => e)
    await r.advance(0)
    for (let i = 0; i < 100 && r.inbox.length < 5; i++) await r.advance(1000)
    await r.advance(60_000)
    const err = await p
    const sent = r.take()
    expect(sent).toHaveLength(5) // 1 transmission + MAX_RETRANSMIT (4)
    expect(new Set(sent.map((m) => m.messageId)).size).toBe(1)
    expect(sent.every((m) => m.type === MessageType.CON)).toBe(true)
    const t0 = sent[1]!.at - sent[0]!.at
    // Initial timeout between ACK_TIMEOUT and ACK_TIMEOUT * ACK_RANDOM_FACTOR (1 s steps of the fake clock round up).
    expect(t0).toBeGreaterThanOrEqual(2000)
    expect(t0).toBeLessThanOrEqual(3000)
    expect(sent[0]!.at).toBe(start)
    expect(CoapError.isInstance(err) && err.code).toBe('COAP_TIMEOUT')
  })

  it('doubles the timeout exactly at each retransmission (fine-grained clock)', async () => {
    r = await rig()
    let settled = false
    const p = r.ep
      .request(r.rawPeer, { method: 'GET' })
      .catch((e: unknown) => e)
      .finally(() => (settled = true))
    await r.flush()
    // Step through each timer exactly.
    for (let i = 0; i < 20 && !settled; i++) {
      const due = r.clock.nextDue()
      if (due === undefined) break
      await r.advance(due - r.clock.now())
    }
    const sent = r.take()
    expect(sent).toHaveLength(5)
    const gaps = sent.slice(1).map((m, i) => m.at - sent[i]!.at)
    const t = gaps[0]!
    expect(t).toBeGreaterThanOrEqual(2000)
    expect(t).toBeLessThanOrEqual(3000)
    expect(gaps).toEqual([t, 2 * t, 4 * t, 8 * t])
    const err = await p
    expect(CoapError.isInstance(err) && err.code).toBe('COAP_TIMEOUT')
    // Gave up after 31 initial timeouts: within MAX_TRANSMIT_WAIT (93 s).
    expect(r.clock.now() - sent[0]!.at).toBeLessThanOrEqual(93_000)
  })

  it('stops retransmitting once the ACK arrives; a piggybacked response resolves the request', async () => {
    r = await rig()
    const p = r.ep.request(r.rawPeer, { method: 'GET', path: 'a' })
    await r.flush()
    const [req] = r.take()
    r.send({
      type: MessageType.ACK,
      code: Code.Content,
      messageId: req!.messageId,
      token: req!.token,
      payload: str('hi'),
    })
    const res = await p
    expect(txt(res.payload)).toBe('hi')
    await r.advance(100_000)
    expect(r.take()).toHaveLength(0)
  })

  it('uses configurable parameters (ACK_TIMEOUT 500 ms, MAX_RETRANSMIT 2)', async () => {
    r = await rig({ parameters: { ackTimeout: 500, ackRandomFactor: 1, maxRetransmit: 2 } })
    const p = r.ep.request(r.rawPeer, { method: 'GET' }).catch((e: unknown) => e)
    await r.flush()
    await r.advance(500)
    await r.advance(1000)
    await r.advance(2000)
    const sent = r.take()
    expect(sent.map((m) => m.at - sent[0]!.at)).toEqual([0, 500, 1500])
    expect(CoapError.isInstance(await p)).toBe(true)
  })

  it('NSTART=1: a second CON request to the same peer waits for the first ACK (section 4.7)', async () => {
    r = await rig()
    const p1 = r.ep.request(r.rawPeer, { method: 'GET', path: '1' })
    const p2 = r.ep.request(r.rawPeer, { method: 'GET', path: '2' })
    await r.flush()
    const first = r.take()
    expect(first).toHaveLength(1)
    r.send({
      type: MessageType.ACK,
      code: Code.Content,
      messageId: first[0]!.messageId,
      token: first[0]!.token,
    })
    await p1
    await r.flush()
    const second = r.take()
    expect(second).toHaveLength(1)
    r.send({
      type: MessageType.ACK,
      code: Code.Content,
      messageId: second[0]!.messageId,
      token: second[0]!.token,
    })
    await p2
  })

  it('uses random 8-byte tokens and sequential Message IDs from a random start (section 5.3.1, 4.4)', async () => {
    r = await rig({ parameters: { nstart: 4 } })
    for (let i = 0; i < 3; i++) void r.ep.request(r.rawPeer, { method: 'GET', timeout: 10 }).catch(() => {})
    await r.flush()
    const sent = r.take()
    expect(sent.map((m) => m.token.length)).toEqual([8, 8, 8])
    expect(new Set(sent.map((m) => Buffer.from(m.token).toString('hex'))).size).toBe(3)
    expect(sent[1]!.messageId).toBe((sent[0]!.messageId + 1) & 0xffff)
    await r.advance(20)
  })
})

describe('message layer: deduplication (RFC 7252 section 4.5)', () => {
  it('runs the handler once for a duplicated CON and repeats the same piggybacked response', async () => {
    let runs = 0
    r = await rig({ handler: () => ({ code: Code.Content, payload: `run ${++runs}` }) })
    const msg = { code: Code.POST, messageId: 0x1234, token: tok(1, 2), options: [uriPath('c')] }
    r.send(msg)
    await r.flush()
    r.send(msg)
    await r.flush()
    await r.advance(200_000) // within EXCHANGE_LIFETIME (247 s)
    r.send(msg)
    await r.flush()
    const got = r.take()
    expect(runs).toBe(1)
    expect(got).toHaveLength(3)
    expect(got.every((m) => m.type === MessageType.ACK && txt(m.payload) === 'run 1')).toBe(true)
    expect(Buffer.from(got[2]!.bytes).equals(Buffer.from(got[0]!.bytes))).toBe(true)
  })

  it('forgets a Message ID after EXCHANGE_LIFETIME (247 s with the defaults)', async () => {
    let runs = 0
    r = await rig({ handler: () => ({ code: Code.Content, payload: `run ${++runs}` }) })
    const msg = { code: Code.POST, messageId: 7, token: tok(9) }
    r.send(msg)
    await r.flush()
    await r.advance(247_001)
    r.send(msg)
    await r.flush()
    expect(runs).toBe(2)
    expect(r.ep.params.exchangeLifetime).toBe(247_000)
    expect(r.ep.stats().deduplication).toBe(1)
  })

  it('drops a duplicated NON within NON_LIFETIME without running the handler again', async () => {
    let runs = 0
    r = await rig({ handler: () => ({ code: Code.Content, payload: `run ${++runs}` }) })
    const msg = { type: MessageType.NON, code: Code.GET, messageId: 99, token: tok(5) }
    r.send(msg)
    await r.flush()
    r.send(msg)
    await r.flush()
    expect(runs).toBe(1)
    const got = r.take()
    expect(got).toHaveLength(1)
    expect(got[0]!.type).toBe(MessageType.NON)
    await r.advance(145_001) // NON_LIFETIME
    r.send(msg)
    await r.flush()
    expect(runs).toBe(2)
  })

  it('treats a reused Message ID with another token as a new message', async () => {
    let runs = 0
    r = await rig({ handler: () => ({ code: Code.Content, payload: `run ${++runs}` }) })
    r.send({ code: Code.GET, messageId: 3, token: tok(1) })
    r.send({ code: Code.GET, messageId: 3, token: tok(2) })
    await r.flush()
    expect(runs).toBe(2)
  })

  it('keeps the deduplication table bounded', async () => {
    r = await rig({ handler: () => ({ code: Code.Content }), limits: { maxDeduplicationEntries: 50 } })
    for (let i = 0; i < 200; i++)
      r.send({ type: MessageType.NON, code: Code.GET, messageId: i, token: tok(i & 0xff) })
    await r.flush()
    expect(r.ep.stats().deduplication).toBeLessThanOrEqual(50)
  })
})

describe('message layer: separate responses (RFC 7252 section 5.2.2)', () => {
  it('acknowledges first when the handler is slow, then sends the response as CON and retransmits it', async () => {
    r = await rig({
      separateResponseDelay: 300,
      handler: () =>
        new Promise((resolve) => setTimeout(() => resolve({ code: Code.Content, payload: 'late' }), 0)),
    })
    let release: (() => void) | undefined
    r.ep.setHandler(
      () => new Promise((resolve) => (release = () => resolve({ code: Code.Content, payload: 'late' }))),
    )
    r.send({ code: Code.GET, messageId: 0x100, token: tok(7, 7) })
    await r.flush()
    expect(r.take()).toHaveLength(0)
    await r.advance(300)
    const [ack] = r.take()
    expect(ack?.type).toBe(MessageType.ACK)
    expect(ack?.code).toBe(0)
    expect(ack?.messageId).toBe(0x100)
    // A duplicate of the request now gets the Empty ACK again.
    r.send({ code: Code.GET, messageId: 0x100, token: tok(7, 7) })
    await r.flush()
    expect(r.take().map((m) => m.code)).toEqual([0])
    release!()
    await r.flush()
    const [res] = r.take()
    expect(res?.type).toBe(MessageType.CON)
    expect(res?.code).toBe(Code.Content)
    expect([...res!.token]).toEqual([7, 7])
    expect(txt(res!.payload)).toBe('late')
    // Not acknowledged: retransmitted with the same Message ID.
    await r.advance(3000)
    const [again] = r.take()
    expect(again?.messageId).toBe(res!.messageId)
    r.send({ type: MessageType.ACK, code: 0, messageId: res!.messageId })
    await r.advance(100_000)
    expect(r.take()).toHaveLength(0)
  })

  it('client: Empty ACK then a CON response, which it acknowledges; a duplicate is acknowledged again, delivered once', async () => {
    r = await rig()
    const p = r.ep.request(r.rawPeer, { method: 'GET', path: 's' })
    await r.flush()
    const [req] = r.take()
    r.send({ type: MessageType.ACK, code: 0, messageId: req!.messageId })
    await r.advance(10_000) // no retransmission after the Empty ACK
    expect(r.take()).toHaveLength(0)
    const response = {
      type: MessageType.CON,
      code: Code.Content,
      messageId: 0x5555,
      token: req!.token,
      payload: str('sep'),
    }
    r.send(response)
    const res = await p
    expect(txt(res.payload)).toBe('sep')
    r.send(response)
    await r.flush()
    const acks = r.take()
    expect(acks.map((m) => [m.type, m.code, m.messageId])).toEqual([
      [MessageType.ACK, 0, 0x5555],
      [MessageType.ACK, 0, 0x5555],
    ])
  })

  it('client: a separate response arriving before the ACK also ends retransmission', async () => {
    r = await rig()
    const p = r.ep.request(r.rawPeer, { method: 'GET' })
    await r.flush()
    const [req] = r.take()
    r.send({
      type: MessageType.NON,
      code: Code.Content,
      messageId: 0x77,
      token: req!.token,
      payload: str('non'),
    })
    expect(txt((await p).payload)).toBe('non')
    await r.advance(100_000)
    expect(r.take()).toHaveLength(0)
  })
})

describe('message layer: rejecting messages (RFC 7252 section 4.2, 4.3)', () => {
  it('answers a CON or NON response matching no exchange with RST; ignores an unmatched ACK or RST', async () => {
    r = await rig()
    r.send({ type: MessageType.CON, code: Code.Content, messageId: 11, token: tok(1, 2, 3) })
    r.send({ type: MessageType.NON, code: Code.Content, messageId: 12, token: tok(1, 2, 3) })
    r.send({ type: MessageType.ACK, code: Code.Content, messageId: 13, token: tok(1) })
    r.send({ type: MessageType.RST, code: 0, messageId: 14 })
    await r.flush()
    const got = r.take()
    expect(got.map((m) => [m.type, m.messageId])).toEqual([
      [MessageType.RST, 11],
      [MessageType.RST, 12],
    ])
  })

  it('answers CoAP ping (Empty CON) with RST and ignores an Empty NON', async () => {
    r = await rig()
    r.send({ type: MessageType.CON, code: 0, messageId: 21 })
    r.send({ type: MessageType.NON, code: 0, messageId: 22 })
    await r.flush()
    expect(r.take().map((m) => [m.type, m.code, m.messageId])).toEqual([[MessageType.RST, 0, 21]])
  })

  it('rejects a CON with a format error with RST and drops a NON with one', async () => {
    r = await rig()
    r.sendBytes(Uint8Array.of(0x40, 0x01, 0x00, 0x31, 0xff)) // payload marker without payload
    r.sendBytes(Uint8Array.of(0x50, 0x01, 0x00, 0x32, 0xff))
    r.sendBytes(Uint8Array.of(0x41, 0x00, 0x00, 0x33, 0x01)) // Empty message with a token
    r.sendBytes(Uint8Array.of(0x49, 0x01, 0x00, 0x34)) // token length 9
    r.sendBytes(Uint8Array.of(0x40, 0x01)) // too short: nothing to answer
    r.sendBytes(Uint8Array.of(0x80, 0x01, 0x00, 0x35)) // version 2: silently ignored
    await r.flush()
    expect(r.take().map((m) => [m.type, m.messageId])).toEqual([
      [MessageType.RST, 0x31],
      [MessageType.RST, 0x33],
      [MessageType.RST, 0x34],
    ])
  })

  it('rejects reserved code classes 1, 6 and 7 with RST', async () => {
    r = await rig()
    r.send({ type: MessageType.CON, code: (1 << 5) | 1, messageId: 41, token: tok(1) })
    r.send({ type: MessageType.CON, code: (6 << 5) | 0, messageId: 42, token: tok(1) })
    r.send({ type: MessageType.CON, code: (7 << 5) | 3, messageId: 43, token: tok(1) })
    await r.flush()
    expect(r.take().map((m) => [m.type, m.messageId])).toEqual([
      [MessageType.RST, 41],
      [MessageType.RST, 42],
      [MessageType.RST, 43],
    ])
  })

  it('answers a datagram over maxMessageSize with RST when CON', async () => {
    r = await rig({ limits: { maxMessageSize: 100 } })
    r.send({ code: Code.PUT, messageId: 51, token: tok(1), payload: new Uint8Array(200) })
    await r.flush()
    expect(r.take().map((m) => [m.type, m.messageId])).toEqual([[MessageType.RST, 51]])
  })
})

describe('server: request checks (RFC 7252 section 5.4, 5.8; RFC 7967)', () => {
  it('answers 4.02 for unrecognized or malformed critical options, ignores unknown elective ones (section 5.4.1)', async () => {
    r = await rig({ handler: () => ({ code: Code.Content, payload: 'ok' }) })
    r.send({ code: Code.GET, messageId: 1, token: tok(1), options: [{ number: 2049, value: tok(1) }] })
    r.send({ code: Code.GET, messageId: 2, token: tok(2), options: [{ number: 2048, value: tok(1) }] })
    r.send({
      code: Code.GET,
      messageId: 3,
      token: tok(3),
      options: [{ number: OptionNumber.UriHost, value: new Uint8Array(0) }],
    })
    r.send({
      code: Code.GET,
      messageId: 4,
      token: tok(4),
      options: [{ number: OptionNumber.OSCORE, value: tok(1) }],
    })
    await r.flush()
    const got = r.take()
    expect(got.map((m) => [m.messageId, m.code])).toEqual([
      [1, Code.BadOption],
      [2, Code.Content],
      [3, Code.BadOption],
      [4, Code.BadOption],
    ])
  })

  it('honours criticalOptions the application handles', async () => {
    r = await rig({ handler: () => ({ code: Code.Content }), criticalOptions: [2049] })
    r.send({ code: Code.GET, messageId: 1, token: tok(1), options: [{ number: 2049, value: tok(1) }] })
    await r.flush()
    expect(r.take()[0]?.code).toBe(Code.Content)
  })

  it('answers 4.05 for unknown method codes (section 5.8) and 5.05 for proxy requests (section 5.7.2)', async () => {
    r = await rig({ handler: () => ({ code: Code.Content }) })
    r.send({ code: 0x1f, messageId: 1, token: tok(1) })
    r.send({
      code: Code.GET,
      messageId: 2,
      token: tok(2),
      options: [{ number: OptionNumber.ProxyUri, value: str('coap://x/') }],
    })
    await r.flush()
    expect(r.take().map((m) => m.code)).toEqual([Code.MethodNotAllowed, Code.ProxyingNotSupported])
  })

  it('answers 5.00 when the handler throws or rejects, and logs it', async () => {
    const logged: string[] = []
    const logger = { debug() {}, info() {}, warn() {}, error: (m: string) => logged.push(m) }
    let n = 0
    r = await rig({
      logger,
      handler: () => {
        if (n++ === 0) throw new Error('sync')
        return Promise.reject(new Error('async'))
      },
    })
    r.send({ code: Code.GET, messageId: 1, token: tok(1) })
    r.send({ code: Code.GET, messageId: 2, token: tok(2) })
    await r.flush()
    expect(r.take().map((m) => m.code)).toEqual([Code.InternalServerError, Code.InternalServerError])
    expect(logged).toHaveLength(2)
  })

  it('honours No-Response (RFC 7967): suppressed 2.xx gets an Empty ACK for CON, nothing for NON', async () => {
    r = await rig({ handler: (req) => ({ code: req.path[0] === 'bad' ? Code.NotFound : Code.Changed }) })
    const nr = (v: number) => ({ number: OptionNumber.NoResponse, value: encodeUint(v) })
    r.send({ code: Code.PUT, messageId: 1, token: tok(1), options: [nr(2)] })
    r.send({ type: MessageType.NON, code: Code.PUT, messageId: 2, token: tok(2), options: [nr(2)] })
    r.send({
      type: MessageType.NON,
      code: Code.PUT,
      messageId: 3,
      token: tok(3),
      options: [nr(2), uriPath('bad')],
    })
    r.send({
      type: MessageType.NON,
      code: Code.PUT,
      messageId: 4,
      token: tok(4),
      options: [nr(26), uriPath('bad')],
    })
    await r.flush()
    const got = r.take()
    expect(got.map((m) => [m.type, m.code])).toEqual([
      [MessageType.ACK, 0],
      [MessageType.NON, Code.NotFound],
    ])
  })

  it('passes Max-Age, ETag, Location-Path and Location-Query through', async () => {
    r = await rig({
      handler: () => ({
        code: Code.Created,
        maxAge: 60,
        etag: tok(1, 2, 3),
        locationPath: ['rd', 'x1'],
        locationQuery: ['a=b'],
      }),
    })
    const res = await (async () => {
      r!.send({ code: Code.POST, messageId: 1, token: tok(1) })
      await r!.flush()
      return r!.take()[0]!
    })()
    expect(getUintOption(res.options, OptionNumber.MaxAge)).toBe(60)
    expect(
      res.options.filter((o) => o.number === OptionNumber.LocationPath).map((o) => txt(o.value)),
    ).toEqual(['rd', 'x1'])
    expect([...res.options.find((o) => o.number === OptionNumber.ETag)!.value]).toEqual([1, 2, 3])
  })

  it('answers 5.03 with Max-Age beyond maxExchangesPerPeer, while another peer is served', async () => {
    r = await rig({
      limits: { maxExchangesPerPeer: 2 },
      handler: (req) => (req.path[0] === 'hang' ? new Promise(() => {}) : { code: Code.Content }),
    })
    for (let i = 1; i <= 3; i++)
      r.send({
        type: MessageType.NON,
        code: Code.GET,
        messageId: i,
        token: tok(i),
        options: [uriPath('hang')],
      })
    await r.flush()
    const got = r.take()
    expect(got.map((m) => m.code)).toEqual([Code.ServiceUnavailable])
    expect(getUintOption(got[0]!.options, OptionNumber.MaxAge)).toBeGreaterThan(0)
    // Another client is unaffected.
    const { createEndpoint } = await import('./endpoint.js')
    const other = await createEndpoint({ transport: r.net.transport(), clock: r.clock })
    const res = await other.request(r.to, { method: 'GET', path: 'ok' })
    expect(res.code).toBe(Code.Content)
    await other.close()
  })
})

describe('client: ping and matching (RFC 7252 section 4.3, 5.3.2)', () => {
  it('ping resolves on RST and fails after MAX_RETRANSMIT without answer', async () => {
    r = await rig()
    const p = r.ep.ping(r.rawPeer)
    await r.flush()
    const [ping] = r.take()
    expect([ping!.type, ping!.code, ping!.token.length]).toEqual([MessageType.CON, 0, 0])
    r.send({ type: MessageType.RST, code: 0, messageId: ping!.messageId })
    await expect(p).resolves.toBeUndefined()
    const q = r.ep.ping(r.rawPeer).catch((e: unknown) => e)
    await r.advance(100_000)
    const err = await q
    expect(CoapError.isInstance(err) && err.code).toBe('COAP_TIMEOUT')
  })

  it('a request answered with RST fails with COAP_RESET', async () => {
    r = await rig()
    const p = r.ep.request(r.rawPeer, { method: 'GET' }).catch((e: unknown) => e)
    await r.flush()
    const [req] = r.take()
    r.send({ type: MessageType.RST, code: 0, messageId: req!.messageId })
    const err = await p
    expect(CoapError.isInstance(err) && err.code).toBe('COAP_RESET')
  })

  it('ignores a piggybacked response with another token (and fails by timeout)', async () => {
    r = await rig()
    const p = r.ep.request(r.rawPeer, { method: 'GET', timeout: 5000 }).catch((e: unknown) => e)
    await r.flush()
    const [req] = r.take()
    r.send({ type: MessageType.NON, code: Code.Content, messageId: 5, token: tok(0xde, 0xad) })
    await r.flush()
    expect(r.take().map((m) => m.type)).toEqual([MessageType.RST])
    await r.advance(6000)
    const err = await p
    expect(CoapError.isInstance(err) && err.code).toBe('COAP_TIMEOUT')
    expect(req).toBeDefined()
  })

  it('aborts through an AbortSignal and stops retransmitting', async () => {
    r = await rig()
    const ac = new AbortController()
    const p = r.ep.request(r.rawPeer, { method: 'GET', signal: ac.signal }).catch((e: unknown) => e)
    await r.flush()
    ac.abort()
    const err = await p
    expect(CoapError.isInstance(err) && err.code).toBe('COAP_ABORTED')
    r.take()
    await r.advance(100_000)
    expect(r.take()).toHaveLength(0)
    expect(r.ep.stats().outgoing).toBe(0)
    expect(r.ep.stats().pendingRequests).toBe(0)
  })

  it('aborts every request running under one signal, with one listener on it however many ran', async () => {
    r = await rig()
    const ac = new AbortController()
    // Ten requests answered one after the other, then three left running under the same signal.
    for (let i = 0; i < 10; i++) {
      const p = r.ep.request(r.rawPeer, { method: 'GET', path: 'a', signal: ac.signal })
      await r.flush()
      const [req] = r.take()
      r.send({ type: MessageType.ACK, code: Code.Content, messageId: req!.messageId, token: req!.token })
      expect((await p).code).toBe(Code.Content)
    }
    const running = [0, 1, 2].map(() =>
      r!.ep.request(r!.rawPeer, { method: 'GET', path: 'b', signal: ac.signal }).catch((e: unknown) => e),
    )
    await r.flush()
    // NSTART 1 (RFC 7252 section 4.7): one on the wire, two waiting for it.
    expect(r.take()).toHaveLength(1)
    expect(getEventListeners(ac.signal, 'abort')).toHaveLength(1)
    ac.abort()
    for (const err of await Promise.all(running)) {
      expect(CoapError.isInstance(err) && err.code).toBe('COAP_ABORTED')
    }
    await r.advance(100_000)
    expect(r.take()).toHaveLength(0)
    expect(r.ep.stats().outgoing).toBe(0)
    expect(r.ep.stats().pendingRequests).toBe(0)
    // An aborted signal fails a new request at once.
    const late = await r.ep.request(r.rawPeer, { method: 'GET', signal: ac.signal }).catch((e: unknown) => e)
    expect(CoapError.isInstance(late) && late.code).toBe('COAP_ABORTED')
  })

  it('resolves coap:// URIs with names through the injected resolver and sends Uri-Host', async () => {
    const asked: string[] = []
    r = await rig({
      resolve: async (host) => {
        asked.push(host)
        return '127.0.0.1'
      },
    })
    const port = r.rawPeer.port
    const p = r.ep.request(`coap://device.example:${port}/a/b?x=1`, {
      method: 'GET',
      path: 'c',
      query: ['y=2'],
    })
    await r.flush()
    const [req] = r.take()
    expect(asked).toEqual(['device.example'])
    const opts = req!.options
    expect(opts.filter((o) => o.number === OptionNumber.UriHost).map((o) => txt(o.value))).toEqual([
      'device.example',
    ])
    expect(opts.filter((o) => o.number === OptionNumber.UriPath).map((o) => txt(o.value))).toEqual([
      'a',
      'b',
      'c',
    ])
    expect(opts.filter((o) => o.number === OptionNumber.UriQuery).map((o) => txt(o.value))).toEqual([
      'x=1',
      'y=2',
    ])
    r.send({ type: MessageType.ACK, code: Code.Content, messageId: req!.messageId, token: req!.token })
    await p
    const bad = await r.ep.request('coaps://h/', { method: 'GET' }).catch((e: unknown) => e)
    expect(CoapError.isInstance(bad) && bad.code).toBe('COAP_INVALID_URI')
  })
})

describe('client: request options (RFC 7252 section 5.10.1, 6.4)', () => {
  it('sends each path as its own Uri-Path options, kept encoded between requests without mixing them up', async () => {
    r = await rig()
    const paths: (string | string[])[] = [
      ['a/b'],
      ['a', 'b'],
      'a/b',
      '/a/b',
      ['', 'a'],
      ['a/b'],
      ['3', '0'],
      ['3', '0'],
    ]
    const seen: string[][] = []
    for (const path of paths) {
      const p = r.ep.request(r.rawPeer, { method: 'GET', path, accept: 11542 })
      await r.flush()
      const [req] = r.take()
      seen.push(req!.options.filter((o) => o.number === OptionNumber.UriPath).map((o) => txt(o.value)))
      expect(getUintOption(req!.options, OptionNumber.Accept)).toBe(11542)
      r.send({ type: MessageType.ACK, code: Code.Content, messageId: req!.messageId, token: req!.token })
      await p
    }
    expect(seen).toEqual([
      ['a/b'],
      ['a', 'b'],
      ['a', 'b'],
      ['a', 'b'],
      ['', 'a'],
      ['a/b'],
      ['3', '0'],
      ['3', '0'],
    ])
  })
})

describe('client: options of responses (RFC 7252 section 5.4.1, 5.3.2)', () => {
  it('rejects a CON response with an unrecognized critical option with RST, and fails a piggybacked one', async () => {
    r = await rig()
    const p = r.ep.request(r.rawPeer, { method: 'GET', timeout: 20_000 }).catch((e: unknown) => e)
    await r.flush()
    const [req] = r.take()
    r.send({ type: MessageType.ACK, code: 0, messageId: req!.messageId })
    r.send({
      type: MessageType.CON,
      code: Code.Content,
      messageId: 77,
      token: req!.token,
      options: [{ number: 2049, value: tok(1) }],
    })
    await r.flush()
    expect(r.take().map((m) => [m.type, m.messageId])).toEqual([[MessageType.RST, 77]])
    r.send({
      type: MessageType.CON,
      code: Code.Content,
      messageId: 78,
      token: req!.token,
      payload: str('fine'),
    })
    const res = await p
    expect(txt((res as { payload: Uint8Array }).payload)).toBe('fine')

    const q = r.ep.request(r.rawPeer, { method: 'GET' }).catch((e: unknown) => e)
    await r.flush()
    const req2 = r.take().find((m) => m.type === MessageType.CON)
    r.send({
      type: MessageType.ACK,
      code: Code.Content,
      messageId: req2!.messageId,
      token: req2!.token,
      options: [{ number: 2049, value: tok(1) }],
    })
    const err = await q
    expect(CoapError.isInstance(err) && err.code).toBe('COAP_MALFORMED')
  })

  it('treats a piggybacked response with the wrong token as a bare ACK and waits for the real one', async () => {
    r = await rig()
    const p = r.ep.request(r.rawPeer, { method: 'GET' })
    await r.flush()
    const [req] = r.take()
    r.send({
      type: MessageType.ACK,
      code: Code.Content,
      messageId: req!.messageId,
      token: tok(9, 9, 9),
      payload: str('wrong'),
    })
    await r.advance(5000)
    expect(r.take()).toHaveLength(0) // acknowledged: no retransmission
    r.send({
      type: MessageType.NON,
      code: Code.Content,
      messageId: 5,
      token: req!.token,
      payload: str('right'),
    })
    expect(txt((await p).payload)).toBe('right')
  })
})

describe('deduplication bounds per peer', () => {
  it("drops a peer's oldest entries beyond maxDeduplicationEntriesPerPeer, never another peer's", async () => {
    r = await rig({ handler: () => ({ code: Code.Content }), limits: { maxDeduplicationEntriesPerPeer: 10 } })
    for (let i = 0; i < 30; i++) r.send({ code: Code.GET, messageId: i, token: tok(i) })
    await r.flush()
    expect(r.ep.stats().deduplication).toBe(10)
    let runs = 0
    r.ep.setHandler(() => ({ code: Code.Content, payload: String(++runs) }))
    r.send({ code: Code.GET, messageId: 29, token: tok(29) }) // still remembered: not run again
    r.send({ code: Code.GET, messageId: 0, token: tok(0) }) // forgotten: runs
    await r.flush()
    expect(runs).toBe(1)
  })
})

describe('server: handlers that never answer', () => {
  it('are given up after handlerTimeout, freeing the peer quota and aborting the context signal', async () => {
    let signal: AbortSignal | undefined
    r = await rig({
      handlerTimeout: 10_000,
      handler: (_req, ctx) => {
        signal = ctx.signal
        return new Promise(() => {})
      },
    })
    r.send({ code: Code.GET, messageId: 1, token: tok(1) })
    r.send({ type: MessageType.NON, code: Code.GET, messageId: 2, token: tok(2) })
    await r.flush()
    expect(r.ep.stats().handling).toBe(2)
    await r.advance(600)
    expect(r.take().map((m) => [m.type, m.code])).toEqual([[MessageType.ACK, 0]]) // separate ACK for the CON one
    await r.advance(10_000)
    expect(r.ep.stats().handling).toBe(0)
    expect(signal?.aborted).toBe(true)
  })
})
