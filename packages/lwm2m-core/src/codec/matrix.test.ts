// The cross-format matrix: the same node, encoded in every format that can carry it,
// decodes back to the same node, the model deciding the types that a format does not
// carry (TLV, text/plain, integers of CBOR and SenML). Core TS section 7.4.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { ALL_TYPES, type NodeKind, nodeCaseArb } from '../../test/fixtures/arbitraries.js'
import { deviceInstance, deviceObject, MODELS } from '../../test/fixtures/spec.js'
import { instance, multipleResource, resourceInstance, singleResource } from '../node/build.js'
import { nodesEqual } from '../node/equal.js'
import type { Lwm2mNode } from '../node/types.js'
import { Lwm2mPath } from '../path/path.js'
import { INT64_MAX, INT64_MIN, UINT64_MAX } from '../value/integer.js'
import { cborCodec } from './cbor/cbor-codec.js'
import { lwm2mCborCodec } from './lwm2m-cbor/lwm2m-cbor-codec.js'
import { modelLookup } from './models.js'
import { omaJsonCodec } from './oma-json/oma-json-codec.js'
import { senmlCborCodec } from './senml/senml-cbor-codec.js'
import { senmlJsonCodec } from './senml/senml-json-codec.js'
import { opaqueCodec } from './single/opaque-codec.js'
import { textCodec } from './single/text-codec.js'
import { tlvCodec } from './tlv/tlv-codec.js'
import type { NodeCodec } from './types.js'

const ALL_KINDS: readonly NodeKind[] = [
  'object',
  'instance',
  'resource',
  'multipleResource',
  'resourceInstance',
]
const SINGLE: readonly NodeKind[] = ['resource', 'resourceInstance']

const FORMATS: readonly {
  name: string
  codec: NodeCodec
  kinds: readonly NodeKind[]
  types?: readonly string[]
}[] = [
  { name: 'TLV 11542', codec: tlvCodec(), kinds: ALL_KINDS },
  { name: 'OMA JSON 11543', codec: omaJsonCodec(), kinds: ALL_KINDS },
  { name: 'SenML JSON 110', codec: senmlJsonCodec(), kinds: ALL_KINDS },
  { name: 'SenML CBOR 112', codec: senmlCborCodec(), kinds: ALL_KINDS },
  { name: 'LwM2M CBOR 11544', codec: lwm2mCborCodec(), kinds: ALL_KINDS },
  { name: 'CBOR 60', codec: cborCodec(), kinds: SINGLE },
  { name: 'text/plain 0', codec: textCodec(), kinds: SINGLE },
  { name: 'octet-stream 42', codec: opaqueCodec(), kinds: SINGLE, types: ['opaque'] },
]

const MATRIX = FORMATS.flatMap((f) =>
  ALL_KINDS.map((kind) => ({ ...f, kind, carries: f.kinds.includes(kind) })),
)

function same(a: Lwm2mNode, b: Lwm2mNode): void {
  if (!nodesEqual(a, b)) expect(a).toEqual(b)
}

describe.each(MATRIX)('$name x $kind', ({ codec, kind, carries, types }) => {
  if (carries) {
    it('decode(encode(node)) is the node, for generated models and nodes', () => {
      fc.assert(
        fc.property(
          nodeCaseArb(kind, (types as typeof ALL_TYPES | undefined) ?? ALL_TYPES),
          ({ node, path, models }) => {
            expect(codec.canEncode(node, path)).toBe(true)
            same(codec.decode(codec.encode(node, path, models), path, models), node)
          },
        ),
        { numRuns: 40 },
      )
    })
  } else {
    it('says it cannot carry the node, and refuses to encode it', () => {
      fc.assert(
        fc.property(nodeCaseArb(kind), ({ node, path, models }) => {
          expect(codec.canEncode(node, path)).toBe(false)
          expect(() => codec.encode(node, path, models)).toThrow(/cannot carry/)
        }),
        { numRuns: 5 },
      )
    })
  }
})

/** One instance with every type at its edges. */
const EDGES = modelLookup([
  {
    id: 9000,
    name: 'Edges',
    description: '',
    version: '1.0',
    lwm2mVersion: '1.2',
    urn: 'urn:x',
    multiple: true,
    mandatory: false,
    resources: new Map(
      (
        [
          [0, 'string'],
          [1, 'integer'],
          [2, 'integer'],
          [3, 'unsigned'],
          [4, 'float'],
          [5, 'float'],
          [6, 'boolean'],
          [7, 'opaque'],
          [8, 'time'],
          [9, 'objlnk'],
          [10, 'corelnk'],
          [11, 'integer'],
          [12, 'float'],
        ] as const
      ).map(([id, type]) => [
        id,
        {
          id,
          name: `E${id}`,
          operations: 'RW',
          multiple: id === 11,
          mandatory: false,
          type,
          rangeEnumeration: '',
          units: '',
          description: '',
        },
      ]),
    ),
  },
])

