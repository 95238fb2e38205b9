import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { Lwm2mError } from '../errors.js'
import { Lwm2mPath } from '../path/path.js'
import {
  type AnnouncedObject,
  formatBootstrapDiscoverLinks,
  formatDiscoverLinks,
  formatRegistrationLinks,
  parseBootstrapDiscoverLinks,
  parseDiscoverLinks,
  parseRegistrationLinks,
} from './links.js'

const P = (t: string) => Lwm2mPath.parse(t)

describe('Register payload (Core TS 1.2 section 6.2.1)', () => {
  it('reads the example client list </1/0>,</1/1>,</2/0>,...,</5> (SPEC-EXAMPLES 6.1)', () => {
    const r = parseRegistrationLinks('</1/0>,</1/1>,</2/0>,</2/1>,</2/2>,</2/3>,</2/4>,</3/0>,</4/0>,</5>')
    expect(r.rootPath).toBe('/')
    expect(r.supportedFormats).toEqual([])
    expect([...r.objects.values()]).toEqual([
      { objectId: 1, instances: [0, 1] },
      { objectId: 2, instances: [0, 1, 2, 3, 4] },
      { objectId: 3, instances: [0] },
      { objectId: 4, instances: [0] },
      { objectId: 5, instances: [] },
    ])
  })

  it('reads ct=110 and the quoted list ct="110 112 60" on the root link, with the spaces as printed', () => {
    expect(parseRegistrationLinks('</>;ct=110, </1/0>,</3/0>').supportedFormats).toEqual([110])
    const r = parseRegistrationLinks('</>;ct="110 112 60", </1/0>,</1/1>,</3/0>,</5>')
    expect(r.supportedFormats).toEqual([110, 112, 60])
    expect(r.objects.get(1)?.instances).toEqual([0, 1])
  })

  it('reads an alternate path with rt="oma.lwm2m" and strips it from object links (Transport TS section 6.4.1)', () => {
    const r = parseRegistrationLinks('</lwm2m>;rt="oma.lwm2m";ct=11543,</lwm2m/1/0>,</lwm2m/3/0>,</other>')
    expect(r.rootPath).toBe('/lwm2m')
    expect(r.supportedFormats).toEqual([11543])
    expect([...r.objects.keys()]).toEqual([1, 3])
  })

  it('reads object versions on the object link, or on the only instance link (section 7.2.3)', () => {
    const r = parseRegistrationLinks('</1/2>,</2>,</3/0>;ver=1.1,</10>;ver="1.1",</10/0>')
    expect(r.objects.get(3)).toEqual({ objectId: 3, version: '1.1', instances: [0] })
    expect(r.objects.get(10)).toEqual({ objectId: 10, version: '1.1', instances: [0] })
  })

  it('skips /0, /21 and /23, and ignores unknown parameters', () => {
    const r = parseRegistrationLinks('</0/0>,</21/0>,</1/0>;foo=bar')
    expect([...r.objects.keys()]).toEqual([1])
  })

  it('refuses malformed documents and values with LWM2M_INVALID_REGISTRATION', () => {
    for (const bad of [
      '</1/0',
      '</>;ct=abc',
      '</3>;ver=x',
      '</1>;rt="oma.lwm2m",</2>;rt="oma.lwm2m"',
      '</9>;rt="oma.lwm2m"',
    ]) {
      try {
        parseRegistrationLinks(bad)
        throw new Error(`accepted ${bad}`)
      } catch (err) {
        expect(Lwm2mError.isInstance(err) && err.code === 'LWM2M_INVALID_REGISTRATION').toBe(true)
      }
    }
  })

  it('writes the 1.0 form, and the 1.1+/1.2 root link', () => {
    const objects: AnnouncedObject[] = [
      { objectId: 1, instances: [0] },
      { objectId: 3, instances: [0], version: '1.1' },
      { objectId: 5, instances: [] },
    ]
    expect(formatRegistrationLinks({ objects })).toBe('</1/0>,</3>;ver=1.1,</3/0>,</5>')
    expect(
      formatRegistrationLinks({ objects: [{ objectId: 1, instances: [0] }], supportedFormats: [11543] }),
    ).toBe('</>;rt="oma.lwm2m";ct=11543,</1/0>')
    expect(
      formatRegistrationLinks({
        objects: [{ objectId: 1, instances: [0] }],
        supportedFormats: [110, 112],
        rootPath: '/lwm2m',
      }),
    ).toBe('</lwm2m>;rt="oma.lwm2m";ct="110 112",</lwm2m/1/0>')
    expect(() => formatRegistrationLinks({ objects: [{ objectId: 0, instances: [0] }] })).toThrow(Lwm2mError)
  })

  it('round-trips (fast-check)', () => {
    const obj = fc.record({
      objectId: fc.integer({ min: 1, max: 40000 }).filter((id) => id !== 21 && id !== 23),
      version: fc.option(fc.constantFrom('1.0', '1.1', '2.3'), { nil: undefined }),
      instances: fc
        .uniqueArray(fc.integer({ min: 0, max: 65534 }), { maxLength: 4 })
        .map((a) => a.sort((x, y) => x - y)),
    })
    const init = fc.record({
      objects: fc.uniqueArray(obj, { selector: (o) => o.objectId, maxLength: 6 }),
      supportedFormats: fc.uniqueArray(fc.constantFrom(0, 40, 60, 110, 112, 11542, 11543, 11544), {
        maxLength: 4,
      }),
      rootPath: fc.constantFrom('/', '/lwm2m', '/a/b'),
    })
    fc.assert(
      fc.property(init, (i) => {
        const objects = i.objects.map(({ version, ...o }) => (version === undefined ? o : { ...o, version }))
        const r = parseRegistrationLinks(formatRegistrationLinks({ ...i, objects }))
        expect(r.rootPath).toBe(i.rootPath)
        expect(r.supportedFormats).toEqual(
          i.rootPath === '/' && i.supportedFormats.length === 0 ? [] : i.supportedFormats,
        )
        expect([...r.objects.values()]).toEqual([...objects].sort((a, b) => a.objectId - b.objectId))
      }),
    )
  })

  it('arbitrary text parses or throws LWM2M_INVALID_REGISTRATION (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ maxLength: 60 }),
          fc.stringMatching(/^(<\/[0-9a-z/]{0,8}>(;[a-z]{1,4}(="?[0-9a-z. ]{0,5}"?)?)?,?){0,5}$/),
        ),
        (t) => {
          try {
            parseRegistrationLinks(t)
          } catch (err) {
            expect(Lwm2mError.isInstance(err) && err.code === 'LWM2M_INVALID_REGISTRATION').toBe(true)
          }
        },
      ),
    )
  })
})

