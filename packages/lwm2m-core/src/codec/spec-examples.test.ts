// The payload examples of the OMA LwM2M Core TS, section "Data Formats for Transferring
// Resource Information", as recorded in shared/lwm2m-registry/SPEC-EXAMPLES.md (section
// numbers below are that file's). Printing errors listed there are used corrected.
import { describe, expect, it } from 'vitest'
import { DEVICE, SERVER } from '../../test/fixtures/oma-models.js'
import { deviceInstance, deviceObject, hex, MODELS, toHex } from '../../test/fixtures/spec.js'
import { instance, multipleResource, objectNode, singleResource } from '../node/build.js'
import { nodesEqual } from '../node/equal.js'
import type { Lwm2mNode } from '../node/types.js'
import { Lwm2mPath } from '../path/path.js'
import { NULL_OBJECT_LINK } from '../value/object-link.js'
import { lwm2mCborCodec } from './lwm2m-cbor/lwm2m-cbor-codec.js'
import { NO_MODELS } from './models.js'
import { omaJsonCodec } from './oma-json/oma-json-codec.js'
import { senmlCborCodec } from './senml/senml-cbor-codec.js'
import { senmlJsonCodec } from './senml/senml-json-codec.js'
import { textCodec } from './single/text-codec.js'
import { tlvCodec } from './tlv/tlv-codec.js'

const p = Lwm2mPath.parse
const utf8 = (s: string) => new TextEncoder().encode(s)
const text = (b: Uint8Array) => new TextDecoder().decode(b)
const compact = (s: string) => s.replace(/\n\s*/g, '')

function expectNode(actual: Lwm2mNode, expected: Lwm2mNode): void {
  if (!nodesEqual(actual, expected)) expect(actual).toEqual(expected)
  expect(nodesEqual(actual, expected)).toBe(true)
}

const TLV_3_0 = `
C8 00 14 4F 70 65 6E 20 4D 6F 62 69 6C 65 20 41 6C 6C 69 61 6E 63 65
C8 01 16 4C 69 67 68 74 77 65 69 67 68 74 20 4D 32 4D 20 43 6C 69 65 6E 74
C8 02 09 33 34 35 30 30 30 31 32 33
C3 03 31 2E 30
86 06 41 00 01 41 01 05
88 07 08 42 00 0E D8 42 01 13 88
87 08 41 00 7D 42 01 03 84
C1 09 64
C1 0A 0F
83 0B 41 00 00
C4 0D 51 82 42 8F
C6 0E 2B 30 32 3A 30 30
C1 10 55`

describe('Core TS 7.4.1 text/plain (SPEC-EXAMPLES 0)', () => {
  it('Read /3/0/0 answers "Open Mobile Alliance"', () => {
    const codec = textCodec()
    const node = codec.decode(utf8('Open Mobile Alliance'), p('/3/0/0'), MODELS)
    expectNode(node, singleResource(0, 'string', 'Open Mobile Alliance'))
    expect(text(codec.encode(node, p('/3/0/0'), MODELS))).toBe('Open Mobile Alliance')
  })
})

