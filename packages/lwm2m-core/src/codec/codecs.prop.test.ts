// Robustness properties of every codec (DESIGN.md "Errors and bad input"): any input
// either decodes or throws Lwm2mCodecError carrying a byte/character offset or a path,
// in bounded time; nothing else escapes.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { nodeCaseArb } from '../../test/fixtures/arbitraries.js'
import { deviceInstance, MODELS } from '../../test/fixtures/spec.js'
import { Lwm2mCodecError } from '../errors.js'
import { Lwm2mPath } from '../path/path.js'
import { NO_MODELS } from './models.js'
import { defaultCodecs } from './registry.js'
import type { ModelLookup, NodeCodec } from './types.js'

const STRUCTURED = ['/3', '/3/0', '/3/0/0', '/3/0/6', '/3/0/6/1', '/3/0/13', '/1/0', '/9999/1/2', '/9999/1']
const SINGLE = ['/3/0/0', '/3/0/9', '/3/0/13', '/3/0/6/1', '/9999/1/2', '/9999/1/2/3']

// octet-stream carries Opaque resources only (Security /0/0/3 is one); others are refused by path, not by bytes.
const OPAQUE = ['/0/0/3', '/9999/1/2', '/9999/1/2/3']

function pathsFor(codec: NodeCodec): Lwm2mPath[] {
  const list = codec.format === 42 ? OPAQUE : [0, 60].includes(codec.format) ? SINGLE : STRUCTURED
  return list.map((s) => Lwm2mPath.parse(s))
}

/** Runs `f`; passes if it returns or throws a Lwm2mCodecError that says where. */
function decodesOrThrowsCodecError(f: () => unknown): void {
  try {
    f()
  } catch (e) {
    if (!(e instanceof Lwm2mCodecError)) throw e
    expect(e.offset !== undefined || e.path !== undefined).toBe(true)
  }
}

function everyDecoder(codec: NodeCodec, payload: Uint8Array, models: ModelLookup): void {
  for (const path of pathsFor(codec)) decodesOrThrowsCodecError(() => codec.decode(payload, path, models))
  if (codec.decodeNodes) decodesOrThrowsCodecError(() => codec.decodeNodes!(payload, models))
  if (codec.decodeNodes) {
    const paths = [Lwm2mPath.parse('/3/0'), Lwm2mPath.parse('/1/0/1')]
    decodesOrThrowsCodecError(() => codec.decodeNodes!(payload, models, paths))
  }
  if (codec.decodeTimestamped) decodesOrThrowsCodecError(() => codec.decodeTimestamped!(payload, models))
  if (codec.decodePaths) decodesOrThrowsCodecError(() => codec.decodePaths!(payload))
}

const modelsArb = fc.constantFrom(MODELS, NO_MODELS)
const CBOR_FORMATS = [60, 112, 11544]

describe.each(defaultCodecs().map((codec) => ({ codec, format: codec.format })))(
  'content format $format',
  ({ codec }) => {
    it('arbitrary bytes decode or throw Lwm2mCodecError', () => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 200 }), modelsArb, (bytes, models) =>
          everyDecoder(codec, bytes, models),
        ),
        { numRuns: 300 },
      )
    })

    it('mutations of valid payloads (truncated, a byte changed, a byte inserted) decode or throw Lwm2mCodecError', () => {
      const seeds = fc.oneof(
        nodeCaseArb('instance'),
        nodeCaseArb('object'),
        nodeCaseArb('resource'),
        nodeCaseArb('resourceInstance'),
      )
      fc.assert(
        fc.property(
          seeds,
          fc.nat(),
          fc.nat(255),
          fc.constantFrom('cut', 'flip', 'insert'),
          (c, at, byte, how) => {
            if (!codec.canEncode(c.node, c.path)) return
            const bytes = codec.encode(c.node, c.path, c.models)
            const i = bytes.length === 0 ? 0 : at % bytes.length
            const mutated =
              how === 'cut'
                ? bytes.slice(0, i)
                : how === 'flip'
                  ? bytes.map((b, k) => (k === i ? b ^ (byte || 1) : b))
                  : Uint8Array.from([...bytes.slice(0, i), byte, ...bytes.slice(i)])
            decodesOrThrowsCodecError(() => codec.decode(mutated, c.path, c.models))
            decodesOrThrowsCodecError(() => codec.decode(mutated, c.path, NO_MODELS))
          },
        ),
        { numRuns: 300 },
      )
    })

    if (CBOR_FORMATS.includes(codec.format)) {
      it('huge claimed lengths and deep nesting are refused before anything is allocated', () => {
        const claims = [
          'dbffffffffffffffff', // array of 2^64-1
          '9b000000000fffffff00', // array of 268M elements
          '5a7fffffff00', // 2 GB byte string
          'bb0000000100000000', // map of 2^32 entries
          '81'.repeat(100_000), // 100k nested arrays
          'bf'.repeat(50_000), // 50k nested indefinite maps
          `${'c1'.repeat(10_000)}00`, // 10k nested tags
        ]
        for (const h of claims) {
          const bytes = new Uint8Array(Buffer.from(h, 'hex'))
          for (const path of pathsFor(codec)) {
            expect(() => codec.decode(bytes, path, MODELS)).toThrow(Lwm2mCodecError)
          }
        }
      })
    }

    if (codec.format === 110 || codec.format === 11543) {
      it('arbitrary JSON texts decode or throw Lwm2mCodecError', () => {
        fc.assert(
          fc.property(fc.json({ maxDepth: 4 }), modelsArb, (json, models) =>
            everyDecoder(codec, new TextEncoder().encode(json), models),
          ),
          { numRuns: 300 },
        )
      })

      it('JSON documents shaped like SenML / OMA JSON with arbitrary labels and values decode or throw Lwm2mCodecError', () => {
        const label = fc.constantFrom(
          'bn',
          'bt',
          'n',
          't',
          'v',
          'vs',
          'vb',
          'vd',
          'vlo',
          'bv',
          'bver',
          'sv',
          'ov',
          'e',
          'x_',
          'u',
        )
        const scalar = fc.oneof(
          fc.constantFrom('/3/0/', '/3/0/0', '0', '6/1', '/', 'abc', '66:0', 'AAEC', '9/9/9/9/9', ''),
          fc.integer(),
          fc.double(),
          fc.boolean(),
          fc.constant(null),
        )
        const record = fc.dictionary(label, scalar, { maxKeys: 5 })
        const senml = fc.array(record, { maxLength: 6 })
        const oma = fc.record({ bn: fc.constantFrom('/3/0/', '/3/', '/'), e: senml })
        fc.assert(
          fc.property(fc.oneof(senml, oma), modelsArb, (doc, models) =>
            everyDecoder(codec, new TextEncoder().encode(JSON.stringify(doc)), models),
          ),
          { numRuns: 300 },
        )
      })
    }

    it('decoding stays fast on a large valid payload (bounded work per byte)', () => {
      const path = Lwm2mPath.parse('/3/0')
      if (!codec.canEncode(deviceInstance(), path)) return
      const bytes = codec.encode(deviceInstance(), path, MODELS)
      for (let i = 0; i < 200; i++) codec.decode(bytes, path, MODELS)
    })
  },
)
