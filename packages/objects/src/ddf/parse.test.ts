import { describe, expect, it } from 'vitest'
import { DdfError, ObjectsError } from '../errors.js'
import { parseDdf } from './parse.js'

// A DDF written here after the schema (LWM2M-v1_1.xsd): element order, every element.
const ITEM = (id: number, extra: Partial<Record<string, string>> = {}): string => `
      <Item ID="${id}">
        <Name>${extra.Name ?? `Resource ${id}`}</Name>
        <Operations>${extra.Operations ?? 'RW'}</Operations>
        <MultipleInstances>${extra.MultipleInstances ?? 'Single'}</MultipleInstances>
        <Mandatory>${extra.Mandatory ?? 'Optional'}</Mandatory>
        <Type>${extra.Type ?? 'Integer'}</Type>
        <RangeEnumeration>${extra.RangeEnumeration ?? ''}</RangeEnumeration>
        <Units>${extra.Units ?? ''}</Units>
        <Description>${extra.Description ?? ''}</Description>
      </Item>`

const DDF = (
  items = ITEM(0) + ITEM(1, { Operations: 'E', Type: '' }),
  head = '',
): string => `<?xml version="1.0" encoding="UTF-8"?>
<!-- a licence header would be here -->
<LWM2M xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:noNamespaceSchemaLocation="http://www.openmobilealliance.org/tech/profiles/LWM2M-v1_1.xsd">
  <Object ObjectType="MODefinition">
    <Name>Test Object</Name>
    <Description1><![CDATA[First <part>]]> and &amp; more</Description1>
    <ObjectID>42000</ObjectID>
    <ObjectURN>urn:oma:lwm2m:x:42000:1.1</ObjectURN>
    <LWM2MVersion>1.1</LWM2MVersion>
    <ObjectVersion>1.1</ObjectVersion>${head}
    <MultipleInstances>Multiple</MultipleInstances>
    <Mandatory>Optional</Mandatory>
    <Resources>${items}
    </Resources>
    <Description2></Description2>
  </Object>
</LWM2M>
`

function ddfError(fn: () => unknown): DdfError {
  try {
    fn()
  } catch (error) {
    expect(DdfError.isInstance(error)).toBe(true)
    expect(ObjectsError.isInstance(error)).toBe(true)
    return error as DdfError
  }
  throw new Error('expected a DdfError')
}

