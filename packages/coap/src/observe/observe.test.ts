import { afterEach, describe, expect, it } from 'vitest'
import { type Rig, rig, str, tok, txt } from '../endpoint/raw-peer.test-helper.js'
import type { CoapResponse, ServerObservation } from '../endpoint/types.js'
import { CoapError } from '../errors.js'
import { Code } from '../message/codes.js'
import { encodeString, encodeUint, getUintOption, OptionNumber } from '../message/options.js'
import { MessageType } from '../message/types.js'
import { isNewerNotification } from './freshness.js'

let r: Rig | undefined
afterEach(async () => {
  await r?.close()
  r = undefined
})

const observeOpt = (v: number) => ({ number: OptionNumber.Observe, value: encodeUint(v) })
const path = (s: string) => ({ number: OptionNumber.UriPath, value: encodeString(s) })

/** A rig whose handler accepts observations of /obs and keeps them. */
async function serverRig(options: Parameters<typeof rig>[0] = {}) {
  const observations: ServerObservation[] = []
  r = await rig({
    ...options,
    handler: (_req, ctx) => {
      const o = ctx.observe()
      if (o) observations.push(o)
      return { code: Code.Content, payload: 'v0' }
    },
  })
  return observations
}

describe('RFC 7641 section 3.4: freshness of notifications', () => {
  it('implements the 2^23 rule and the 128 s rule', () => {
    expect(isNewerNotification(5, 0, 6, 1)).toBe(true)
    expect(isNewerNotification(6, 0, 5, 1)).toBe(false)
    expect(isNewerNotification(0xffffff, 0, 2, 1)).toBe(true) // wrapped around
    expect(isNewerNotification(2, 0, 0xffffff, 1)).toBe(false)
    expect(isNewerNotification(10, 0, 10 + (1 << 23), 1)).toBe(false)
    expect(isNewerNotification(10, 0, 9, 128_001)).toBe(true) // more than 128 s later
    expect(isNewerNotification(10, 0, 9, 128_000)).toBe(false)
  })
})