describe('Discover answers (Core TS 1.2 section 6.3.2)', () => {
  it('reads the Discover /3/0/7 example (SPEC-EXAMPLES 6.2)', () => {
    const links = parseDiscoverLinks(
      '</3/0/7>;dim=2;pmin=10;pmax=60;gt=50;lt=42.2, </3/0/7/0>, </3/0/7/1>;lt=45',
    )
    expect(links).toEqual([
      { path: P('/3/0/7'), attributes: { pmin: 10, pmax: 60, gt: 50, lt: 42.2 }, properties: { dim: 2 } },
      { path: P('/3/0/7/0'), attributes: {}, properties: {} },
      { path: P('/3/0/7/1'), attributes: { lt: 45 }, properties: {} },
    ])
  })

  it('writes the ETS LwM2M-1.1-int-260 answer (6) and strips an alternate path when reading', () => {
    const text = formatDiscoverLinks([
      { path: P('/3/0/7'), attributes: { pmin: 10, pmax: 200, lt: 1, gt: 6, st: 1 }, properties: { dim: 2 } },
    ])
    expect(text).toBe('</3/0/7>;dim=2;pmin=10;pmax=200;gt=6;lt=1;st=1')
    expect(
      parseDiscoverLinks('</lwm2m/3>;ver=1.1,</lwm2m/3/0>', '/lwm2m').map((l) => l.path.toString()),
    ).toEqual(['/3', '/3/0'])
  })

  it('refuses a malformed attribute value', () => {
    expect(() => parseDiscoverLinks('</3/0>;pmin=x')).toThrow(Lwm2mError)
  })

  it('round-trips (fast-check)', () => {
    const entry = fc.record({
      path: fc
        .array(fc.integer({ min: 0, max: 65535 }), { minLength: 1, maxLength: 4 })
        .map((ids) => Lwm2mPath.of(...ids)),
      attributes: fc.record(
        {
          pmin: fc.nat(),
          pmax: fc.nat(),
          gt: fc
            .double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 })
            .map((v) => (Object.is(v, -0) ? 0 : v)),
        },
        { requiredKeys: [] },
      ),
      properties: fc.record(
        { dim: fc.integer({ min: 0, max: 255 }), ver: fc.constantFrom('1.0', '1.1') },
        { requiredKeys: [] },
      ),
    })
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 6 }), (entries) => {
        expect(parseDiscoverLinks(formatDiscoverLinks(entries))).toEqual(entries)
      }),
    )
  })
})

