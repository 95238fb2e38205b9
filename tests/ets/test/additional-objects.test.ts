/**
 * ETS INT 1.2 section 6.7, additional objects (int-1200 ... int-2001): Cellular Connectivity
 * (10), APN Connection Profile (11), WLAN (12), Bearer Selection (13), Portfolio (16), Binary
 * App Data Container (19), Event Log (20). The Portfolio placeholders (1600-1620) are listed in
 * the README. Where the ETS numbers resources differently from the objects the OMA registry
 * publishes (Object 10 1.1, Object 20), the tests follow the published objects (inventory 10.2).
 */
import { ContentFormat } from '@lwm2m/coap'
import { singleResource } from '@lwm2m/core'
import type { NodeNotification } from '@lwm2m/server'
import { describe, expect, it } from 'vitest'
import { codeOfFailure } from '../src/answer-code.js'
import { Bearer, C10_CELLULAR, c10 } from '../src/configurations/c10.js'
import { c11 } from '../src/configurations/c11.js'
import { c12 } from '../src/configurations/c12.js'
import { C15_DATA, c15 } from '../src/configurations/c15.js'
import { C16_LOG, c16, LogStatus } from '../src/configurations/c16.js'
import type { ClientConfiguration } from '../src/configurations/context.js'
import { ENDPOINT, type Ets, withEts } from '../src/harness.js'
import { expectPaced } from '../src/pacing.js'
import { createPortfolioInstance, deleteAllPortfolioInstances } from '../src/procedures/portfolio.js'
import { tlvEntries } from '../src/tlv.js'
import { flatValues } from '../src/values.js'
import { codeOf, contentFormatOf, hex, observeOf, text, uriQuery } from '../src/wire.js'

const TLV = ContentFormat.LWM2M_TLV

/** Object 10 of C.10 as Discover lists it: the published version 1.1 (see c10.ts). */
const DISCOVER_10 = '</10>;ver=1.1,</10/0>,</10/0/4>,</10/0/5>,</10/0/8>,</10/0/9>,</10/0/11>;dim=1'
/** ... and of C.11, with Supported (12) and Active (13) Power Saving Modes. */
const DISCOVER_10_V11 = `${DISCOVER_10},</10/0/12>,</10/0/13>`

async function discover(ets: Ets<ClientConfiguration>, path: string): Promise<string> {
  const since = ets.wire.mark()
  const result = await ets.until(ets.server.discover(ENDPOINT, path))
  const e = ets.wire.last({ dir: 'out', method: 'GET', path, since })
  expect(codeOf(e)).toBe('2.05')
  expect(contentFormatOf(e.response!.message)).toBe(ContentFormat.LINK_FORMAT)
  expect(text(e.response!.message)).toBe(result.links)
  return result.links
}

async function writeAttributes(ets: Ets<ClientConfiguration>, path: string, pmin: number, pmax: number) {
  const since = ets.wire.mark()
  expect((await ets.until(ets.server.writeAttributes(ENDPOINT, path, { pmin, pmax }))).code).toBe(0x44)
  const e = ets.wire.last({ dir: 'out', method: 'PUT', path, since })
  expect(uriQuery(e.request.message)).toEqual([`pmin=${pmin}`, `pmax=${pmax}`])
  expect(codeOf(e)).toBe('2.04')
}

/** Observes `path` (GET Observe=0, 2.05 with the initial value) and collects the notifications. */
async function observe(ets: Ets<ClientConfiguration>, path: string) {
  const since = ets.wire.mark()
  const subscription = ets.server.observe(ENDPOINT, path)
  const seen: NodeNotification[] = []
  subscription.on('notification', (n) => seen.push(n))
  await ets.until(subscription.ready)
  const e = ets.wire.last({ dir: 'out', method: 'GET', path, since })
  expect(observeOf(e.request.message)).toBe(0)
  expect(codeOf(e)).toBe('2.05')
  expect(observeOf(e.response!.message)).toBeDefined()
  return { subscription, seen, start: ets.clock.now() }
}

