/** ETS INT 1.2 section 6.6, Location (800-849), configuration C.7. */
import { Code } from '@lwm2m/coap'
import { afterEach, describe, expect, it } from 'vitest'
import { type C7, C7_POSITION, c7 } from '../src/configurations/c07.js'
import { ENDPOINT as EP } from '../src/harness.js'
import { answerCode, Bench, collect, plainInstance } from '../src/harness-b.js'
import { codeOf, observeOf } from '../src/wire.js'

let b: Bench<C7> | undefined

afterEach(async () => {
  await b?.close()
  b = undefined
})

describe('Location (ETS 1.2 section 6.6, Object 6)', () => {
  it('LightweightM2M-1.1-int-801 Read readable resources', async () => {
    b = await Bench.start({ configuration: c7 })
    const r = await b.until(b.server.read(EP, '/6/0'))
    expect(r.code).toBe(Code.Content)
    expect(codeOf(b.wire.last({ dir: 'out', method: 'GET', path: '/6/0' }))).toBe('2.05')
    // Latitude, Longitude and Timestamp (mandatory), and the optional resources of C.7.
    expect(plainInstance(r.node)).toEqual({
      0: C7_POSITION.latitude,
      1: C7_POSITION.longitude,
      2: C7_POSITION.altitude,
      3: C7_POSITION.radius,
      4: C7_POSITION.velocity,
      5: C7_POSITION.timestamp,
      6: C7_POSITION.speed,
    })
  })

  it('LightweightM2M-1.1-int-810 Basic observation', async () => {
    b = await Bench.start({ configuration: c7 })
    expect(await answerCode(b.until(b.server.writeAttributes(EP, '/6/0', { pmin: 2, pmax: 10 })))).toBe(
      Code.Changed,
    )
    const sub = b.server.observe(EP, '/6/0')
    const got = collect(sub)
    const first = await b.until(sub.ready)
    const get = b.wire.last({ dir: 'out', method: 'GET', path: '/6/0' })
    expect(observeOf(get.request.message)).toBe(0)
    expect(codeOf(get)).toBe('2.05')
    // 2.05 with the initial values.
    expect(plainInstance(first.node)[0]).toBe(C7_POSITION.latitude)
    expect(plainInstance(first.node)[5]).toEqual(C7_POSITION.timestamp)
    const t0 = first.receivedAt
    // The device moves north for 7 s, a fix every second (half a second off the notification
    // times), then stands still.
    const fixes: { at: number; latitude: number }[] = []
    await b.advance(500)
    for (let s = 1; s <= 7; s++) {
      const latitude = C7_POSITION.latitude + s * 0.0001
      b.config.location.update({ latitude, longitude: C7_POSITION.longitude, speed: 11 })
      fixes.push({ at: b.clock.now(), latitude })
      await b.advance(1_000)
    }
    await b.advance(22_500)
    // Paced by pmin 2 s while it moves, by pmax 10 s when it stands.
    const times = got.map((n) => n.receivedAt - t0)
    expect(times).toEqual([0, 2_000, 4_000, 6_000, 8_000, 18_000, 28_000])
    let previous = C7_POSITION.timestamp!.getTime()
    for (const n of got.slice(1)) {
      const values = plainInstance(n.node)
      const fix = [...fixes].reverse().find((f) => f.at <= n.receivedAt)!
      expect(values[0]).toBe(fix.latitude)
      // A plausible timestamp: that of the fix, not in the future, not going back.
      const ts = (values[5] as Date).getTime()
      expect(ts).toBe(Math.floor(fix.at / 1000) * 1000)
      expect(ts).toBeLessThanOrEqual(n.receivedAt)
      expect(ts).toBeGreaterThanOrEqual(previous)
      previous = ts
    }
    await sub.cancel()
  })
})