describe('Bootstrap-Discover answers (Core TS 1.2 section 6.1.7.3)', () => {
  it('reads the specification examples (SPEC-EXAMPLES 6.3), trailing slashes included', () => {
    const d = parseBootstrapDiscoverLinks(
      '</>;lwm2m=1.1,</0/0>;ssid=101;uri="coaps://server_1.example.com", </0/1/>, </1/0/>;ssid=101, </3/0>,</5>,</4>',
    )
    expect(d.lwm2m).toBe('1.1')
    expect(d.links.map((l) => [l.path.toString(), l.properties])).toEqual([
      ['/0/0', { ssid: 101, uri: 'coaps://server_1.example.com' }],
      ['/0/1', {}],
      ['/1/0', { ssid: 101 }],
      ['/3/0', {}],
      ['/5', {}],
      ['/4', {}],
    ])
    const v = parseBootstrapDiscoverLinks('</>;lwm2m=1.1,</0/0>,</55>;ver=1.9,</55/0>')
    expect(v.links[1]!.properties.ver).toBe('1.9')
  })

  it('accepts the legacy form without a URI-reference before lwm2m= ("LwM2M Servers MAY accept")', () => {
    const d = parseBootstrapDiscoverLinks('lwm2m=1.0,</0/0>;ssid=101,</0/1/>,</0/2>;ssid=102')
    expect(d.lwm2m).toBe('1.0')
    expect(d.links.map((l) => l.path.toString())).toEqual(['/0/0', '/0/1', '/0/2'])
  })

  it('writes uri as a quoted string and reads it back', () => {
    const text = formatBootstrapDiscoverLinks('1.2', [
      { path: P('/0/0'), properties: { ssid: 1, uri: 'coap://server_1.example.com' } },
      { path: P('/1/0'), properties: { ssid: 1 } },
      { path: P('/3/0') },
    ])
    expect(text).toBe('</>;lwm2m=1.2,</0/0>;ssid=1;uri="coap://server_1.example.com",</1/0>;ssid=1,</3/0>')
    expect(parseBootstrapDiscoverLinks(text).links[0]!.properties.uri).toBe('coap://server_1.example.com')
    // A uri that needs escapes (RFC 6690 quoted-string) is quoted once and read back as written.
    const odd = 'coap://h/"a"\\b c'
    const escaped = formatBootstrapDiscoverLinks('1.1', [{ path: P('/0/1'), properties: { uri: odd } }])
    expect(escaped).toBe('</>;lwm2m=1.1,</0/1>;uri="coap://h/\\"a\\"\\\\b c"')
    expect(parseBootstrapDiscoverLinks(escaped).links[0]!.properties.uri).toBe(odd)
  })
})
