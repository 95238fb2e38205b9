/**
 * @lwm2m/client against @lwm2m/server, every device-management and reporting operation that
 * carries a payload, in every content format (Core TS 1.2 section 7.4), for LwM2M 1.0, 1.1
 * and 1.2 clients, over UDP (127.0.0.1, port 0) and the in-memory transport. Decoded values
 * are compared exactly: 64-bit integers, doubles, opaque bytes, time, objlnk, corelnk.
 * Formats a client's version does not offer are refused: 4.06 for an Accept, 4.15 for a
 * Content-Format (Core TS 1.2 section 7.4, RFC 7252 sections 5.10.4 and 5.10.3).
 */
import type { Lwm2mClient } from '@lwm2m/client'
import { ClientError } from '@lwm2m/client'
import { Code, ContentFormat } from '@lwm2m/coap'
import { type Lwm2mNode, objectNode, resourceInstance, type TimestampedNodes } from '@lwm2m/core'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { expectAnswer, instanceNode, rejection, resourceNode, SINGLE_RESOURCES } from './support/expect.js'
import { FORMATS, type FormatCase, offers, VERSIONS } from './support/formats.js'
import {
  createTestObject,
  INITIAL,
  R,
  TEST_OBJECT_ID,
  type TestObject,
  WRITTEN,
} from './support/test-object.js'
import { createWorld, registered, type TransportKind, type World } from './support/world.js'

const O = TEST_OBJECT_ID
const TRANSPORTS: readonly TransportKind[] = ['udp', 'memory']
const MATRIX = TRANSPORTS.flatMap((transport) =>
  VERSIONS.flatMap((version) => FORMATS.map((f) => ({ transport, version, f, label: f.name }))),
)

/** The resources a format can carry one at a time. */
function carried(f: FormatCase): readonly number[] {
  return f.opaqueOnly ? [R.opaque] : SINGLE_RESOURCES
}

/** Puts instance 0 back to its initial values and removes other instances. */
function reset(t: TestObject): void {
  for (const [id, v] of Object.entries(INITIAL)) t.object.set(0, Number(id), v)
  for (let i = 1; i < 100; i++) if (t.object.hasInstance(i)) t.object.removeInstance(i)
}

/** The request format of a composite operation that answers in `f`. */
function requestFormatOf(f: FormatCase): number {
  return f.format === ContentFormat.SENML_JSON ? ContentFormat.SENML_JSON : ContentFormat.SENML_CBOR
}

/** Send data as the server groups it: one node per resource path. */
function sentResources(data: readonly TimestampedNodes[]): Map<string, Lwm2mNode> {
  const out = new Map<string, Lwm2mNode>()
  for (const group of data) for (const [k, v] of group.nodes) out.set(k, v)
  return out
}

