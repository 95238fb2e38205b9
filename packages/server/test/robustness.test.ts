import { Code, ContentFormat, encodeMessage, encodeString, MessageType, OptionNumber } from '@lwm2m/coap'
import { singleResource } from '@lwm2m/core'
import { afterEach, expect, it } from 'vitest'
import { createMemoryRegistrationStore, type Registration } from '../src/index.js'
import { DEVICE_LINKS, settle, type TestBed, testBed } from './support/setup.js'

let bed: TestBed | undefined
afterEach(async () => {
  await bed?.close()
  bed = undefined
})

// DESIGN.md "Errors and bad input": one peer's fault never disturbs another peer.
it("a peer's garbage, malformed CoAP and invalid LwM2M requests do not disturb another client", async () => {
  bed = await testBed()
  const rogue = bed.net.transport()
  const answers: Uint8Array[] = []
  await rogue.open((data) => answers.push(data))
  const good = await bed.client('good')
  good.answer = () => ({ node: singleResource(9, 'integer', 80) })
  const abusive = await bed.client('abusive')

  // Garbage and truncated datagrams.
  for (let i = 0; i < 50; i++) {
    rogue.send(
      Uint8Array.from({ length: i % 17 }, (_, k) => (k * 37 + i) & 0xff),
      bed.serverPeer,
    )
  }
  // A well-formed CON POST /rd with a query of nonsense and a binary payload.
  rogue.send(
    encodeMessage({
      type: MessageType.CON,
      code: Code.POST,
      messageId: 1,
      token: Uint8Array.of(1),
      options: [
        { number: OptionNumber.UriPath, value: encodeString('rd') },
        { number: OptionNumber.ContentFormat, value: Uint8Array.of(40) },
        { number: OptionNumber.UriQuery, value: encodeString('ep=\u0001') },
      ],
      payload: Uint8Array.of(0xff, 0xfe, 0x00),
    }),
    bed.serverPeer,
  )
  // Invalid Registers, Updates of unknown locations, Sends without registration, all at once.
  const abuse = Promise.all([
    ...Array.from({ length: 20 }, (_, i) =>
      abusive.endpoint.request(abusive.server, {
        method: 'POST',
        path: ['rd'],
        query: [`ep=x${i}`, 'lt=forever'],
        contentFormat: ContentFormat.LINK_FORMAT,
        payload: '</3/0>',
      }),
    ),
    ...Array.from({ length: 10 }, (_, i) =>
      abusive.endpoint.request(abusive.server, { method: 'POST', path: ['rd', `nope${i}`] }),
    ),
    ...Array.from({ length: 10 }, () =>
      abusive.endpoint.request(abusive.server, {
        method: 'POST',
        path: ['dp'],
        contentFormat: ContentFormat.SENML_CBOR,
        payload: Uint8Array.of(0x9f, 0xff, 0xff),
      }),
    ),
  ])
  const reg = good.register(DEVICE_LINKS)
  const [responses, goodReg] = await Promise.all([abuse, reg])
  expect(goodReg.code).toBe(Code.Created)
  expect(responses.slice(0, 20).every((r) => r.code === Code.BadRequest)).toBe(true)
  expect(responses.slice(20, 30).every((r) => r.code === Code.NotFound)).toBe(true)
  expect(responses.slice(30).every((r) => r.code === Code.BadRequest)).toBe(true)
  await settle()
  // The rogue's CON got an answer (4.00), its garbage nothing or RST.
  expect(answers.length).toBeGreaterThan(0)
  expect(await bed.server.registrationStore.size()).toBe(1)
  expect((await bed.server.read('good', '/3/0/9')).node).toEqual(singleResource(9, 'integer', 80))
  const nodes = new Map([['/3/0/9', singleResource(9, 'integer', 1)]])
  expect((await good.send([{ timestamp: undefined, nodes }])).code).toBe(Code.Changed)
  await rogue.close()
})

it('a store failure answers 5.00 to that client and leaves the others served', async () => {
  const registrations = createMemoryRegistrationStore()
  const flaky = {
    ...registrations,
    add(reg: Registration) {
      if (reg.endpoint === 'unlucky') throw new Error('store down')
      return registrations.add(reg)
    },
  }
  bed = await testBed({ stores: { registrations: flaky } })
  const unlucky = await bed.client('unlucky')
  const lucky = await bed.client('lucky')
  const [u, l] = await Promise.all([unlucky.register(DEVICE_LINKS), lucky.register(DEVICE_LINKS)])
  expect(u.code).toBe(Code.InternalServerError)
  expect(l.code).toBe(Code.Created)
  expect(await bed.server.getRegistration('lucky')).toBeDefined()
})
