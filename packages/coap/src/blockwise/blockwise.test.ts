import { afterEach, describe, expect, it } from 'vitest'
import { type Rig, rig, str, tok, txt } from '../endpoint/raw-peer.test-helper.js'
import type { CoapResponse } from '../endpoint/types.js'
import { CoapError } from '../errors.js'
import { type BlockValue, decodeBlock, encodeBlock } from '../message/block.js'
import { Code } from '../message/codes.js'
import { encodeString, encodeUint, getOption, getUintOption, OptionNumber } from '../message/options.js'
import { type CoapOption, MessageType } from '../message/types.js'

let r: Rig | undefined
afterEach(async () => {
  await r?.close()
  r = undefined
})

const body = (n: number, seed = 0) => Uint8Array.from({ length: n }, (_, i) => (i * 13 + seed) & 0xff)
const b1 = (v: BlockValue): CoapOption => ({ number: OptionNumber.Block1, value: encodeBlock(v) })
const b2 = (v: BlockValue): CoapOption => ({ number: OptionNumber.Block2, value: encodeBlock(v) })
const path = (s: string): CoapOption => ({ number: OptionNumber.UriPath, value: encodeString(s) })
const tag = (...b: number[]): CoapOption => ({ number: OptionNumber.RequestTag, value: Uint8Array.from(b) })
const block = (opts: readonly CoapOption[], n: number) => {
  const v = getOption(opts, n)
  return v === undefined ? undefined : decodeBlock(v)
}

describe('server Block2 (RFC 7959 section 2.2-2.4)', () => {
  it('answers a large body block by block (late negotiation), serving later blocks from the body kept from block 0', async () => {
    const data = body(2500)
    let runs = 0
    r = await rig({ handler: () => ({ code: Code.Content, payload: data, etag: tok(1) }) })
    r.ep.setHandler(() => {
      runs++
      return { code: Code.Content, payload: data, etag: tok(1) }
    })
    r.send({ code: Code.GET, messageId: 1, token: tok(1), options: [path('big')] })
    await r.flush()
    const [m0] = r.take()
    expect(block(m0!.options, OptionNumber.Block2)).toEqual({ num: 0, more: true, szx: 6 })
    expect(getUintOption(m0!.options, OptionNumber.Size2)).toBe(2500)
    expect(m0!.payload.length).toBe(1024)
    r.send({
      code: Code.GET,
      messageId: 2,
      token: tok(2),
      options: [path('big'), b2({ num: 1, more: false, szx: 6 })],
    })
    r.send({
      code: Code.GET,
      messageId: 3,
      token: tok(3),
      options: [path('big'), b2({ num: 2, more: false, szx: 6 })],
    })
    await r.flush()
    const [m1, m2] = r.take()
    expect(block(m1!.options, OptionNumber.Block2)).toEqual({ num: 1, more: true, szx: 6 })
    expect(block(m2!.options, OptionNumber.Block2)).toEqual({ num: 2, more: false, szx: 6 })
    expect([...m0!.payload, ...m1!.payload, ...m2!.payload]).toEqual([...data])
    expect(runs).toBe(1)
  })

  it('honours the block size the client asks for (early negotiation) and a smaller one later', async () => {
    const data = body(1000, 1)
    r = await rig({ handler: () => ({ code: Code.Content, payload: data }) })
    r.send({ code: Code.GET, messageId: 1, token: tok(1), options: [b2({ num: 0, more: false, szx: 2 })] })
    await r.flush()
    const [m0] = r.take()
    expect(block(m0!.options, OptionNumber.Block2)).toEqual({ num: 0, more: true, szx: 2 })
    expect([...m0!.payload]).toEqual([...data.subarray(0, 64)])
    // Block 1 at 512 bytes is offset 512; asking with szx 5.
    r.send({ code: Code.GET, messageId: 2, token: tok(2), options: [b2({ num: 1, more: false, szx: 5 })] })
    await r.flush()
    const [m1] = r.take()
    expect(block(m1!.options, OptionNumber.Block2)).toEqual({ num: 1, more: false, szx: 5 })
    expect([...m1!.payload]).toEqual([...data.subarray(512)])
  })

  it('answers Size2 when asked with Size2=0, and 4.02 for a block beyond the end', async () => {
    r = await rig({ handler: () => ({ code: Code.Content, payload: body(100) }) })
    r.send({
      code: Code.GET,
      messageId: 1,
      token: tok(1),
      options: [{ number: OptionNumber.Size2, value: encodeUint(0) }],
    })
    r.send({ code: Code.GET, messageId: 2, token: tok(2), options: [b2({ num: 5, more: false, szx: 2 })] })
    await r.flush()
    const [a, b] = r.take()
    expect(getUintOption(a!.options, OptionNumber.Size2)).toBe(100)
    expect(b!.code).toBe(Code.BadOption)
  })

  it('drops a kept body after the block-transfer timeout', async () => {
    r = await rig({
      handler: () => ({ code: Code.Content, payload: body(3000) }),
      limits: { blockTransferTimeout: 10_000 },
    })
    r.send({ code: Code.GET, messageId: 1, token: tok(1) })
    await r.flush()
    expect(r.ep.stats().blockTransfers).toBe(1)
    await r.advance(10_001)
    expect(r.ep.stats().blockTransfers).toBe(0)
  })
})

