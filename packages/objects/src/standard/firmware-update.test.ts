import {
  type CoapEndpoint,
  type CoapResponse,
  CoapTimeoutError,
  endpointSymbol,
  type RequestOptions,
} from '@lwm2m/coap'
import { Lwm2mPath } from '@lwm2m/core'
import { describe, expect, it, vi } from 'vitest'
import { firmwareUpdateModelV1_0 } from '../generated/object-5.js'
import { objectCompliance } from '../testing/compliance.js'
import { manualClock } from '../testing/manual-clock.js'
import {
  createFirmwareUpdateObject,
  FirmwareUpdateFailure,
  type FirmwareUpdateObjectOptions,
  FirmwareResult as Result,
  FirmwareState as State,
} from './firmware-update.js'

const p = Lwm2mPath.parse
const SERVER = { origin: 'server' as const, shortServerId: 1 }
const IMAGE = Uint8Array.from({ length: 3000 }, (_, i) => i & 0xff)

type Answer = Partial<CoapResponse> | Error | ((options: RequestOptions) => Promise<Partial<CoapResponse>>)

/** A CoAP endpoint double answering GETs from a table of URIs (the real one lives in @lwm2m/coap). */
function endpoint(
  scheme: 'coap' | 'coaps',
  answers: Record<string, Answer>,
  calls: [string, RequestOptions][] = [],
): CoapEndpoint {
  const unused = () => Promise.reject(new Error('not used'))
  return {
    [endpointSymbol]: true,
    scheme,
    address: () => ({ address: '127.0.0.1', port: 0, family: 'IPv4' }),
    async request(target, options) {
      calls.push([String(target), options])
      const answer = answers[String(target)] ?? { code: 0x84 }
      if (answer instanceof Error) throw answer
      const got = typeof answer === 'function' ? await answer(options) : answer
      return {
        code: 0x45,
        options: [],
        payload: new Uint8Array(0),
        peer: { address: '127.0.0.1', port: 5683 },
        type: 'ACK',
        contentFormat: undefined,
        observe: undefined,
        locationPath: [],
        locationQuery: [],
        maxAge: undefined,
        etag: undefined,
        ...got,
      } as CoapResponse
    },
    observe: unused,
    ping: unused,
    setHandler: () => {},
    observers: () => [],
    close: async () => {},
  }
}

const make = (extra: Partial<FirmwareUpdateObjectOptions> = {}) =>
  createFirmwareUpdateObject({
    apply: () => {},
    clock: manualClock(),
    endpoints: [endpoint('coap', { 'coap://fw.example/image': { payload: IMAGE } })],
    ...extra,
  })
const write = (fw: ReturnType<typeof make>, id: 0 | 1, value: Uint8Array | string) =>
  fw.write(
    p(`/5/0/${id}`),
    id === 0
      ? { kind: 'resource', id, type: 'opaque', value: value as Uint8Array }
      : { kind: 'resource', id, type: 'string', value: value as string },
    'replace',
    SERVER,
  )
const exec = async (fw: ReturnType<typeof make>, id: number) => {
  const r = await fw.execute(p(`/5/0/${id}`), '', SERVER)
  if (r.ok) await r.afterResponse?.()
  return r
}

objectCompliance({ name: 'Firmware Update (5)', create: () => make(), skipWrite: [0], skipExecute: [2, 10] })
objectCompliance({
  name: 'Firmware Update (5) 1.0',
  create: () => make({ model: firmwareUpdateModelV1_0 }),
  skipWrite: [0],
  skipExecute: [2],
})

