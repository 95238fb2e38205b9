import { Code, ContentFormat, type Method } from '@lwm2m/coap'
import { Lwm2mPath } from '@lwm2m/core'
import {
  createAccessControlObject,
  createTemperatureObject,
  defineObject,
  portfolioModel,
} from '@lwm2m/objects'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Lwm2mClient } from '../src/index.js'
import { type Bench, bench } from './harness.js'

let b: Bench
let client: Lwm2mClient

beforeAll(async () => {
  b = await bench()
  client = b.client({
    version: '1.2',
    objects: [
      createTemperatureObject({ sensors: [{ value: 20 }], clock: b.clock }),
      defineObject(portfolioModel, { instances: { 0: { 0: ['a', 'b'] } } }),
      createAccessControlObject(),
    ],
  })
  await client.start()
  await b.until(b.server.take('register'))
})
afterAll(async () => {
  await b.close()
})

const methods: Method[] = ['GET', 'POST', 'PUT', 'DELETE', 'FETCH', 'iPATCH', 'PATCH']
const segment = fc.oneof(
  fc.constantFrom(
    '0',
    '1',
    '2',
    '3',
    '4',
    '5',
    '16',
    '3303',
    '5700',
    '11',
    '65535',
    '65536',
    '',
    'x',
    'rd',
    'bs',
  ),
  fc.string({ maxLength: 6 }),
)
const formats = fc.option(
  fc.constantFrom(0, 40, 42, 50, 60, 110, 112, 1542, 11542, 11543, 11544, 9999, 320, 322),
  { nil: undefined },
)
const query = fc.array(
  fc.oneof(
    fc.constantFrom(
      'pmin=1',
      'pmax=5',
      'gt=3',
      'lt=1',
      'st=0.5',
      'epmin=1',
      'epmax=2',
      'con=1',
      'depth=2',
      'pmin',
      'x=y',
    ),
    fc.string({ maxLength: 8 }),
  ),
  { maxLength: 3 },
)
const payload = fc.oneof(
  fc.uint8Array({ maxLength: 64 }),
  fc
    .constantFrom('1', 'abc', '[{"n":"/3/0/14","vs":"x"}]', "0='a',1", '')
    .map((t) => new TextEncoder().encode(t)),
)

describe('whatever a server sends (Core TS 1.1 section 6.3, Transport TS section 6.6)', () => {
  it('gets a 2.xx or 4.xx answer, never a 5.00, and the client stays registered', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          method: fc.constantFrom(...methods),
          path: fc.array(segment, { maxLength: 5 }),
          query,
          contentFormat: formats,
          accept: fc.option(fc.constantFrom(0, 40, 42, 60, 110, 112, 11542, 11543, 11544, 50), {
            nil: undefined,
          }),
          payload,
          observe: fc.option(fc.constantFrom(0, 1), { nil: undefined }),
        }),
        async (r) => {
          // Disabling the server (/1/x/4) or deleting its account ends the registration: legitimate, not tested here.
          fc.pre(
            !(r.path[0] === '1' && (r.method === 'DELETE' || (r.method === 'POST' && r.path[2] === '4'))),
          )
          const response = await b.until(
            b.server.raw({
              method: r.method,
              path: r.path,
              query: r.query,
              payload: r.payload,
              ...(r.contentFormat === undefined ? {} : { contentFormat: r.contentFormat }),
              ...(r.accept === undefined ? {} : { accept: r.accept }),
              ...(r.observe === undefined
                ? {}
                : {
                    options: [{ number: 6, value: r.observe === 0 ? new Uint8Array(0) : Uint8Array.of(1) }],
                  }),
            }),
          )
          const cls = response.code >> 5
          expect(cls === 2 || cls === 4, `${r.method} /${r.path.join('/')} answered ${response.code}`).toBe(
            true,
          )
        },
      ),
      { numRuns: 300, seed: 0x1c2d },
    )
    expect(client.server(1)?.state).toBe('registered')
    // And it still serves a plain Read.
    const read = await b.until(
      b.server.dm({ kind: 'read', path: Lwm2mPath.parse('/3/0/0'), accept: ContentFormat.TEXT }),
    )
    expect(read.code).toBe(Code.Content)
  })
})
