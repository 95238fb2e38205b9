import type { IncomingRequest, Method } from '@lwm2m/coap'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { doubles, noModels } from '../../test/codec-doubles.js'
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
  contentFormat: fc.option(fc.constantFrom(0, 40, 110, 112, 11542, 11544, 60), { nil: undefined }),
  accept: fc.option(fc.constantFrom(0, 40, 110, 112, 11542, 11544), { nil: undefined }),
  observe: fc.option(fc.constantFrom(0, 1, 5), { nil: undefined }),
  payload: fc.oneof(
    fc.uint8Array({ maxLength: 40 }),
    fc
      .constantFrom(
        '',
        '{"kind":"resource","id":0,"type":"string","value":"x"}',
        '["/3/0/0"]',
        '{"$map":[]}',
        "0='x',1",
        '</1/0>',
      )
      .map((t) => new TextEncoder().encode(t)),
  ),
})

describe('classifyRequest on arbitrary requests', () => {
  it('gives an operation or refuses with an Lwm2mResponseError carrying a 4.xx code, nothing else', () => {
    fc.assert(
      fc.property(
        request,
        fc.constantFrom<ReceiverSide>('client', 'clientBootstrap', 'server', 'bootstrapServer'),
        fc.boolean(),
        (req, side, alt) => {
          try {
            const op = classifyRequest(req, {
              side,
              codecs: doubles,
              models: noModels,
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