describe.each(MATRIX)('$transport, LwM2M $version client, $label', ({ transport, version, f }) => {
  const EP = `ep-${transport}-${version}-${f.format}`
  let w: World
  let t: TestObject
  let client: Lwm2mClient

  beforeAll(async () => {
    w = await createWorld({ transport })
    t = createTestObject()
    client = w.client(EP, { version, objects: [t.object] })
    await registered(w, client, EP)
  })
  afterAll(async () => {
    await w.close()
  })
  beforeEach(() => reset(t))

  if (!offers(version, f)) {
    // Core TS 1.2 section 7.4: a client answers a format it does not support with 4.06 (Accept)
    // and 4.15 (Content-Format), RFC 7252 sections 5.10.4, 5.10.3.
    it(`refuses a Read asking for ${f.name} with 4.06`, async () => {
      await expectAnswer(
        w.server.read(EP, `/${O}/0/${carried(f)[0]}`, { format: f.format }),
        Code.NotAcceptable,
      )
      await expectAnswer(w.server.read(EP, `/${O}/0`, { format: f.format }), Code.NotAcceptable)
    })

    it(`refuses a Write in ${f.name} with 4.15 and keeps the value`, async () => {
      const id = carried(f)[0]!
      await expectAnswer(
        w.server.write(EP, `/${O}/0/${id}`, resourceNode(id, WRITTEN[id as keyof typeof WRITTEN]), {
          format: f.format,
        }),
        Code.UnsupportedContentFormat,
      )
      expect(t.object.get(0, id)).toEqual(INITIAL[id as keyof typeof INITIAL])
    })

    if (f.composite && version !== '1.0') {
      it(`refuses Read-Composite answered in ${f.name} with 4.06, and Send in ${f.name}`, async () => {
        await expectAnswer(
          w.server.readComposite(EP, [`/${O}/0/0`], { format: f.format }),
          Code.NotAcceptable,
        )
        const err = await rejection(client.send([`/${O}/0/0`], { contentFormat: f.format }))
        expect(ClientError.isInstance(err) && err.code).toBe('CLIENT_UNSUPPORTED')
      })
    }
    return
  }

  // ---- Read (Core TS 1.2 section 6.3.1) ----------------------------------------------

  it('reads every single-valued resource, all types, exactly', async () => {
    for (const id of carried(f)) {
      const r = await w.server.read(EP, `/${O}/0/${id}`, { format: f.format })
      expect(r.code).toBe(Code.Content)
      expect(r.contentFormat).toBe(f.format)
      expect(r.node).toEqual(resourceNode(id, INITIAL[id as keyof typeof INITIAL]))
    }
  })

  if (!f.opaqueOnly) {
    it('reads a multiple resource and its resource instances (64-bit and empty values)', async () => {
      const cases: [string, Lwm2mNode][] = [
        [`/${O}/0/${R.integers}/0`, resourceInstance(0, 'integer', 9_007_199_254_740_993n)],
        [`/${O}/0/${R.integers}/7`, resourceInstance(7, 'integer', -1)],
        [`/${O}/0/${R.strings}/1`, resourceInstance(1, 'string', '')],
      ]
      for (const [path, node] of cases) {
        const r = await w.server.read(EP, path, { format: f.format })
        expect(r.contentFormat).toBe(f.format)
        expect(r.node).toEqual(node)
      }
      if (f.singleValue) {
        await expectAnswer(
          w.server.read(EP, `/${O}/0/${R.integers}`, { format: f.format }),
          Code.NotAcceptable,
        )
      } else {
        const r = await w.server.read(EP, `/${O}/0/${R.integers}`, { format: f.format })
        expect(r.node).toEqual(resourceNode(R.integers, INITIAL[R.integers]))
      }
    })
  }

  if (f.singleValue) {
    it('refuses to read an instance or an object in a single-value format (4.06)', async () => {
      await expectAnswer(w.server.read(EP, `/${O}/0`, { format: f.format }), Code.NotAcceptable)
      await expectAnswer(w.server.read(EP, `/${O}`, { format: f.format }), Code.NotAcceptable)
    })
  } else {
    it('reads an instance and the object', async () => {
      const expected = instanceNode(0, INITIAL)
      const inst = await w.server.read(EP, `/${O}/0`, { format: f.format })
      expect(inst.contentFormat).toBe(f.format)
      expect(inst.node).toEqual(expected)
      const obj = await w.server.read(EP, `/${O}`, { format: f.format })
      expect(obj.node).toEqual(objectNode(O, [expected]))
    })
  }

  // ---- Write (Core TS 1.2 section 6.3.3) ----------------------------------------------

  it('writes every single-valued resource (replace), all types, exactly', async () => {
    for (const id of carried(f)) {
      const value = WRITTEN[id as keyof typeof WRITTEN]
      const r = await w.server.write(EP, `/${O}/0/${id}`, resourceNode(id, value), { format: f.format })
      expect(r.code).toBe(Code.Changed)
      expect(t.object.get(0, id)).toEqual(value)
    }
    // Read back through the server in its own format choice.
    const back = await w.server.read(EP, `/${O}/0/${carried(f)[0]}`)
    expect(back.node).toEqual(resourceNode(carried(f)[0]!, WRITTEN[carried(f)[0] as keyof typeof WRITTEN]))
  })

  if (!f.singleValue) {
    it('replaces a multiple resource, and an instance; partially updates an instance', async () => {
      await w.server.write(EP, `/${O}/0/${R.integers}`, resourceNode(R.integers, WRITTEN[R.integers]), {
        format: f.format,
      })
      expect(t.object.get(0, R.integers)).toEqual(WRITTEN[R.integers])

      await w.server.write(
        EP,
        `/${O}/0`,
        instanceNode(0, { [R.string]: 'replaced', [R.strings]: WRITTEN[R.strings], [R.integer]: 5 }),
        { format: f.format },
      )
      expect(t.object.get(0, R.string)).toBe('replaced')
      expect(t.object.get(0, R.strings)).toEqual(WRITTEN[R.strings])
      expect(t.object.get(0, R.integer)).toBe(5)

      // Partial update (POST): the named resources change, the others stay; resource instances
      // of a multiple resource are added or updated (Core TS 1.2 section 6.3.3).
      reset(t)
      await w.server.write(
        EP,
        `/${O}/0`,
        instanceNode(0, { [R.boolean]: false, [R.strings]: new Map([[9, 'nine']]) }),
        { format: f.format, mode: 'partialUpdate' },
      )
      expect(t.object.get(0, R.boolean)).toBe(false)
      expect(t.object.get(0, R.string)).toBe(INITIAL[R.string])
      expect(t.object.get(0, R.strings)).toEqual(
        new Map([
          [0, 'a'],
          [1, ''],
          [9, 'nine'],
        ]),
      )
    })

    // ---- Create, Delete (Core TS 1.2 sections 6.3.6, 6.3.7) --------------------------

    it('creates an instance with an id, and deletes it', async () => {
      const r = await w.server.create(
        EP,
        `/${O}/7`,
        { [R.string]: 'seven', [R.integer]: -7n * 10n ** 17n, [R.integers]: [1, 2] },
        { format: f.format },
      )
      expect(r.code).toBe(Code.Created)
      expect(t.created).toContain(7)
      expect(t.object.get(7, R.string)).toBe('seven')
      expect(t.object.get(7, R.integer)).toBe(-700_000_000_000_000_000n)
      expect(t.object.get(7, R.integers)).toEqual(
        new Map([
          [0, 1],
          [1, 2],
        ]),
      )
      const read = await w.server.read(EP, `/${O}/7/${R.string}`)
      expect(read.node).toEqual(resourceNode(R.string, 'seven'))
      expect((await w.server.delete(EP, `/${O}/7`)).code).toBe(Code.Deleted)
      expect(t.object.hasInstance(7)).toBe(false)
      await expectAnswer(w.server.read(EP, `/${O}/7`), Code.NotFound)
    })

    if (f.format === ContentFormat.LWM2M_TLV) {
      it('creates an instance without an id: the client picks it and says where', async () => {
        const before = t.created.length
        const r = await w.server.create(EP, `/${O}`, { [R.string]: 'no id' })
        expect(r.code).toBe(Code.Created)
        expect(t.created.length).toBe(before + 1)
        const id = t.created.at(-1)!
        expect(r.instance?.toString()).toBe(`/${O}/${id}`)
        expect(t.object.get(id, R.string)).toBe('no id')
        await w.server.delete(EP, `/${O}/${id}`)
      })
    } else {
      it('refuses a Create without an instance id in a format that names every value by path', async () => {
        const before = t.created.length
        const err = await rejection(
          w.server.create(EP, `/${O}`, { [R.string]: 'no id' }, { format: f.format }),
        )
        expect(err).toBeInstanceOf(Error)
        expect(t.created.length).toBe(before)
      })
    }
  }

  // ---- Observe, Cancel (Core TS 1.2 sections 6.4.1-6.4.3) ----------------------------

  it('observes, is notified of a change in the format, and cancels actively', async () => {
    const id = f.opaqueOnly ? R.opaque : R.string
    const path = f.singleValue ? `/${O}/0/${id}` : `/${O}/0`
    const sub = w.server.observe(EP, path, { format: f.format })
    const first = await sub.ready
    expect(first.initial).toBe(true)
    expect(first.contentFormat).toBe(f.format)
    expect(first.node).toEqual(f.singleValue ? resourceNode(id, INITIAL[id]) : instanceNode(0, INITIAL))
    const next = new Promise<Lwm2mNode>((resolve) => sub.once('notification', (n) => resolve(n.node)))
    const value = WRITTEN[id]
    t.object.set(0, id, value)
    const node = await next
    expect(node).toEqual(
      f.singleValue ? resourceNode(id, value) : instanceNode(0, { ...INITIAL, [id]: value }),
    )
    const ended = client.once('observationEnded')
    await sub.cancel()
    expect(sub.ended?.reason).toBe('cancelled')
    expect((await ended).reason).toBeTypeOf('string')
    expect(client.observations()).toEqual([])
  })

  // ---- Composite operations and Send (Core TS 1.2 sections 6.3.8, 6.3.9, 6.4.4, 6.4.6) --

  if (f.composite) {
    it('reads composite: resources, a resource instance, an instance, a missing path', async () => {
      const paths = [`/${O}/0/${R.integer}`, `/${O}/0/${R.integers}/0`, `/${O}/0`, '/3/0/0', `/${O}/9`]
      const r = await w.server.readComposite(EP, paths, {
        format: f.format,
        requestFormat: requestFormatOf(f),
      })
      expect(r.contentFormat).toBe(f.format)
      expect(r.nodes.get(paths[0]!)).toEqual(resourceNode(R.integer, INITIAL[R.integer]))
      expect(r.nodes.get(paths[1]!)).toEqual(resourceInstance(0, 'integer', 9_007_199_254_740_993n))
      expect(r.nodes.get(paths[2]!)).toEqual(instanceNode(0, INITIAL))
      expect(r.nodes.get(paths[3]!)).toEqual(resourceNode(R.string, 'ACME'))
      expect(r.nodes.get(paths[4]!) ?? null).toBeNull()
    })

    it('writes composite: several resources and a resource instance at once', async () => {
      const r = await w.server.writeComposite(
        EP,
        {
          [`/${O}/0/${R.unsigned}`]: WRITTEN[R.unsigned],
          [`/${O}/0/${R.time}`]: WRITTEN[R.time],
          [`/${O}/0/${R.objlnk}`]: WRITTEN[R.objlnk],
          [`/${O}/0/${R.integers}/3`]: 42,
        },
        { format: f.format },
      )
      expect(r.code).toBe(Code.Changed)
      expect(t.object.get(0, R.unsigned)).toBe(WRITTEN[R.unsigned])
      expect(t.object.get(0, R.time)).toEqual(WRITTEN[R.time])
      expect(t.object.get(0, R.objlnk)).toEqual(WRITTEN[R.objlnk])
      expect((t.object.get(0, R.integers) as Map<number, unknown>).get(3)).toBe(42)
    })

    it('observes composite and is notified when one path changes', async () => {
      const paths = [`/${O}/0/${R.float}`, `/${O}/0/${R.opaque}`]
      const sub = w.server.observeComposite(EP, paths, {
        format: f.format,
        requestFormat: requestFormatOf(f),
      })
      const first = await sub.ready
      expect(first.contentFormat).toBe(f.format)
      expect(first.nodes.get(paths[0]!)).toEqual(resourceNode(R.float, INITIAL[R.float]))
      expect(first.nodes.get(paths[1]!)).toEqual(resourceNode(R.opaque, INITIAL[R.opaque]))
      const next = new Promise<ReadonlyMap<string, Lwm2mNode | null>>((resolve) =>
        sub.once('notification', (n) => resolve(n.nodes)),
      )
      t.object.set(0, R.float, WRITTEN[R.float])
      const nodes = await next
      expect(nodes.get(paths[0]!)).toEqual(resourceNode(R.float, WRITTEN[R.float]))
      expect(nodes.get(paths[1]!)).toEqual(resourceNode(R.opaque, INITIAL[R.opaque]))
      await sub.cancel()
      expect(sub.ended?.reason).toBe('cancelled')
    })

    it('sends (POST /dp) an instance and a resource; the server decodes every value', async () => {
      const got = new Promise<{ data: readonly TimestampedNodes[]; contentFormat: number }>((resolve) =>
        w.server.once('send', (e) => {
          if (e.endpoint === EP) resolve(e)
        }),
      )
      await client.send([`/${O}/0`, '/3/0/0'], { contentFormat: f.format })
      const e = await got
      expect(e.contentFormat).toBe(f.format)
      const nodes = sentResources(e.data)
      for (const [id, v] of Object.entries(INITIAL)) {
        expect(nodes.get(`/${O}/0/${id}`)).toEqual(resourceNode(Number(id), v))
      }
      expect(nodes.get('/3/0/0')).toEqual(resourceNode(R.string, 'ACME'))
    })
  } else if (version !== '1.0') {
    it(`refuses composite answers and Send in ${f.name}`, async () => {
      await expectAnswer(w.server.readComposite(EP, [`/${O}/0/0`], { format: f.format }), Code.NotAcceptable)
      const err = await rejection(client.send([`/${O}/0/0`], { contentFormat: f.format }))
      expect(ClientError.isInstance(err) && err.code).toBe('CLIENT_UNSUPPORTED')
    })
  }
})
