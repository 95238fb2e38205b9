/**
 * ETS INT 1.2 section 6.6: the Server object (int-551 ... int-566) and the Device object
 * (int-651 ... int-685). Cases whose result is another case's (551 = 215, 556 = 104, 655 =
 * 241, 660 = 301) run that procedure; placeholders are listed in the README.
 */
import { ContentFormat } from '@lwm2m/coap'
import { singleResource } from '@lwm2m/core'
import { deviceModel } from '@lwm2m/objects'
import { describe, expect, it } from 'vitest'
import { codeOfFailure } from '../src/answer-code.js'
import { c1 } from '../src/configurations/c01.js'
import { c3 } from '../src/configurations/c03.js'
import { c4 } from '../src/configurations/c04.js'
import { C6_DEVICE, c6 } from '../src/configurations/c06.js'
import { ENDPOINT, withEts } from '../src/harness.js'
import { observeDevicePower } from '../src/procedures/device-observation.js'
import { reboot } from '../src/procedures/reboot.js'
import { restoreWritable } from '../src/procedures/restore-writable.js'
import { registrationUpdateTrigger } from '../src/procedures/update-trigger.js'
import { writeServerInstanceInTlv } from '../src/procedures/write-server-tlv.js'
import { flatValues } from '../src/values.js'
import { codeOf, contentFormatOf, hex } from '../src/wire.js'

const TLV = ContentFormat.LWM2M_TLV

describe('Server object (ETS INT 1.2 section 6.6, 551-599)', () => {
  it('LightweightM2M-1.1-int-551 Access check to the resources', async () => {
    // The ETS gives this case no procedure of its own: its result is int-215's.
    await withEts({ configuration: c3 }, async (ets) => {
      await writeServerInstanceInTlv(ets)
    })
  })

  it('LightweightM2M-1.1-int-556 Update Registration capability', async () => {
    // The ETS gives this case no procedure of its own: its result is int-104's.
    await withEts({ configuration: c1 }, async (ets) => {
      await registrationUpdateTrigger(ets)
    })
  })
})

describe('Device object (ETS INT 1.2 section 6.6, 650-699)', () => {
  it('LightweightM2M-1.1-int-651 Device: access to the resources', async () => {
    await withEts({ configuration: c6 }, async (ets) => {
      // The server saves /3/0.
      const saved = await ets.until(ets.server.read(ENDPOINT, '/3/0', { format: TLV }))
      const initial = flatValues(saved.node, '/3/0')
      expect(initial).toMatchObject({ '/3/0/14': C6_DEVICE.utcOffset, '/3/0/15': C6_DEVICE.timezone })
      // POST /3/0 with the TLV of the ETS: 13 = 1367491215, 14 = "+02:00", 15 = "Europe/Paris".
      const since = ets.wire.mark()
      const written = await ets.until(
        ets.server.write(
          ENDPOINT,
          '/3/0',
          { 13: new Date(1367491215_000), 14: '+02:00', 15: 'Europe/Paris' },
          { mode: 'partialUpdate', format: TLV },
        ),
      )
      expect(written.code).toBe(0x44)
      const post = ets.wire.last({ dir: 'out', method: 'POST', path: '/3/0', since })
      expect(contentFormatOf(post.request.message)).toBe(TLV)
      expect(hex(post.request.message.payload)).toBe(
        'c40d5182428f' + 'c60e2b30323a3030' + 'c80f0c4575726f70652f5061726973',
      )
      expect(codeOf(post)).toBe('2.04')
      // The first read equals the written set (the ETS's pass criteria cite "steps 3 and 7",
      // inventory 10.1: they mean the two reads). No time passed: Current Time reads as written.
      const after = await ets.until(ets.server.read(ENDPOINT, '/3/0', { format: TLV }))
      expect(codeOf(ets.wire.last({ dir: 'out', method: 'GET', path: '/3/0', since }))).toBe('2.05')
      expect(flatValues(after.node, '/3/0')).toMatchObject({
        '/3/0/13': new Date(1367491215_000),
        '/3/0/14': '+02:00',
        '/3/0/15': 'Europe/Paris',
      })
      // PUT /3/0 with the saved (writable) values: the ETS says "C.3" is restored, although the
      // precondition is C.6 (inventory 10.1): the initial values of C.6 are.
      expect(await restoreWritable(ets, '/3/0', saved.node, deviceModel, TLV)).toEqual(initial)
    })
  })

  it('LightweightM2M-1.1-int-652 Query firmware version', async () => {
    await withEts({ configuration: c6 }, async (ets) => {
      const read = await ets.until(ets.server.read(ENDPOINT, '/3/0/3', { format: null }))
      const e = ets.wire.last({ dir: 'out', method: 'GET', path: '/3/0/3' })
      expect(codeOf(e)).toBe('2.05')
      // The client's preferred format: the one it says it answered in.
      expect(contentFormatOf(e.response!.message)).toBe(read.contentFormat)
      expect(read.contentFormat).toBeDefined()
      expect(read.node).toMatchObject({ kind: 'resource', id: 3, value: '1.0' })
    })
  })

  it('LightweightM2M-1.1-int-655 Reboot capability', async () => {
    // The ETS gives this case no procedure of its own: its result is int-241's.
    await withEts({ configuration: c1 }, async (ets) => {
      await reboot(ets)
    })
  })

  it('LightweightM2M-1.1-int-660 Basic observation of Device', async () => {
    // The ETS gives this case no procedure of its own: its result is int-301's.
    await withEts({ configuration: c4 }, async (ets) => {
      await observeDevicePower(ets)
    })
  })

  it('LightweightM2M-1.1-int-680 Device: Create instance', async () => {
    await withEts({ configuration: c1 }, async (ets) => {
      // Device is a single-instance object: Create is not allowed (Core TS 1.2 section 6.3.6), 4.05.
      const code = await codeOfFailure(
        ets.until(
          ets.server.create(ENDPOINT, '/3/1', [
            { kind: 'instance', id: 1, resources: new Map([[14, singleResource(14, 'string', '+01:00')]]) },
          ]),
        ),
      )
      expect(code).toBe(0x85)
      expect(codeOf(ets.wire.last({ dir: 'out', method: 'POST', path: '/3' }))).toBe('4.05')
      expect(ets.config.device.instances()).toEqual([0])
    })
  })

  it('LightweightM2M-1.1-int-685 Device: Delete instance', async () => {
    await withEts({ configuration: c1 }, async (ets) => {
      expect(await codeOfFailure(ets.until(ets.server.delete(ENDPOINT, '/3/0')))).toBe(0x85)
      expect(codeOf(ets.wire.last({ dir: 'out', method: 'DELETE', path: '/3/0' }))).toBe('4.05')
      expect(ets.config.device.instances()).toEqual([0])
      expect((await ets.until(ets.server.read(ENDPOINT, '/3/0/0'))).code).toBe(0x45)
    })
  })
})
