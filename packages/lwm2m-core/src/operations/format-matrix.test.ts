// The operation x content format matrix: every operation that carries a payload, built with the
// mapping in every content format of this package and read back on the other side
// (classifyRequest for requests, parseResponse for answers) with the real codecs. A format the
// spec lets carry the payload gives back the same nodes; any other is refused before a byte is
// sent. Which format carries what: Core TS 1.2 section 7.4 (text/plain 7.4.1, opaque 7.4.2,
// CBOR 7.4.3, TLV 7.4.3/1.0, SenML JSON 7.4.4, SenML CBOR 7.4.5, LwM2M CBOR 7.4.6, OMA JSON
// 1.0) and the operations of section 6.3/6.4.
import { describe, expect, it } from 'vitest'
import { incoming, received } from '../../test/fixtures/messages.js'
import {
  CTX,
  currentTime,
  device,
  identity,
  identity1,
  manufacturer,
  portfolio,
  server,
  typed,
  utcOffset,
  voltage,
  voltage1,
} from '../../test/fixtures/operation-models.js'
import { Lwm2mError } from '../errors.js'
import { instance, multipleResource, objectNode, resourceInstance, singleResource } from '../node/build.js'
import type { Lwm2mNode, TimestampedNodes } from '../node/types.js'
import { Lwm2mPath } from '../path/path.js'
import { classifyRequest, type ReceiverSide } from './incoming.js'
import { buildResponse } from './reply.js'
import { buildRequest } from './request.js'
import { parseResponse } from './response.js'
import { isResponseError } from './response-error.js'
import type { Lwm2mOperation } from './types.js'

const P = (t: string) => Lwm2mPath.parse(t)

const FORMAT_NAMES: ReadonlyMap<number, string> = new Map([
  [0, 'text/plain'],
  [42, 'octet-stream'],
  [60, 'CBOR'],
  [11542, 'TLV'],
  [11543, 'OMA JSON'],
  [110, 'SenML JSON'],
  [112, 'SenML CBOR'],
  [11544, 'LwM2M CBOR'],
])
const ALL = [...FORMAT_NAMES.keys()]

/** One value (a single resource or a resource instance): every format; octet-stream for Opaque only. */
const ONE_VALUE = [0, 60, 11542, 11543, 110, 112, 11544]
const ONE_OPAQUE = [42, ...ONE_VALUE]
/** Several values (object, instance, multiple resource): the multi-value formats. */
const MANY = [11542, 11543, 110, 112, 11544]
/** Several nodes at several paths (composite operations, Send): SenML and LwM2M CBOR. */
const COMPOSITE = [110, 112, 11544]
/** A list of paths (Read-/Observe-Composite request body): SenML records with names only. */
const PATHS = [110, 112]
/** Values with their time (Send with history): SenML only ("bt"/"t"). */
const TIMESTAMPED = [110, 112]

interface RequestCase {
  readonly name: string
  /** Who receives it. */
  readonly side: ReceiverSide
  /** The operation in content format `f`. */
  readonly op: (f: number) => Lwm2mOperation
  /** The formats the spec lets carry it. */
  readonly formats: readonly number[]
  /** What the receiver gets, when it differs from `op(f)` (a canonical form). */
  readonly expected?: (f: number) => Lwm2mOperation
  /** Observe option the receiving endpoint sees. */
  readonly observe?: number
}

const write = (path: string, mode: 'replace' | 'partialUpdate', node: Lwm2mNode) => (f: number) =>
  ({ kind: 'write', path: P(path), mode, node, contentFormat: f }) as const

const sendData = (ts: number | undefined, nodes: [string, Lwm2mNode][]): TimestampedNodes => ({
  timestamp: ts,
  nodes: new Map(nodes),
})