describe('parseDdf (OMA LwM2M Core TS Appendix D, DDF schema LWM2M-v1_1.xsd)', () => {
  it('reads an object and its resources', () => {
    const [model, ...rest] = parseDdf(
      DDF(
        ITEM(0, {
          Name: ' Value ',
          Mandatory: 'Mandatory',
          RangeEnumeration: '0..100',
          Units: '%',
          Description: 'd',
        }) +
          ITEM(7, { Operations: 'R', MultipleInstances: 'Multiple', Type: 'Unsigned Integer' }) +
          ITEM(4, { Operations: 'E', Type: '' }),
      ),
    )
    expect(rest).toEqual([])
    expect(model).toMatchObject({
      id: 42000,
      name: 'Test Object',
      description: 'First <part> and & more',
      version: '1.1',
      lwm2mVersion: '1.1',
      urn: 'urn:oma:lwm2m:x:42000:1.1',
      multiple: true,
      mandatory: false,
    })
    expect([...model!.resources.keys()]).toEqual([0, 7, 4])
    expect(model!.resources.get(0)).toEqual({
      id: 0,
      name: 'Value',
      operations: 'RW',
      multiple: false,
      mandatory: true,
      type: 'integer',
      rangeEnumeration: '0..100',
      units: '%',
      description: 'd',
    })
    expect(model!.resources.get(7)).toMatchObject({ operations: 'R', multiple: true, type: 'unsigned' })
    expect(model!.resources.get(4)).toMatchObject({ operations: 'E', type: 'none' })
  })

  it('maps every schema type', () => {
    const types = [
      'String',
      'Integer',
      'Unsigned Integer',
      'Float',
      'Boolean',
      'Opaque',
      'Time',
      'Objlnk',
      'Corelnk',
    ]
    const [model] = parseDdf(DDF(types.map((Type, i) => ITEM(i, { Type })).join('')))
    expect([...model!.resources.values()].map((r) => r.type)).toEqual([
      'string',
      'integer',
      'unsigned',
      'float',
      'boolean',
      'opaque',
      'time',
      'objlnk',
      'corelnk',
    ])
  })

  it('defaults versions to 1.0 when LWM2MVersion and ObjectVersion are absent (LwM2M 1.0 DDF)', () => {
    const xml = DDF()
      .replace('<LWM2MVersion>1.1</LWM2MVersion>', '')
      .replace('<ObjectVersion>1.1</ObjectVersion>', '')
      .replace('urn:oma:lwm2m:x:42000:1.1', 'urn:oma:lwm2m:x:42000')
    const [model] = parseDdf(xml)
    expect(model).toMatchObject({ version: '1.0', lwm2mVersion: '1.0', urn: 'urn:oma:lwm2m:x:42000' })
  })

  it('joins Description2 to Description1', () => {
    const [model] = parseDdf(
      DDF().replace('<Description2></Description2>', '<Description2>Notes.</Description2>'),
    )
    expect(model!.description).toBe('First <part> and & more\n\nNotes.')
  })

  it('reads bytes, a BOM, CRLF line ends, character references and a Latin-1 declaration', () => {
    const text = `\uFEFF${DDF().replace('Test Object', 'T&#233;st &#x4F;bject').replace(/\n/g, '\r\n')}`
    expect(parseDdf(new TextEncoder().encode(text))[0]!.name).toBe('Tést Object')
    const latin1 = DDF()
      .replace('encoding="UTF-8"', 'encoding="ISO-8859-1"')
      .replace('Test Object', 'T\u00e9st')
    const bytes = Uint8Array.from(latin1, (c) => c.charCodeAt(0))
    expect(parseDdf(bytes)[0]!.name).toBe('Tést')
  })

  it('reads several objects in one document', () => {
    const xml = DDF().replace(
      '</LWM2M>',
      `${DDF().slice(DDF().indexOf('<Object '), DDF().indexOf('</LWM2M>'))}</LWM2M>`,
    )
    const one = xml.replace(/42000/g, '42001')
    expect(() => parseDdf(xml)).toThrow(/defined twice/)
    const both = DDF().replace(
      '</LWM2M>',
      `${one.slice(one.indexOf('<Object '), one.lastIndexOf('<Object '))}</LWM2M>`,
    )
    expect(parseDdf(both).map((m) => m.id)).toEqual([42000, 42001])
  })

  describe('rejects what breaks the schema, naming the element', () => {
    const cases: [string, string, string, RegExp | string][] = [
      [
        'a missing ObjectID',
        DDF().replace('<ObjectID>42000</ObjectID>', ''),
        'OBJECTS_DDF_MISSING_ELEMENT',
        'LWM2M/Object[1]',
      ],
      [
        'an ObjectID that is no number',
        DDF().replace('<ObjectID>42000<', '<ObjectID>4x<'),
        'OBJECTS_DDF_INVALID_VALUE',
        'LWM2M/Object[1]/ObjectID',
      ],
      [
        'an ObjectID above 65535',
        DDF().replace('<ObjectID>42000<', '<ObjectID>65536<'),
        'OBJECTS_DDF_INVALID_VALUE',
        'LWM2M/Object[1]/ObjectID',
      ],
      [
        'a bad Type',
        DDF(ITEM(3, { Type: 'Double' })),
        'OBJECTS_DDF_INVALID_VALUE',
        'LWM2M/Object[1]/Resources/Item[ID=3]/Type',
      ],
      [
        'a bad Operations',
        DDF(ITEM(3, { Operations: 'RWE' })),
        'OBJECTS_DDF_INVALID_VALUE',
        'LWM2M/Object[1]/Resources/Item[ID=3]/Operations',
      ],
      [
        'a lower-case operations in strict mode',
        DDF(ITEM(3, { Operations: 'rw' })),
        'OBJECTS_DDF_INVALID_VALUE',
        'Item[ID=3]/Operations',
      ],
      [
        'a bad MultipleInstances',
        DDF(ITEM(3, { MultipleInstances: 'Many' })),
        'OBJECTS_DDF_INVALID_VALUE',
        'Item[ID=3]/MultipleInstances',
      ],
      [
        'a bad object MultipleInstances',
        DDF().replace(
          '<MultipleInstances>Multiple</MultipleInstances>\n    <Mandatory>',
          '<MultipleInstances>Several</MultipleInstances>\n    <Mandatory>',
        ),
        'OBJECTS_DDF_INVALID_VALUE',
        'LWM2M/Object[1]/MultipleInstances',
      ],
      [
        'a bad Mandatory',
        DDF(ITEM(3, { Mandatory: 'Yes' })),
        'OBJECTS_DDF_INVALID_VALUE',
        'Item[ID=3]/Mandatory',
      ],
      [
        'duplicate resource ids',
        DDF(ITEM(3) + ITEM(3)),
        'OBJECTS_DDF_DUPLICATE',
        'LWM2M/Object[1]/Resources/Item[ID=3]',
      ],
      [
        'an Item without ID',
        DDF(ITEM(3).replace(' ID="3"', '')),
        'OBJECTS_DDF_MISSING_ELEMENT',
        'LWM2M/Object[1]/Resources/Item[1]',
      ],
      [
        'an Item ID that is no number',
        DDF(ITEM(3).replace(' ID="3"', ' ID="three"')),
        'OBJECTS_DDF_INVALID_VALUE',
        'Item[1]/@ID',
      ],
      [
        'an executable with a Type',
        DDF(ITEM(3, { Operations: 'E', Type: 'Integer' })),
        'OBJECTS_DDF_INVALID_VALUE',
        'Item[ID=3]/Type',
      ],
      [
        'a readable resource without a Type',
        DDF(ITEM(3, { Operations: 'R', Type: '' })),
        'OBJECTS_DDF_INVALID_VALUE',
        'Item[ID=3]/Type',
      ],
      [
        'a missing Item Type',
        DDF(ITEM(3).replace('<Type>Integer</Type>', '')),
        'OBJECTS_DDF_MISSING_ELEMENT',
        'Item[ID=3]',
      ],
      [
        'a repeated element',
        DDF(ITEM(3).replace('<Units></Units>', '<Units></Units><Units>s</Units>')),
        'OBJECTS_DDF_UNEXPECTED_ELEMENT',
        'Item[ID=3]/Units',
      ],
      [
        'elements out of schema order',
        DDF(ITEM(3).replace('<Units></Units>', '').replace('<Type>', '<Units></Units><Type>')),
        'OBJECTS_DDF_UNEXPECTED_ELEMENT',
        'Item[ID=3]/Type',
      ],
      [
        'an unknown element',
        DDF(ITEM(3).replace('<Units>', '<Default>1</Default><Units>')),
        'OBJECTS_DDF_UNEXPECTED_ELEMENT',
        'Item[ID=3]/Default',
      ],
      [
        'an element inside a text element',
        DDF(ITEM(3, { Description: 'a <b>bold</b> word' })),
        'OBJECTS_DDF_UNEXPECTED_ELEMENT',
        'Item[ID=3]/Description/b',
      ],
      [
        'text between elements',
        DDF().replace('<Resources>', 'stray<Resources>'),
        'OBJECTS_DDF_UNEXPECTED_ELEMENT',
        'LWM2M/Object[1]',
      ],
      ['no Item', DDF(''), 'OBJECTS_DDF_MISSING_ELEMENT', 'LWM2M/Object[1]/Resources'],
      ['no Object', '<LWM2M></LWM2M>', 'OBJECTS_DDF_MISSING_ELEMENT', 'LWM2M'],
      ['another root element', '<LwM2M><Object/></LwM2M>', 'OBJECTS_DDF_UNEXPECTED_ELEMENT', 'LwM2M'],
      [
        'a missing ObjectType',
        DDF().replace(' ObjectType="MODefinition"', ''),
        'OBJECTS_DDF_MISSING_ELEMENT',
        'LWM2M/Object[1]',
      ],
      [
        'a URN that is no LwM2M URN',
        DDF().replace('urn:oma:lwm2m:x:42000:1.1', 'urn:x:1'),
        'OBJECTS_DDF_INVALID_VALUE',
        'LWM2M/Object[1]/ObjectURN',
      ],
      [
        'a URN with another id',
        DDF().replace('urn:oma:lwm2m:x:42000:1.1', 'urn:oma:lwm2m:x:42001:1.1'),
        'OBJECTS_DDF_INVALID_VALUE',
        'ObjectURN',
      ],
      [
        'a bad ObjectVersion',
        DDF().replace('<ObjectVersion>1.1<', '<ObjectVersion>v1<'),
        'OBJECTS_DDF_INVALID_VALUE',
        'LWM2M/Object[1]/ObjectVersion',
      ],
      [
        'XML that is not well-formed',
        DDF().replace('</Name>', '</Nme>'),
        'OBJECTS_DDF_MALFORMED',
        '(document)',
      ],
      ['two root elements', `${DDF()}<LWM2M/>`, 'OBJECTS_DDF_MALFORMED', '(document)'],
      [
        'a DOCTYPE',
        DDF().replace('<LWM2M ', '<!DOCTYPE LWM2M [<!ENTITY x "y">]>\n<LWM2M '),
        'OBJECTS_DDF_MALFORMED',
        '(document)',
      ],
      [
        'an undeclared entity',
        DDF().replace('Test Object', 'Test &nbsp; Object'),
        'OBJECTS_DDF_MALFORMED',
        '(document)',
      ],
      [
        'a reference to a non-character',
        DDF().replace('Test Object', 'Test &#0; Object'),
        'OBJECTS_DDF_MALFORMED',
        '(document)',
      ],
      ['an empty document', '', 'OBJECTS_DDF_MALFORMED', '(document)'],
    ]
    it.each(cases)('%s', (_, xml, code, element) => {
      const error = ddfError(() => parseDdf(xml))
      expect(error.code).toBe(code)
      if (typeof element === 'string') expect(error.element.endsWith(element)).toBe(true)
      expect(error.message).toContain(error.element)
    })

    it('gives the line of the element and the object and resource ids', () => {
      const xml = DDF(ITEM(0) + ITEM(9, { Type: 'Double' }))
      const error = ddfError(() => parseDdf(xml))
      expect(error.objectId).toBe(42000)
      expect(error.resourceId).toBe(9)
      expect(xml.split('\n')[error.line! - 1]).toContain('<Type>Double</Type>')
      expect(error.message).toMatch(/line \d+/)
    })

    it('gives the line and column of an XML error and the file name', () => {
      const error = ddfError(() => parseDdf('<LWM2M>\n  <Object>\n</LWM2M>', { file: 'x.xml' }))
      expect(error.line).toBe(3)
      expect(error.file).toBe('x.xml')
      expect(error.message.startsWith('x.xml: ')).toBe(true)
    })

    it('refuses a document longer than maxLength before parsing it', () => {
      const error = ddfError(() => parseDdf(DDF(), { maxLength: 100 }))
      expect(error.code).toBe('OBJECTS_DDF_TOO_LARGE')
    })

    it('refuses bytes that are not UTF-8 and unknown encodings', () => {
      expect(
        ddfError(() =>
          parseDdf(
            Uint8Array.of(0x3c, 0xff, 0xfe, 0x3e)
              .subarray(0, 4)
              .map((b, i) => (i === 0 ? 0x41 : b)),
          ),
        ).code,
      ).toBe('OBJECTS_DDF_MALFORMED')
      const odd = new TextEncoder().encode(DDF().replace('encoding="UTF-8"', 'encoding="X-NOPE"'))
      expect(ddfError(() => parseDdf(odd)).reason).toMatch(/unsupported encoding/)
    })

    it('refuses nesting deeper than a DDF can be', () => {
      const deep = `<LWM2M>${'<a>'.repeat(200)}${'</a>'.repeat(200)}</LWM2M>`
      expect(ddfError(() => parseDdf(deep)).code).toMatch(/^OBJECTS_DDF_/)
    })
  })

  describe('lenient mode', () => {
    it('accepts any order, unknown elements, missing descriptive elements and loose spellings', () => {
      const xml = `<LWM2M><Object>
        <ObjectID>20000</ObjectID><Name>Vendor</Name><Mandatory>optional</Mandatory><MultipleInstances>single</MultipleInstances>
        <Vendor>ACME</Vendor>
        <Resources>
          <Item ID="1"><Type>unsigned</Type><Name>A</Name><Operations>rw</Operations><MultipleInstances>Single</MultipleInstances><Mandatory>Mandatory</Mandatory></Item>
          <Item ID="2"><Name>Go</Name><Operations>E</Operations><MultipleInstances>Single</MultipleInstances><Mandatory>Optional</Mandatory><Type>Integer</Type></Item>
        </Resources></Object></LWM2M>`
      expect(() => parseDdf(xml)).toThrow(DdfError)
      const [model] = parseDdf(xml, { mode: 'lenient' })
      expect(model).toMatchObject({
        id: 20000,
        name: 'Vendor',
        multiple: false,
        mandatory: false,
        urn: 'urn:oma:lwm2m:x:20000',
        description: '',
      })
      expect(model!.resources.get(1)).toMatchObject({
        type: 'unsigned',
        operations: 'RW',
        mandatory: true,
        units: '',
      })
      expect(model!.resources.get(2)).toMatchObject({ type: 'none', operations: 'E' })
    })

    it('still rejects what would make the model wrong', () => {
      const base =
        '<LWM2M><Object><Name>x</Name><ObjectID>1</ObjectID><MultipleInstances>Single</MultipleInstances><Mandatory>Optional</Mandatory><Resources>ITEMS</Resources></Object></LWM2M>'
      const item = (body: string, id = 1) => `<Item ID="${id}"><Name>a</Name>${body}</Item>`
      const ok =
        '<Operations>R</Operations><MultipleInstances>Single</MultipleInstances><Mandatory>Optional</Mandatory><Type>String</Type>'
      expect(parseDdf(base.replace('ITEMS', item(ok)), { mode: 'lenient' })[0]!.resources.size).toBe(1)
      const bad = [
        base.replace('<ObjectID>1</ObjectID>', ''),
        base.replace('ITEMS', item(ok.replace('String', 'Text'))),
        base.replace('ITEMS', item(ok.replace('>R<', '>X<'))),
        base.replace('ITEMS', item(ok) + item(ok)),
        base.replace('ITEMS', item(ok.replace('<Type>String</Type>', ''))),
      ]
      for (const xml of bad) expect(() => parseDdf(xml, { mode: 'lenient' })).toThrow(DdfError)
    })
  })
})
