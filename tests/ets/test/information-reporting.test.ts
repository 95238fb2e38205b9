/**
 * ETS INT 1.2 section 6.4, Information Reporting (301-313): Observe and its cancellation
 * (RFC 7641, Core TS 1.2 sections 6.4.1-6.4.3), Observe-Composite (section 6.4.4), Send
 * (section 6.4.6), and the notification attributes (section 7.3). Timing windows are
 * measured on the FakeClock: every notification is received at the instant it was sent.
 */
import { ClientError } from '@lwm2m/client'
import { Code, ContentFormat, MessageType } from '@lwm2m/coap'
import type { Lwm2mNode } from '@lwm2m/core'
import { type DefinedObject, DeviceErrorCode, defineObject, portfolioModel } from '@lwm2m/objects'
import type { CompositeNotification, NodeNotification } from '@lwm2m/server'
import { afterEach, describe, expect, it } from 'vitest'
import { type C1, c1 } from '../src/configurations/c01.js'
import { type C4, c4 } from '../src/configurations/c04.js'
import type { ConfigurationContext } from '../src/configurations/context.js'
import { ENDPOINT as EP } from '../src/harness.js'
import {
  answerCode,
  Bench,
  type BenchConfiguration,
  collect,
  plainInstance,
  plainResource,
} from '../src/harness-b.js'
import { codeOf, contentFormatOf, observeOf, text, uriQuery, type WireMessage } from '../src/wire.js'

let bench: Bench<BenchConfiguration> | undefined

afterEach(async () => {
  await bench?.close()
  bench = undefined
})

async function start<C extends BenchConfiguration>(
  configuration: (ctx: ConfigurationContext) => C,
): Promise<Bench<C>> {
  const b = await Bench.start({ configuration })
  bench = b
  return b
}

/**
 * C.1 with Mute Send (/1/0/23) false, a superset of C.1. Object 1 defines /1/x/23 as "If true
 * or the Resource is not present, the LwM2M Client Send command capability is de-activated":
 * a client provisioned with C.1 alone may not Send, so 306, 307 and 311 provision it.
 */
function c1WithSend(ctx: ConfigurationContext): C1 {
  const c = c1(ctx)
  c.server.set(0, 23, false)
  return c
}

/** C.1 + a Portfolio object (/16) without instances, for 308 and 309. */
function c1WithPortfolio(ctx: ConfigurationContext): C1 & { readonly portfolio: DefinedObject } {
  const c = c1(ctx)
  const portfolio = defineObject(portfolioModel, { instances: {} })
  return { ...c, objects: [...c.objects, portfolio], portfolio }
}

/** The Identity values of a Portfolio instance in a composite notification (/16/x/0). */
/**
 * Starts an Observe-Composite on `paths`: a FETCH with Observe=0 (RFC 7641 section 2),
 * answered 2.05. Resolves with the notifications as they arrive (the answer first) and the
 * answer.
 */
async function observeCompositeOn(b: Bench<BenchConfiguration>, paths: readonly string[]) {
  const sub = b.server.observeComposite(EP, [...paths])
  const got = collect(sub)
  const first = await b.until(sub.ready)
  const fetch = b.wire.last({ dir: 'out', method: 'FETCH', path: '/' })
  expect(observeOf(fetch.request.message)).toBe(0)
  expect(codeOf(fetch)).toBe('2.05')
  return { got, first }
}

/**
 * Waits pmax (45 s, with pmin 30 s written): notification number `count` (counting the
 * answer) has arrived, between pmin and pmax after `previous`. Resolves with it.
 */
async function nextPaced(
  b: Bench<BenchConfiguration>,
  got: readonly CompositeNotification[],
  count: number,
  previous: CompositeNotification,
): Promise<CompositeNotification> {
  await b.advance(45_000)
  expect(got).toHaveLength(count)
  const n = got[count - 1]!
  expect(n.receivedAt - previous.receivedAt).toBeGreaterThanOrEqual(30_000)
  expect(n.receivedAt - previous.receivedAt).toBeLessThanOrEqual(45_000)
  return n
}

