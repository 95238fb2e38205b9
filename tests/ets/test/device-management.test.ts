/**
 * ETS INT 1.2 section 6.3, Device Management and Service Enablement (int-201 ... int-290):
 * every operation goes through the typed API of @lwm2m/server, and the wire shows what
 * travelled (codes, content formats, payload bytes). Placeholders (202, 210, 271) and the
 * voided int-229 are listed in the README, not here.
 */
import { ContentFormat } from '@lwm2m/coap'
import {
  type AttributeChanges,
  createCodecRegistry,
  defaultCodecs,
  NO_MODELS,
  singleResource,
} from '@lwm2m/core'
import { serverModel } from '@lwm2m/objects'
import { describe, expect, it } from 'vitest'
import { codeOfFailure } from '../src/answer-code.js'
import { c1 } from '../src/configurations/c01.js'
import { C3_SERVER_VALUES, c3 } from '../src/configurations/c03.js'
import { c4 } from '../src/configurations/c04.js'
import { c6 } from '../src/configurations/c06.js'
import { C12_IDENTITIES, c12 } from '../src/configurations/c12.js'
import type { ClientConfiguration } from '../src/configurations/context.js'
import { ENDPOINT, type Ets, withEts } from '../src/harness.js'
import { createPortfolioInstance, deleteAllPortfolioInstances } from '../src/procedures/portfolio.js'
import { reboot } from '../src/procedures/reboot.js'
import { restoreWritable } from '../src/procedures/restore-writable.js'
import { writeServerInstanceInTlv } from '../src/procedures/write-server-tlv.js'
import { tlvEntries } from '../src/tlv.js'
import { flatComposite, flatValues } from '../src/values.js'
import { acceptOf, codeOf, contentFormatOf, hex, methodOf, text, uriPathOf, uriQuery } from '../src/wire.js'

const TLV = ContentFormat.LWM2M_TLV
const OMA_JSON = ContentFormat.LWM2M_JSON
const SENML_JSON = ContentFormat.SENML_JSON
const SENML_CBOR = ContentFormat.SENML_CBOR
const LWM2M_CBOR = ContentFormat.LWM2M_CBOR
const CBOR = ContentFormat.CBOR

/** The values of C.1's /3/0 (DEV). */
const DEV_VALUES = {
  '/3/0/0': 'Open Mobile Alliance',
  '/3/0/1': 'Lightweight M2M Client',
  '/3/0/2': '345000123',
  '/3/0/3': '1.0',
  '/3/0/11/0': 0,
  '/3/0/16': 'U',
}

const codecs = createCodecRegistry(defaultCodecs())

/** The full paths the records of a SenML payload name (decoded without a model: names only). */
function senmlNames(payload: Uint8Array, format: number): string[] {
  const nodes = codecs.require(format).decodeNodes!(payload, NO_MODELS)
  return Object.keys(flatComposite(nodes))
}

/** SenML records resolved (RFC 8428 section 4.5.3): the base name joined to each name, base fields dropped. */
function resolveSenml(records: Record<string, unknown>[]): Record<string, unknown>[] {
  let bn = ''
  return records.map((r) => {
    if (typeof r.bn === 'string') bn = r.bn
    const { bn: _bn, n, ...rest } = r
    return { n: `${bn}${typeof n === 'string' ? n : ''}`, ...rest }
  })
}

/**
 * Discover (GET, Accept 40) of `path`: 2.05, link-format, exactly `links`; the server reads the
 * same links (checked link by link, attributes as numbers, so the text and its meaning agree).
 */
async function discoverExactly(ets: Ets<ClientConfiguration>, path: string, links: string, depth?: number) {
  const since = ets.wire.mark()
  const result = await ets.until(ets.server.discover(ENDPOINT, path, depth === undefined ? {} : { depth }))
  const e = ets.wire.last({ dir: 'out', method: 'GET', path, since })
  expect(acceptOf(e.request.message)).toBe(ContentFormat.LINK_FORMAT)
  expect(uriQuery(e.request.message)).toEqual(depth === undefined ? [] : [`depth=${depth}`])
  expect(codeOf(e)).toBe('2.05')
  expect(contentFormatOf(e.response!.message)).toBe(ContentFormat.LINK_FORMAT)
  expect(text(e.response!.message)).toBe(links)
  expect(result.links).toBe(links)
  expect(result.entries.map((x) => x.path.toString())).toEqual(
    links.split(',').map((l) => l.slice(1, l.indexOf('>'))),
  )
}

/** Write-Attributes (PUT with the query only), answered 2.04. */
async function writeAttributesOk(
  ets: Ets<ClientConfiguration>,
  path: string,
  attributes: AttributeChanges,
  query: string[],
) {
  const since = ets.wire.mark()
  expect((await ets.until(ets.server.writeAttributes(ENDPOINT, path, attributes))).code).toBe(0x44)
  const e = ets.wire.last({ dir: 'out', method: 'PUT', path, since })
  // The attributes, in any order (each is its own Uri-Query option).
  expect(uriQuery(e.request.message).sort()).toEqual([...query].sort())
  expect(e.request.message.payload.length).toBe(0)
  expect(codeOf(e)).toBe('2.04')
}