describe('server Block1 (RFC 7959 section 2.3, 2.5, 2.9; RFC 9175 Request-Tag)', () => {
  it('reassembles blocks, answers 2.31 Continue for each, and gives the handler the whole body', async () => {
    const data = body(600, 2)
    let got: Uint8Array | undefined
    r = await rig({
      handler: (req) => {
        got = req.payload
        return { code: Code.Changed }
      },
    })
    for (let i = 0; i < 3; i++) {
      const more = i < 2
      r.send({
        code: Code.PUT,
        messageId: 10 + i,
        token: tok(i),
        options: [
          path('fw'),
          b1({ num: i, more, szx: 4 }),
          ...(i === 0 ? [{ number: OptionNumber.Size1, value: encodeUint(600) }] : []),
        ],
        payload: data.subarray(i * 256, Math.min(600, (i + 1) * 256)),
      })
      await r.flush()
    }
    const replies = r.take()
    expect(replies.map((m) => m.code)).toEqual([Code.Continue, Code.Continue, Code.Changed])
    expect(replies.map((m) => block(m.options, OptionNumber.Block1))).toEqual([
      { num: 0, more: true, szx: 4 },
      { num: 1, more: true, szx: 4 },
      { num: 2, more: false, szx: 4 },
    ])
    expect([...(got ?? [])]).toEqual([...data])
    expect(r.ep.stats().blockTransfers).toBe(0)
  })

  it('answers 4.08 Request Entity Incomplete for a block out of sequence (section 2.9.2)', async () => {
    r = await rig({ handler: () => ({ code: Code.Changed }) })
    r.send({
      code: Code.PUT,
      messageId: 1,
      token: tok(1),
      options: [b1({ num: 0, more: true, szx: 0 })],
      payload: body(16),
    })
    r.send({
      code: Code.PUT,
      messageId: 2,
      token: tok(2),
      options: [b1({ num: 2, more: false, szx: 0 })],
      payload: body(5),
    })
    r.send({
      code: Code.PUT,
      messageId: 3,
      token: tok(3),
      options: [b1({ num: 3, more: false, szx: 0 })],
      payload: body(5),
    })
    await r.flush()
    expect(r.take().map((m) => m.code)).toEqual([
      Code.Continue,
      Code.RequestEntityIncomplete,
      Code.RequestEntityIncomplete,
    ])
  })

  it('answers 4.13 with Size1 beyond the maximum body (section 2.9.3)', async () => {
    r = await rig({ handler: () => ({ code: Code.Changed }), limits: { maxBodySize: 1000 } })
    r.send({
      code: Code.PUT,
      messageId: 1,
      token: tok(1),
      options: [b1({ num: 0, more: true, szx: 4 }), { number: OptionNumber.Size1, value: encodeUint(5000) }],
      payload: body(256),
    })
    await r.flush()
    const [m] = r.take()
    expect(m!.code).toBe(Code.RequestEntityTooLarge)
    expect(getUintOption(m!.options, OptionNumber.Size1)).toBe(1000)
  })

  it('keeps concurrent transfers to one resource apart by Request-Tag', async () => {
    const bodies: string[] = []
    r = await rig({
      handler: (req) => {
        bodies.push(txt(req.payload))
        return { code: Code.Changed }
      },
    })
    const a = 'A'.repeat(16)
    const b = 'B'.repeat(16)
    r.send({
      code: Code.POST,
      messageId: 1,
      token: tok(1),
      options: [b1({ num: 0, more: true, szx: 0 }), tag(1)],
      payload: str(a),
    })
    r.send({
      code: Code.POST,
      messageId: 2,
      token: tok(2),
      options: [b1({ num: 0, more: true, szx: 0 }), tag(2)],
      payload: str(b),
    })
    r.send({
      code: Code.POST,
      messageId: 3,
      token: tok(3),
      options: [b1({ num: 1, more: false, szx: 0 }), tag(1)],
      payload: str('a'),
    })
    r.send({
      code: Code.POST,
      messageId: 4,
      token: tok(4),
      options: [b1({ num: 1, more: false, szx: 0 }), tag(2)],
      payload: str('b'),
    })
    await r.flush()
    expect(bodies.sort()).toEqual([`${a}a`, `${b}b`])
  })

  it('drops an abandoned transfer after the timeout and bounds transfers per peer', async () => {
    r = await rig({
      handler: () => ({ code: Code.Changed }),
      limits: { blockTransferTimeout: 5000, maxBlockTransfersPerPeer: 3 },
    })
    for (let i = 0; i < 5; i++) {
      r.send({
        code: Code.PUT,
        messageId: i,
        token: tok(i),
        options: [path(`r${i}`), b1({ num: 0, more: true, szx: 0 })],
        payload: body(16),
      })
    }
    await r.flush()
    expect(r.ep.stats().blockTransfers).toBe(3)
    await r.advance(5001)
    expect(r.ep.stats().blockTransfers).toBe(0)
  })
})