describe('Additional objects (ETS INT 1.2 section 6.7)', () => {
  it('LightweightM2M-1.1-int-1200 Cellular (/10) read', async () => {
    await withEts({ configuration: c10 }, async (ets) => {
      const read = await ets.until(ets.server.read(ENDPOINT, '/10/0', { format: TLV }))
      const e = ets.wire.last({ dir: 'out', method: 'GET', path: '/10/0' })
      expect(codeOf(e)).toBe('2.05')
      expect(contentFormatOf(e.response!.message)).toBe(TLV)
      expect(tlvEntries(e.response!.message.payload).map((t) => t.id)).toEqual([4, 5, 8, 9, 11])
      // Timers, eDRX and the activated APN profile of C.10 ...
      expect(flatValues(read.node, '/10/0')).toEqual({
        '/10/0/4': C10_CELLULAR[4],
        '/10/0/5': C10_CELLULAR[5],
        '/10/0/8': C10_CELLULAR[8],
        '/10/0/9': C10_CELLULAR[9],
        '/10/0/11/0': { objectId: 11, instanceId: 0 },
      })
      // ... and the rate control, which Object 10 1.1 moved to the APN profile (/11/x/26).
      const rate = await ets.until(ets.server.read(ENDPOINT, '/11/0/26'))
      expect(rate.node).toMatchObject({ value: 40 })
    })
  })

  it('LightweightM2M-1.1-int-1201 /10 v1.1 read', async () => {
    await withEts({ configuration: c11 }, async (ets) => {
      // Registered with </10>;ver=1.1.
      const register = ets.wire.last({ dir: 'in', method: 'POST', path: '/rd' })
      expect(text(register.request.message)).toContain('</10>;ver=1.1,</10/0>')
      expect((await ets.registration()).objectLinks.get(10)?.version).toBe('1.1')
      // The ETS lists </10/0/6>, which Object 10 1.1 no longer has, and its own numbering of the
      // power saving modes (inventory 10.1, 10.2); the ETS also quotes ver="1.1", a link-format
      // value the client may send bare (RFC 6690 section 2).
      expect(await discover(ets, '/10')).toBe(DISCOVER_10_V11)
      const read = await ets.until(ets.server.read(ENDPOINT, '/10/0', { format: TLV }))
      const e = ets.wire.last({ dir: 'out', method: 'GET', path: '/10/0' })
      expect(codeOf(e)).toBe('2.05')
      expect(contentFormatOf(e.response!.message)).toBe(TLV)
      expect(flatValues(read.node, '/10/0')).toMatchObject({
        '/10/0/11/0': { objectId: 11, instanceId: 0 },
        '/10/0/12': 3,
        '/10/0/13': 1,
      })
    })
  })

  it('LightweightM2M-1.1-int-1202 /10 v1.1 set power-saving mode', async () => {
    await withEts({ configuration: c11 }, async (ets) => {
      expect(await discover(ets, '/10')).toBe(DISCOVER_10_V11)
      // "Power Saving Modes" (the ETS's 13) is Supported Power Saving Modes, /10/0/12, in the
      // published object: 3 as C.11 provisions.
      const supported = await ets.until(ets.server.read(ENDPOINT, '/10/0/12'))
      expect(codeOf(ets.wire.last({ dir: 'out', method: 'GET', path: '/10/0/12' }))).toBe('2.05')
      expect(supported.node).toMatchObject({ value: 3 })
      // Write Active Power Saving Modes = 2 in TLV. The ETS prints `C10 0D 02` (malformed) for its
      // resource 14; the published object's Active PSM is 13: `C1 0D 02` (inventory 10.2).
      expect((await ets.until(ets.server.write(ENDPOINT, '/10/0/13', 2, { format: TLV }))).code).toBe(0x44)
      const put = ets.wire.last({ dir: 'out', method: 'PUT', path: '/10/0/13' })
      expect(contentFormatOf(put.request.message)).toBe(TLV)
      expect(hex(put.request.message.payload)).toBe('c10d02')
      expect(codeOf(put)).toBe('2.04')
      const active = await ets.until(ets.server.read(ENDPOINT, '/10/0/13'))
      expect(codeOf(ets.wire.last({ dir: 'out', method: 'GET', path: '/10/0/13' }))).toBe('2.05')
      expect(active.node).toMatchObject({ value: 2 })
    })
  })

  it('LightweightM2M-1.1-int-1203 /10 v1.1 observe power-saving mode', async () => {
    await withEts({ configuration: c11 }, async (ets) => {
      expect(await discover(ets, '/10')).toBe(DISCOVER_10_V11)
      // The ETS's 13 and 14 are the published 12 (supported) and 13 (active) (inventory 10.2).
      await writeAttributes(ets, '/10/0/12', 5, 15)
      await writeAttributes(ets, '/10/0/13', 10, 20)
      const supported = await observe(ets, '/10/0/12')
      const active = await observe(ets, '/10/0/13')
      expect(supported.seen[0]!.node).toMatchObject({ value: 3 })
      expect(active.seen[0]!.node).toMatchObject({ value: 1 })
      // Regular notifications: the values do not change, so each comes at its pmax.
      await ets.advance(90_000)
      expectPaced(
        supported.seen.slice(1).map((n) => n.receivedAt),
        supported.start,
        ets.clock.now(),
        5_000,
        15_000,
      )
      expectPaced(
        active.seen.slice(1).map((n) => n.receivedAt),
        active.start,
        ets.clock.now(),
        10_000,
        20_000,
      )
      expect(supported.seen.every((n) => (n.node as { value: number }).value === 3)).toBe(true)
      await ets.until(supported.subscription.cancel())
      await ets.until(active.subscription.cancel())
    })
  })

  it('LightweightM2M-1.1-int-1204 /10 observe timers', async () => {
    await withEts({ configuration: c10 }, async (ets) => {
      expect(await discover(ets, '/10')).toBe(DISCOVER_10)
      await writeAttributes(ets, '/10/0/4', 5, 15)
      await writeAttributes(ets, '/10/0/8', 5, 15)
      await writeAttributes(ets, '/10/0/5', 10, 20)
      await writeAttributes(ets, '/10/0/9', 10, 20)
      // The steps observe 4, 5, 9, 10 while the pass criteria list 4, 5, 8, 9 (inventory 10.1):
      // we observe the resources that were given attributes, 4, 5, 8, 9.
      const observed = [
        [await observe(ets, '/10/0/4'), 5_000, 15_000],
        [await observe(ets, '/10/0/8'), 5_000, 15_000],
        [await observe(ets, '/10/0/5'), 10_000, 20_000],
        [await observe(ets, '/10/0/9'), 10_000, 20_000],
      ] as const
      // The network changes the PSM timer now and then: notified after pmin, else at pmax.
      for (let s = 1; s <= 60; s++) {
        if (s % 7 === 0) ets.config.cellular.set(0, 4, 3600 + s)
        await ets.advance(1000)
      }
      for (const [o, pmin, pmax] of observed) {
        expectPaced(
          o.seen.slice(1).map((n) => n.receivedAt),
          o.start,
          ets.clock.now(),
          pmin,
          pmax,
        )
      }
      const psm = observed[0][0].seen
      expect(psm[psm.length - 1]!.node).toMatchObject({ value: 3600 + 56 })
      for (const [o] of observed) await ets.until(o.subscription.cancel())
    })
  })

  it('LightweightM2M-CONMGMT-1.1-int-1250 APN configuration', async () => {
    await withEts({ configuration: c10 }, async (ets) => {
      const reg = await ets.registration()
      // A second APN profile, inactive.
      let since = ets.wire.mark()
      const created = await ets.until(
        ets.server.create(ENDPOINT, '/11', { 0: 'backup', 1: 'backup.apn', 3: false, 4: 0 }),
      )
      expect(codeOf(ets.wire.last({ dir: 'out', method: 'POST', path: '/11', since }))).toBe('2.01')
      expect(created.instance?.toString()).toBe('/11/1')
      // The server triggers an Update (the ETS calls it "Resource 7 of the Device object"; the
      // Registration Update Trigger is /1/x/8, inventory 10.1).
      since = ets.wire.mark()
      const mark = ets.events.mark()
      expect((await ets.until(ets.server.execute(ENDPOINT, '/1/0/8'))).code).toBe(0x44)
      expect(codeOf(ets.wire.last({ dir: 'out', method: 'POST', path: '/1/0/8', since }))).toBe('2.04')
      await ets.until(ets.events.next('updated', mark))
      // The client has told the server its object list with /11/1 (it does so as soon as the
      // list changes, Core TS 1.2 section 6.2.2) and the server stores it.
      const updates = ets.wire.exchanges({ dir: 'in', method: 'POST', path: `/rd/${reg.id}` })
      const withList = updates.filter((u) => u.request.message.payload.length > 0)
      expect(withList.length).toBeGreaterThanOrEqual(1)
      expect(text(withList[withList.length - 1]!.request.message)).toContain('</11/0>,</11/1>')
      expect(withList.every((u) => codeOf(u) === '2.04')).toBe(true)
      expect((await ets.registration()).objectLinks.get(11)?.instances).toEqual([0, 1])
      // Activate it.
      since = ets.wire.mark()
      expect((await ets.until(ets.server.write(ENDPOINT, '/11/1/3', true))).code).toBe(0x44)
      expect(codeOf(ets.wire.last({ dir: 'out', method: 'PUT', path: '/11/1/3', since }))).toBe('2.04')
      // Activated Profile Names lists it.
      const read = await ets.until(ets.server.read(ENDPOINT, '/10/0/11', { format: TLV }))
      const get = ets.wire.last({ dir: 'out', method: 'GET', path: '/10/0/11', since })
      expect(codeOf(get)).toBe('2.05')
      expect(contentFormatOf(get.response!.message)).toBe(TLV)
      expect(Object.values(flatValues(read.node, '/10/0/11'))).toContainEqual({ objectId: 11, instanceId: 1 })
    })
  })

  it('LightweightM2M-CONMGMT-1.1-int-1350 Bearer Selection', async () => {
    // C.10: /10, one /11, /12 with WLAN off; Bearer Selection (13) supported without instance.
    await withEts({ configuration: c10 }, async (ets) => {
      const reg = await ets.registration()
      const cellular = (await ets.registration()).peer
      // Create /13 with WLAN preferred: 2.01.
      let mark = ets.events.mark()
      let since = ets.wire.mark()
      const created = await ets.until(ets.server.create(ENDPOINT, '/13/0', { 0: [Bearer.Wlan] }))
      expect(codeOf(ets.wire.last({ dir: 'out', method: 'POST', path: '/13', since }))).toBe('2.01')
      expect(created.instance?.toString()).toBe('/13/0')
      // The client moves to WLAN and sends an Update from its new address.
      const onWlan = await ets.until(ets.events.next('updated', mark))
      const update = ets.wire.last({ dir: 'in', method: 'POST', path: `/rd/${reg.id}`, since })
      expect(codeOf(update)).toBe('2.04')
      expect(update.request.peer.port).not.toBe(cellular.port)
      expect(onWlan.args[0].registration.peer.port).toBe(update.request.peer.port)
      expect(onWlan.args[0].registration.id).toBe(reg.id)
      // The server reaches it there: WLAN is enabled and up.
      const wlan = await ets.until(ets.server.read(ENDPOINT, '/12/0'))
      expect(codeOf(ets.wire.last({ dir: 'out', method: 'GET', path: '/12/0', since }))).toBe('2.05')
      expect(flatValues(wlan.node, '/12/0')).toMatchObject({ '/12/0/1': true, '/12/0/3': 1 })
      // Back to 3GPP PS: the client moves back and updates again.
      mark = ets.events.mark()
      since = ets.wire.mark()
      expect((await ets.until(ets.server.write(ENDPOINT, '/13/0/0', [Bearer.Cellular]))).code).toBe(0x44)
      expect(codeOf(ets.wire.last({ dir: 'out', method: 'PUT', path: '/13/0/0', since }))).toBe('2.04')
      const back = await ets.until(ets.events.next('updated', mark))
      const update2 = ets.wire.last({ dir: 'in', method: 'POST', path: `/rd/${reg.id}`, since })
      expect(codeOf(update2)).toBe('2.04')
      expect(update2.request.peer.port).not.toBe(update.request.peer.port)
      expect(back.args[0].registration.peer.port).toBe(update2.request.peer.port)
      const off = await ets.until(ets.server.read(ENDPOINT, '/12/0'))
      expect(flatValues(off.node, '/12/0')).toMatchObject({ '/12/0/1': false, '/12/0/3': 0 })
      // GET /10 over the cellular bearer; the registration was kept throughout.
      const read = await ets.until(ets.server.read(ENDPOINT, '/10'))
      expect(codeOf(ets.wire.last({ dir: 'out', method: 'GET', path: '/10', since }))).toBe('2.05')
      expect(flatValues(read.node, '/10')).toMatchObject({ '/10/0/4': C10_CELLULAR[4] })
      expect((await ets.registration()).id).toBe(reg.id)
      expect(ets.events.all('registered')).toHaveLength(1)
      expect(ets.events.all('deregistered')).toEqual([])
    })
  })

  it('LightweightM2M-1.1-int-1630 Create Portfolio instance', async () => {
    await withEts({ configuration: c12 }, async (ets) => {
      await createPortfolioInstance(ets)
    })
  })

  it('LightweightM2M-1.1-int-1635 Delete all Portfolio instances', async () => {
    await withEts({ configuration: c12 }, async (ets) => {
      await deleteAllPortfolioInstances(ets)
    })
  })

  it('LightweightM2M-1.1-int-1900 BinaryAppData /19 observe', async () => {
    await withEts({ configuration: c15 }, async (ets) => {
      // The ETS expects </19>;ver="1.1", but the OMA registry defines Object 19 only as 1.0
      // (inventory 10.1): a 1.0 object needs no ver. Instance 1 (server to client) is listed too.
      expect(await discover(ets, '/19')).toBe('</19>,</19/0>,</19/0/0>;dim=1,</19/1>,</19/1/0>;dim=0')
      await writeAttributes(ets, '/19/0/0', 300, 3600)
      const data = await observe(ets, '/19/0/0')
      expect(flatValues(data.seen[0]!.node, '/19/0/0')).toEqual({ '/19/0/0/0': C15_DATA })
      // The device records new data now and then; the server hears of it within pmin/pmax.
      const recorded: Uint8Array[] = []
      for (let h = 1; h <= 3; h++) {
        await ets.advance(1_000_000)
        const reading = new TextEncoder().encode(`{"meter":"ets-1","kWh":${1234.5 + h}}`)
        recorded.push(reading)
        ets.config.appData.set(0, 0, [reading])
      }
      await ets.advance(3_600_000)
      expectPaced(
        data.seen.slice(1).map((n) => n.receivedAt),
        data.start,
        ets.clock.now(),
        300_000,
        3_600_000,
      )
      const values = data.seen.map((n) => flatValues(n.node, '/19/0/0')['/19/0/0/0'])
      for (const r of recorded) expect(values).toContainEqual(r)
      await ets.until(data.subscription.cancel())
    })
  })

  it('LightweightM2M-1.1-int-1901 /19 write data', async () => {
    await withEts({ configuration: c15 }, async (ets) => {
      const data = new TextEncoder().encode('{"setpoint":21}')
      expect((await ets.until(ets.server.write(ENDPOINT, '/19/1/0', [data]))).code).toBe(0x44)
      expect(codeOf(ets.wire.last({ dir: 'out', method: 'PUT', path: '/19/1/0' }))).toBe('2.04')
      const read = await ets.until(ets.server.read(ENDPOINT, '/19/1/0'))
      expect(codeOf(ets.wire.last({ dir: 'out', method: 'GET', path: '/19/1/0' }))).toBe('2.05')
      expect(flatValues(read.node, '/19/1/0')).toEqual({ '/19/1/0/0': data })
    })
  })

  it('LightweightM2M-1.1-int-2000 Event Log LogStart', async () => {
    await withEts({ configuration: c16 }, async (ets) => {
      // The ETS writes "0,100" to LogStart /20/0/4011 and reads it back. In Object 20 (1.0 and
      // 2.1) LogStart is an executable resource (inventory 10.2): a Write or Read of it is 4.05
      // Method Not Allowed (Core TS 1.2 section 6.3), and it is started by Execute.
      // (The server API refuses to type a value for an executable resource: the node goes as it is,
      // the text "0,100" the ETS writes.)
      const logStart = singleResource(4011, 'string', '0,100')
      expect(await codeOfFailure(ets.until(ets.server.write(ENDPOINT, '/20/0/4011', logStart)))).toBe(0x85)
      expect(text(ets.wire.last({ dir: 'out', method: 'PUT', path: '/20/0/4011' }).request.message)).toBe(
        '0,100',
      )
      expect(codeOf(ets.wire.last({ dir: 'out', method: 'PUT', path: '/20/0/4011' }))).toBe('4.05')
      expect(await codeOfFailure(ets.until(ets.server.read(ENDPOINT, '/20/0/4011')))).toBe(0x85)
      expect(codeOf(ets.wire.last({ dir: 'out', method: 'GET', path: '/20/0/4011' }))).toBe('4.05')
      // LogStart executed: 2.04, data collection running (LogStatus bit 0 cleared), data emptied.
      expect((await ets.until(ets.server.execute(ENDPOINT, '/20/0/4011'))).code).toBe(0x44)
      expect(codeOf(ets.wire.last({ dir: 'out', method: 'POST', path: '/20/0/4011' }))).toBe('2.04')
      const status = await ets.until(ets.server.read(ENDPOINT, '/20/0/4013'))
      expect(status.node).toMatchObject({ value: 0 })
      // With argument 0 = 1 the collection is extended, not emptied; LogStop sets bit 0 again.
      ets.config.eventLog.set(0, 4014, C16_LOG)
      ets.config.eventLog.set(0, 4013, LogStatus.Stopped | LogStatus.ValidData)
      expect((await ets.until(ets.server.execute(ENDPOINT, '/20/0/4011', { arguments: "0='1'" }))).code).toBe(
        0x44,
      )
      expect((await ets.until(ets.server.read(ENDPOINT, '/20/0/4013'))).node).toMatchObject({
        value: LogStatus.ValidData,
      })
      expect((await ets.until(ets.server.execute(ENDPOINT, '/20/0/4012'))).code).toBe(0x44)
      expect((await ets.until(ets.server.read(ENDPOINT, '/20/0/4013'))).node).toMatchObject({
        value: LogStatus.Stopped | LogStatus.ValidData,
      })
    })
  })

  it('LightweightM2M-1.1-int-2001 Event Log read', async () => {
    await withEts({ configuration: c16 }, async (ets) => {
      // (The ETS's description of this case is copied from a firmware case, inventory 10.1.)
      const read = await ets.until(ets.server.read(ENDPOINT, '/20/0', { format: TLV }))
      const e = ets.wire.last({ dir: 'out', method: 'GET', path: '/20/0' })
      expect(codeOf(e)).toBe('2.05')
      expect(contentFormatOf(e.response!.message)).toBe(TLV)
      expect(tlvEntries(e.response!.message.payload).map((t) => `${t.kind}:${t.id}`)).toEqual([
        'resource:4010',
        'resource:4013',
        'resource:4014',
      ])
      expect(flatValues(read.node, '/20/0')).toEqual({
        '/20/0/4010': 0,
        '/20/0/4013': LogStatus.Stopped | LogStatus.ValidData,
        '/20/0/4014': C16_LOG,
      })
    })
  })
})