describe('Core TS 7.4.3 TLV (SPEC-EXAMPLES 1)', () => {
  const tlv = tlvCodec()

  it('1.1 Single Object Instance Request Example: Read /3/0, 121 bytes (corrected "Lightweight")', () => {
    const bytes = hex(TLV_3_0)
    expect(bytes.length).toBe(121)
    expectNode(tlv.decode(bytes, p('/3/0'), MODELS), deviceInstance())
    expect(toHex(tlv.encode(deviceInstance(), p('/3/0'), MODELS))).toBe(toHex(bytes))
  })

  it('1.1 the printed (uncorrected) blob does not parse: a typed error with the offset', () => {
    const printed = hex(TLV_3_0.replace('77 65 69 67 68 74', '77 65 69 67 74'))
    expect(printed.length).toBe(120)
    expect(() => tlv.decode(printed, p('/3/0'), MODELS)).toThrowError(/content format 11542 at \d+/)
  })

  it('1.2 Multiple Object Instance Request Example A: Read /3, 124 bytes', () => {
    const bytes = hex(`08 00 79 ${TLV_3_0}`)
    expect(bytes.length).toBe(124)
    expectNode(tlv.decode(bytes, p('/3'), MODELS), deviceObject())
    expect(toHex(tlv.encode(deviceObject(), p('/3'), MODELS))).toBe(toHex(bytes))
  })

  it('1.3 Multiple Object Instance Request Example B: Read /2, two Access Control instances, 16-bit ids', () => {
    const bytes = hex(`08 00 0E C1 00 01 C1 01 00 83 02 41 7F 07 C1 03 7F
      08 02 12 C1 00 03 C1 01 00 87 02 41 7F 07 61 01 36 01 C1 03 7F`)
    expect(bytes.length).toBe(38)
    const expected = objectNode(2, [
      instance(0, [
        singleResource(0, 'integer', 1),
        singleResource(1, 'integer', 0),
        multipleResource(2, 'integer', [[127, 7]]),
        singleResource(3, 'integer', 127),
      ]),
      instance(2, [
        singleResource(0, 'integer', 3),
        singleResource(1, 'integer', 0),
        multipleResource(2, 'integer', [
          [127, 7],
          [310, 1],
        ]),
        singleResource(3, 'integer', 127),
      ]),
    ])
    expectNode(tlv.decode(bytes, p('/2'), MODELS), expected)
    expect(toHex(tlv.encode(expected, p('/2'), MODELS))).toBe(toHex(bytes))
  })

  it('1.4 Multiple Object Instance Request Example C: Read /1, 18 bytes (corrected length 0x0F)', () => {
    const bytes = hex('08 00 0F C1 00 01 C4 01 00 01 51 80 C1 06 01 C1 07 55')
    const expected = objectNode(1, [
      instance(0, [
        singleResource(0, 'integer', 1),
        singleResource(1, 'integer', 86400),
        singleResource(6, 'boolean', true),
        singleResource(7, 'string', 'U'),
      ]),
    ])
    expectNode(tlv.decode(bytes, p('/1'), MODELS), expected)
    expect(toHex(tlv.encode(expected, p('/1'), MODELS))).toBe(toHex(bytes))
    // As printed (0x0D) the instance claims 13 bytes and the rest does not parse.
    expect(() =>
      tlv.decode(hex('08 00 0D C1 00 01 C4 01 00 01 51 80 C1 06 01 C1 07 55'), p('/1'), MODELS),
    ).toThrow(/11542 at \d+/)
  })

  it('1.5 Object Link example 1: Read /65/0, 37 bytes', () => {
    const bytes = hex(`88 00 0C 44 00 00 42 00 00 44 01 00 42 00 01
      C8 01 0D 38 36 31 33 38 30 30 37 35 35 35 30 30 C4 02 12 34 56 78`)
    expect(bytes.length).toBe(37)
    const expected = instance(0, [
      multipleResource(0, 'objlnk', [
        { objectId: 66, instanceId: 0 },
        { objectId: 66, instanceId: 1 },
      ]),
      singleResource(1, 'string', '8613800755500'),
      singleResource(2, 'integer', 0x12345678),
    ])
    expectNode(tlv.decode(bytes, p('/65/0'), MODELS), expected)
    expect(toHex(tlv.encode(expected, p('/65/0'), MODELS))).toBe(toHex(bytes))
  })

  it('1.5 Object Link example 2: Read /66, 82 bytes (corrected instance lengths 0x26)', () => {
    const bytes = hex(`08 00 26 C8 00 0B 6D 79 53 65 72 76 69 63 65 20 31
      C8 01 0F 49 6E 74 65 72 6E 65 74 2E 31 35 2E 32 33 34 C4 02 00 43 00 00
      08 01 26 C8 00 0B 6D 79 53 65 72 76 69 63 65 20 32
      C8 01 0F 49 6E 74 65 72 6E 65 74 2E 31 35 2E 32 33 35 C4 02 FF FF FF FF`)
    expect(bytes.length).toBe(82)
    const expected = objectNode(66, [
      instance(0, [
        singleResource(0, 'string', 'myService 1'),
        singleResource(1, 'string', 'Internet.15.234'),
        singleResource(2, 'objlnk', { objectId: 67, instanceId: 0 }),
      ]),
      instance(1, [
        singleResource(0, 'string', 'myService 2'),
        singleResource(1, 'string', 'Internet.15.235'),
        singleResource(2, 'objlnk', NULL_OBJECT_LINK),
      ]),
    ])
    expectNode(tlv.decode(bytes, p('/66'), MODELS), expected)
    expect(toHex(tlv.encode(expected, p('/66'), MODELS))).toBe(toHex(bytes))
  })
})

