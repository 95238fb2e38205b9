import type { IncomingRequest, Method } from '@lwm2m/coap'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { CODECS, device, identity, MODELS, manufacturer } from '../../test/fixtures/operation-models.js'
import { NO_MODELS } from '../codec/models.js'
import { Lwm2mPath } from '../path/path.js'
import { classifyRequest, type ReceiverSide } from './incoming.js'
import { errorResponse } from './reply.js'
import { isResponseError } from './response-error.js'

const segment = fc.oneof(
  fc.constantFrom('rd', 'bs', 'bspack', 'dp', 'lwm2m', '0', '1', '3', '65535', '65536', ''),
  fc.string({ maxLength: 6 }),
)
const queryItem = fc.oneof(
  fc.constantFrom(
    'ep=a',
    'lt=60',
    'lwm2m=1.1',
    'lwm2m=1.0',
    'b=U',
    'Q',
    'pmin=1',
    'pmax=2',
    'gt=5',
    'lt=1',
    'st=1',
    'depth=1',
    'pct=112',
    'pct=0',
  ),
  fc.string({ maxLength: 10 }),
)
const P = (t: string) => Lwm2mPath.parse(t)
const text = new TextEncoder()

/** Payloads in every format, as the real codecs write them, for requests that decode far. */
const REAL_PAYLOADS: Uint8Array[] = [
  ...['', "0='x',1", '</1/0>', 'ACME'].map((t) => text.encode(t)),
  CODECS.require(11542).encode(device, P('/3/0'), MODELS),
  CODECS.require(11542).encode(identity, P('/16/0/0'), MODELS),
  CODECS.require(11543).encode(device, P('/3/0'), MODELS),
  CODECS.require(110).encode(device, P('/3/0'), MODELS),
  CODECS.require(112).encode(manufacturer, P('/3/0/0'), MODELS),
  CODECS.require(11544).encode(device, P('/3/0'), MODELS),
  CODECS.require(110).encodePaths!([P('/3/0/0'), P('/1/0')]),
  CODECS.require(112).encodePaths!([P('/3/0/7')]),
  CODECS.require(110).encodeNodes!(new Map([['/3/0/0', manufacturer]]), MODELS),
  CODECS.require(112).encodeTimestamped!(
    [{ timestamp: 1_700_000_000, nodes: new Map([['/3/0/0', manufacturer]]) }],
    MODELS,
  ),
  CODECS.require(60).encode(manufacturer, P('/3/0/0'), MODELS),
]

const request: fc.Arbitrary<IncomingRequest> = fc.record({
  peer: fc.constant({ address: '127.0.0.1', port: 5683 } as IncomingRequest['peer']),
  method: fc.constantFrom<Method>('GET', 'POST', 'PUT', 'DELETE', 'FETCH', 'PATCH', 'iPATCH'),
  code: fc.constant(1),
  confirmable: fc.boolean(),
  messageId: fc.constant(1),
  token: fc.constant(new Uint8Array(0)),
  options: fc.constant([]),
  path: fc.array(segment, { maxLength: 6 }),
  query: fc.array(queryItem, { maxLength: 4 }),
  contentFormat: fc.option(fc.constantFrom(0, 40, 42, 60, 110, 112, 1542, 11542, 11543, 11544, 320), {
    nil: undefined,
  }),
  accept: fc.option(fc.constantFrom(0, 40, 42, 50, 60, 110, 112, 11542, 11543, 11544), { nil: undefined }),
  observe: fc.option(fc.constantFrom(0, 1, 5), { nil: undefined }),
  payload: fc.oneof(
    fc.uint8Array({ maxLength: 40 }),
    fc.constantFrom(...REAL_PAYLOADS),
    // Real payloads cut short or with a byte flipped.
    fc
      .tuple(fc.constantFrom(...REAL_PAYLOADS), fc.nat(), fc.integer({ min: 0, max: 255 }))
      .map(([p, at, b]) => {
        if (p.length === 0) return p
        const q = p.slice(0, 1 + (at % p.length))
        q[at % q.length] = b
        return q
      }),
  ),
})

describe('classifyRequest on arbitrary requests', () => {
  it('gives an operation or refuses with an Lwm2mResponseError carrying a 4.xx code, nothing else', () => {
    fc.assert(
      fc.property(
        request,
        fc.constantFrom<ReceiverSide>('client', 'clientBootstrap', 'server', 'bootstrapServer'),
        fc.boolean(),
        fc.boolean(),
        (req, side, alt, withModels) => {
          try {
            const op = classifyRequest(req, {
              side,
              codecs: CODECS,
              models: withModels ? MODELS : NO_MODELS,
              ...(alt ? { rootPath: '/lwm2m' } : {}),
            })
            expect(typeof op.kind).toBe('string')
          } catch (err) {
            expect(isResponseError(err)).toBe(true)
            const code = errorResponse(err).code as number
            expect(code >>> 5).toBe(4)
          }
        },
      ),
      { numRuns: 2000 },
    )
  })
})