describe('server side (RFC 7641 section 4)', () => {
  it('registers on GET with Observe=0 and answers with an Observe number; notifications count up (section 4.1, 4.4)', async () => {
    const obs = await serverRig()
    r!.send({ code: Code.GET, messageId: 1, token: tok(1, 1), options: [observeOpt(0), path('obs')] })
    await r!.flush()
    const [reg] = r!.take()
    const first = getUintOption(reg!.options, OptionNumber.Observe)!
    expect(first).toBeTypeOf('number')
    expect(obs).toHaveLength(1)
    await obs[0]!.notify({ code: Code.Content, payload: 'v1' })
    await obs[0]!.notify({ code: Code.Content, payload: 'v2' })
    await r!.flush()
    const n = r!.take()
    expect(n.map((m) => [m.type, txt(m.payload), getUintOption(m.options, OptionNumber.Observe)])).toEqual([
      [MessageType.NON, 'v1', (first + 1) & 0xffffff],
      [MessageType.NON, 'v2', (first + 2) & 0xffffff],
    ])
    expect(n.every((m) => m.token[0] === 1 && m.token[1] === 1)).toBe(true)
  })

  it('sends a CON notification when 24 hours passed since the last one (section 4.5)', async () => {
    const obs = await serverRig({ observeConInterval: 24 * 3600_000 })
    r!.send({ code: Code.GET, messageId: 1, token: tok(2), options: [observeOpt(0)] })
    await r!.flush()
    r!.take()
    await obs[0]!.notify({ code: Code.Content, payload: 'a' })
    await r!.advance(23 * 3600_000)
    await obs[0]!.notify({ code: Code.Content, payload: 'b' })
    await r!.advance(3600_000)
    const pending = obs[0]!.notify({ code: Code.Content, payload: 'c' })
    await r!.flush()
    const n = r!.take()
    expect(n.map((m) => m.type)).toEqual([MessageType.NON, MessageType.NON, MessageType.CON])
    r!.send({ type: MessageType.ACK, code: 0, messageId: n[2]!.messageId })
    await pending
    await obs[0]!.notify({ code: Code.Content, payload: 'd' })
    await r!.flush()
    expect(r!.take().map((m) => m.type)).toEqual([MessageType.NON])
  })

  it('removes the observer when a CON notification is not acknowledged (section 4.5)', async () => {
    const obs = await serverRig()
    r!.send({ code: Code.GET, messageId: 1, token: tok(3), options: [observeOpt(0)] })
    await r!.flush()
    const p = obs[0]!
      .notify({ code: Code.Content, payload: 'x' }, { confirmable: true })
      .catch((e: unknown) => e)
    await r!.advance(100_000)
    const err = await p
    expect(CoapError.isInstance(err) && err.code).toBe('COAP_TIMEOUT')
    expect(obs[0]!.signal.aborted).toBe(true)
    expect([...r!.ep.observers()]).toHaveLength(0)
  })

  it('removes the observer on RST to a CON or to a NON notification (section 3.6, 4.5)', async () => {
    const obs = await serverRig()
    r!.send({ code: Code.GET, messageId: 1, token: tok(4), options: [observeOpt(0)] })
    r!.send({ code: Code.GET, messageId: 2, token: tok(5), options: [observeOpt(0)] })
    await r!.flush()
    r!.take()
    const p = obs[0]!.notify({ code: Code.Content }, { confirmable: true }).catch((e: unknown) => e)
    await obs[1]!.notify({ code: Code.Content })
    await r!.flush()
    const [con, non] = r!.take()
    r!.send({ type: MessageType.RST, code: 0, messageId: con!.messageId })
    r!.send({ type: MessageType.RST, code: 0, messageId: non!.messageId })
    await r!.flush()
    expect(CoapError.isInstance(await p)).toBe(true)
    expect(obs.map((o) => o.signal.aborted)).toEqual([true, true])
    expect([...r!.ep.observers()]).toHaveLength(0)
  })

  it('removes the observer on GET with Observe=1 or without Observe on the same token (section 3.6)', async () => {
    const obs = await serverRig()
    r!.send({ code: Code.GET, messageId: 1, token: tok(6), options: [observeOpt(0)] })
    r!.send({ code: Code.GET, messageId: 2, token: tok(7), options: [observeOpt(0)] })
    await r!.flush()
    expect([...r!.ep.observers()]).toHaveLength(2)
    r!.send({ code: Code.GET, messageId: 3, token: tok(6), options: [observeOpt(1)] })
    r!.send({ code: Code.GET, messageId: 4, token: tok(7) })
    await r!.flush()
    const replies = r!.take().slice(2)
    expect(replies.every((m) => getUintOption(m.options, OptionNumber.Observe) === undefined)).toBe(true)
    expect(obs.map((o) => o.signal.aborted)).toEqual([true, true])
    expect([...r!.ep.observers()]).toHaveLength(0)
  })

  it('a newer notification replaces an unacknowledged one in flight, keeping its retransmission state (section 4.5.2)', async () => {
    const obs = await serverRig()
    r!.send({ code: Code.GET, messageId: 1, token: tok(8), options: [observeOpt(0)] })
    await r!.flush()
    r!.take()
    const p1 = obs[0]!.notify({ code: Code.Content, payload: 'old' }, { confirmable: true })
    await r!.flush()
    const [old] = r!.take()
    await r!.advance(3000) // first retransmission of "old"
    const [oldAgain] = r!.take()
    expect(oldAgain?.messageId).toBe(old!.messageId)
    const p2 = obs[0]!.notify({ code: Code.Content, payload: 'new' }, { confirmable: true })
    await expect(p1).resolves.toBeUndefined() // superseded
    await r!.flush()
    const [fresh] = r!.take()
    expect(txt(fresh!.payload)).toBe('new')
    expect(fresh!.messageId).not.toBe(old!.messageId)
    // Only the new one is retransmitted from now on, with the doubled timeout (>= 4 s).
    await r!.advance(3999)
    expect(r!.take()).toHaveLength(0)
    await r!.advance(2001)
    const again = r!.take()
    expect(again.map((m) => txt(m.payload))).toEqual(['new'])
    r!.send({ type: MessageType.ACK, code: 0, messageId: fresh!.messageId })
    await expect(p2).resolves.toBeUndefined()
  })

  it('limits observations per peer: beyond, the response goes without Observe (section 4.1)', async () => {
    const obs = await serverRig({ limits: { maxObservationsPerPeer: 1 } })
    r!.send({ code: Code.GET, messageId: 1, token: tok(9), options: [observeOpt(0)] })
    r!.send({ code: Code.GET, messageId: 2, token: tok(10), options: [observeOpt(0)] })
    await r!.flush()
    const got = r!.take()
    expect(got.map((m) => getUintOption(m.options, OptionNumber.Observe) !== undefined)).toEqual([
      true,
      false,
    ])
    expect(obs).toHaveLength(1)
  })

  it('an error response ends the relation; end() sends a final response without Observe', async () => {
    const obs = await serverRig()
    r!.send({ code: Code.GET, messageId: 1, token: tok(11), options: [observeOpt(0)] })
    await r!.flush()
    r!.take()
    obs[0]!.end({ code: Code.NotFound })
    await r!.flush()
    const [fin] = r!.take()
    expect(fin?.code).toBe(Code.NotFound)
    expect(getUintOption(fin!.options, OptionNumber.Observe)).toBeUndefined()
    expect(obs[0]!.signal.aborted).toBe(true)
    await expect(obs[0]!.notify({ code: Code.Content })).rejects.toThrow(CoapError)
  })
})

