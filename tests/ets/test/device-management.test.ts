/**
 * ETS INT 1.2 section 6.3, Device Management and Service Enablement (int-201 ... int-290):
 * every operation goes through the typed API of @lwm2m/server, and the wire shows what
 * travelled (codes, content formats, payload bytes). Placeholders (202, 210, 271) and the
 * voided int-229 are listed in the README, not here.
 */
import { ContentFormat } from '@lwm2m/coap'
import { Lwm2mResponseError } from '@lwm2m/core'
import { serverModel } from '@lwm2m/objects'
import { describe, expect, it } from 'vitest'
import { c1 } from '../src/configurations/c01.js'
import { C3_SERVER_VALUES, c3 } from '../src/configurations/c03.js'
import { ENDPOINT, startEts } from '../src/harness.js'
import { writeServerInstanceInTlv } from '../src/procedures/write-server-tlv.js'
import { tlvEntries } from '../src/tlv.js'
import { flatValues, writablePart } from '../src/values.js'
import { acceptOf, codeOf, contentFormatOf, hex, text, uriQuery } from '../src/wire.js'

const TLV = ContentFormat.LWM2M_TLV
const OMA_JSON = ContentFormat.LWM2M_JSON
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

/** The CoAP code of a rejected operation. */
async function codeOfFailure(p: Promise<unknown>): Promise<number> {
  try {
    await p
  } catch (error) {
    if (Lwm2mResponseError.isInstance(error)) return error.coapCode
    throw error
  }
  throw new Error('the operation succeeded')
}

describe('Device Management and Service Enablement (ETS INT 1.2 section 6.3)', () => {
  it('LightweightM2M-1.1-int-201 Query basic info, plain text', async () => {
    const ets = await startEts({ configuration: c1 })
    try {
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
    } finally {
      await ets.close()
    }
  })

  it('LightweightM2M-1.1-int-203 Query basic info, TLV', async () => {
    const ets = await startEts({ configuration: c1 })
    try {
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
    } finally {
      await ets.close()
    }
  })

  it('LightweightM2M-1.1-int-204 Query basic info, JSON', async () => {
    const ets = await startEts({ configuration: c1 })
    try {
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
    } finally {
      await ets.close()
    }
  })

  it('LightweightM2M-1.1-int-205 Set basic info, plain text', async () => {
    const ets = await startEts({ configuration: c3 })
    try {
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
    } finally {
      await ets.close()
    }
  })

  it('LightweightM2M-1.1-int-211 Query basic info, CBOR', async () => {
    const ets = await startEts({ configuration: c1 })
    try {
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
    } finally {
      await ets.close()
    }
  })

  it('LightweightM2M-1.1-int-212 Set basic info, CBOR', async () => {
    const ets = await startEts({ configuration: c3 })
    try {
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
    } finally {
      await ets.close()
    }
  })

  it('LightweightM2M-1.1-int-215 Set basic info, TLV', async () => {
    const ets = await startEts({ configuration: c3 })
    try {
      await writeServerInstanceInTlv(ets)
    } finally {
      await ets.close()
    }
  })

  it('LightweightM2M-1.1-int-220 Set basic info, JSON', async () => {
    const ets = await startEts({ configuration: c3 })
    try {
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
      since = ets.wire.mark()
      expect(
        (
          await ets.until(
            ets.server.write(ENDPOINT, '/1/0', writablePart(saved.node, serverModel), { format: OMA_JSON }),
          )
        ).code,
      ).toBe(0x44)
      expect(codeOf(ets.wire.last({ dir: 'out', method: 'PUT', path: '/1/0', since }))).toBe('2.04')
      const final = await ets.until(ets.server.read(ENDPOINT, '/1/0', { format: OMA_JSON }))
      expect(flatValues(final.node, '/1/0')).toMatchObject(C3_SERVER_VALUES)
    } finally {
      await ets.close()
    }
  })

  it('LightweightM2M-1.1-int-221 Operations on Security object', async () => {
    const ets = await startEts({ configuration: c1 })
    try {
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
    } finally {
      await ets.close()
    }
  })

  it('LightweightM2M-1.1-int-222 Read on Object', async () => {
    const ets = await startEts({ configuration: c1 })
    try {
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
    } finally {
      await ets.close()
    }
  })

  it('LightweightM2M-1.1-int-223 Read on Object Instance', async () => {
    const ets = await startEts({ configuration: c1 })
    try {
      const server = await ets.until(ets.server.read(ENDPOINT, '/1/0'))
      expect(codeOf(ets.wire.last({ dir: 'out', method: 'GET', path: '/1/0' }))).toBe('2.05')
      if (server.node.kind !== 'instance') throw new Error('not an instance')
      const readable = ets.config.server.resources(0)!.filter((r) => r !== 4 && r !== 8 && r !== 9)
      expect([...server.node.resources.keys()]).toEqual(readable)
      const device = await ets.until(ets.server.read(ENDPOINT, '/3/0'))
      expect(codeOf(ets.wire.last({ dir: 'out', method: 'GET', path: '/3/0' }))).toBe('2.05')
      expect(flatValues(device.node, '/3/0')).toEqual(DEV_VALUES)
    } finally {
      await ets.close()
    }
  })

  it('LightweightM2M-1.1-int-224 Read on Resource', async () => {
    const ets = await startEts({ configuration: c1 })
    try {
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
    } finally {
      await ets.close()
    }
  })

  it('LightweightM2M-1.1-int-225 Read on Resource Instance', async () => {
    const ets = await startEts({ configuration: c1 })
    try {
      ets.config.device.addErrorCode(5)
      ets.config.device.addErrorCode(7)
      const read = await ets.until(ets.server.read(ENDPOINT, '/3/0/11/1'))
      expect(codeOf(ets.wire.last({ dir: 'out', method: 'GET', path: '/3/0/11/1' }))).toBe('2.05')
      // Only that instance of Error Code.
      expect(read.node).toEqual({ kind: 'resourceInstance', id: 1, type: 'integer', value: 7 })
    } finally {
      await ets.close()
    }
  })
})