const SENML_3_0 = `[{"bn":"/3/0/","n":"0","vs":"Open Mobile Alliance"},
{"n":"1","vs":"Lightweight M2M Client"},
{"n":"2","vs":"345000123"},
{"n":"3","vs":"1.0"},
{"n":"6/0","v":1},
{"n":"6/1","v":5},
{"n":"7/0","v":3800},
{"n":"7/1","v":5000},
{"n":"8/0","v":125},
{"n":"8/1","v":900},
{"n":"9","v":100},
{"n":"10","v":15},
{"n":"11/0","v":0},
{"n":"13","v":1367491215},
{"n":"14","vs":"+02:00"},
{"n":"16","vs":"U"}]`

describe('Core TS 7.4.4 SenML JSON (SPEC-EXAMPLES 2)', () => {
  const senml = senmlJsonCodec()

  it('2.1 Read /3/0: 399 bytes as laid out, 384 without whitespace, which is what we write', () => {
    expect(utf8(SENML_3_0).length).toBe(399)
    expectNode(senml.decode(utf8(SENML_3_0), p('/3/0'), MODELS), deviceInstance())
    const out = text(senml.encode(deviceInstance(), p('/3/0'), MODELS))
    expect(out).toBe(compact(SENML_3_0))
    expect(out.length).toBe(384)
  })

  it('2.2 notification with historical values: base time plus relative times', () => {
    const doc = `[{"bn":"/72/","bt":25462634,"n":"1/2","v":22.4,"t":-5},
      {"n":"1/2","v":22.9,"t":-30},
      {"n":"1/2","v":24.1,"t":-50}]`
    const groups = senml.decodeTimestamped!(utf8(doc), MODELS)
    expect(groups.map((g) => g.timestamp)).toEqual([25462629, 25462604, 25462584])
    expect(groups.map((g) => [...g.nodes.keys()])).toEqual([['/72/1/2'], ['/72/1/2'], ['/72/1/2']])
    expectNode(groups[2]!.nodes.get('/72/1/2')!, singleResource(2, 'float', 24.1))
    const again = senml.decodeTimestamped!(senml.encodeTimestamped!(groups, MODELS), MODELS)
    expect(again.map((g) => g.timestamp)).toEqual([25462629, 25462604, 25462584])
  })

  it('2.3 Read /65/0 following object links, base name "/", null link spelled FFFF:FFFF', () => {
    const doc = `[{"bn":"/","n":"65/0/0/0","vlo":"66:0"},
      {"n":"65/0/0/1","vlo":"66:1"},
      {"n":"65/0/1","vs":"8613800755500"},
      {"n":"65/0/2","v":1},
      {"n":"66/0/0","vs":"myService1"},
      {"n":"66/0/1","vs":"Internet.15.234"},
      {"n":"66/0/2","vlo":"67:0"},
      {"n":"66/1/0","vs":"myService2"},
      {"n":"66/1/1","vs":"Internet.15.235"},
      {"n":"66/1/2","vlo":"FFFF:FFFF"},
      {"n":"67/0/0","vs":"85.76.76.84"},
      {"n":"67/0/1","vs":"85.76.255.255"}]`
    const nodes = senml.decodeNodes!(utf8(doc), MODELS, [p('/65/0'), p('/66'), p('/67/0')])
    expectNode(
      nodes.get('/65/0')!,
      instance(0, [
        multipleResource(0, 'objlnk', [
          { objectId: 66, instanceId: 0 },
          { objectId: 66, instanceId: 1 },
        ]),
        singleResource(1, 'string', '8613800755500'),
        singleResource(2, 'integer', 1),
      ]),
    )
    const obj66 = nodes.get('/66')!
    expect(obj66.kind === 'object' && obj66.instances.get(1)?.resources.get(2)).toEqual(
      singleResource(2, 'objlnk', NULL_OBJECT_LINK),
    )
    expect([...senml.decodeNodes!(utf8(doc), MODELS).keys()]).toEqual([
      '/65/0/0',
      '/65/0/1',
      '/65/0/2',
      '/66/0/0',
      '/66/0/1',
      '/66/0/2',
      '/66/1/0',
      '/66/1/1',
      '/66/1/2',
      '/67/0/0',
      '/67/0/1',
    ])
  })

  it('2.4 Read /3/0/0, corrected closing quote; base name only', () => {
    const doc = '[{"bn":"/3/0/0","vs":"Open Mobile Alliance"}]'
    const node = singleResource(0, 'string', 'Open Mobile Alliance')
    expectNode(senml.decode(utf8(doc), p('/3/0/0'), MODELS), node)
    expect(text(senml.encode(node, p('/3/0/0'), MODELS))).toBe(doc)
    expect(() =>
      senml.decode(utf8('[{"bn":"/3/0/0","vs":"Open Mobile Alliance}]'), p('/3/0/0'), MODELS),
    ).toThrow(/content format 110 at \d+: JSON/)
  })

  it('2.5 Read-Composite: request paths, and the response exactly as printed (with its whitespace)', () => {
    const request = '[{"n":"/3/0/0"},\n{"n":"/3/0/9"},\n{"n":"/1/0/1"}]'
    const paths = senml.decodePaths!(utf8(request))
    expect(paths.map(String)).toEqual(['/3/0/0', '/3/0/9', '/1/0/1'])
    expect(text(senml.encodePaths!(paths))).toBe(compact(request))
    const response = `[{"n":"/3/0/0", "vs":"Open Mobile Alliance"},
{"n" :"/3/0/9", "v":95},
{"n":"/1/0/1", "v":86400}]`
    const nodes = senml.decodeNodes!(utf8(response), MODELS, paths)
    expect([...nodes.keys()]).toEqual(['/3/0/0', '/3/0/9', '/1/0/1'])
    expectNode(nodes.get('/3/0/9')!, singleResource(9, 'integer', 95))
    expectNode(nodes.get('/1/0/1')!, singleResource(1, 'integer', 86400))
    expect(text(senml.encodeNodes!(nodes, MODELS))).toBe(
      compact(response).replace(/, /g, ',').replace('"n" :', '"n":'),
    )
  })

  it('2.6 Read-Composite request using base names', () => {
    const doc = '[{"bn":"/4/0/", "n":"0"},\n{"n":"1"},\n{"n":"2"},\n{"bn":"/6/", "n":"0"}]'
    expect(senml.decodePaths!(utf8(doc)).map(String)).toEqual(['/4/0/0', '/4/0/1', '/4/0/2', '/6/0'])
  })

  it('2.7 Write-Composite to Light Control and Set Point', () => {
    const doc = `[{"n":"/3311/0/5850", "vb":false},
{"n":"/3311/1/5850", "vb":false},
{"n":"/3311/2/5851", "v":20},
{"n":"/3308/0/5900", "v":18}]`
    const nodes = senml.decodeNodes!(utf8(doc), MODELS)
    expect([...nodes.keys()]).toEqual(['/3311/0/5850', '/3311/1/5850', '/3311/2/5851', '/3308/0/5900'])
    expectNode(nodes.get('/3311/0/5850')!, singleResource(5850, 'boolean', false))
    // Dimmer (5851) is an Integer and Set Point Value (5900) a Float in the IPSO models.
    expectNode(nodes.get('/3311/2/5851')!, singleResource(5851, 'integer', 20))
    expectNode(nodes.get('/3308/0/5900')!, singleResource(5900, 'float', 18))
  })

  it('2.8 Read-Composite request shapes: root, an object, two instances', () => {
    expect(senml.decodePaths!(utf8('[{"n":"/"}]')).map(String)).toEqual(['/'])
    expect(senml.decodePaths!(utf8('[{"n":"/1"}]')).map(String)).toEqual(['/1'])
    expect(senml.decodePaths!(utf8('[{"n":"/1/0"},\n{"n":"/1/2"}]')).map(String)).toEqual(['/1/0', '/1/2'])
  })

  it('2.9 Bootstrap-Read /2 of two Access Control instances', () => {
    const doc = `[{"bn":"/2/","n":"0/0","v":1},
 {"n":"0/1","v":0},
 {"n":"0/2/127","v":7},
 {"n":"0/3","v":127},
 {"n":"2/0","v":3},
 {"n":"2/1","v":0},
 {"n":"2/2/127","v":7},
 {"n":"2/2/310","v":7},
 {"n":"2/3","v":127}]`
    const node = senml.decode(utf8(doc), p('/2'), MODELS)
    expect(node.kind).toBe('object')
    const acl = node.kind === 'object' ? node.instances.get(2)?.resources.get(2) : undefined
    expectNode(
      acl!,
      multipleResource(2, 'integer', [
        [127, 7],
        [310, 7],
      ]),
    )
    expect(text(senml.encode(node, p('/2'), MODELS))).toBe(compact(doc).replace(/\s/g, ''))
  })

  it('2.10 Write on a multiple resource: the payload names resource instances 1 and 3', () => {
    const doc = '[ { "n": "/34/0/1/1", "vs":"Yellow" },\n  { "n": "/34/0/1/3", "vs":"Blue" }]'
    expectNode(
      senml.decode(utf8(doc), p('/34/0/1'), MODELS),
      multipleResource(1, 'string', [
        [1, 'Yellow'],
        [3, 'Blue'],
      ]),
    )
  })
})

