import type { ObjectModel, ResourceOperations, ResourceType } from '@lwm2m/core'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { DdfError } from '../errors.js'
import { createObjectModel, defaultObjectUrn } from '../model/create-object-model.js'
import { parseDdf } from './parse.js'
import { writeDdf } from './write.js'

// Text a DDF element can carry and the parser gives back as is: XML characters, no
// leading or trailing white space (the parser trims element text).
const xmlChar = fc.oneof(
  { weight: 8, arbitrary: fc.string({ unit: 'grapheme-ascii', maxLength: 1 }) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      '&',
      '<',
      '>',
      '"',
      "'",
      ']]>',
      '&amp;',
      '\n',
      '\r',
      '\t',
      'é',
      '€',
      '😀',
      '&#65;',
    ),
  },
)
const text = fc
  .array(xmlChar, { maxLength: 30 })
  .map((parts) => parts.join('').trim())
  .filter((s) => [...s].every((c) => c.codePointAt(0)! >= 0x20 || c === '\t' || c === '\n' || c === '\r'))

const version = fc
  .tuple(fc.integer({ min: 0, max: 20 }), fc.integer({ min: 0, max: 20 }))
  .map(([a, b]) => `${a}.${b}`)
const valueType = fc.constantFrom<ResourceType>(
  'string',
  'integer',
  'unsigned',
  'float',
  'boolean',
  'opaque',
  'time',
  'objlnk',
  'corelnk',
)
const resource = fc.oneof(
  fc.record({
    operations: fc.constantFrom<ResourceOperations>('R', 'W', 'RW', ''),
    type: valueType,
  }),
  fc.constant({ operations: 'E' as ResourceOperations, type: 'none' as ResourceType }),
)

const model: fc.Arbitrary<ObjectModel> = fc
  .record({
    id: fc.integer({ min: 0, max: 65535 }),
    name: text,
    description: text,
    version,
    lwm2mVersion: version,
    multiple: fc.boolean(),
    mandatory: fc.boolean(),
    resources: fc.uniqueArray(
      fc.record({
        id: fc.integer({ min: 0, max: 65535 }),
        kind: resource,
        name: text,
        multiple: fc.boolean(),
        mandatory: fc.boolean(),
        rangeEnumeration: text,
        units: text,
        description: text,
      }),
      { minLength: 1, maxLength: 8, selector: (r) => r.id },
    ),
  })
  .map((m) =>
    createObjectModel({
      ...m,
      urn: defaultObjectUrn(m.id, m.version),
      resources: m.resources.map(({ kind, ...r }) => ({ ...r, ...kind })),
    }),
  )

describe('parseDdf properties', () => {
  it('reads back what writeDdf wrote: parseDdf(writeDdf(models)) equals models', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(model, { minLength: 1, maxLength: 3, selector: (m) => `${m.id}@${m.version}` }),
        (models) => {
          expect(parseDdf(writeDdf(models))).toEqual(models)
        },
      ),
      { numRuns: 300 },
    )
  })

  it('answers any text with models or a DdfError, nothing else', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (s) => {
        try {
          parseDdf(s)
        } catch (error) {
          expect(DdfError.isInstance(error)).toBe(true)
        }
      }),
      { numRuns: 1000 },
    )
  })

  it('answers any bytes with models or a DdfError, nothing else', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (b) => {
        try {
          parseDdf(b)
        } catch (error) {
          expect(DdfError.isInstance(error)).toBe(true)
        }
      }),
      { numRuns: 500 },
    )
  })

  it('answers a damaged DDF with models or a DdfError, in both modes', () => {
    const valid = writeDdf([
      createObjectModel({
        id: 3303,
        name: 'T',
        version: '1.1',
        multiple: true,
        resources: [
          { id: 5700, name: 'Sensor Value', operations: 'R', type: 'float', mandatory: true },
          { id: 5605, name: 'Reset', operations: 'E', type: 'none' },
        ],
      }),
    ])
    const edit = fc.record({
      at: fc.nat({ max: valid.length }),
      remove: fc.nat({ max: 12 }),
      insert: fc.oneof(
        fc.string({ maxLength: 6 }),
        fc.constantFrom('<', '>', '</Item>', '<Item ID="1">', '&', '"', '<![CDATA[', ']]>', '<!--', '-->'),
      ),
    })
    fc.assert(
      fc.property(
        fc.array(edit, { minLength: 1, maxLength: 4 }),
        fc.constantFrom('strict' as const, 'lenient' as const),
        (edits, mode) => {
          let s = valid
          for (const e of edits) s = s.slice(0, e.at) + e.insert + s.slice(e.at + e.remove)
          try {
            const models = parseDdf(s, { mode })
            expect(models.length).toBeGreaterThan(0)
          } catch (error) {
            expect(DdfError.isInstance(error)).toBe(true)
          }
        },
      ),
      { numRuns: 1500 },
    )
  })
})