const REQUESTS: readonly RequestCase[] = [
  // Write (Core TS 1.2 section 6.3.3): replace with PUT, partial update with POST.
  { name: 'Write replace /3/0', side: 'client', op: write('/3/0', 'replace', device), formats: MANY },
  { name: 'Write partial /3/0', side: 'client', op: write('/3/0', 'partialUpdate', device), formats: MANY },
  {
    name: 'Write replace /10240/1',
    side: 'client',
    op: write('/10240/1', 'replace', typed(1)),
    formats: MANY,
  },
  {
    name: 'Write replace /3/0/14 (string)',
    side: 'client',
    op: write('/3/0/14', 'replace', utcOffset),
    formats: ONE_VALUE,
  },
  {
    name: 'Write replace /3/0/13 (time)',
    side: 'client',
    op: write('/3/0/13', 'replace', currentTime),
    formats: ONE_VALUE,
  },
  {
    name: 'Write replace /1/0/6 (boolean)',
    side: 'client',
    op: write('/1/0/6', 'replace', singleResource(6, 'boolean', false)),
    formats: ONE_VALUE,
  },
  {
    name: 'Write replace /10240/0/0 (unsigned beyond 2^63)',
    side: 'client',
    op: write('/10240/0/0', 'replace', singleResource(0, 'unsigned', 2n ** 64n - 1n)),
    formats: ONE_VALUE,
  },
  {
    name: 'Write replace /10240/0/1 (float)',
    side: 'client',
    op: write('/10240/0/1', 'replace', singleResource(1, 'float', -0.125)),
    formats: ONE_VALUE,
  },
  {
    name: 'Write replace /10240/0/2 (objlnk)',
    side: 'client',
    op: write('/10240/0/2', 'replace', singleResource(2, 'objlnk', { objectId: 16, instanceId: 65535 })),
    formats: ONE_VALUE,
  },
  {
    name: 'Write replace /10240/0/3 (opaque)',
    side: 'client',
    op: write('/10240/0/3', 'replace', singleResource(3, 'opaque', Uint8Array.of(0xde, 0xad, 0xbe, 0xef))),
    formats: ONE_OPAQUE,
  },
  {
    name: 'Write replace /16/0/0 (multiple)',
    side: 'client',
    op: write('/16/0/0', 'replace', identity),
    formats: MANY,
  },
  {
    name: 'Write partial /16/0/0 (multiple)',
    side: 'client',
    op: write('/16/0/0', 'partialUpdate', identity),
    formats: MANY,
  },
  {
    name: 'Write replace /16/0/0/1',
    side: 'client',
    op: write('/16/0/0/1', 'replace', identity1),
    formats: ONE_VALUE,
  },
  {
    name: 'Write replace /10240/0/4/1 (objlnk instance)',
    side: 'client',
    op: write('/10240/0/4/1', 'replace', resourceInstance(1, 'objlnk', { objectId: 1, instanceId: 0 })),
    formats: ONE_VALUE,
  },
  // Create (section 6.3.6): instances with their ids in every multi-value format; without an id
  // (65535, the client picks it) only in TLV.
  {
    name: 'Create /16 with instance 2',
    side: 'client',
    op: (f) => ({ kind: 'create', path: P('/16'), instances: [portfolio(2)], contentFormat: f }),
    formats: MANY,
  },
  {
    name: 'Create /16 with instances 2 and 5',
    side: 'client',
    op: (f) => ({
      kind: 'create',
      path: P('/16'),
      instances: [portfolio(2), portfolio(5)],
      contentFormat: f,
    }),
    formats: MANY,
  },
  {
    name: 'Create /16 without instance id',
    side: 'client',
    op: (f) => ({ kind: 'create', path: P('/16'), instances: [portfolio(65535)], contentFormat: f }),
    formats: [11542],
  },
  // Bootstrap-Write (section 6.1.7.5).
  {
    name: 'Bootstrap-Write /1/0',
    side: 'clientBootstrap',
    op: (f) => ({ kind: 'bootstrapWrite', path: P('/1/0'), node: server, contentFormat: f }),
    formats: MANY,
  },
  {
    name: 'Bootstrap-Write /1',
    side: 'clientBootstrap',
    op: (f) => ({
      kind: 'bootstrapWrite',
      path: P('/1'),
      node: objectNode(1, [server, instance(1, [singleResource(0, 'integer', 102)])]),
      contentFormat: f,
    }),
    formats: MANY,
  },
  // Write-Composite (section 6.3.9): values at resource and resource-instance paths.
  {
    name: 'Write-Composite',
    side: 'client',
    op: (f) => ({
      kind: 'writeComposite',
      nodes: new Map<string, Lwm2mNode>([
        ['/3/0/14', utcOffset],
        ['/1/0/1', singleResource(1, 'integer', 600)],
        ['/16/0/0/1', identity1],
        ['/10240/0/2', singleResource(2, 'objlnk', { objectId: 3, instanceId: 0 })],
      ]),
      contentFormat: f,
    }),
    formats: COMPOSITE,
  },
  {
    // The payload names each value by its path: the receiver gets a multiple resource's
    // instances as writes of those instances (none deleted).
    name: 'Write-Composite of a multiple resource',
    side: 'client',
    op: (f) => ({ kind: 'writeComposite', nodes: new Map([['/16/0/0', identity]]), contentFormat: f }),
    expected: (f) => ({
      kind: 'writeComposite',
      nodes: new Map([
        ['/16/0/0/0', resourceInstance(0, 'string', 'Host Device ID #1')],
        ['/16/0/0/1', identity1],
      ]),
      contentFormat: f,
    }),
    formats: COMPOSITE,
  },
  // Read-Composite, Observe-Composite and its cancel (sections 6.3.8, 6.4.4, 6.4.5): the paths.
  {
    name: 'Read-Composite request',
    side: 'client',
    op: (f) => ({
      kind: 'readComposite',
      paths: [P('/3/0'), P('/1/0/1'), P('/16/0/0/1'), P('/10240')],
      contentFormat: f,
      accept: 11544,
    }),
    formats: PATHS,
  },
  {
    name: 'Observe-Composite request',
    side: 'client',
    observe: 0,
    op: (f) => ({
      kind: 'observeComposite',
      paths: [P('/3/0/7'), P('/1/0/1')],
      contentFormat: f,
      attributes: { pmin: 10, pmax: 60 },
    }),
    formats: PATHS,
  },
  {
    name: 'Cancel Observe-Composite request',
    side: 'client',
    op: (f) => ({ kind: 'cancelObservationComposite', paths: [P('/3/0/7'), P('/1/0/1')], contentFormat: f }),
    formats: PATHS,
  },
  // Send (section 6.4.6): nodes per resource, as the server receives them.
  {
    name: 'Send',
    side: 'server',
    op: (f) => ({
      kind: 'send',
      data: [
        sendData(undefined, [
          ['/3/0/0', manufacturer],
          ['/3/0/7', voltage],
          ['/10240/0/3', typed(0).resources.get(3)!],
        ]),
      ],
      contentFormat: f,
    }),
    formats: COMPOSITE,
  },
  {
    name: 'Send with history',
    side: 'server',
    op: (f) => ({
      kind: 'send',
      data: [
        sendData(1_700_000_000, [['/3/0/7', voltage]]),
        sendData(1_700_000_060, [
          ['/3/0/7', multipleResource(7, 'integer', [3700, 5000])],
          ['/3/0/0', manufacturer],
        ]),
      ],
      contentFormat: f,
    }),
    formats: TIMESTAMPED,
  },
  {
    name: 'Send with one timestamp',
    side: 'server',
    op: (f) => ({
      kind: 'send',
      data: [sendData(1_700_000_000.5, [['/3/0/14', utcOffset]])],
      contentFormat: f,
    }),
    formats: TIMESTAMPED,
  },
]

