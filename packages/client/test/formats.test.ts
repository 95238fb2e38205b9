import { Code, ContentFormat } from '@lwm2m/coap'
import type { Lwm2mVersion } from '@lwm2m/core'
import { instance, isResponseError, type Lwm2mNode, Lwm2mPath, nodesEqual, singleResource } from '@lwm2m/core'
import { createObjectModel, defineObject } from '@lwm2m/objects'
import { afterEach, describe, expect, it } from 'vitest'
import { defaultContentFormats } from '../src/index.js'
import { type Bench, bench, codecs, learnModels, models } from './harness.js'

const P = (t: string) => Lwm2mPath.parse(t)
let b: Bench
afterEach(async () => {
  await b?.close()
})

/** An object with one resource of each type, to carry every value through every format. */
const kitchenSinkModel = createObjectModel({
  id: 33001,
  name: 'Kitchen sink',
  version: '1.0',
  resources: [
    { id: 0, name: 'String', operations: 'RW', type: 'string' },
    { id: 1, name: 'Integer', operations: 'RW', type: 'integer' },
    { id: 2, name: 'Float', operations: 'RW', type: 'float' },
    { id: 3, name: 'Boolean', operations: 'RW', type: 'boolean' },
    { id: 4, name: 'Opaque', operations: 'RW', type: 'opaque' },
    { id: 5, name: 'Time', operations: 'RW', type: 'time' },
    { id: 6, name: 'Objlnk', operations: 'RW', type: 'objlnk' },
    { id: 7, name: 'Multiple', operations: 'RW', type: 'integer', multiple: true },
    { id: 8, name: 'Unsigned', operations: 'RW', type: 'unsigned' },
  ],
})

learnModels([kitchenSinkModel])

function sink() {
  return defineObject(kitchenSinkModel, {
    instances: {
      0: {
        0: 'café',
        1: -42,
        2: 1.5,
        3: true,
        4: Uint8Array.of(1, 2, 3),
        5: new Date(1_700_000_000_000),
        6: { objectId: 3, instanceId: 0 },
        7: [10, 20],
        8: 2n ** 63n,
      },
    },
  })
}

async function start(version: Lwm2mVersion) {
  b = await bench()
  const client = b.client({ version, objects: [sink()] })
  await client.start()
  await b.until(b.server.take('register'))
  return client
}

async function read(path: string, accept?: number) {
  return b.until(b.server.dm({ kind: 'read', path: P(path), ...(accept === undefined ? {} : { accept }) }))
}

describe('content formats the client offers (Core TS 1.2 section 7.4)', () => {
  const multi: [Lwm2mVersion, number][] = [
    ['1.0', ContentFormat.LWM2M_TLV],
    ['1.0', ContentFormat.LWM2M_JSON],
    ['1.1', ContentFormat.LWM2M_TLV],
    ['1.1', ContentFormat.LWM2M_JSON],
    ['1.1', ContentFormat.SENML_JSON],
    ['1.1', ContentFormat.SENML_CBOR],
    ['1.2', ContentFormat.LWM2M_CBOR],
    ['1.2', ContentFormat.SENML_CBOR],
  ]

  it.each(multi)(
    'LwM2M %s: reads and writes an instance with every type in format %i',
    async (version, format) => {
      await start(version)
      const r = await read('/33001/0', format)
      expect(r.contentFormat).toBe(format)
      const node = r.node as Extract<Lwm2mNode, { kind: 'instance' }>
      const original = sink()
      const expected = await original.read(P('/33001/0'), { origin: 'server' })
      expect(expected.ok && nodesEqual(node, expected.value)).toBe(true)
      // Write it back changed, in the same format (replace), and read it again.
      const changed = instance(0, [
        ...[...node.resources.values()].filter((x) => x.id !== 0 && x.id !== 1),
        singleResource(0, 'string', 'thé'),
        singleResource(1, 'integer', 7),
      ])
      const w = await b.until(
        b.server.dm({
          kind: 'write',
          path: P('/33001/0'),
          mode: 'replace',
          node: changed,
          contentFormat: format,
        }),
      )
      expect(w.code).toBe(Code.Changed)
      const again = await read('/33001/0', format)
      expect(nodesEqual(again.node, changed)).toBe(true)
    },
  )

  it.each([
    ['1.1', ContentFormat.TEXT, '/33001/0/0', 'café'],
    ['1.1', ContentFormat.TEXT, '/33001/0/8', 2n ** 63n],
    ['1.0', ContentFormat.TEXT, '/33001/0/2', 1.5],
    ['1.1', ContentFormat.CBOR, '/33001/0/5', new Date(1_700_000_000_000)],
    ['1.1', ContentFormat.OCTET_STREAM, '/33001/0/4', Uint8Array.of(1, 2, 3)],
  ] as const)('LwM2M %s: reads a single value in format %i (%s)', async (version, format, path, value) => {
    await start(version)
    const r = await read(path, format)
    expect(r.contentFormat).toBe(format)
    expect((r.node as { value: unknown }).value).toEqual(value)
  })

  it('accepts the pre-IANA TLV number 1542 from LwM2M 1.0 servers', async () => {
    await start('1.0')
    const body = codecs.require(11542).encode(singleResource(1, 'integer', 99), P('/33001/0/1'), models)
    const res = await b.until(
      b.server.raw({ method: 'PUT', path: '/33001/0/1', contentFormat: 1542, payload: body }),
    )
    expect(res.code).toBe(Code.Changed)
    expect((await read('/33001/0/1', 0)).node).toMatchObject({ value: 99 })
  })

  it('answers without Accept in the version’s preference: TLV (1.0), SenML CBOR (1.1)', async () => {
    await start('1.0')
    expect((await read('/33001/0')).contentFormat).toBe(ContentFormat.LWM2M_TLV)
    await b.close()
    await start('1.1')
    expect((await read('/33001/0')).contentFormat).toBe(ContentFormat.SENML_CBOR)
    expect((await read('/33001/0/0')).contentFormat).toBe(ContentFormat.SENML_CBOR)
  })

  it('refuses what its version does not offer: 4.06 for an Accept, 4.15 for a Content-Format', async () => {
    await start('1.0')
    expect(defaultContentFormats('1.0')).not.toContain(ContentFormat.SENML_JSON)
    try {
      await read('/33001/0', ContentFormat.SENML_JSON)
      expect.unreachable()
    } catch (error) {
      expect(isResponseError(error) && error.coapCode).toBe(Code.NotAcceptable)
    }
    const res = await b.until(
      b.server.raw({
        method: 'PUT',
        path: '/33001/0/0',
        contentFormat: ContentFormat.SENML_JSON,
        payload: '[]',
      }),
    )
    expect(res.code).toBe(Code.UnsupportedContentFormat)
  })
})
