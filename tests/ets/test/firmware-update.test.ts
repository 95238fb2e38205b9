/**
 * ETS INT 1.2 section 6.6, Firmware Update (750-799), on configuration C.8. Object 5:
 * State (/5/0/3) 0 Idle, 1 Downloading, 2 Downloaded, 3 Updating; Update Result (/5/0/5)
 * 0 initial, 1 success, 2 not enough flash, 3 out of RAM, 4 connection lost, 5 integrity
 * check failure, 6 unsupported package type, 7 invalid URI, 8 update failed (Core TS 1.1
 * appendix E.6 and the Object 5 definition).
 */
import { Code, ContentFormat } from '@lwm2m/coap'
import { afterEach, describe, expect, it } from 'vitest'
import { type C8, C8_DEVICE, c8, c8Images } from '../src/configurations/c08.js'
import { createDownloadHost, type DownloadHost } from '../src/firmware/download-host.js'
import { ENDPOINT as EP } from '../src/harness.js'
import { answerCode, Bench, blockOf, collect, plainInstance, plainResource } from '../src/harness-b.js'
import { codeOf, observeOf } from '../src/wire.js'

const images = c8Images()
let b: Bench<C8>
let host: DownloadHost

afterEach(async () => {
  await b?.close()
})

async function start(): Promise<void> {
  b = await Bench.start({ configuration: c8 })
  host = await createDownloadHost(b)
}

/** State and Update Result read by the server (GET /5/0). */
async function readFirmware(): Promise<{ state: number; result: number; values: Record<number, unknown> }> {
  const r = await b.until(b.server.read(EP, '/5/0'))
  expect(r.code).toBe(Code.Content)
  const values = plainInstance(r.node)
  return { state: Number(values[3]), result: Number(values[5]), values }
}

/** Polls /5/0 every `every` ms until `done` holds; returns every (state, result) read, in order. */
async function pollUntil(
  done: (s: { state: number; result: number }) => boolean,
  every = 500,
  limit = 300_000,
): Promise<{ state: number; result: number }[]> {
  const seen: { state: number; result: number }[] = []
  const end = b.clock.now() + limit
  for (;;) {
    const { state, result } = await readFirmware()
    seen.push({ state, result })
    if (done({ state, result })) return seen
    if (b.clock.now() >= end) throw new Error(`not done after ${limit} ms: ${JSON.stringify(seen)}`)
    await b.advance(every)
  }
}

/** The distinct values in order ([1, 1, 2, 2] -> [1, 2]). */
function runs(values: readonly number[]): number[] {
  return values.filter((v, i) => i === 0 || values[i - 1] !== v)
}

/** Reads /3/0/3, the firmware version. */
async function firmwareVersion(): Promise<unknown> {
  return plainResource((await b.until(b.server.read(EP, '/3/0/3'))).node)
}

/** Writes the Package URI and checks the 2.04. */
async function writeUri(uri: string): Promise<void> {
  expect(await answerCode(b.until(b.server.write(EP, '/5/0/1', uri)))).toBe(Code.Changed)
}

/** Writes the Package (push) and checks the 2.04. */
async function writePackage(bytes: Uint8Array): Promise<void> {
  expect(await answerCode(b.until(b.server.write(EP, '/5/0/0', bytes)))).toBe(Code.Changed)
}

/** Executes Update (/5/0/2), then polls until the update ended; checks the ETS sequence of 770/771. */
async function updateAndCheckSuccess(newVersion: string): Promise<void> {
  expect(await answerCode(b.until(b.server.execute(EP, '/5/0/2')))).toBe(Code.Changed)
  // "Poll until State 0 or Result != 0": State 3 (or already 0), Result 0 or 1.
  const seen = await pollUntil((s) => s.state === 0 || s.result !== 0)
  for (const s of seen) {
    expect([3, 0]).toContain(s.state)
    expect([0, 1]).toContain(s.result)
  }
  expect(seen[0]).toEqual({ state: 3, result: 0 })
  // Final State 0, Result 1, and the new firmware version in /3/0/3.
  expect(plainResource((await b.until(b.server.read(EP, '/5/0/5'))).node)).toBe(1)
  expect(plainResource((await b.until(b.server.read(EP, '/5/0/3'))).node)).toBe(0)
  expect(await firmwareVersion()).toBe(newVersion)
}