describe('Firmware Update object: the state machine of Core TS 1.1 E.6', () => {
  it('push: Package write, Downloading, Downloaded, then Update runs apply and ends Idle with result 1', async () => {
    const applied: Uint8Array[] = []
    const fw = make({
      apply: (pkg) => void applied.push(pkg.bytes),
      verify: () => ({ name: 'app', version: '2.0' }),
    })
    const states: number[] = []
    fw.on('state', (s) => void states.push(s.state))
    expect(await exec(fw, 2)).toMatchObject({ code: 'METHOD_NOT_ALLOWED' }) // Update only in Downloaded
    expect(await write(fw, 0, IMAGE)).toMatchObject({ ok: true })
    await fw.idle()
    expect([fw.state(), fw.result(), fw.get(0, 6), fw.get(0, 7)]).toEqual([
      State.Downloaded,
      Result.Initial,
      'app',
      '2.0',
    ])
    expect(await exec(fw, 2)).toMatchObject({ ok: true })
    await fw.idle()
    expect([fw.state(), fw.result()]).toEqual([State.Idle, Result.Success])
    expect(applied).toEqual([IMAGE])
    expect(states).toEqual([State.Downloading, State.Downloaded, State.Updating, State.Idle])
    expect(fw.get(0, 6)).toBeUndefined()
  })

  it('Update answers 2.04 before it updates: the state is Updating only after the response', async () => {
    let finish = () => {}
    const fw = make({ apply: () => new Promise<void>((resolve) => (finish = resolve)) })
    await write(fw, 0, IMAGE)
    await fw.idle()
    const r = await fw.execute(p('/5/0/2'), '', SERVER)
    expect(r.ok && fw.state()).toBe(State.Downloaded)
    if (r.ok) await r.afterResponse?.()
    expect(fw.state()).toBe(State.Updating)
    finish()
    await fw.idle()
    expect(fw.state()).toBe(State.Idle)
  })

  it('a failed update returns to Downloaded with result 8; an integrity failure to Idle with result 5', async () => {
    let failure: Error = new Error('flash write failed')
    const fw = make({ apply: () => Promise.reject(failure) })
    await write(fw, 0, IMAGE)
    await fw.idle()
    await exec(fw, 2)
    await fw.idle()
    expect([fw.state(), fw.result()]).toEqual([State.Downloaded, Result.UpdateFailed])
    failure = new FirmwareUpdateFailure(Result.IntegrityCheckFailure)
    await exec(fw, 2)
    await fw.idle()
    expect([fw.state(), fw.result()]).toEqual([State.Idle, Result.IntegrityCheckFailure])
  })

  it('a package that fails verification ends in Idle with its result', async () => {
    const fw = make({
      verify: () => Promise.reject(new FirmwareUpdateFailure(Result.UnsupportedPackageType)),
    })
    await write(fw, 0, IMAGE)
    await fw.idle()
    expect([fw.state(), fw.result()]).toEqual([State.Idle, Result.UnsupportedPackageType])
  })

  it('writing an empty Package or Package URI, or a NULL byte, resets to Idle with result 0', async () => {
    for (const reset of [new Uint8Array(0), Uint8Array.of(0), '']) {
      const fw = make({
        verify: () => Promise.reject(new FirmwareUpdateFailure(Result.UnsupportedPackageType)),
      })
      await write(fw, 0, IMAGE)
      await fw.idle()
      expect(fw.result()).toBe(Result.UnsupportedPackageType)
      expect(await write(fw, typeof reset === 'string' ? 1 : 0, reset)).toMatchObject({ ok: true })
      expect([fw.state(), fw.result()]).toEqual([State.Idle, Result.Initial])
    }
  })

  it('refuses a new package outside Idle and a reset while Updating', async () => {
    let finish = () => {}
    const fw = make({ apply: () => new Promise<void>((resolve) => (finish = resolve)) })
    await write(fw, 0, IMAGE)
    await fw.idle()
    expect(await write(fw, 0, IMAGE)).toMatchObject({ code: 'METHOD_NOT_ALLOWED' })
    expect(await write(fw, 1, 'coap://fw.example/image')).toMatchObject({ code: 'METHOD_NOT_ALLOWED' })
    await exec(fw, 2)
    expect(fw.state()).toBe(State.Updating)
    expect(await write(fw, 0, new Uint8Array(0))).toMatchObject({ code: 'METHOD_NOT_ALLOWED' })
    expect(await exec(fw, 10)).toMatchObject({ code: 'METHOD_NOT_ALLOWED' }) // Cancel: not during install
    finish()
    await fw.idle()
    expect(fw.result()).toBe(Result.Success)
  })

  it('a package larger than the limit is refused with 4.13 and result 2', async () => {
    const fw = make({ maxPackageSize: 1000 })
    expect(await write(fw, 0, IMAGE)).toMatchObject({ code: 'REQUEST_ENTITY_TOO_LARGE' })
    expect([fw.state(), fw.result()]).toEqual([State.Idle, Result.NotEnoughFlash])
  })

  it('a deferred update keeps Downloaded with result 11 until update() is called', async () => {
    let defer = true
    const fw = make({ apply: () => (defer ? { deferred: true as const } : undefined) })
    await write(fw, 0, IMAGE)
    await fw.idle()
    await exec(fw, 2)
    await fw.idle()
    expect([fw.state(), fw.result()]).toEqual([State.Downloaded, Result.Deferred])
    defer = false
    expect(fw.update()).toBe(true)
    await fw.idle()
    expect([fw.state(), fw.result()]).toEqual([State.Idle, Result.Success])
    expect(fw.update()).toBe(false)
  })

  it('with Automatic Upgrade at Download, updates as soon as the package is whole', async () => {
    const apply = vi.fn()
    const fw = make({ apply, automaticUpdate: true })
    await write(fw, 0, IMAGE)
    await fw.idle()
    expect(apply).toHaveBeenCalledOnce()
    expect(fw.result()).toBe(Result.Success)
  })

  it('records Last State Change Time', async () => {
    const clock = manualClock(1_700_000_000_000)
    const fw = make({ clock })
    clock.advance(3000)
    await write(fw, 0, IMAGE)
    expect(fw.get(0, 12)).toEqual(new Date(1_700_000_003_000))
  })
})