describe('client side (RFC 7641 section 3)', () => {
  async function register(): Promise<{
    got: CoapResponse[]
    token: Uint8Array
    obs: Awaited<ReturnType<Rig['ep']['observe']>>
  }> {
    const got: CoapResponse[] = []
    const p = r!.ep.observe(r!.rawPeer, { method: 'GET', path: 'temp' }, (n) => got.push(n))
    await r!.flush()
    const [req] = r!.take()
    expect(getUintOption(req!.options, OptionNumber.Observe)).toBe(0)
    r!.send({
      type: MessageType.ACK,
      code: Code.Content,
      messageId: req!.messageId,
      token: req!.token,
      options: [observeOpt(100)],
      payload: str('r'),
    })
    const obs = await p
    expect(obs.active).toBe(true)
    return { got, token: req!.token, obs }
  }

  it('acknowledges CON notifications and drops reordered stale ones (section 3.3, 3.4)', async () => {
    r = await rig()
    const { got, token } = await register()
    const notify = (mid: number, seq: number, type: MessageType = MessageType.NON) =>
      r!.send({
        type,
        code: Code.Content,
        messageId: mid,
        token,
        options: [observeOpt(seq)],
        payload: str(`s${seq}`),
      })
    notify(1, 102, MessageType.CON)
    notify(2, 101) // older: dropped
    notify(3, 103)
    await r!.flush()
    expect(got.map((n) => txt(n.payload))).toEqual(['s102', 's103'])
    expect(r!.take().map((m) => [m.type, m.messageId])).toEqual([[MessageType.ACK, 1]])
    // 128 s later an older number is accepted (the server may have restarted).
    await r!.advance(128_001)
    notify(4, 50)
    await r!.flush()
    expect(got.map((n) => txt(n.payload))).toEqual(['s102', 's103', 's50'])
    // Wrap-around: 0xffffff then 3 is newer.
    notify(5, 0xffffff - 1)
    await r!.advance(128_001)
    notify(6, 0xffffff)
    notify(7, 3)
    await r!.flush()
    expect(got.slice(-2).map((n) => n.observe)).toEqual([0xffffff, 3])
  })

  it('active cancellation sends GET with Observe=1 and the same token (section 3.6)', async () => {
    r = await rig()
    const { token, obs } = await register()
    const p = obs.cancel('active')
    await r!.flush()
    const [dereg] = r!.take()
    expect(dereg!.code).toBe(Code.GET)
    expect(getUintOption(dereg!.options, OptionNumber.Observe)).toBe(1)
    expect([...dereg!.token]).toEqual([...token])
    expect(dereg!.options.filter((o) => o.number === OptionNumber.UriPath).map((o) => txt(o.value))).toEqual([
      'temp',
    ])
    r!.send({ type: MessageType.ACK, code: Code.Content, messageId: dereg!.messageId, token })
    await p
    expect(obs.signal.aborted).toBe(true)
    expect(r!.ep.stats().pendingRequests).toBe(0)
  })

  it('passive cancellation answers the next notification with RST (section 3.6)', async () => {
    r = await rig()
    const { got, token, obs } = await register()
    await obs.cancel('passive')
    r!.send({ type: MessageType.CON, code: Code.Content, messageId: 9, token, options: [observeOpt(101)] })
    await r!.flush()
    expect(r!.take().map((m) => [m.type, m.messageId])).toEqual([[MessageType.RST, 9]])
    expect(got).toHaveLength(0)
  })

  it('a notification without Observe or with an error code ends the observation (section 3.2)', async () => {
    r = await rig()
    const { got, token, obs } = await register()
    r!.send({ type: MessageType.NON, code: Code.NotFound, messageId: 9, token })
    await r!.flush()
    expect(got.map((n) => n.code)).toEqual([Code.NotFound])
    expect(obs.signal.aborted).toBe(true)
  })

  it('a server answering without Observe makes an inactive observation', async () => {
    r = await rig()
    const p = r.ep.observe(r.rawPeer, { method: 'GET' }, () => {})
    await r.flush()
    const [req] = r.take()
    r.send({ type: MessageType.ACK, code: Code.Content, messageId: req!.messageId, token: req!.token })
    const obs = await p
    expect(obs.active).toBe(false)
    expect(obs.signal.aborted).toBe(true)
    expect(r.ep.stats().pendingRequests).toBe(0)
  })
})

describe('client side: long-lived observations', () => {
  it('keep their peer state while idle, so that a notification an hour later is still accepted', async () => {
    r = await rig()
    const got: CoapResponse[] = []
    const p = r.ep.observe(r.rawPeer, { method: 'GET', path: 'slow' }, (n) => got.push(n))
    await r.flush()
    const [req] = r.take()
    r.send({
      type: MessageType.ACK,
      code: Code.Content,
      messageId: req!.messageId,
      token: req!.token,
      options: [observeOpt(1)],
    })
    const obs = await p
    await r.advance(3600_000) // idle peers are swept every 30 s
    r.send({
      type: MessageType.CON,
      code: Code.Content,
      messageId: 500,
      token: req!.token,
      options: [observeOpt(2)],
      payload: str('later'),
    })
    await r.flush()
    expect(got.map((n) => txt(n.payload))).toEqual(['later'])
    expect(r.take().map((m) => m.type)).toEqual([MessageType.ACK])
    await obs.cancel('passive')
    await r.advance(3600_000)
    expect(r.ep.stats().peers).toBe(0)
  })
})
