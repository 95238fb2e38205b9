/**
 * @lwm2m/client against @lwm2m/server over UDP and the in-memory transport, for LwM2M 1.0,
 * 1.1 and 1.2 clients: the operations whose payload is no content format of Core TS 1.2
 * section 7.4 (Register, Update, De-register, Discover, Write-Attributes, Execute, Delete,
 * passive Cancel), the formats the server picks by itself, and what a 1.0 client cannot do.
 */
import { ClientError, type Lwm2mClient } from '@lwm2m/client'
import { Code, ContentFormat } from '@lwm2m/coap'
import type { Lwm2mVersion } from '@lwm2m/core'
import { ServerError } from '@lwm2m/server'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { expectAnswer, instanceNode, rejection, resourceNode } from './support/expect.js'
import { VERSIONS } from './support/formats.js'
import { createTestObject, INITIAL, R, TEST_OBJECT_ID, type TestObject } from './support/test-object.js'
import { createWorld, registered, type TransportKind, type World } from './support/world.js'

const O = TEST_OBJECT_ID
const MATRIX = (['udp', 'memory'] as const).flatMap((transport: TransportKind) =>
  VERSIONS.map((version: Lwm2mVersion) => ({ transport, version })),
)

/** The format a server reads in when the caller names none (core's chooseReadFormat). */
const DEFAULT_READ: Record<Lwm2mVersion, number> = {
  '1.0': ContentFormat.LWM2M_TLV,
  '1.1': ContentFormat.SENML_CBOR,
  '1.2': ContentFormat.LWM2M_CBOR,
}