describe('client block-wise (RFC 7959)', () => {
  it('sends a large body with Block1, Size1 and Request-Tag, adopting a smaller block size from the server (section 2.5)', async () => {
    r = await rig()
    const data = body(3000, 4)
    const p = r.ep.request(r.rawPeer, { method: 'PUT', path: 'fw', payload: data })
    const received: Uint8Array[] = []
    for (let step = 0; step < 20; step++) {
      await r.flush()
      const [m] = r.take()
      if (m === undefined) break
      const v = block(m.options, OptionNumber.Block1)!
      if (step === 0) {
        expect(v).toEqual({ num: 0, more: true, szx: 6 })
        expect(getUintOption(m.options, OptionNumber.Size1)).toBe(3000)
        expect(getOption(m.options, OptionNumber.RequestTag)).toBeDefined()
      }
      if (step === 1) expect(v).toEqual({ num: 4, more: true, szx: 4 }) // 1024 bytes acknowledged, now 256-byte blocks
      received.push(m.payload)
      const reply = v.more
        ? { code: Code.Continue, options: [b1({ num: v.num, more: true, szx: 4 })] }
        : { code: Code.Changed, options: [b1({ num: v.num, more: false, szx: 4 })] }
      r.send({ type: MessageType.ACK, messageId: m.messageId, token: m.token, ...reply })
    }
    const res = await p
    expect(res.code).toBe(Code.Changed)
    expect([...received.flatMap((c) => [...c])]).toEqual([...data])
  })

  it('follows Block2 and restarts when the ETag changes during the transfer (section 2.4)', async () => {
    r = await rig()
    const v1 = body(2048, 1)
    const v2 = body(1500, 2)
    const p = r.ep.request(r.rawPeer, { method: 'GET', path: 'x' })
    const script: [Uint8Array, Uint8Array][] = [
      [tok(1), v1], // block 0 of version 1
      [tok(2), v2], // block 1, but version 2: restart
      [tok(2), v2], // block 0 of version 2
      [tok(2), v2], // block 1 of version 2 (last)
    ]
    for (const [etag, data] of script) {
      await r.flush()
      const [m] = r.take()
      const want = block(m!.options, OptionNumber.Block2) ?? { num: 0, more: false, szx: 6 }
      const off = want.num * 1024
      const end = Math.min(off + 1024, data.length)
      r.send({
        type: MessageType.ACK,
        code: Code.Content,
        messageId: m!.messageId,
        token: m!.token,
        options: [
          { number: OptionNumber.ETag, value: etag },
          b2({ num: want.num, more: end < data.length, szx: 6 }),
        ],
        payload: data.subarray(off, end),
      })
    }
    const res = await p
    expect([...res.payload]).toEqual([...v2])
  })

  it('fails with COAP_LIMIT when a response body exceeds maxBodySize', async () => {
    r = await rig({ limits: { maxBodySize: 1500 } })
    const p = r.ep.request(r.rawPeer, { method: 'GET' }).catch((e: unknown) => e)
    for (let i = 0; i < 3; i++) {
      await r.flush()
      const [m] = r.take()
      if (!m) break
      const num = block(m.options, OptionNumber.Block2)?.num ?? 0
      r.send({
        type: MessageType.ACK,
        code: Code.Content,
        messageId: m.messageId,
        token: m.token,
        options: [b2({ num, more: true, szx: 6 })],
        payload: body(1024),
      })
    }
    const err = await p
    expect(CoapError.isInstance(err) && err.code).toBe('COAP_LIMIT')
  })

  it('fetches the rest of a block-wise notification with GET without Observe and another token (section 2.6)', async () => {
    r = await rig()
    const got: CoapResponse[] = []
    const p = r.ep.observe(r.rawPeer, { method: 'GET', path: 'n' }, (n) => got.push(n))
    await r.flush()
    const [reg] = r.take()
    const observe = (v: number): CoapOption => ({ number: OptionNumber.Observe, value: encodeUint(v) })
    r.send({
      type: MessageType.ACK,
      code: Code.Content,
      messageId: reg!.messageId,
      token: reg!.token,
      options: [observe(1)],
      payload: str('small'),
    })
    await p
    const data = body(300, 9)
    r.send({
      type: MessageType.NON,
      code: Code.Content,
      messageId: 50,
      token: reg!.token,
      options: [observe(2), b2({ num: 0, more: true, szx: 4 })],
      payload: data.subarray(0, 256),
    })
    await r.flush()
    const [follow] = r.take()
    expect(follow!.code).toBe(Code.GET)
    expect(getOption(follow!.options, OptionNumber.Observe)).toBeUndefined()
    expect(Buffer.from(follow!.token).equals(Buffer.from(reg!.token))).toBe(false)
    expect(block(follow!.options, OptionNumber.Block2)).toEqual({ num: 1, more: false, szx: 4 })
    r.send({
      type: MessageType.ACK,
      code: Code.Content,
      messageId: follow!.messageId,
      token: follow!.token,
      options: [b2({ num: 1, more: false, szx: 4 })],
      payload: data.subarray(256),
    })
    await r.flush()
    expect(got).toHaveLength(1)
    expect([...got[0]!.payload]).toEqual([...data])
    expect(got[0]!.observe).toBe(2)
  })

  it('server: the blocks after a block-wise notification carry no Observe option (section 2.6)', async () => {
    const { Code: C } = await import('../message/codes.js')
    let obs: import('../endpoint/types.js').ServerObservation | undefined
    r = await rig({
      handler: (_req, ctx) => {
        obs = ctx.observe() ?? obs
        return { code: C.Content, payload: 'small' }
      },
    })
    const observe0: CoapOption = { number: OptionNumber.Observe, value: encodeUint(0) }
    r.send({ code: Code.GET, messageId: 1, token: tok(1), options: [observe0, path('n')] })
    await r.flush()
    r.take()
    await obs!.notify({ code: Code.Content, payload: body(2000, 3) })
    await r.flush()
    const [n0] = r.take()
    expect(getUintOption(n0!.options, OptionNumber.Observe)).toBeDefined()
    expect(block(n0!.options, OptionNumber.Block2)).toEqual({ num: 0, more: true, szx: 6 })
    r.send({
      code: Code.GET,
      messageId: 2,
      token: tok(2),
      options: [path('n'), b2({ num: 1, more: false, szx: 6 })],
    })
    await r.flush()
    const [n1] = r.take()
    expect(getOption(n1!.options, OptionNumber.Observe)).toBeUndefined()
    expect([...n0!.payload, ...n1!.payload]).toEqual([...body(2000, 3)])
  })
})