function identities(node: Lwm2mNode | null | undefined): unknown {
  return plainInstance(node)[0]
}

/** Intervals between successive times. */
function gaps(times: readonly number[]): number[] {
  return times.slice(1).map((t, i) => t - times[i]!)
}

/** The notifications (not the piggybacked answer to the Observe) of a token, as the server received them. */
function notificationsOn(wire: readonly WireMessage[], token: Uint8Array): WireMessage[] {
  return wire.filter(
    (m) =>
      m.dir === 'in' &&
      m.message.code === Code.Content &&
      m.message.type !== MessageType.ACK &&
      observeOf(m.message) !== undefined &&
      m.message.token.length === token.length &&
      m.message.token.every((x, i) => x === token[i]),
  )
}

describe('Information Reporting (ETS 1.2 section 6.4)', () => {
  it('LightweightM2M-1.1-int-301 Observation and Notification', async () => {
    const b = await start<C4>(c4)
    // GET /3/0/6: the two power sources of C.4.
    const sources = await b.until(b.server.read(EP, '/3/0/6'))
    expect(sources.code).toBe(Code.Content)
    expect(plainResource(sources.node)).toEqual({ 0: 1, 1: 2 })
    // WA /3/0/7?pmin=5&pmax=15 and /3/0/8?pmin=10&pmax=20.
    expect(await answerCode(b.until(b.server.writeAttributes(EP, '/3/0/7', { pmin: 5, pmax: 15 })))).toBe(
      Code.Changed,
    )
    expect(await answerCode(b.until(b.server.writeAttributes(EP, '/3/0/8', { pmin: 10, pmax: 20 })))).toBe(
      Code.Changed,
    )
    const wa = b.wire.exchanges({ dir: 'out', method: 'PUT', path: '/3/0/7' })
    expect(uriQuery(wa[0]!.request.message)).toEqual(['pmin=5', 'pmax=15'])
    // GET /3/0/7 and /3/0/8 with Observe=0.
    const voltage = b.server.observe(EP, '/3/0/7')
    const current = b.server.observe(EP, '/3/0/8')
    const volts = collect(voltage)
    const amps = collect(current)
    const [v0, a0] = await b.until(Promise.all([voltage.ready, current.ready]))
    expect(plainResource(v0.node)).toEqual({ 0: 0, 1: 0 })
    expect(plainResource(a0.node)).toEqual({ 0: 0, 1: 0 })
    for (const path of ['/3/0/7', '/3/0/8']) {
      const get = b.wire.last({ dir: 'out', method: 'GET', path })
      expect(observeOf(get.request.message)).toBe(0)
      expect(codeOf(get)).toBe('2.05')
    }
    const t0 = v0.receivedAt
    expect(a0.receivedAt).toBe(t0)
    // Unchanged values are notified at pmax: every 15 s and every 20 s.
    await b.advance(60_000)
    expect(volts.slice(1).map((n) => n.receivedAt - t0)).toEqual([15_000, 30_000, 45_000, 60_000])
    expect(amps.slice(1).map((n) => n.receivedAt - t0)).toEqual([20_000, 40_000, 60_000])
    // The batteries start delivering 1 s after the last notifications: the changes are
    // notified at pmin after the last notification (5 s, 10 s), the new values in them.
    await b.advance(1_000)
    b.config.device.setPowerSources([
      { type: 1, voltage: 3700, current: 120 },
      { type: 2, voltage: 12000, current: 0 },
    ])
    await b.advance(39_000)
    expect(volts.slice(5).map((n) => [n.receivedAt - t0, plainResource(n.node)])).toEqual([
      [65_000, { 0: 3700, 1: 12000 }],
      [80_000, { 0: 3700, 1: 12000 }],
      [95_000, { 0: 3700, 1: 12000 }],
    ])
    expect(amps.slice(4).map((n) => [n.receivedAt - t0, plainResource(n.node)])).toEqual([
      [70_000, { 0: 120, 1: 0 }],
      [90_000, { 0: 120, 1: 0 }],
    ])
    // Every notification carries the Observe option (increasing) and the format of the answer.
    for (const path of ['/3/0/7', '/3/0/8']) {
      const get = b.wire.exchanges({ dir: 'out', method: 'GET', path })[0]!
      const notes = notificationsOn(b.wire.messages, get.request.message.token)
      expect(notes).toHaveLength(path === '/3/0/7' ? 7 : 5)
      const seq = [get.response!, ...notes].map((m) => observeOf(m.message)!)
      for (let i = 1; i < seq.length; i++) expect(seq[i]).toBeGreaterThan(seq[i - 1]!)
      for (const n of notes) expect(contentFormatOf(n.message)).toBe(contentFormatOf(get.response!.message))
    }
  })

  it('LightweightM2M-1.1-int-302 Cancel Observation by Reset', async () => {
    const b = await start<C4>(c4)
    await b.until(b.server.writeAttributes(EP, '/3/0/7', { pmin: 5, pmax: 15 }))
    await b.until(b.server.writeAttributes(EP, '/3/0/8', { pmin: 10, pmax: 20 }))
    const voltage = b.server.observe(EP, '/3/0/7')
    const current = b.server.observe(EP, '/3/0/8')
    const volts = collect(voltage)
    const amps = collect(current)
    const [v0] = await b.until(Promise.all([voltage.ready, current.ready]))
    const t0 = v0.receivedAt
    const ended: string[] = []
    b.client.on('observationEnded', (e) => ended.push(e.paths.join(',')))
    expect(
      b.client
        .observations()
        .map((o) => o.paths.join(','))
        .sort(),
    ).toEqual(['/3/0/7', '/3/0/8'])
    // The server forgets the voltage observation: its next notification is answered with RST
    // (RFC 7641 section 3.6).
    await voltage.cancel({ passive: true })
    const since = b.wire.mark()
    await b.advance(16_000)
    const afterCancel = b.wire.messages.slice(since)
    const voltNotification = afterCancel.find((m) => m.dir === 'in' && observeOf(m.message) !== undefined)
    expect(voltNotification?.at).toBe(t0 + 15_000)
    const rst = afterCancel.find((m) => m.dir === 'out' && m.message.type === MessageType.RST)
    expect(rst?.message.messageId).toBe(voltNotification?.message.messageId)
    // The client removed the voltage observer; current goes on.
    expect(ended).toEqual(['/3/0/7'])
    expect(b.client.observations().map((o) => o.paths.join(','))).toEqual(['/3/0/8'])
    await b.advance(44_000)
    expect(volts).toHaveLength(1)
    expect(amps.slice(1).map((n) => n.receivedAt - t0)).toEqual([20_000, 40_000, 60_000])
    const voltToken = b.wire.exchanges({ dir: 'out', method: 'GET', path: '/3/0/7' })[0]!.request.message
      .token
    expect(notificationsOn(b.wire.messages, voltToken).map((m) => m.at - t0)).toEqual([15_000])
    // Later the same for current.
    await current.cancel({ passive: true })
    const mark = b.wire.mark()
    await b.advance(21_000)
    const resets = b.wire.messages
      .slice(mark)
      .filter((m) => m.dir === 'out' && m.message.type === MessageType.RST)
    expect(resets).toHaveLength(1)
    expect(ended).toEqual(['/3/0/7', '/3/0/8'])
    expect(b.client.observations()).toEqual([])
    await b.advance(60_000)
    expect(
      b.wire.messages.slice(mark).filter((m) => m.dir === 'in' && observeOf(m.message) !== undefined),
    ).toHaveLength(1)
    expect(amps.slice(1).map((n) => n.receivedAt - t0)).toEqual([20_000, 40_000, 60_000])
  })

  it('LightweightM2M-1.1-int-303 Cancel with Observe=1', async () => {
    const b = await start<C4>(c4)
    await b.until(b.server.writeAttributes(EP, '/3/0/7', { pmin: 5, pmax: 15 }))
    await b.until(b.server.writeAttributes(EP, '/3/0/8', { pmin: 10, pmax: 20 }))
    const voltage = b.server.observe(EP, '/3/0/7')
    const current = b.server.observe(EP, '/3/0/8')
    const volts = collect(voltage)
    const amps = collect(current)
    await b.until(Promise.all([voltage.ready, current.ready]))
    await b.advance(21_000)
    expect(volts).toHaveLength(2)
    expect(amps).toHaveLength(2)
    // ETS erratum (section 10.1): the case cancels with `GET /3/0` Observe=1, though the
    // observations are on /3/0/7 and /3/0/8. RFC 7641 section 3.6 cancels an observation by a
    // GET with Observe=1 and the same token and options: each observation is cancelled so.
    const since = b.wire.mark()
    await b.until(Promise.all([voltage.cancel(), current.cancel()]))
    for (const [path, sub] of [
      ['/3/0/7', voltage],
      ['/3/0/8', current],
    ] as const) {
      const observeReq = b.wire.exchanges({ dir: 'out', method: 'GET', path })[0]!.request.message
      const cancel = b.wire.last({ dir: 'out', method: 'GET', path, since })
      expect(observeOf(cancel.request.message)).toBe(1)
      expect(cancel.request.message.token).toEqual(observeReq.token)
      expect(codeOf(cancel)).toBe('2.05')
      expect(sub.ended?.reason).toBe('cancelled')
    }
    // Both streams stop and the client removed the observers.
    expect(b.client.observations()).toEqual([])
    const mark = b.wire.mark()
    await b.advance(120_000)
    expect(b.wire.messages.slice(mark).filter((m) => m.dir === 'in')).toEqual([])
    expect(volts).toHaveLength(2)
    expect(amps).toHaveLength(2)
  })

  it('LightweightM2M-1.1-int-304 Observe-Composite', async () => {
    const b = await start<C1>(c1)
    // No attributes and no observations yet.
    expect(b.client.observations()).toEqual([])
    expect(await answerCode(b.until(b.server.writeAttributes(EP, '/1/0/1', { pmin: 30, pmax: 45 })))).toBe(
      Code.Changed,
    )
    // FETCH with Observe=0 on /1/0/1, /3/0/11/0, /3/0/16, in SenML (CBOR; a 1.2 client would
    // otherwise be asked for LwM2M CBOR).
    const paths = ['/1/0/1', '/3/0/11/0', '/3/0/16']
    const sub = b.server.observeComposite(EP, paths, {
      format: ContentFormat.SENML_CBOR,
      requestFormat: ContentFormat.SENML_CBOR,
    })
    const got = collect(sub)
    const first = await b.until(sub.ready)
    const fetch = b.wire.last({ dir: 'out', method: 'FETCH', path: '/' })
    expect(observeOf(fetch.request.message)).toBe(0)
    expect([ContentFormat.SENML_CBOR, ContentFormat.SENML_JSON]).toContain(
      contentFormatOf(fetch.request.message),
    )
    expect(codeOf(fetch)).toBe('2.05')
    expect([ContentFormat.SENML_CBOR, ContentFormat.SENML_JSON]).toContain(
      contentFormatOf(fetch.response!.message),
    )
    const values = (n: CompositeNotification) => paths.map((p) => plainResource(n.nodes.get(p)))
    expect(values(first)).toEqual([86400, 0, 'U'])
    // Wait 45 s: one composite notification, between 30 and 45 s, with all three values.
    await b.advance(45_000)
    const later = got.slice(1)
    expect(later).toHaveLength(1)
    const dt = later[0]!.receivedAt - first.receivedAt
    expect(dt).toBeGreaterThanOrEqual(30_000)
    expect(dt).toBeLessThanOrEqual(45_000)
    expect(values(later[0]!)).toEqual([86400, 0, 'U'])
    // ETS erratum (section 10.1): the notification is described as carrying "Observe = 1";
    // RFC 7641 only asks for an increasing sequence number, whatever its value.
    const wireNotes = notificationsOn(b.wire.messages, fetch.request.message.token)
    expect(wireNotes).toHaveLength(1)
    expect(observeOf(wireNotes[0]!.message)).toBeGreaterThan(observeOf(fetch.response!.message)!)
    expect([ContentFormat.SENML_CBOR, ContentFormat.SENML_JSON]).toContain(
      contentFormatOf(wireNotes[0]!.message),
    )
  })

  it('LightweightM2M-1.1-int-305 Cancel Observe-Composite', async () => {
    const b = await start<C1>(c1)
    await b.until(b.server.writeAttributes(EP, '/1/0/1', { pmin: 30, pmax: 45 }))
    const paths = ['/1/0/1', '/3/0/11/0', '/3/0/16']
    const sub = b.server.observeComposite(EP, paths)
    const got = collect(sub)
    await b.until(sub.ready)
    const observe = b.wire.last({ dir: 'out', method: 'FETCH', path: '/' })
    expect(codeOf(observe)).toBe('2.05')
    await b.advance(45_000)
    expect(got).toHaveLength(2)
    // FETCH with Observe=1 and the same list of paths (and token).
    const since = b.wire.mark()
    await b.until(sub.cancel())
    const cancel = b.wire.last({ dir: 'out', method: 'FETCH', path: '/', since })
    expect(observeOf(cancel.request.message)).toBe(1)
    expect(cancel.request.message.token).toEqual(observe.request.message.token)
    expect(cancel.request.message.payload).toEqual(observe.request.message.payload)
    expect(contentFormatOf(cancel.request.message)).toBe(contentFormatOf(observe.request.message))
    // 2.05 with the values.
    expect(codeOf(cancel)).toBe('2.05')
    expect(cancel.response!.message.payload.length).toBeGreaterThan(0)
    expect(sub.ended?.reason).toBe('cancelled')
    // Then no more notifications.
    expect(b.client.observations()).toEqual([])
    const mark = b.wire.mark()
    await b.advance(180_000)
    expect(b.wire.messages.slice(mark).filter((m) => m.dir === 'in')).toEqual([])
    expect(got).toHaveLength(2)
  })

  it('LightweightM2M-1.1-int-306 Send', async () => {
    const b = await start<C1>(c1WithSend)
    const registration = await b.server.getRegistration(EP)
    const sends = b.events[0]!.next('send')
    // The client's application sends its Device values (the ETS waits for or triggers one).
    await b.until(b.client.send(['/3/0']))
    const { args } = await b.until(sends)
    const event = args[0]
    const post = b.wire.last({ dir: 'in', method: 'POST', path: '/dp' })
    expect([ContentFormat.SENML_CBOR, ContentFormat.SENML_JSON]).toContain(
      contentFormatOf(post.request.message),
    )
    expect(event.contentFormat).toBe(contentFormatOf(post.request.message))
    // The server answers 2.04.
    expect(codeOf(post)).toBe('2.04')
    // The payload holds only objects (and instances) the client registered.
    const sent = event.data.flatMap((group) => [...group.nodes.keys()])
    expect(sent.length).toBeGreaterThan(0)
    for (const path of sent) {
      const [objectId, instanceId] = path.split('/').slice(1).map(Number)
      const link = registration!.objectLinks.get(objectId!)
      expect(link, path).toBeDefined()
      if (instanceId !== undefined) expect(link!.instances, path).toContain(instanceId)
    }
    expect(plainResource(event.data[0]!.nodes.get('/3/0/0'))).toBe('Open Mobile Alliance')
  })

  it('LightweightM2M-1.1-int-307 Muting Send', async () => {
    const b = await start<C1>(c1WithSend)
    const sendsAtServer = () => b.wire.exchanges({ dir: 'in', method: 'POST', path: '/dp' })
    // Send works: 2.04.
    await b.until(b.client.send(['/3/0/0']))
    expect(sendsAtServer().map((e) => codeOf(e))).toEqual(['2.04'])
    // ETS erratum (section 10.1): the write of /1/x/23 is printed as "CoAP POST"; a resource
    // Write is PUT (Core TS 1.2 section 6.3.3).
    expect(await answerCode(b.until(b.server.write(EP, '/1/0/23', true)))).toBe(Code.Changed)
    expect(b.wire.last({ dir: 'out', path: '/1/0/23' }).request.message.code).toBe(Code.PUT)
    // Trigger Send: muted, no Send reaches the server.
    const muted = await b.until(
      b.client.send(['/3/0/0']).then(
        () => undefined,
        (e: unknown) => e,
      ),
    )
    expect(ClientError.isInstance(muted) && muted.code).toBe('CLIENT_SEND_MUTED')
    await b.advance(10_000)
    expect(sendsAtServer()).toHaveLength(1)
    // Unmute; the next Send arrives.
    expect(await answerCode(b.until(b.server.write(EP, '/1/0/23', false)))).toBe(Code.Changed)
    await b.until(b.client.send(['/3/0/0']))
    expect(sendsAtServer().map((e) => codeOf(e))).toEqual(['2.04', '2.04'])
    expect(b.events[0]!.all('send')).toHaveLength(2)
  })

  it('LightweightM2M-1.1-int-308 Observe-Composite + Create', async () => {
    const b = await start(c1WithPortfolio)
    // POST /16 creates instance 0 with /16/0/0/0..3 = aa, bb, cc, dd.
    const created0 = await b.until(b.server.create(EP, '/16/0', { 0: ['aa', 'bb', 'cc', 'dd'] }))
    expect(created0.code).toBe(Code.Created)
    expect(await answerCode(b.until(b.server.writeAttributes(EP, '/16/0', { pmin: 30, pmax: 45 })))).toBe(
      Code.Changed,
    )
    // FETCH Observe=0 on /16/0 and the absent /16/1: 2.05 with /16/0 only.
    const { got, first } = await observeCompositeOn(b, ['/16/0', '/16/1'])
    expect(identities(first.nodes.get('/16/0'))).toEqual({ 0: 'aa', 1: 'bb', 2: 'cc', 3: 'dd' })
    expect(first.nodes.get('/16/1') ?? null).toBeNull()
    const n1 = await nextPaced(b, got, 2, first)
    expect(identities(n1.nodes.get('/16/0'))).toEqual({ 0: 'aa', 1: 'bb', 2: 'cc', 3: 'dd' })
    expect(n1.nodes.get('/16/1') ?? null).toBeNull()
    // Create instance 1 with 11, 22, 33, 44. ETS erratum (section 10.1): its values are
    // printed under /16/0/0/x; they belong to /16/1/0/x.
    const created1 = await b.until(b.server.create(EP, '/16/1', { 0: ['11', '22', '33', '44'] }))
    expect(created1.code).toBe(Code.Created)
    const n2 = await nextPaced(b, got, 3, n1)
    expect(identities(n2.nodes.get('/16/0'))).toEqual({ 0: 'aa', 1: 'bb', 2: 'cc', 3: 'dd' })
    expect(identities(n2.nodes.get('/16/1'))).toEqual({ 0: '11', 1: '22', 2: '33', 3: '44' })
  })

  it('LightweightM2M-1.1-int-309 Observe-Composite + Delete', async () => {
    const b = await start(c1WithPortfolio)
    expect((await b.until(b.server.create(EP, '/16/0', { 0: ['aa', 'bb', 'cc', 'dd'] }))).code).toBe(
      Code.Created,
    )
    expect((await b.until(b.server.create(EP, '/16/1', { 0: ['11', '22', '33', '44'] }))).code).toBe(
      Code.Created,
    )
    expect(await answerCode(b.until(b.server.writeAttributes(EP, '/16/0', { pmin: 30, pmax: 45 })))).toBe(
      Code.Changed,
    )
    const { got, first } = await observeCompositeOn(b, ['/16/0', '/16/1'])
    expect(identities(first.nodes.get('/16/0'))).toEqual({ 0: 'aa', 1: 'bb', 2: 'cc', 3: 'dd' })
    expect(identities(first.nodes.get('/16/1'))).toEqual({ 0: '11', 1: '22', 2: '33', 3: '44' })
    const n1 = await nextPaced(b, got, 2, first)
    expect(identities(n1.nodes.get('/16/1'))).toEqual({ 0: '11', 1: '22', 2: '33', 3: '44' })
    // DELETE /16/1: 2.02 Deleted. ETS erratum (section 10.1): the case writes "2.04 Deleted";
    // RFC 7252 section 5.9.1.2 defines 2.02 Deleted.
    const del = await answerCode(b.until(b.server.delete(EP, '/16/1')))
    expect(del).toBe(Code.Deleted)
    expect(codeOf(b.wire.last({ dir: 'out', method: 'DELETE', path: '/16/1' }))).toBe('2.02')
    const n2 = await nextPaced(b, got, 3, n1)
    expect(identities(n2.nodes.get('/16/0'))).toEqual({ 0: 'aa', 1: 'bb', 2: 'cc', 3: 'dd' })
    expect(n2.nodes.get('/16/1') ?? null).toBeNull()
  })

  it('LightweightM2M-1.1-int-310 Observe-Composite + attribute change', async () => {
    const b = await start<C1>(c1)
    // ETS erratum (section 10.1): the step names the resource "Lifetime" but prints /1/0/3
    // (Default Maximum Period, which C.1 does not provision). The Lifetime /1/0/1 is observed.
    // It also writes "Observe option set to 1" for the Observe-Composite that starts the
    // observation: that is Observe=0 (RFC 7641 section 2).
    const paths = ['/1/0/1', '/3/0']
    const { got, first } = await observeCompositeOn(b, paths)
    // The request carries only those paths; the answer has their values.
    expect([...first.nodes.keys()].sort()).toEqual(paths)
    expect(plainResource(first.nodes.get('/1/0/1'))).toBe(86400)
    expect(plainInstance(first.nodes.get('/3/0'))).toMatchObject({ 0: 'Open Mobile Alliance', 11: { 0: 0 } })
    // A notification: the device reports an error code (/3/0/11 changes; C.1 has no pmin).
    await b.advance(3_000)
    b.config.device.addErrorCode(DeviceErrorCode.LowBatteryPower)
    await b.advance(1_000)
    expect(got).toHaveLength(2)
    expect(got[1]!.receivedAt - first.receivedAt).toBe(3_000)
    expect(plainInstance(got[1]!.nodes.get('/3/0'))[11]).toEqual({ 0: DeviceErrorCode.LowBatteryPower })
    // WA /3?pmax=5. ETS erratum (section 10.1): the pass criteria say /3 where the step says
    // /3/0; attributes on /3 apply to /3/0 by inheritance (Core TS 1.2 section 7.3.1), /3 is written.
    expect(await answerCode(b.until(b.server.writeAttributes(EP, '/3', { pmax: 5 })))).toBe(Code.Changed)
    const wa = b.wire.last({ dir: 'out', method: 'PUT', path: '/3' })
    expect(uriQuery(wa.request.message)).toEqual(['pmax=5'])
    // Then a notification every 5 s.
    await b.advance(30_000)
    const after = got.slice(2)
    expect(after.length).toBeGreaterThanOrEqual(5)
    expect(after[0]!.receivedAt - got[1]!.receivedAt).toBe(5_000)
    expect(gaps(after.map((n) => n.receivedAt))).toEqual(after.slice(1).map(() => 5_000))
  })

  it('LightweightM2M-1.1-int-311 Send command', async () => {
    const b = await start<C1>(c1WithSend)
    const sends = b.events[0]!.next('send')
    await b.until(b.client.send(['/1/0/1', '/3/0/11/0'], { contentFormat: ContentFormat.SENML_JSON }))
    const [event] = (await b.until(sends)).args
    // The server gets exactly those values: on the wire, two SenML records named /1/0/1 and
    // /3/0/11/0 ...
    const post = b.wire.last({ dir: 'in', method: 'POST', path: '/dp' })
    expect(contentFormatOf(post.request.message)).toBe(ContentFormat.SENML_JSON)
    const records = JSON.parse(text(post.request.message)) as { bn?: string; n?: string; v?: number }[]
    let bn = ''
    const named = records.map((r) => {
      bn = r.bn ?? bn
      return [`${bn}${r.n ?? ''}`, r.v]
    })
    expect(named).toEqual([
      ['/1/0/1', 86400],
      ['/3/0/11/0', 0],
    ])
    // ... and in the server's decoded data (the resource instance inside its resource).
    expect(event.data).toHaveLength(1)
    const nodes = event.data[0]!.nodes
    expect([...nodes.keys()].sort()).toEqual(['/1/0/1', '/3/0/11'])
    expect(plainResource(nodes.get('/1/0/1'))).toBe(86400)
    expect(plainResource(nodes.get('/3/0/11'))).toEqual({ 0: 0 })
    // The client gets 2.04.
    expect(codeOf(post)).toBe('2.04')
    expect(b.wire.exchanges({ dir: 'in', method: 'POST', path: '/dp' })).toHaveLength(1)
  })

  it('LightweightM2M-1.2-int-312 Observe with attributes in the request', async () => {
    const b = await start<C4>(c4)
    // GET /3/0/7?pmin=5&pmax=15 with Observe=0 (Core TS 1.2 section 6.4.1: attributes as
    // query parameters of the Observe).
    const sub = b.server.observe(EP, '/3/0/7', { attributes: { pmin: 5, pmax: 15 } })
    const got = collect(sub)
    const first = await b.until(sub.ready)
    const get = b.wire.last({ dir: 'out', method: 'GET', path: '/3/0/7' })
    expect(observeOf(get.request.message)).toBe(0)
    expect(uriQuery(get.request.message).sort()).toEqual(['pmax=15', 'pmin=5'])
    // No Write-Attributes went: the attributes travelled in the Observe.
    expect(b.wire.exchanges({ dir: 'out', method: 'PUT' })).toEqual([])
    // The answer holds /3/0/7/0 and /3/0/7/1.
    expect(codeOf(get)).toBe('2.05')
    expect(plainResource(first.node)).toEqual({ 0: 0, 1: 0 })
    // Notifications at least every 15 s.
    await b.advance(60_000)
    const times = got.map((n: NodeNotification) => n.receivedAt)
    expect(times.length).toBe(5)
    for (const gap of gaps(times)) expect(gap).toBeLessThanOrEqual(15_000)
    expect(got.slice(1).every((n) => JSON.stringify(plainResource(n.node)) === '{"0":0,"1":0}')).toBe(true)
  })

  it('LightweightM2M-1.2-int-313 Request parameters override attributes', async () => {
    const b = await start<C4>(c4)
    expect(await answerCode(b.until(b.server.writeAttributes(EP, '/3/0/7', { pmin: 5, pmax: 60 })))).toBe(
      Code.Changed,
    )
    const sub = b.server.observe(EP, '/3/0/7', { attributes: { pmin: 5, pmax: 10 } })
    const got = collect(sub)
    const first = await b.until(sub.ready)
    const get = b.wire.last({ dir: 'out', method: 'GET', path: '/3/0/7' })
    expect(observeOf(get.request.message)).toBe(0)
    expect(uriQuery(get.request.message).sort()).toEqual(['pmax=10', 'pmin=5'])
    expect(codeOf(get)).toBe('2.05')
    // Both instances.
    expect(plainResource(first.node)).toEqual({ 0: 0, 1: 0 })
    // Notifications at least every 10 s: the request's pmax wins over the attached 60.
    await b.advance(65_000)
    const times = got.map((n) => n.receivedAt)
    expect(times.length).toBe(7)
    for (const gap of gaps(times)) expect(gap).toBeLessThanOrEqual(10_000)
  })
})