/** Delivers a package by pull and checks the failure sequence of 773-778: State 1, then Idle with `result`. */
async function pullAndExpectFailure(
  uri: string,
  result: number,
): Promise<{ state: number; result: number }[]> {
  expect((await readFirmware()).state).toBe(0)
  await writeUri(uri)
  const seen = await pollUntil((s) => s.result !== 0, 200)
  expect(seen[0]).toEqual({ state: 1, result: 0 })
  // State never reaches Downloaded (2) nor Updating (3).
  expect(seen.every((s) => s.state === 0 || s.state === 1)).toBe(true)
  expect(seen.at(-1)).toEqual({ state: 0, result })
  // The final read.
  expect(await readFirmware()).toMatchObject({ state: 0, result })
  return seen
}

describe('Firmware Update (ETS 1.2 section 6.6, Object 5)', () => {
  it('LightweightM2M-1.1-int-751 Read readable resources', async () => {
    await start()
    // GET /5/0 with Accept TLV (11542).
    const r = await b.until(b.server.read(EP, '/5/0', { format: ContentFormat.LWM2M_TLV }))
    expect(r.code).toBe(Code.Content)
    expect(r.contentFormat).toBe(ContentFormat.LWM2M_TLV)
    const values = plainInstance(r.node)
    expect(values[3]).toBe(0) // State: Idle
    expect(values[5]).toBe(0) // Update Result: initial
    // Firmware Update Protocol Support: CoAP (0), the protocol of the download endpoint.
    expect(values[8]).toEqual({ 0: 0 })
    // Firmware Update Delivery Method: 2 = both pull and push.
    expect(values[9]).toBe(2)
    // Package URI is readable and empty; Package (0, write-only) is not read.
    expect(values[1]).toBe('')
    expect(values[0]).toBeUndefined()
  })

  it('LightweightM2M-1.1-int-755 Write Package', async () => {
    await start()
    // PUT /5/0/0 = one 0x00 byte: the reset of the state machine (Object 5, Package).
    await writePackage(new Uint8Array([0]))
    expect(await readFirmware()).toMatchObject({ state: 0, result: 0 })
    await writePackage(images.valid)
    // The device checks the image (C.8: checkTime) before it counts as Downloaded.
    await b.advance(C8_DEVICE.checkTime)
    const after = await readFirmware()
    expect(after).toMatchObject({ state: 2, result: 0 })
    // Package Name and Version (/5/0/6, /5/0/7) from the image.
    expect(after.values[6]).toBe('ets-device-app')
    expect(after.values[7]).toBe('2.0')
  })

  it('LightweightM2M-1.1-int-756 Write Package URI', async () => {
    await start()
    const uri = host.publish('fw/app-2.0.bin', images.valid)
    // ETS erratum (section 10.1): the step text writes the Package (0) with "a valid image";
    // the case is about Package URI (1), written here: "" first (reset), then the URI.
    await writeUri('')
    expect(await readFirmware()).toMatchObject({ state: 0, result: 0 })
    await writeUri(uri)
    const seen = await pollUntil((s) => s.state === 2)
    expect(seen.at(-1)).toEqual({ state: 2, result: 0 })
    expect(seen.every((s) => s.result === 0)).toBe(true)
  })

  it('LightweightM2M-1.1-int-760 Observe State', async () => {
    await start()
    // WA /5/0?pmin=2&pmax=10.
    expect(await answerCode(b.until(b.server.writeAttributes(EP, '/5/0', { pmin: 2, pmax: 10 })))).toBe(
      Code.Changed,
    )
    // Observe /5/0/3: 2.05 with State 0.
    const sub = b.server.observe(EP, '/5/0/3')
    const notifications = collect(sub)
    const first = await b.until(sub.ready)
    const get = b.wire.last({ dir: 'out', method: 'GET', path: '/5/0/3' })
    expect(observeOf(get.request.message)).toBe(0)
    expect(codeOf(get)).toBe('2.05')
    expect(plainResource(first.node)).toBe(0)
    const t0 = first.receivedAt
    await writePackage(images.valid)
    await b.advance(20_000)
    const later = notifications.slice(1)
    // A notification with State 2 (Downloaded) arrives.
    expect(later.map((n) => plainResource(n.node))).toContain(2)
    // Every notification respects the attributes inherited from /5/0: pmin 2 s, pmax 10 s.
    const times = [t0, ...later.map((n) => n.receivedAt)]
    for (let i = 1; i < times.length; i++) {
      expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(2_000)
      expect(times[i]! - times[i - 1]!).toBeLessThanOrEqual(10_000)
    }
    await sub.cancel()
  })

  it('LightweightM2M-1.1-int-770 FW update via CoAP push', async () => {
    // ETS erratum (section 10.1): 770 asks for pull support although it is the push case; C.8
    // offers both (/5/0/9 = 2).
    await start()
    expect(await firmwareVersion()).toBe('1.0')
    await writePackage(new Uint8Array([0]))
    const since = b.wire.mark()
    await writePackage(images.valid)
    // Block-wise push (RFC 7959 section 2.3): every block but the last is answered 2.31
    // Continue, the last 2.04 Changed, each echoing its Block1 option.
    const puts = b.wire.exchanges({ dir: 'out', method: 'PUT', path: '/5/0/0', since })
    expect(puts.length).toBeGreaterThan(1)
    const blocks = puts.map((e) => blockOf(e.request.message, 'block1')!)
    expect(blocks.map((x) => x.num)).toEqual(puts.map((_, i) => i))
    expect(blocks.map((x) => x.more)).toEqual(puts.map((_, i) => i < puts.length - 1))
    expect(puts.map((e) => codeOf(e))).toEqual(puts.map((_, i) => (i < puts.length - 1 ? '2.31' : '2.04')))
    expect(puts.map((e) => blockOf(e.response!.message, 'block1')?.num)).toEqual(blocks.map((x) => x.num))
    expect(puts.reduce((n, e) => n + e.request.message.payload.length, 0)).toBe(images.valid.length)
    expect(puts.length).toBe(Math.ceil(images.valid.length / (1 << (blocks[0]!.szx + 4))))
    // State 1 then 2, Result 0 throughout.
    const seen = await pollUntil((s) => s.state === 2)
    expect(runs(seen.map((s) => s.state))).toEqual([1, 2])
    expect(seen.every((s) => s.result === 0)).toBe(true)
    await updateAndCheckSuccess('2.0')
  })

  it('LightweightM2M-1.1-int-771 FW update via URI pull', async () => {
    // ETS erratum (section 10.1): 771 asks for push support although it is the pull case.
    await start()
    const uri = host.publish('fw/app-2.0.bin', images.valid)
    await writeUri('')
    await writeUri(uri)
    // The device downloads the package from the host: CoAP GET with Block2 (RFC 7959
    // section 2.4). The ETS prints "2.31 or 2.04" for the download; a Block2 download is
    // answered 2.05 Content per block, which is what is checked here.
    const seen = await pollUntil((s) => s.state === 2, 200)
    expect(runs(seen.map((s) => s.state))).toEqual([1, 2])
    expect(seen.every((s) => s.result === 0)).toBe(true)
    const gets = host.wire.exchanges({ dir: 'in', method: 'GET', path: '/fw/app-2.0.bin' })
    expect(gets.length).toBeGreaterThan(1)
    expect(gets.map((e) => codeOf(e))).toEqual(gets.map(() => '2.05'))
    expect(gets.map((e) => blockOf(e.response!.message, 'block2')?.num)).toEqual(gets.map((_, i) => i))
    expect(gets.map((e) => blockOf(e.response!.message, 'block2')?.more)).toEqual(
      gets.map((_, i) => i < gets.length - 1),
    )
    expect(gets.reduce((n, e) => n + e.response!.message.payload.length, 0)).toBe(images.valid.length)
    await updateAndCheckSuccess('2.0')
  })

  it('LightweightM2M-1.1-int-772 Error 1: install without package', async () => {
    await start()
    const before = await readFirmware()
    expect(before.state).not.toBe(2)
    expect(before.result).toBeGreaterThanOrEqual(0)
    expect(before.result).toBeLessThanOrEqual(9)
    // Execute Update outside Downloaded: 4.05 Method Not Allowed (Object 5, Update).
    expect(await answerCode(b.until(b.server.execute(EP, '/5/0/2')))).toBe(Code.MethodNotAllowed)
    const after = await readFirmware()
    expect(after.state).toBe(before.state)
    expect(after.result).toBe(before.result)
  })

  it('LightweightM2M-1.1-int-773 Error 2: storage shortage', async () => {
    await start()
    // Pulled: the download stops at the block that no longer fits the flash.
    await pullAndExpectFailure(host.publish('fw/oversized.bin', images.oversized), 2)
    const served = host.wire.exchanges({ dir: 'in', method: 'GET', path: '/fw/oversized.bin' })
    const bytes = served.reduce((n, e) => n + (e.response?.message.payload.length ?? 0), 0)
    expect(bytes).toBeGreaterThanOrEqual(C8_DEVICE.flash)
    expect(bytes).toBeLessThan(images.oversized.length)
  })

  it('LightweightM2M-1.1-int-774 Error 3: out of RAM', async () => {
    await start()
    // ETS erratum (section 10.1): the case expects Result "2" for out-of-RAM; Object 5 defines
    // 3 "Out of RAM during downloading process", which is checked.
    await pullAndExpectFailure(host.publish('fw/ram.bin', images.ramExhausting), 3)
  })

  it('LightweightM2M-1.1-int-775 Error 4: connection lost (pull)', async () => {
    await start()
    const uri = host.publish('fw/app-2.0.bin', images.valid)
    await writeUri(uri)
    // Let a few blocks through, then cut the host's link mid-download.
    await b.until(
      new Promise<void>((resolve) => {
        const check = () => {
          if (host.wire.exchanges({ dir: 'in', method: 'GET' }).filter((e) => e.response).length >= 2) {
            host.link.cut()
            resolve()
          } else setImmediate(check)
        }
        check()
      }),
    )
    expect(await readFirmware()).toMatchObject({ state: 1, result: 0 })
    // The device's request is retransmitted until MAX_TRANSMIT_WAIT, then given up: Result 4.
    const seen = await pollUntil((s) => s.result !== 0, 5_000)
    expect(seen.every((s) => s.state === 0 || s.state === 1)).toBe(true)
    expect(seen.at(-1)).toEqual({ state: 0, result: 4 })
    expect(await readFirmware()).toMatchObject({ state: 0, result: 4 })
  })

  it('LightweightM2M-1.1-int-776 Error 5: integrity failure', async () => {
    await start()
    await pullAndExpectFailure(host.publish('fw/corrupt.bin', images.corrupt), 5)
  })

  it('LightweightM2M-1.1-int-777 Error 6: unsupported package type', async () => {
    await start()
    // Pushed this time (the case allows push or pull).
    await writePackage(images.wrongType)
    const seen = await pollUntil((s) => s.result !== 0, 200)
    expect(seen[0]).toEqual({ state: 1, result: 0 })
    // ETS erratum (section 10.1): 777 ends in State 1 where its siblings end in State 0. Core TS
    // 1.1 appendix E.6 takes Downloading back to Idle on a failed download or check, with the
    // failure in Update Result: Final State 0, Result 6.
    expect(seen.at(-1)).toEqual({ state: 0, result: 6 })
    expect(await readFirmware()).toMatchObject({ state: 0, result: 6 })
  })

  it('LightweightM2M-1.1-int-778 Error 7: invalid URI', async () => {
    await start()
    // A URI on the download host that names nothing: the host answers 4.04.
    const seen = await pullAndExpectFailure(host.uri('fw/no-such-image.bin'), 7)
    expect(seen.length).toBeGreaterThan(1)
    expect(host.wire.exchanges({ dir: 'in', method: 'GET' }).map((e) => codeOf(e))).toEqual(['4.04'])
  })

  it('LightweightM2M-1.1-int-779 Error 8: install fails', async () => {
    await start()
    expect(plainResource((await b.until(b.server.read(EP, '/5/0/3'))).node)).toBe(0)
    const version = await firmwareVersion()
    expect(version).toBe('1.0')
    await writePackage(images.failingInstall)
    const delivered = await pollUntil((s) => s.state === 2)
    expect(delivered.at(-1)).toEqual({ state: 2, result: 0 })
    expect(await answerCode(b.until(b.server.execute(EP, '/5/0/2')))).toBe(Code.Changed)
    // State 3 (or already back to 2), Result 0 then 8.
    const seen = await pollUntil((s) => s.result === 8)
    expect(seen[0]).toEqual({ state: 3, result: 0 })
    for (const s of seen) expect([2, 3]).toContain(s.state)
    expect(runs(seen.map((s) => s.result))).toEqual([0, 8])
    // Final State 2 (the package stays, the server may retry), Result 8; /3/0/3 unchanged.
    expect(await readFirmware()).toMatchObject({ state: 2, result: 8 })
    expect(await firmwareVersion()).toBe(version)
  })
})