describe('LwM2M 1.0 section 6.4.4 JSON (SPEC-EXAMPLES 3)', () => {
  const doc = `{"bn":"/3/0/",
"e":[
{"n":"0","sv":"Open Mobile Alliance"},
{"n":"1","sv":"Lightweight M2M Client"},
{"n":"2","sv":"345000123"},
{"n":"3","sv":"1.0"},
{"n":"6/0","v":1},
{"n":"6/1","v":5},
{"n":"7/0","v":3800},
{"n":"7/1","v":5000},
{"n":"8/0","v":125},
{"n":"8/1","v":900},
{"n":"9","v":100},
{"n":"10","v":15},
{"n":"11/0","v":0},
{"n":"13","v":1367491215},
{"n":"14","sv":"+02:00"},
{"n":"16","sv":"U"}]
}`
  it('Read /3/0 decodes to the example client and encodes to the same document', () => {
    const json = omaJsonCodec()
    expectNode(json.decode(utf8(doc), p('/3/0'), MODELS), deviceInstance())
    expect(text(json.encode(deviceInstance(), p('/3/0'), MODELS))).toBe(compact(doc))
  })
})

const SENML_CBOR_3_0 = `90 a3 21 65 2f 33 2f 30 2f 00 61 30 03 74 4f 70
65 6e 20 4d 6f 62 69 6c 65 20 41 6c 6c 69 61 6e
63 65 a2 00 61 31 03 76 4c 69 67 68 74 77 65 69
67 68 74 20 4d 32 4d 20 43 6c 69 65 6e 74 a2 00
61 32 03 69 33 34 35 30 30 30 31 32 33 a2 00 61
33 03 63 31 2e 30 a2 00 63 36 2f 30 02 01 a2 00
63 36 2f 31 02 05 a2 00 63 37 2f 30 02 19 0e d8
a2 00 63 37 2f 31 02 19 13 88 a2 00 63 38 2f 30
02 18 7d a2 00 63 38 2f 31 02 19 03 84 a2 00 61
39 02 18 64 a2 00 62 31 30 02 0f a2 00 64 31 31
2f 30 02 00 a2 00 62 31 33 02 1a 51 82 42 8f a2
00 62 31 34 03 66 2b 30 32 3a 30 30 a2 00 62 31
36 03 61 55`

