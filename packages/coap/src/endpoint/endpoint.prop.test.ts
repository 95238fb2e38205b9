import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { decodeMessage, encodeMessage } from '../message/codec.js'
import { Code } from '../message/codes.js'
import { MessageType } from '../message/types.js'
import { rig } from './raw-peer.test-helper.js'

// Whatever arrives, the endpoint never throws, answers each datagram with at most the
// messages RFC 7252 allows (nothing, RST, ACK or a response), and keeps serving.
describe('endpoint under arbitrary datagrams (RFC 7252 section 4.2, 4.3, 5.4)', () => {
  it('random bytes and random well-formed messages never break it', async () => {
    const r = await rig({ handler: (req) => ({ code: Code.Content, payload: req.payload }) })
    const option = fc.record({
      number: fc.integer({ min: 0, max: 2100 }),
      value: fc.uint8Array({ maxLength: 20 }),
    })
    const message = fc.record({
      type: fc.constantFrom(MessageType.CON, MessageType.NON, MessageType.ACK, MessageType.RST),
      code: fc.integer({ min: 0, max: 255 }),
      messageId: fc.integer({ min: 0, max: 0xffff }),
      token: fc.uint8Array({ maxLength: 8 }),
      options: fc.array(option, { maxLength: 6 }),
      payload: fc.uint8Array({ maxLength: 64 }),
    })
    const datagram = fc.oneof(
      fc.uint8Array({ maxLength: 80 }),
      message.map((m) => {
        const sorted = { ...m, options: [...m.options].sort((a, b) => a.number - b.number) }
        if (m.code === 0)
          return encodeMessage({
            ...sorted,
            token: new Uint8Array(0),
            options: [],
            payload: new Uint8Array(0),
          })
        return encodeMessage(sorted)
      }),
    )
    await fc.assert(
      fc.asyncProperty(fc.array(datagram, { minLength: 1, maxLength: 10 }), async (batch) => {
        for (const d of batch) r.sendBytes(d)
        await r.flush()
        const replies = r.take()
        // Every reply is a well-formed message; none is a request (a server does not ask back).
        for (const m of replies) {
          expect(m.code).toBeGreaterThanOrEqual(0)
          expect(() => decodeMessage(m.bytes)).not.toThrow()
          expect(m.code === 0 || m.code >= 64).toBe(true)
        }
        expect(replies.length).toBeLessThanOrEqual(batch.length)
      }),
      { numRuns: 300 },
    )
    // Still serving.
    r.sendBytes(
      encodeMessage({
        type: MessageType.CON,
        code: Code.GET,
        messageId: 1,
        token: Uint8Array.of(0xab, 0xcd, 0xef, 1),
        options: [],
        payload: Uint8Array.of(7),
      }),
    )
    await r.flush()
    const [res] = r.take().filter((m) => m.token.length === 4 && m.token[0] === 0xab)
    expect(res?.code).toBe(Code.Content)
    await r.close()
  })
})