describe('Device Management and Service Enablement (ETS INT 1.2 section 6.3)', () => {
  it('LightweightM2M-1.1-int-201 Query basic info, plain text', async () => {
    await withEts({ configuration: c1 }, async (ets) => {
      for (const [path, value] of [
        ['/3/0/0', DEV_VALUES['/3/0/0']],
        ['/3/0/1', DEV_VALUES['/3/0/1']],
        ['/3/0/2', DEV_VALUES['/3/0/2']],
      ] as const) {
        const read = await ets.until(ets.server.read(ENDPOINT, path, { format: ContentFormat.TEXT }))
        const e = ets.wire.last({ dir: 'out', method: 'GET', path })
        expect(acceptOf(e.request.message)).toBe(0)
        expect(codeOf(e)).toBe('2.05')
        expect(contentFormatOf(e.response!.message)).toBe(0)
        expect(text(e.response!.message)).toBe(value)
        expect(read.node).toMatchObject({ kind: 'resource', value })
      }
    })
  })

  it('LightweightM2M-1.1-int-203 Query basic info, TLV', async () => {
    await withEts({ configuration: c1 }, async (ets) => {
      const read = await ets.until(ets.server.read(ENDPOINT, '/3/0', { format: TLV }))
      const e = ets.wire.last({ dir: 'out', method: 'GET', path: '/3/0' })
      expect(acceptOf(e.request.message)).toBe(TLV)
      expect(codeOf(e)).toBe('2.05')
      expect(contentFormatOf(e.response!.message)).toBe(TLV)
      // A Read of one instance answers its resources at the top level (Core TS 1.2 section
      // 7.4.3, "Single Object Instance Request Example"): single resources as type 11
      // (resource with value), Error Code as type 10 (multiple resource) holding type 01 instances.
      const entries = tlvEntries(e.response!.message.payload)
      expect(entries.map((t) => `${t.kind}:${t.id}`)).toEqual([
        'resource:0',
        'resource:1',
        'resource:2',
        'resource:3',
        'multipleResource:11',
        'resource:16',
      ])
      expect(tlvEntries(entries[4]!.value).map((t) => `${t.kind}:${t.id}`)).toEqual(['resourceInstance:0'])
      expect(new TextDecoder().decode(entries[5]!.value)).toBe('U')
      expect(flatValues(read.node, '/3/0')).toEqual(DEV_VALUES)
    })
  })

  it('LightweightM2M-1.1-int-204 Query basic info, JSON', async () => {
    await withEts({ configuration: c1 }, async (ets) => {
      const read = await ets.until(ets.server.read(ENDPOINT, '/3/0', { format: OMA_JSON }))
      const e = ets.wire.last({ dir: 'out', method: 'GET', path: '/3/0' })
      expect(acceptOf(e.request.message)).toBe(OMA_JSON)
      expect(codeOf(e)).toBe('2.05')
      expect(contentFormatOf(e.response!.message)).toBe(OMA_JSON)
      // OMA JSON (Core TS 1.2 section 7.4.4): {"bn": "/3/0/", "e": [{"n": ..., "sv"/"v": ...}]}.
      const doc = JSON.parse(text(e.response!.message)) as {
        bn: string
        e: { n: string; sv?: string; v?: number }[]
      }
      expect(doc.bn).toBe('/3/0/')
      expect(doc.e).toEqual([
        { n: '0', sv: 'Open Mobile Alliance' },
        { n: '1', sv: 'Lightweight M2M Client' },
        { n: '2', sv: '345000123' },
        { n: '3', sv: '1.0' },
        { n: '11/0', v: 0 },
        { n: '16', sv: 'U' },
      ])
      expect(flatValues(read.node, '/3/0')).toEqual(DEV_VALUES)
    })
  })

  it('LightweightM2M-1.1-int-205 Set basic info, plain text', async () => {
    await withEts({ configuration: c3 }, async (ets) => {
      for (const [lifetime, pmin, pmax, disable] of [
        [86400, 101, 1010, 2000],
        [86400, 1, 10, 86400],
      ] as const) {
        for (const [path, value] of [
          ['/1/0/2', pmin],
          ['/1/0/3', pmax],
          ['/1/0/5', disable],
        ] as const) {
          const since = ets.wire.mark()
          expect((await ets.until(ets.server.write(ENDPOINT, path, value, { format: 0 }))).code).toBe(0x44)
          const e = ets.wire.last({ dir: 'out', method: 'PUT', path, since })
          expect(contentFormatOf(e.request.message)).toBe(0)
          expect(text(e.request.message)).toBe(String(value))
          expect(codeOf(e)).toBe('2.04')
        }
        const read = await ets.until(ets.server.read(ENDPOINT, '/1/0', { format: TLV }))
        expect(codeOf(ets.wire.last({ dir: 'out', method: 'GET', path: '/1/0' }))).toBe('2.05')
        expect(read.contentFormat).toBe(TLV)
        expect(flatValues(read.node, '/1/0')).toMatchObject({
          '/1/0/1': lifetime,
          '/1/0/2': pmin,
          '/1/0/3': pmax,
          '/1/0/5': disable,
        })
      }
      // The second round restored C.3.
      const read = await ets.until(ets.server.read(ENDPOINT, '/1/0', { format: TLV }))
      expect(flatValues(read.node, '/1/0')).toMatchObject(C3_SERVER_VALUES)
    })
  })

  it('LightweightM2M-1.1-int-211 Query basic info, CBOR', async () => {
    await withEts({ configuration: c1 }, async (ets) => {
      for (const [path, bytes, value] of [
        ['/1/0/0', '01', 1],
        ['/1/0/6', 'f4', false],
        ['/1/0/7', '6155', 'U'],
      ] as const) {
        const read = await ets.until(ets.server.read(ENDPOINT, path, { format: CBOR }))
        const e = ets.wire.last({ dir: 'out', method: 'GET', path })
        expect(acceptOf(e.request.message)).toBe(CBOR)
        expect(codeOf(e)).toBe('2.05')
        expect(contentFormatOf(e.response!.message)).toBe(CBOR)
        // RFC 8949: 1 is 0x01, false 0xf4, "U" a text string of one byte (0x61 0x55).
        expect(hex(e.response!.message.payload)).toBe(bytes)
        expect(read.node).toMatchObject({ kind: 'resource', value })
      }
    })
  })

  it('LightweightM2M-1.1-int-212 Set basic info, CBOR', async () => {
    await withEts({ configuration: c3 }, async (ets) => {
      for (const [path, value, bytes] of [
        ['/1/0/2', 101, '1865'],
        ['/1/0/3', 1010, '1903f2'],
        ['/1/0/6', true, 'f5'],
      ] as const) {
        const since = ets.wire.mark()
        expect((await ets.until(ets.server.write(ENDPOINT, path, value, { format: CBOR }))).code).toBe(0x44)
        const e = ets.wire.last({ dir: 'out', method: 'PUT', path, since })
        expect(contentFormatOf(e.request.message)).toBe(CBOR)
        expect(hex(e.request.message.payload)).toBe(bytes)
        expect(codeOf(e)).toBe('2.04')
      }
      // Read in the client's format: the server asks for the best format the client announced.
      const read = await ets.until(ets.server.read(ENDPOINT, '/1/0'))
      expect(codeOf(ets.wire.last({ dir: 'out', method: 'GET', path: '/1/0' }))).toBe('2.05')
      expect(flatValues(read.node, '/1/0')).toMatchObject({ '/1/0/2': 101, '/1/0/3': 1010, '/1/0/6': true })
    })
  })

  it('LightweightM2M-1.1-int-215 Set basic info, TLV', async () => {
    await withEts({ configuration: c3 }, async (ets) => {
      await writeServerInstanceInTlv(ets)
    })
  })

  it('LightweightM2M-1.1-int-220 Set basic info, JSON', async () => {
    await withEts({ configuration: c3 }, async (ets) => {
      const saved = await ets.until(ets.server.read(ENDPOINT, '/1/0', { format: OMA_JSON }))
      let since = ets.wire.mark()
      const written = await ets.until(
        ets.server.write(
          ENDPOINT,
          '/1/0',
          { 2: 101, 3: 1010, 5: 2000, 6: true, 7: 'U' },
          {
            mode: 'partialUpdate',
            format: OMA_JSON,
          },
        ),
      )
      expect(written.code).toBe(0x44)
      const post = ets.wire.last({ dir: 'out', method: 'POST', path: '/1/0', since })
      expect(contentFormatOf(post.request.message)).toBe(OMA_JSON)
      // The ETS prints a bare SenML-style array with the number 0101, which is no JSON (inventory
      // 10.1, 10.2); OMA JSON (Core TS 1.2 section 7.4.4) wraps the records as {"bn", "e"}.
      expect(JSON.parse(text(post.request.message))).toEqual({
        bn: '/1/0/',
        e: [
          { n: '2', v: 101 },
          { n: '3', v: 1010 },
          { n: '5', v: 2000 },
          { n: '6', bv: true },
          { n: '7', sv: 'U' },
        ],
      })
      expect(codeOf(post)).toBe('2.04')
      since = ets.wire.mark()
      const after = await ets.until(ets.server.read(ENDPOINT, '/1/0', { format: OMA_JSON }))
      const get = ets.wire.last({ dir: 'out', method: 'GET', path: '/1/0', since })
      expect(codeOf(get)).toBe('2.05')
      expect(contentFormatOf(get.response!.message)).toBe(OMA_JSON)
      expect(flatValues(after.node, '/1/0')).toMatchObject({
        '/1/0/2': 101,
        '/1/0/3': 1010,
        '/1/0/5': 2000,
        '/1/0/6': true,
        '/1/0/7': 'U',
      })
      expect(await restoreWritable(ets, '/1/0', saved.node, serverModel, OMA_JSON)).toMatchObject(
        C3_SERVER_VALUES,
      )
    })
  })

  it('LightweightM2M-1.1-int-221 Operations on Security object', async () => {
    await withEts({ configuration: c1 }, async (ets) => {
      // The Security object is out of reach of every LwM2M Server (Core TS 1.2 section E.1): 4.01.
      expect(await codeOfFailure(ets.until(ets.server.read(ENDPOINT, '/0')))).toBe(0x81)
      expect(codeOf(ets.wire.last({ dir: 'out', method: 'GET', path: '/0' }))).toBe('4.01')
      expect(
        await codeOfFailure(ets.until(ets.server.write(ENDPOINT, '/0/0/0', 'coap://elsewhere.example.com'))),
      ).toBe(0x81)
      expect(codeOf(ets.wire.last({ dir: 'out', method: 'PUT', path: '/0/0/0' }))).toBe('4.01')
      expect(
        await codeOfFailure(ets.until(ets.server.writeAttributes(ENDPOINT, '/0', { pmin: 30, pmax: 45 }))),
      ).toBe(0x81)
      const wa = ets.wire.last({ dir: 'out', method: 'PUT', path: '/0' })
      expect(uriQuery(wa.request.message)).toEqual(['pmin=30', 'pmax=45'])
      expect(codeOf(wa)).toBe('4.01')
      // Nothing changed.
      expect(ets.config.security.accounts()[0]!.serverUri).toBe(ets.serverUri)
    })
  })

  it('LightweightM2M-1.1-int-222 Read on Object', async () => {
    await withEts({ configuration: c1 }, async (ets) => {
      const server = await ets.until(ets.server.read(ENDPOINT, '/1'))
      expect(codeOf(ets.wire.last({ dir: 'out', method: 'GET', path: '/1' }))).toBe('2.05')
      expect(server.node.kind).toBe('object')
      if (server.node.kind !== 'object') return
      // Every instance, every readable resource (the executables 4 and 8 are not read).
      expect([...server.node.instances.keys()]).toEqual([0])
      const readable = ets.config.server.resources(0)!.filter((r) => r !== 4 && r !== 8 && r !== 9)
      expect([...server.node.instances.get(0)!.resources.keys()]).toEqual(readable)
      expect(flatValues(server.node, '/1')).toMatchObject({
        '/1/0/0': 1,
        '/1/0/1': 86400,
        '/1/0/6': false,
        '/1/0/7': 'U',
      })
      const device = await ets.until(ets.server.read(ENDPOINT, '/3'))
      expect(codeOf(ets.wire.last({ dir: 'out', method: 'GET', path: '/3' }))).toBe('2.05')
      if (device.node.kind !== 'object') throw new Error('not an object')
      expect([...device.node.instances.keys()]).toEqual([0])
      expect(flatValues(device.node, '/3')).toEqual(DEV_VALUES)
    })
  })

  it('LightweightM2M-1.1-int-223 Read on Object Instance', async () => {
    await withEts({ configuration: c1 }, async (ets) => {
      const server = await ets.until(ets.server.read(ENDPOINT, '/1/0'))
      expect(codeOf(ets.wire.last({ dir: 'out', method: 'GET', path: '/1/0' }))).toBe('2.05')
      if (server.node.kind !== 'instance') throw new Error('not an instance')
      const readable = ets.config.server.resources(0)!.filter((r) => r !== 4 && r !== 8 && r !== 9)
      expect([...server.node.resources.keys()]).toEqual(readable)
      const device = await ets.until(ets.server.read(ENDPOINT, '/3/0'))
      expect(codeOf(ets.wire.last({ dir: 'out', method: 'GET', path: '/3/0' }))).toBe('2.05')
      expect(flatValues(device.node, '/3/0')).toEqual(DEV_VALUES)
    })
  })

  it('LightweightM2M-1.1-int-224 Read on Resource', async () => {
    await withEts({ configuration: c1 }, async (ets) => {
      for (const [path, value] of [
        ['/1/0/0', 1],
        ['/1/0/1', 86400],
        ['/1/0/6', false],
        ['/1/0/7', 'U'],
        ['/3/0/16', 'U'],
      ] as const) {
        const read = await ets.until(ets.server.read(ENDPOINT, path))
        expect(codeOf(ets.wire.last({ dir: 'out', method: 'GET', path }))).toBe('2.05')
        expect(read.node).toMatchObject({ kind: 'resource', value })
      }
    })
  })

  it('LightweightM2M-1.1-int-225 Read on Resource Instance', async () => {
    await withEts({ configuration: c1 }, async (ets) => {
      ets.config.device.addErrorCode(5)
      ets.config.device.addErrorCode(7)
      const read = await ets.until(ets.server.read(ENDPOINT, '/3/0/11/1'))
      expect(codeOf(ets.wire.last({ dir: 'out', method: 'GET', path: '/3/0/11/1' }))).toBe('2.05')
      // Only that instance of Error Code.
      expect(read.node).toEqual({ kind: 'resourceInstance', id: 1, type: 'integer', value: 7 })
    })
  })

  it('LightweightM2M-1.1-int-226 Write (partial update) on Object Instance', async () => {
    await withEts({ configuration: c1 }, async (ets) => {
      const reg = await ets.registration()
      let since = ets.wire.mark()
      let mark = ets.events.mark()
      const written = await ets.until(
        ets.server.write(ENDPOINT, '/1/0', { 1: 61, 6: true }, { mode: 'partialUpdate' }),
      )
      expect(written.code).toBe(0x44)
      // One request, a POST (partial update), answered 2.04 ...
      const posts = ets.wire.exchanges({ dir: 'out', since })
      expect(posts).toHaveLength(1)
      expect(uriPathOf(posts[0]!)).toBe('/1/0')
      expect(methodOf(posts[0]!)).toBe('POST')
      expect(codeOf(posts[0])).toBe('2.04')
      // ... and the client's Update with the new lifetime.
      await ets.until(ets.events.next('updated', mark))
      const update = ets.wire.last({ dir: 'in', method: 'POST', path: `/rd/${reg.id}`, since })
      expect(uriQuery(update.request.message)).toEqual(['lt=61'])
      expect(codeOf(update)).toBe('2.04')
      const read = await ets.until(ets.server.read(ENDPOINT, '/1/0'))
      expect(flatValues(read.node, '/1/0')).toMatchObject({ '/1/0/1': 61, '/1/0/6': true })
      // Restore.
      since = ets.wire.mark()
      mark = ets.events.mark()
      expect(
        (
          await ets.until(
            ets.server.write(ENDPOINT, '/1/0', { 1: 86400, 6: false }, { mode: 'partialUpdate' }),
          )
        ).code,
      ).toBe(0x44)
      expect(codeOf(ets.wire.last({ dir: 'out', method: 'POST', path: '/1/0', since }))).toBe('2.04')
      await ets.until(ets.events.next('updated', mark))
      expect((await ets.registration()).lifetime).toBe(86400)
    })
  })

  it('LightweightM2M-1.1-int-227 Write (replace) on Resource', async () => {
    await withEts({ configuration: c1 }, async (ets) => {
      const reg = await ets.registration()
      // The ETS prints the restoring path as /1/x; it is /1/x/1 (inventory 10.1).
      for (const lifetime of [63, 86400]) {
        const since = ets.wire.mark()
        const mark = ets.events.mark()
        expect((await ets.until(ets.server.write(ENDPOINT, '/1/0/1', lifetime))).code).toBe(0x44)
        expect(codeOf(ets.wire.last({ dir: 'out', method: 'PUT', path: '/1/0/1', since }))).toBe('2.04')
        await ets.until(ets.events.next('updated', mark))
        const update = ets.wire.last({ dir: 'in', method: 'POST', path: `/rd/${reg.id}`, since })
        expect(uriQuery(update.request.message)).toEqual([`lt=${lifetime}`])
        expect(codeOf(update)).toBe('2.04')
        const read = await ets.until(ets.server.read(ENDPOINT, '/1/0/1'))
        expect(codeOf(ets.wire.last({ dir: 'out', method: 'GET', path: '/1/0/1', since }))).toBe('2.05')
        expect(read.node).toMatchObject({ kind: 'resource', value: lifetime })
      }
    })
  })

  it('LightweightM2M-1.1-int-228 Write on Resource Instance', async () => {
    // C.1 + a Portfolio instance whose Identity (/16/0/0) has four instances: C.12.
    await withEts({ configuration: c12 }, async (ets) => {
      // The ETS says POST; a Write that replaces a resource instance is PUT (inventory 10.1).
      expect((await ets.until(ets.server.write(ENDPOINT, '/16/0/0/1', 'test'))).code).toBe(0x44)
      const put = ets.wire.last({ dir: 'out', method: 'PUT', path: '/16/0/0/1' })
      // The request carries only that instance.
      expect(contentFormatOf(put.request.message)).toBe(0)
      expect(text(put.request.message)).toBe('test')
      expect(codeOf(put)).toBe('2.04')
      const read = await ets.until(ets.server.read(ENDPOINT, '/16/0/0/1'))
      expect(codeOf(ets.wire.last({ dir: 'out', method: 'GET', path: '/16/0/0/1' }))).toBe('2.05')
      expect(read.node).toEqual({ kind: 'resourceInstance', id: 1, type: 'string', value: 'test' })
      // The other instances are untouched.
      const all = await ets.until(ets.server.read(ENDPOINT, '/16/0/0'))
      expect(flatValues(all.node, '/16/0/0')).toEqual({
        '/16/0/0/0': C12_IDENTITIES[0],
        '/16/0/0/1': 'test',
        '/16/0/0/2': C12_IDENTITIES[2],
        '/16/0/0/3': C12_IDENTITIES[3],
      })
    })
  })

  it('LightweightM2M-1.1-int-230 Write-Composite', async () => {
    await withEts({ configuration: c12 }, async (ets) => {
      const reg = await ets.registration()
      const since = ets.wire.mark()
      const mark = ets.events.mark()
      const written = await ets.until(
        ets.server.writeComposite(
          ENDPOINT,
          {
            '/1/0/1': 61,
            '/1/0/6': true,
            '/16/0/0/0': 'aa',
            '/16/0/0/1': 'bb',
            '/16/0/0/2': 'cc',
            '/16/0/0/3': 'dd',
          },
          { format: SENML_CBOR },
        ),
      )
      expect(written.code).toBe(0x44)
      // A single iPATCH to the root, in SenML CBOR, answered 2.04.
      const patches = ets.wire.exchanges({ dir: 'out', since })
      expect(patches).toHaveLength(1)
      expect(methodOf(patches[0]!)).toBe('iPATCH')
      expect(uriPathOf(patches[0]!)).toBe('/')
      expect(contentFormatOf(patches[0]!.request.message)).toBe(SENML_CBOR)
      expect(codeOf(patches[0])).toBe('2.04')
      // The client updates its registration with the new lifetime.
      await ets.until(ets.events.next('updated', mark))
      const update = ets.wire.last({ dir: 'in', method: 'POST', path: `/rd/${reg.id}`, since })
      expect(uriQuery(update.request.message)).toEqual(['lt=61'])
      const server = await ets.until(ets.server.read(ENDPOINT, '/1/0'))
      expect(flatValues(server.node, '/1/0')).toMatchObject({ '/1/0/1': 61, '/1/0/6': true })
      const portfolio = await ets.until(ets.server.read(ENDPOINT, '/16'))
      expect(flatValues(portfolio.node, '/16')).toEqual({
        '/16/0/0/0': 'aa',
        '/16/0/0/1': 'bb',
        '/16/0/0/2': 'cc',
        '/16/0/0/3': 'dd',
      })
    })
  })

  for (const [id, format, name] of [
    [231, SENML_JSON, 'SenML JSON'],
    [232, SENML_CBOR, 'SenML CBOR'],
  ] as const) {
    it(`LightweightM2M-1.1-int-${id} Query, ${name}`, async () => {
      await withEts({ configuration: c1 }, async (ets) => {
        // Object, instance, resource and resource-instance level.
        for (const [path, expected] of [
          ['/1', { '/1/0/0': 1, '/1/0/1': 86400, '/1/0/6': false, '/1/0/7': 'U' }],
          ['/3/0', DEV_VALUES],
          ['/3/0/16', { '/3/0/16': 'U' }],
          ['/3/0/11/0', { '/3/0/11/0': 0 }],
        ] as const) {
          const read = await ets.until(ets.server.read(ENDPOINT, path, { format }))
          const e = ets.wire.last({ dir: 'out', method: 'GET', path })
          expect(acceptOf(e.request.message)).toBe(format)
          expect(codeOf(e)).toBe('2.05')
          expect(contentFormatOf(e.response!.message)).toBe(format)
          expect(read.contentFormat).toBe(format)
          const values = flatValues(read.node, path)
          if (path === '/3/0') expect(values).toEqual(expected)
          else expect(values).toMatchObject(expected)
          // The records name the full paths (RFC 8428 base name + name).
          const names = senmlNames(e.response!.message.payload, format)
          expect(names).toEqual(expect.arrayContaining(Object.keys(expected)))
        }
      })
    })
  }

  for (const [id, format, name] of [
    [233, SENML_CBOR, 'SenML CBOR'],
    [234, SENML_JSON, 'SenML JSON'],
  ] as const) {
    it(`LightweightM2M-1.1-int-${id} Set, ${name}`, async () => {
      await withEts({ configuration: c12 }, async (ets) => {
        const reg = await ets.registration()
        const write = async (
          path: string,
          value: Parameters<typeof ets.server.write>[2],
          partial: boolean,
        ) => {
          const since = ets.wire.mark()
          const result = await ets.until(
            ets.server.write(ENDPOINT, path, value, {
              format,
              ...(partial ? { mode: 'partialUpdate' as const } : {}),
            }),
          )
          expect(result.code).toBe(0x44)
          const e = ets.wire.last({ dir: 'out', method: partial ? 'POST' : 'PUT', path, since })
          expect(contentFormatOf(e.request.message)).toBe(format)
          expect(codeOf(e)).toBe('2.04')
          return since
        }
        // POST /1/0: lifetime 61, Notification Storing true; the client updates with lt=61.
        let mark = ets.events.mark()
        let since = await write('/1/0', { 1: 61, 6: true }, true)
        await ets.until(ets.events.next('updated', mark))
        expect(
          uriQuery(
            ets.wire.last({ dir: 'in', method: 'POST', path: `/rd/${reg.id}`, since }).request.message,
          ),
        ).toEqual(['lt=61'])
        const server = await ets.until(ets.server.read(ENDPOINT, '/1'))
        expect(flatValues(server.node, '/1')).toMatchObject({ '/1/0/1': 61, '/1/0/6': true })
        // Write /16/0/0/0.
        await write('/16/0/0/0', 'test_value', false)
        const portfolio = await ets.until(ets.server.read(ENDPOINT, '/16'))
        expect(flatValues(portfolio.node, '/16')).toMatchObject({ '/16/0/0/0': 'test_value' })
        // Write /1/0/1 = 63 (the ETS prints /1/x; it is /1/x/1, inventory 10.1); the client updates.
        mark = ets.events.mark()
        since = await write('/1/0/1', 63, false)
        await ets.until(ets.events.next('updated', mark))
        expect(
          uriQuery(
            ets.wire.last({ dir: 'in', method: 'POST', path: `/rd/${reg.id}`, since }).request.message,
          ),
        ).toEqual(['lt=63'])
        const lifetime = await ets.until(ets.server.read(ENDPOINT, '/1/0/1'))
        expect(lifetime.node).toMatchObject({ kind: 'resource', value: 63 })
      })
    })
  }

  it('LightweightM2M-1.1-int-235 Read-Composite on root', async () => {
    await withEts({ configuration: c1 }, async (ets) => {
      const read = await ets.until(ets.server.readComposite(ENDPOINT, ['/']))
      const e = ets.wire.last({ dir: 'out', method: 'FETCH', path: '/' })
      expect(codeOf(e)).toBe('2.05')
      expect([SENML_CBOR, SENML_JSON, LWM2M_CBOR]).toContain(contentFormatOf(e.response!.message))
      const values = flatComposite(read.nodes)
      // Every readable resource of every object but Security (/0), OSCORE (/21) and COSE (/23).
      expect(values).toMatchObject({
        ...DEV_VALUES,
        '/1/0/0': 1,
        '/1/0/1': 86400,
        '/1/0/6': false,
        '/1/0/7': 'U',
      })
      const objects = new Set(Object.keys(values).map((p) => p.split('/')[1]))
      expect([...objects].sort()).toEqual(['1', '3'])
    })
  })

  it('LightweightM2M-1.1-int-236 Read-Composite, partial presence', async () => {
    await withEts({ configuration: c1 }, async (ets) => {
      const paths = ['/1/0', '/1/0/1', '/3/0/11/0', '/3339/0/5522', '/3353/0/6030']
      const read = await ets.until(ets.server.readComposite(ENDPOINT, paths))
      expect(codeOf(ets.wire.last({ dir: 'out', method: 'FETCH', path: '/' }))).toBe('2.05')
      // Best effort: what exists comes back, the absent paths are left out.
      expect(read.nodes.get('/3339/0/5522')).toBeNull()
      expect(read.nodes.get('/3353/0/6030')).toBeNull()
      expect(flatComposite(read.nodes)).toMatchObject({ '/1/0/1': 86400, '/1/0/0': 1, '/3/0/11/0': 0 })
      expect(
        Object.keys(flatComposite(read.nodes)).every((p) => p.startsWith('/1/0/') || p === '/3/0/11/0'),
      ).toBe(true)
    })
  })

  it('LightweightM2M-1.1-int-241 Reboot', async () => {
    await withEts({ configuration: c1 }, async (ets) => {
      await reboot(ets)
    })
  })

  it('LightweightM2M-1.1-int-256 Write Operation Failure', async () => {
    await withEts({ configuration: c1 }, async (ets) => {
      // Short Server ID is read-only: 4.05 (Core TS 1.2 section 6.3.3). The node goes as it is:
      // the server API would refuse to type a value for a read-only resource.
      expect(
        await codeOfFailure(
          ets.until(ets.server.write(ENDPOINT, '/1/0/0', singleResource(0, 'integer', 123))),
        ),
      ).toBe(0x85)
      expect(codeOf(ets.wire.last({ dir: 'out', method: 'PUT', path: '/1/0/0' }))).toBe('4.05')
      const read = await ets.until(ets.server.read(ENDPOINT, '/1/0/0'))
      expect(codeOf(ets.wire.last({ dir: 'out', method: 'GET', path: '/1/0/0' }))).toBe('2.05')
      expect(read.node).toMatchObject({ kind: 'resource', value: 1 })
    })
  })

  it('LightweightM2M-1.1-int-257 Write-Composite (Server + Device)', async () => {
    await withEts({ configuration: c6 }, async (ets) => {
      const server = await ets.until(ets.server.read(ENDPOINT, '/1'))
      expect(flatValues(server.node, '/1')).toMatchObject({ '/1/0/2': 1, '/1/0/6': false })
      const device = await ets.until(ets.server.read(ENDPOINT, '/3'))
      expect(flatValues(device.node, '/3')['/3/0/13']).toEqual(
        new Date(ets.clock.now() - (ets.clock.now() % 1000)),
      )
      const since = ets.wire.mark()
      const written = await ets.until(
        ets.server.writeComposite(
          ENDPOINT,
          { '/1/0/2': 101, '/1/0/6': true, '/3/0/13': new Date(0) },
          { format: SENML_JSON },
        ),
      )
      expect(written.code).toBe(0x44)
      const patch = ets.wire.last({ dir: 'out', method: 'iPATCH', path: '/', since })
      expect(contentFormatOf(patch.request.message)).toBe(SENML_JSON)
      // The ETS's SenML JSON names the records relative to a base name ("bn": "/"); resolved
      // (RFC 8428 section 4.5.3) they are the records we sent, value for value (a Time is a
      // number of seconds in SenML).
      expect(resolveSenml(JSON.parse(text(patch.request.message)))).toEqual(
        resolveSenml([
          { bn: '/', n: '1/0/2', v: 101 },
          { n: '1/0/6', vb: true },
          { n: '3/0/13', v: 0 },
        ]),
      )
      expect(codeOf(patch)).toBe('2.04')
      const server2 = await ets.until(ets.server.read(ENDPOINT, '/1'))
      expect(flatValues(server2.node, '/1')).toMatchObject({ '/1/0/2': 101, '/1/0/6': true })
      const device2 = await ets.until(ets.server.read(ENDPOINT, '/3'))
      expect(flatValues(device2.node, '/3')['/3/0/13']).toEqual(new Date(0))
    })
  })

  it('LightweightM2M-1.1-int-280 Successful Read-Composite', async () => {
    await withEts({ configuration: c1 }, async (ets) => {
      // The ETS asks for the answer in SenML CBOR (112) or SenML JSON (110): SenML CBOR.
      const read = await ets.until(
        ets.server.readComposite(ENDPOINT, ['/3/0/16', '/3/0/11/0', '/1/0'], { format: SENML_CBOR }),
      )
      const e = ets.wire.last({ dir: 'out', method: 'FETCH', path: '/' })
      expect(codeOf(e)).toBe('2.05')
      expect(acceptOf(e.request.message)).toBe(SENML_CBOR)
      expect(contentFormatOf(e.response!.message)).toBe(SENML_CBOR)
      const values = flatComposite(read.nodes)
      expect(values).toMatchObject({
        '/3/0/11/0': 0,
        '/3/0/16': 'U',
        '/1/0/0': 1,
        '/1/0/1': 86400,
        '/1/0/6': false,
        '/1/0/7': 'U',
      })
      // Only the requested data (other readable /1/0 resources may appear).
      expect(
        Object.keys(values).every((p) => p.startsWith('/1/0/') || p === '/3/0/16' || p === '/3/0/11/0'),
      ).toBe(true)
    })
  })

  it('LightweightM2M-1.1-int-281 Partially Successful Read-Composite', async () => {
    await withEts({ configuration: c1 }, async (ets) => {
      const read = await ets.until(ets.server.readComposite(ENDPOINT, ['/1/0/1', '/1/0/7', '/1/0/8']))
      const e = ets.wire.last({ dir: 'out', method: 'FETCH', path: '/' })
      expect(codeOf(e)).toBe('2.05')
      // Only /1/0/1 and /1/0/7: the executable /1/0/8 is left out.
      expect(flatComposite(read.nodes)).toEqual({ '/1/0/1': 86400, '/1/0/7': 'U' })
      expect(read.nodes.get('/1/0/8')).toBeNull()
    })
  })

  it('LightweightM2M-1.1-int-260 Discover', async () => {
    await withEts({ configuration: c4 }, async (ets) => {
      // (1) Discover /3. The ETS's list lacks </3/0/0> although C.4 provisions the manufacturer
      // (inventory 10.2), and prints </3/0/11> without dim although Error Code is a multiple
      // resource: Core TS 1.2 section 6.3.2 lists every present resource, with dim on the
      // multiple ones. Object level: depth 2 (instances and resources) by default.
      const resources =
        '</3/0/0>,</3/0/1>,</3/0/2>,</3/0/3>,</3/0/4>,</3/0/6>;dim=2,</3/0/7>;dim=2,</3/0/8>;dim=2,</3/0/9>,</3/0/11>;dim=1,</3/0/16>'
      await discoverExactly(ets, '/3', `</3>,</3/0>,${resources}`)
      // (2) Write-Attributes on the object.
      await writeAttributesOk(ets, '/3', { pmin: 10, pmax: 200 }, ['pmin=10', 'pmax=200'])
      // (3) Discover /3/0: the same without </3>. Attributes attached to /3 are not repeated on
      // the instance and its resources (only a Discover of a resource reports inherited ones).
      await discoverExactly(ets, '/3/0', `</3/0>,${resources}`)
      // (4) Write-Attributes on /3/0/7.
      await writeAttributesOk(ets, '/3/0/7', { lt: 1, gt: 6, st: 1 }, ['lt=1', 'gt=6', 'st=1'])
      // (5) As (3) with the attributes of /3/0/7 (RFC 6690: the order of link parameters carries no meaning).
      await discoverExactly(
        ets,
        '/3/0',
        `</3/0>,${resources.replace('</3/0/7>;dim=2', '</3/0/7>;dim=2;gt=6;lt=1;st=1')}`,
      )
      // (6) Discover /3/0/7: its attributes with those it inherits from /3 (pmin, pmax). The ETS
      // expects the resource alone; a LwM2M 1.1+ Discover of a resource also lists its resource
      // instances (Core TS 1.2 section 6.3.2: default depth 1 below a resource; the Core TS's own
      // example "Discover /3/0/7" answers </3/0/7>;dim=2;...,</3/0/7/0>,</3/0/7/1>; inventory 10.2).
      await discoverExactly(
        ets,
        '/3/0/7',
        '</3/0/7>;dim=2;pmin=10;pmax=200;gt=6;lt=1;st=1,</3/0/7/0>,</3/0/7/1>',
      )
    })
  })

  it('LightweightM2M-1.1-int-261 Write-Attributes on multiple resource', async () => {
    await withEts({ configuration: c1 }, async (ets) => {
      await discoverExactly(ets, '/3/0/11', '</3/0/11>;dim=1,</3/0/11/0>')
      await writeAttributesOk(ets, '/3', { pmin: 10, pmax: 200 }, ['pmin=10', 'pmax=200'])
      await writeAttributesOk(ets, '/3/0', { pmax: 320 }, ['pmax=320'])
      await writeAttributesOk(ets, '/3/0/11/0', { pmax: 100, epmin: 1, epmax: 20 }, [
        'pmax=100',
        'epmin=1',
        'epmax=20',
      ])
      // The ETS separates the attributes with "&" (inventory 10.1); link-format uses ";" (RFC
      // 6690). The resource reports pmin from /3 and pmax from /3/0 (the nearest level wins),
      // the resource instance its own attributes.
      await discoverExactly(
        ets,
        '/3/0/11',
        '</3/0/11>;dim=1;pmin=10;pmax=320,</3/0/11/0>;pmax=100;epmin=1;epmax=20',
      )
    })
  })

  it('LightweightM2M-1.2-int-264 Discover with depth 1', async () => {
    await withEts({ configuration: c4 }, async (ets) => {
      // The ETS expects </3>;pmin=1;pmax=10 here: the Default Minimum/Maximum Period of C.4's
      // Server instance (/1/0/2, /1/0/3). Those are defaults the client applies to observations,
      // not attributes attached to /3 (Core TS 1.2 section 7.3.2; a Discover reports attached
      // attributes), and int-260 on the same C.4 expects </3> without them: we follow int-260.
      await discoverExactly(ets, '/3', '</3>,</3/0>', 1)
      await writeAttributesOk(ets, '/3/0', { pmax: 200 }, ['pmax=200'])
      await discoverExactly(ets, '/3', '</3>,</3/0>;pmax=200', 1)
    })
  })

  it('LightweightM2M-1.2-int-266 Discover with depth 3', async () => {
    await withEts({ configuration: c4 }, async (ets) => {
      // (1) Depth 2: the object, its instance and resources. Without </3>;pmin=1;pmax=10 (server
      // defaults are not attached attributes, see int-264) and with </3/0/0> and the dim of
      // /3/0/11 (see int-260).
      await discoverExactly(
        ets,
        '/3',
        '</3>,</3/0>,</3/0/0>,</3/0/1>,</3/0/2>,</3/0/3>,</3/0/4>,</3/0/6>;dim=2,</3/0/7>;dim=2,</3/0/8>;dim=2,</3/0/9>,</3/0/11>;dim=1,</3/0/16>',
        2,
      )
      await writeAttributesOk(ets, '/3', { pmin: 10, pmax: 200 }, ['pmin=10', 'pmax=200'])
      await writeAttributesOk(ets, '/3/0/7', { lt: 1, gt: 6, st: 1 }, ['lt=1', 'gt=6', 'st=1'])
      await writeAttributesOk(ets, '/3/0/7/1', { gt: 8 }, ['gt=8'])
      // (5) Depth 3: down to the resource instances. The ETS's list lacks </3> and puts pmin/pmax
      // on /3/0 (inventory 10.1: inconsistent with int-264): they were written to /3 and are
      // reported there. It also leaves out </3/0/0> and the instance of Error Code /3/0/11/0.
      await discoverExactly(
        ets,
        '/3',
        '</3>;pmin=10;pmax=200,</3/0>,</3/0/0>,</3/0/1>,</3/0/2>,</3/0/3>,</3/0/4>,' +
          '</3/0/6>;dim=2,</3/0/6/0>,</3/0/6/1>,</3/0/7>;dim=2;gt=6;lt=1;st=1,</3/0/7/0>,</3/0/7/1>;gt=8,' +
          '</3/0/8>;dim=2,</3/0/8/0>,</3/0/8/1>,</3/0/9>,</3/0/11>;dim=1,</3/0/11/0>,</3/0/16>',
        3,
      )
    })
  })

  it('LightweightM2M-1.1-int-237 Read on Object without Accept', async () => {
    await withEts({ configuration: c1 }, async (ets) => {
      for (const [path, expected] of [
        ['/1', { '/1/0/0': 1, '/1/0/1': 86400, '/1/0/6': false, '/1/0/7': 'U' }],
        ['/3', DEV_VALUES],
      ] as const) {
        const read = await ets.until(ets.server.read(ENDPOINT, path, { format: null }))
        const e = ets.wire.last({ dir: 'out', method: 'GET', path })
        expect(acceptOf(e.request.message)).toBeUndefined()
        expect(codeOf(e)).toBe('2.05')
        // The client's choice (SenML CBOR or JSON for a 1.1+ client); the server decodes it.
        const format = contentFormatOf(e.response!.message)
        expect([SENML_CBOR, SENML_JSON]).toContain(format)
        expect(read.contentFormat).toBe(format)
        expect(read.node.kind).toBe('object')
        const values = flatValues(read.node, path)
        if (path === '/3') expect(values).toEqual(expected)
        else expect(values).toMatchObject(expected)
      }
    })
  })

  it('LightweightM2M-1.1-int-270 Create Object Instance', async () => {
    // The ETS gives this case no procedure of its own: its result is int-1630's.
    await withEts({ configuration: c12 }, async (ets) => {
      await createPortfolioInstance(ets)
    })
  })

  it('LightweightM2M-1.1-int-290 Delete Object Instance', async () => {
    // The ETS gives this case no procedure of its own: its result is int-1635's.
    await withEts({ configuration: c12 }, async (ets) => {
      await deleteAllPortfolioInstances(ets)
    })
  })
})