const EDGE_INSTANCE = instance(0, [
  singleResource(0, 'string', 'Grüße, 世界 🙂 "quoted" \\ \n'),
  singleResource(1, 'integer', INT64_MIN),
  singleResource(2, 'integer', INT64_MAX),
  singleResource(3, 'unsigned', UINT64_MAX),
  singleResource(4, 'float', 22.5),
  singleResource(5, 'float', 0.1),
  singleResource(6, 'boolean', false),
  singleResource(7, 'opaque', Uint8Array.of(0, 1, 254, 255)),
  singleResource(8, 'time', new Date(-86400_000)),
  singleResource(9, 'objlnk', { objectId: 65535, instanceId: 0 }),
  singleResource(10, 'corelnk', '</3/0>;ct=0,</1>'),
  multipleResource(11, 'integer', [
    [0, -(2 ** 53) + 1],
    [65535, 2 ** 53 - 1],
  ]),
  singleResource(12, 'float', 1),
])

describe.each(FORMATS)('$name: fixed nodes', ({ codec, kinds }) => {
  const structured = kinds.includes('instance')
  const whenStructured = structured ? it : () => undefined
  whenStructured('the Device instance /3/0 and object /3 round-trip', () => {
    same(
      codec.decode(
        codec.encode(deviceInstance(), Lwm2mPath.parse('/3/0'), MODELS),
        Lwm2mPath.parse('/3/0'),
        MODELS,
      ),
      deviceInstance(),
    )
    same(
      codec.decode(
        codec.encode(deviceObject(), Lwm2mPath.parse('/3'), MODELS),
        Lwm2mPath.parse('/3'),
        MODELS,
      ),
      deviceObject(),
    )
  })

  whenStructured('an instance with every type at its edges round-trips', () => {
    const path = Lwm2mPath.parse('/9000/0')
    same(codec.decode(codec.encode(EDGE_INSTANCE, path, EDGES), path, EDGES), EDGE_INSTANCE)
  })

  it('each edge value that fits round-trips on its own path', () => {
    for (const res of EDGE_INSTANCE.resources.values()) {
      const nodes: [Lwm2mNode, Lwm2mPath][] =
        res.kind === 'resource'
          ? [[res, Lwm2mPath.of(9000, 0, res.id)]]
          : [...res.instances].map(([ri, v]) => [
              resourceInstance(ri, res.type, v),
              Lwm2mPath.of(9000, 0, res.id, ri),
            ])
      for (const [node, path] of nodes) {
        if (!codec.canEncode(node, path)) continue
        same(codec.decode(codec.encode(node, path, EDGES), path, EDGES), node)
      }
    }
  })
})

describe('composite and timestamped payloads round-trip (Core TS 7.4.4, 7.4.5, 7.4.6)', () => {
  const nodes = new Map<string, Lwm2mNode | null>([
    ['/3/0', deviceInstance()],
    ['/1/0/1', singleResource(1, 'integer', 86400)],
    ['/3/0/6/1', resourceInstance(1, 'integer', 5)],
    ['/5/0/3', null],
  ])
  const paths = [...nodes.keys()].map((k) => Lwm2mPath.parse(k))
  it.each([senmlJsonCodec(), senmlCborCodec(), lwm2mCborCodec()])(
    'format $format: encodeNodes/decodeNodes',
    (codec) => {
      // LwM2M CBOR merges /3/0/6/1 into /3/0, so each path is decoded with the requested paths.
      const back = codec.decodeNodes!(codec.encodeNodes!(nodes, MODELS), MODELS, paths)
      expect([...back.keys()]).toEqual([...nodes.keys()])
      for (const [k, v] of nodes) {
        if (v === null) expect(back.get(k)).toBeNull()
        else same(back.get(k)!, v)
      }
    },
  )

  it.each([senmlJsonCodec(), senmlCborCodec(), omaJsonCodec()])(
    'format $format: timestamped groups',
    (codec) => {
      const data = [
        { timestamp: 1_700_000_000, nodes: new Map([['/3/0/9', singleResource(9, 'integer', 98)]]) },
        { timestamp: 1_700_000_060.5, nodes: new Map([['/3/0/9', singleResource(9, 'integer', 97)]]) },
        {
          timestamp: undefined,
          nodes: new Map<string, Lwm2mNode>([['/3/0/7', multipleResource(7, 'integer', [3800, 5000])]]),
        },
      ]
      const back = codec.decodeTimestamped!(codec.encodeTimestamped!(data, MODELS), MODELS)
      expect(back.map((g) => g.timestamp)).toEqual([1_700_000_000, 1_700_000_060.5, undefined])
      for (let i = 0; i < data.length; i++) {
        for (const [k, v] of data[i]!.nodes) same(back[i]!.nodes.get(k)!, v)
      }
    },
  )

  it.each([senmlJsonCodec(), senmlCborCodec()])('format $format: encodePaths/decodePaths', (codec) => {
    const ps = ['/', '/1', '/3/0', '/3/0/7', '/3/0/7/1'].map((s) => Lwm2mPath.parse(s))
    expect(codec.decodePaths!(codec.encodePaths!(ps)).map(String)).toEqual(ps.map(String))
  })
})