describe.each(REQUESTS)('$name', (c) => {
  const cells = ALL.map((f) => ({ f, name: FORMAT_NAMES.get(f)!, carries: c.formats.includes(f) }))
  it.each(cells.filter((x) => x.carries))('in $name ($f): the receiver gets the same', ({ f }) => {
    const op = c.op(f)
    const req = buildRequest(op, CTX)
    expect(req.contentFormat).toBe(f)
    const got = classifyRequest(incoming(req, c.observe), { ...CTX, side: c.side })
    expect(got).toEqual(c.expected?.(f) ?? op)
  })
  const refused = cells.filter((x) => !x.carries)
  if (refused.length > 0) {
    it.each(refused)('in $name ($f): refused before sending (LWM2M_UNSUPPORTED_FORMAT)', ({ f }) => {
      let err: unknown
      try {
        buildRequest(c.op(f), CTX)
      } catch (e) {
        err = e
      }
      expect(Lwm2mError.isInstance(err) && err.code).toBe('LWM2M_UNSUPPORTED_FORMAT')
    })
  }
})

interface AnswerCase {
  readonly name: string
  readonly op: (accept: number) => Lwm2mOperation
  readonly node: Lwm2mNode
  readonly formats: readonly number[]
}

const read = (path: string) => (accept: number) => ({ kind: 'read', path: P(path), accept }) as const
const observe = (path: string) => (accept: number) => ({ kind: 'observe', path: P(path), accept }) as const