describe.each(MATRIX)('$transport, LwM2M $version client', ({ transport, version }) => {
  const EP = `ops-${transport}-${version}`
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

  // Core TS 1.2 section 6.2.1 Register, 6.2.2 Update, 6.2.3 De-register
  it('registers with its version, lifetime, objects and formats; updates; de-registers', async () => {
    const ep = `${EP}-life`
    const own = createTestObject()
    const c = w.client(ep, { version, objects: [own.object] })
    await registered(w, c, ep)
    const reg = await w.server.getRegistration(ep)
    expect(reg).toBeDefined()
    expect(reg!.version).toBe(version)
    expect(reg!.lifetime).toBe(300)
    expect(reg!.queueMode).toBe(false)
    expect([...reg!.objectLinks.keys()]).toEqual(expect.arrayContaining([1, 3, O]))
    expect([...reg!.objectLinks.get(O)!.instances]).toEqual([0])
    if (version === '1.0') expect(reg!.supportedFormats ?? []).toEqual([])
    else {
      expect(reg!.supportedFormats).toEqual(
        expect.arrayContaining([ContentFormat.SENML_CBOR, ContentFormat.SENML_JSON, ContentFormat.LWM2M_TLV]),
      )
      expect(reg!.supportedFormats!.includes(ContentFormat.LWM2M_CBOR)).toBe(version === '1.2')
    }

    // An Update now, then one that carries the new object list.
    const plain = new Promise<{ objectLinksChanged: boolean }>((resolve) => w.server.once('updated', resolve))
    await c.update()
    expect((await plain).objectLinksChanged).toBe(false)
    const withObjects = new Promise<{ objectLinksChanged: boolean }>((resolve) =>
      w.server.once('updated', resolve),
    )
    own.object.addInstance({ [R.string]: 'two' }, 2)
    expect((await withObjects).objectLinksChanged).toBe(true)
    const after = await w.server.getRegistration(ep)
    expect([...after!.objectLinks.get(O)!.instances]).toEqual([0, 2])
    expect(after!.id).toBe(reg!.id)

    const gone = new Promise<{ endpoint: string }>((resolve) => w.server.once('deregistered', resolve))
    await c.stop()
    expect((await gone).endpoint).toBe(ep)
    expect(await w.server.getRegistration(ep)).toBeUndefined()
    const err = await rejection(w.server.read(ep, '/3/0'))
    expect(ServerError.isInstance(err) && err.code).toBe('UNKNOWN_ENDPOINT')
  })

  it('reads in the format the client version calls for when none is named', async () => {
    const r = await w.server.read(EP, `/${O}/0`)
    expect(r.contentFormat).toBe(DEFAULT_READ[version])
    expect(r.node).toEqual(instanceNode(0, INITIAL))
  })

  // Core TS 1.2 section 6.3.4 Write-Attributes, 6.3.2 Discover
  it('writes attributes, discovers them with the links, and unsets them', async () => {
    const res = `/${O}/0/${R.integer}`
    expect(
      (await w.server.writeAttributes(EP, res, { pmin: 5, pmax: 60, gt: 10, lt: -10, st: 2 })).code,
    ).toBe(Code.Changed)
    expect((await w.server.writeAttributes(EP, `/${O}/0`, { pmax: 120 })).code).toBe(Code.Changed)
    const d = await w.server.discover(EP, `/${O}/0`)
    expect(d.code).toBe(Code.Content)
    const at = (p: string) => d.entries.find((e) => e.path.toString() === p)
    expect(at(`/${O}/0`)?.attributes).toEqual({ pmax: 120 })
    expect(at(res)?.attributes).toEqual({ pmin: 5, pmax: 60, gt: 10, lt: -10, st: 2 })
    expect(at(`/${O}/0/${R.integers}`)?.properties).toEqual({ dim: 3 })
    expect(at(`/${O}/0/${R.bump}`)).toBeDefined()

    const objectLevel = await w.server.discover(EP, `/${O}`)
    expect(objectLevel.entries.map((e) => e.path.toString())).toEqual(
      expect.arrayContaining([`/${O}`, `/${O}/0`]),
    )

    await w.server.writeAttributes(EP, res, { gt: null, lt: null })
    const after = await w.server.discover(EP, res)
    expect(after.entries.find((e) => e.path.toString() === res)?.attributes).toEqual({
      pmin: 5,
      pmax: 60,
      st: 2,
    })
    await w.server.writeAttributes(EP, res, { pmin: null, pmax: null, st: null })
    await w.server.writeAttributes(EP, `/${O}/0`, { pmax: null })
  })

  // Core TS 1.2 section 6.3.5 Execute
  it('executes with arguments, exactly once per request; refuses a resource that is not executable', async () => {
    const before = t.executions.length
    expect((await w.server.execute(EP, `/${O}/0/${R.bump}`, { arguments: "0='ab',3" })).code).toBe(
      Code.Changed,
    )
    expect((await w.server.execute(EP, `/${O}/0/${R.bump}`)).code).toBe(Code.Changed)
    expect(
      (await w.server.execute(EP, `/${O}/0/${R.bump}`, { arguments: [{ digit: 7, value: 'x=y' }] })).code,
    ).toBe(Code.Changed)
    expect(t.executions.slice(before)).toEqual(["0='ab',3", '', "7='x=y'"])
    await expectAnswer(w.server.execute(EP, `/${O}/0/${R.string}`), Code.MethodNotAllowed)
    await expectAnswer(w.server.execute(EP, `/${O}/5/${R.bump}`), Code.NotFound)
    expect(t.executions.length).toBe(before + 3)
  })

  // Core TS 1.2 section 6.3.7 Delete
  it('deletes an instance; refuses an instance that is not there and a single-instance object', async () => {
    t.object.addInstance({ [R.string]: 'doomed' }, 3)
    expect((await w.server.delete(EP, `/${O}/3`)).code).toBe(Code.Deleted)
    expect(t.object.hasInstance(3)).toBe(false)
    await expectAnswer(w.server.delete(EP, `/${O}/3`), Code.NotFound)
    await expectAnswer(w.server.delete(EP, '/3/0'), Code.MethodNotAllowed)
  })

  // Core TS 1.2 section 6.4.3 / RFC 7641 section 3.6: a forgotten observation is reset by the server
  it('cancels an observation passively: the next notification is answered with RST', async () => {
    const path = `/${O}/0/${R.smallFloat}`
    const sub = w.server.observe(EP, path)
    const first = await sub.ready
    expect(first.node).toEqual(resourceNode(R.smallFloat, INITIAL[R.smallFloat]))
    expect(client.observations().some((o) => o.paths.includes(path))).toBe(true)
    await sub.cancel({ passive: true })
    expect(sub.ended?.reason).toBe('cancelled')
    const ended = client.once('observationEnded', (e) => e.paths.includes(path))
    t.object.set(0, R.smallFloat, 2.5)
    await ended
    expect(client.observations().some((o) => o.paths.includes(path))).toBe(false)
    t.object.set(0, R.smallFloat, INITIAL[R.smallFloat])
  })

  if (version === '1.0') {
    it('refuses composite operations and Send, which LwM2M 1.0 does not have', async () => {
      for (const p of [
        w.server.readComposite(EP, ['/3/0/0']),
        w.server.writeComposite(EP, { [`/${O}/0/0`]: 'x' }),
      ]) {
        const err = await rejection(p)
        expect(ServerError.isInstance(err) && err.code).toBe('NOT_SUPPORTED')
      }
      const sub = w.server.observeComposite(EP, ['/3/0/0'])
      const err = await rejection(sub.ready)
      expect(ServerError.isInstance(err) && err.code).toBe('NOT_SUPPORTED')
      const send = await rejection(client.send(['/3/0/0']))
      expect(ClientError.isInstance(send) && send.code).toBe('CLIENT_UNSUPPORTED')
      expect(t.object.get(0, 0)).toBe(INITIAL[R.string])
    })
  }
})