describe('Core TS 7.4.5 SenML CBOR (SPEC-EXAMPLES 4)', () => {
  it('4.1 Read /3/0: 196 bytes, decoded and re-encoded byte for byte', () => {
    const cbor = senmlCborCodec()
    const bytes = hex(SENML_CBOR_3_0)
    expect(bytes.length).toBe(196)
    expectNode(cbor.decode(bytes, p('/3/0'), MODELS), deviceInstance())
    expect(toHex(cbor.encode(deviceInstance(), p('/3/0'), MODELS))).toBe(toHex(bytes))
  })
})

describe('Core TS 1.2 7.4.6 LwM2M CBOR (SPEC-EXAMPLES 5)', () => {
  const cbor = lwm2mCborCodec()
  const OMA = '4F70656E204D6F62696C6520416C6C69616E6365'

  it('Read /3/0/0, compressed path key [3,0,0] (26 bytes), and the nested alternative (27 bytes)', () => {
    const node = singleResource(0, 'string', 'Open Mobile Alliance')
    const bytes = hex(`A1 83 03 00 00 74 ${OMA}`)
    expect(bytes.length).toBe(26)
    expect(toHex(cbor.encode(node, p('/3/0/0'), MODELS))).toBe(toHex(bytes))
    expectNode(cbor.decode(bytes, p('/3/0/0'), MODELS), node)
    expectNode(cbor.decode(hex(`A1 03 A1 00 A1 00 74 ${OMA}`), p('/3/0/0'), MODELS), node)
  })

  it('Read /3/0/6, a multiple resource (10 bytes)', () => {
    const node = multipleResource(6, 'integer', [1, 5])
    const bytes = hex('A1 83 03 00 06 A2 00 01 01 05')
    expect(toHex(cbor.encode(node, p('/3/0/6'), MODELS))).toBe(toHex(bytes))
    expectNode(cbor.decode(bytes, p('/3/0/6'), MODELS), node)
  })

  it('Read-Composite /3/0/0 + /3/0/9 + /1/0/1 (39 bytes)', () => {
    const bytes = hex(`A2 82 03 00 A2 00 74 ${OMA} 09 18 64 83 01 00 01 1A 00015180`)
    expect(bytes.length).toBe(39)
    const nodes = new Map<string, Lwm2mNode | null>([
      ['/3/0/0', singleResource(0, 'string', 'Open Mobile Alliance')],
      ['/3/0/9', singleResource(9, 'integer', 100)],
      ['/1/0/1', singleResource(1, 'integer', 86400)],
    ])
    expect(toHex(cbor.encodeNodes!(nodes, MODELS))).toBe(toHex(bytes))
    const back = cbor.decodeNodes!(bytes, MODELS, [p('/3/0/0'), p('/3/0/9'), p('/1/0/1')])
    expect([...back.keys()]).toEqual([...nodes.keys()])
    for (const [k, v] of nodes) expectNode(back.get(k)!, v!)
  })

  it('Read /3/0 (118 bytes)', () => {
    const bytes = hex(`A1 82 03 00 AD
      00 74 ${OMA}
      01 76 4C69676874776569676874204D324D20436C69656E74
      02 69 333435303030313233
      03 63 312E30
      06 A2 00 01 01 05
      07 A2 00 19 0ED8 01 19 1388
      08 A2 00 18 7D 01 19 0384
      09 18 64
      0A 0F
      0B A1 00 00
      0D 1A 5182428F
      0E 66 2B30323A3030
      10 61 55`)
    expect(bytes.length).toBe(118)
    expectNode(cbor.decode(bytes, p('/3/0'), MODELS), deviceInstance())
    expect(toHex(cbor.encode(deviceInstance(), p('/3/0'), MODELS))).toBe(toHex(bytes))
  })

  it('Read /1 with two Server instances (63 bytes)', () => {
    const bytes = hex(`A1 01 A2
      00 A7 00 18 65 01 1A 00015180 02 19 012C 03 19 1770 05 1A 00015180 06 F5 07 61 55
      01 A7 00 18 66 01 1A 00015180 02 19 0258 03 19 1770 05 1A 00015180 06 F4 07 61 55`)
    expect(bytes.length).toBe(63)
    const server = (id: number, ssid: number, pmin: number, store: boolean) =>
      instance(id, [
        singleResource(0, 'integer', ssid),
        singleResource(1, 'integer', 86400),
        singleResource(2, 'integer', pmin),
        singleResource(3, 'integer', 6000),
        singleResource(5, 'integer', 86400),
        singleResource(6, 'boolean', store),
        singleResource(7, 'string', 'U'),
      ])
    const expected = objectNode(1, [server(0, 101, 300, true), server(1, 102, 600, false)])
    expectNode(cbor.decode(bytes, p('/1'), MODELS), expected)
    expect(toHex(cbor.encode(expected, p('/1'), MODELS))).toBe(toHex(bytes))
  })

  it('without models the CBOR items type the values (Integer, String, Boolean)', () => {
    const node = cbor.decode(hex(`A1 83 03 00 00 74 ${OMA}`), p('/3/0/0'), NO_MODELS)
    expectNode(node, singleResource(0, 'string', 'Open Mobile Alliance'))
    expect(DEVICE.resources.get(13)?.type).toBe('time')
    expect(SERVER.resources.get(6)?.type).toBe('boolean')
  })
})