const ANSWERS: readonly AnswerCase[] = [
  // Read (section 6.3.1) and Observe with its notifications (section 6.4.1), by level.
  {
    name: 'Read /16',
    op: read('/16'),
    node: objectNode(16, [portfolio(0), portfolio(3)]),
    formats: MANY,
  },
  { name: 'Read /3/0', op: read('/3/0'), node: device, formats: MANY },
  { name: 'Read /10240/0', op: read('/10240/0'), node: typed(0), formats: MANY },
  { name: 'Read /3/0/0', op: read('/3/0/0'), node: manufacturer, formats: ONE_VALUE },
  {
    name: 'Read /10240/0/3 (opaque)',
    op: read('/10240/0/3'),
    node: typed(0).resources.get(3)!,
    formats: ONE_OPAQUE,
  },
  { name: 'Read /3/0/7 (multiple)', op: read('/3/0/7'), node: voltage, formats: MANY },
  { name: 'Read /3/0/7/1', op: read('/3/0/7/1'), node: voltage1, formats: ONE_VALUE },
  {
    name: 'Bootstrap-Read /1/0',
    op: (a) => ({ kind: 'bootstrapRead', path: P('/1/0'), accept: a }),
    node: server,
    formats: MANY,
  },
  { name: 'Observe /3/0', op: observe('/3/0'), node: device, formats: MANY },
  { name: 'Observe /3/0/13 (time)', op: observe('/3/0/13'), node: currentTime, formats: ONE_VALUE },
  { name: 'Observe /3/0/7 (multiple)', op: observe('/3/0/7'), node: voltage, formats: MANY },
  { name: 'Observe /16/0/0/1', op: observe('/16/0/0/1'), node: identity1, formats: ONE_VALUE },
]

describe.each(ANSWERS)('$name answer', (c) => {
  const cells = ALL.map((f) => ({ f, name: FORMAT_NAMES.get(f)!, carries: c.formats.includes(f) }))
  it.each(cells.filter((x) => x.carries))('in $name ($f): the initiator gets the same node', ({ f }) => {
    const op = c.op(f)
    const answer = buildResponse(op, { node: c.node }, CTX)
    expect(answer.contentFormat).toBe(f)
    const result = parseResponse(op, received(answer), CTX) as { node: Lwm2mNode; contentFormat: number }
    expect(result.node).toEqual(c.node)
    expect(result.contentFormat).toBe(f)
  })
  const refused = cells.filter((x) => !x.carries)
  if (refused.length > 0) {
    it.each(refused)('in $name ($f): 4.06 Not Acceptable', ({ f }) => {
      let err: unknown
      try {
        buildResponse(c.op(f), { node: c.node }, CTX)
      } catch (e) {
        err = e
      }
      expect(isResponseError(err) && err.coapCode).toBe(0x86)
    })
  }
})

describe('Read-Composite and Observe-Composite answers (Core TS 1.2 sections 6.3.8, 6.4.4)', () => {
  // An instance, a resource, a resource instance, a whole object, and a path without value
  // (Read-Composite is best effort: a path the client cannot read is left out).
  const paths = [P('/3/0'), P('/1/0/1'), P('/16/0/0/1'), P('/10240'), P('/3/0/9')]
  const nodes = new Map<string, Lwm2mNode | null>([
    ['/3/0', device],
    ['/1/0/1', singleResource(1, 'integer', 86400)],
    ['/16/0/0/1', identity1],
    ['/10240', objectNode(10240, [typed(0), typed(7)])],
    ['/3/0/9', null],
  ])
  const kinds = ['readComposite', 'observeComposite'] as const
  const cells = kinds.flatMap((kind) =>
    ALL.map((f) => ({ kind, f, name: FORMAT_NAMES.get(f)!, carries: COMPOSITE.includes(f) })),
  )
  it.each(cells.filter((x) => x.carries))(
    '$kind in $name ($f): each requested path gets its node',
    ({ kind, f }) => {
      const op: Lwm2mOperation = { kind, paths, contentFormat: 112, accept: f }
      const answer = buildResponse(op, { nodes }, CTX)
      expect(answer.contentFormat).toBe(f)
      const result = parseResponse(op, received(answer), CTX) as { nodes: Map<string, Lwm2mNode | null> }
      expect(result.nodes).toEqual(nodes)
    },
  )
  it.each(cells.filter((x) => !x.carries))('$kind in $name ($f): 4.06 Not Acceptable', ({ kind, f }) => {
    let err: unknown
    try {
      buildResponse({ kind, paths, contentFormat: 112, accept: f }, { nodes }, CTX)
    } catch (e) {
      err = e
    }
    expect(isResponseError(err) && err.coapCode).toBe(0x86)
  })
})