describe('Firmware Update pull over CoAP (Package URI, Core TS 1.1 E.6)', () => {
  it('downloads with GET through the endpoint of the URI scheme', async () => {
    const calls: [string, RequestOptions][] = []
    const applied: string[] = []
    const fw = make({
      endpoints: [
        endpoint('coap', { 'coap://fw.example/image': { payload: IMAGE } }, calls),
        endpoint('coaps', {}),
      ],
      apply: (pkg) => void applied.push(pkg.uri ?? ''),
    })
    expect(fw.get(0, 8)).toEqual(
      new Map([
        [0, 0],
        [1, 1],
      ]),
    )
    expect(fw.get(0, 9)).toBe(2)
    expect(await write(fw, 1, 'coap://fw.example/image')).toMatchObject({ ok: true })
    await fw.idle()
    expect(calls.map(([t, o]) => [t, o.method])).toEqual([['coap://fw.example/image', 'GET']])
    expect(fw.state()).toBe(State.Downloaded)
    expect(fw.get(0, 1)).toBe('coap://fw.example/image')
    await exec(fw, 2)
    await fw.idle()
    expect(applied).toEqual(['coap://fw.example/image'])
    expect(fw.get(0, 1)).toBe('')
  })

  const outcomes: [string, string, Answer, number][] = [
    ['a 4.04 answer gives Invalid URI (7)', 'coap://fw.example/missing', { code: 0x84 }, Result.InvalidUri],
    [
      'a 5.03 answer gives Connection lost (4)',
      'coap://fw.example/busy',
      { code: 0xa3 },
      Result.ConnectionLost,
    ],
    [
      'a timeout gives Connection lost (4)',
      'coap://fw.example/slow',
      new CoapTimeoutError(),
      Result.ConnectionLost,
    ],
    [
      'a body over the limit gives Not enough flash (2)',
      'coap://fw.example/huge',
      { payload: new Uint8Array(5000) },
      Result.NotEnoughFlash,
    ],
  ]
  it.each(outcomes)('%s', async (_, uri, answer, result) => {
    const fw = make({ maxPackageSize: 4000, endpoints: [endpoint('coap', { [uri]: answer })] })
    await write(fw, 1, uri)
    await fw.idle()
    expect([fw.state(), fw.result()]).toEqual([State.Idle, result])
  })

  it('an unsupported scheme gives Unsupported protocol (9), an unparsable URI Invalid URI (7), without leaving Idle', async () => {
    const fw = make()
    const states: number[] = []
    fw.on('state', (s) => void states.push(s.state))
    expect(await write(fw, 1, 'https://fw.example/image')).toMatchObject({ ok: true })
    expect([fw.state(), fw.result()]).toEqual([State.Idle, Result.UnsupportedProtocol])
    expect(await write(fw, 1, 'coaps://fw.example/image')).toMatchObject({ ok: true })
    expect(fw.result()).toBe(Result.UnsupportedProtocol)
    expect(await write(fw, 1, 'not a uri')).toMatchObject({ ok: true })
    expect(fw.result()).toBe(Result.InvalidUri)
    expect(states).toEqual([])
  })

  it('Cancel aborts a download (result 10, Idle); Cancel in Idle is not allowed', async () => {
    let signal: AbortSignal | undefined
    const fw = make({
      endpoints: [
        endpoint('coap', {
          'coap://fw.example/image': (o) => {
            signal = o.signal
            return new Promise(() => {})
          },
        }),
      ],
    })
    expect(await exec(fw, 10)).toMatchObject({ code: 'METHOD_NOT_ALLOWED' })
    await write(fw, 1, 'coap://fw.example/image')
    await new Promise((resolve) => setImmediate(resolve))
    expect(await exec(fw, 10)).toMatchObject({ ok: true })
    expect(signal?.aborted).toBe(true)
    expect([fw.state(), fw.result()]).toEqual([State.Idle, Result.Cancelled])
  })

  it('without endpoints offers push only; with push off, refuses packages', async () => {
    expect(make({ endpoints: [] }).get(0, 9)).toBe(1)
    const pullOnly = make({ push: false })
    expect(pullOnly.get(0, 9)).toBe(0)
    expect(await write(pullOnly, 0, IMAGE)).toMatchObject({ code: 'METHOD_NOT_ALLOWED' })
  })

  it('aborts a running download on close', async () => {
    let signal: AbortSignal | undefined
    const hang = (o: RequestOptions) => {
      signal = o.signal
      return new Promise<Partial<CoapResponse>>(() => {})
    }
    const fw = make({ endpoints: [endpoint('coap', { 'coap://x/y': hang })] })
    await write(fw, 1, 'coap://x/y')
    await new Promise((resolve) => setImmediate(resolve))
    await fw.close()
    expect(signal?.aborted).toBe(true)
  })
})
