import { Lwm2mPath } from '@lwm2m/core'
import { describe, expect, it } from 'vitest'
import { serverModelV1_0 } from '../generated/object-1.js'
import { objectCompliance } from '../testing/compliance.js'
import { createServerObject, REGISTRATION_RETRY_DEFAULTS } from './server.js'

const servers = () => [{ shortServerId: 101, lifetime: 300, defaultMinPeriod: 1, defaultMaxPeriod: 60 }]
const p = Lwm2mPath.parse
const SERVER = { origin: 'server' as const, shortServerId: 101 }

objectCompliance({
  name: 'Server (1)',
  create: () => createServerObject({ servers: servers() }),
  writeValues: { 0: 202, 7: 'UQ', 22: 'U', 25: ['1.1'] },
})
objectCompliance({
  name: 'Server (1) 1.0',
  create: () => createServerObject({ servers: servers(), model: serverModelV1_0 }),
  writeValues: { 0: 202, 7: 'U' },
})

describe('Server object (Core TS 1.1 E.2)', () => {
  it('has the registration retry resources 17-20 with their default values (Core TS 1.1.1 6.2.1.1)', async () => {
    const s = createServerObject({ servers: servers() })
    expect(s.resources(0)).toEqual(expect.arrayContaining([0, 1, 4, 5, 6, 7, 8, 9, 17, 18, 19, 20]))
    const r = await s.read(p('/1/0/18'), SERVER)
    expect(r).toMatchObject({ ok: true, value: { value: 60 } })
    expect(s.account(0)).toMatchObject({
      shortServerId: 101,
      lifetime: 300,
      binding: 'U',
      notificationStoring: true,
      disableTimeout: 86400,
      ...REGISTRATION_RETRY_DEFAULTS,
    })
    expect(createServerObject({ servers: servers(), model: serverModelV1_0 }).resources(0)).not.toContain(17)
  })

  it('runs the triggers after the response: registration update, disable, bootstrap request', async () => {
    const seen: unknown[] = []
    const s = createServerObject({
      servers: [{ shortServerId: 7, lifetime: 60, disableTimeout: 120 }],
      onRegistrationUpdate: (e) => void seen.push(['update', e]),
    })
    s.on('disable', (e) => void seen.push(['disable', e]))
    s.on('bootstrapRequest', (e) => void seen.push(['bootstrap', e]))
    for (const [path, args] of [
      ['/1/0/8', "0='T'"],
      ['/1/0/4', ''],
      ['/1/0/9', ''],
    ] as const) {
      const before = seen.length
      const r = await s.execute(p(path), args, SERVER)
      expect(r.ok).toBe(true)
      expect(seen).toHaveLength(before) // nothing yet for this trigger: it waits for the response
      if (r.ok) await r.afterResponse?.()
      expect(seen).toHaveLength(before + 1)
    }
    expect(seen).toEqual([
      ['update', { instanceId: 0, shortServerId: 7, args: "0='T'" }],
      ['disable', { instanceId: 0, shortServerId: 7, timeout: 120 }],
      ['bootstrap', { instanceId: 0, shortServerId: 7 }],
    ])
  })

  it('does not fire a trigger before its afterResponse', async () => {
    let fired = 0
    const s = createServerObject({ servers: servers(), onDisable: () => void fired++ })
    const r = await s.execute(p('/1/0/4'), '', SERVER)
    expect(fired).toBe(0)
    if (r.ok) await r.afterResponse?.()
    expect(fired).toBe(1)
  })

  it('checks written values: binding letters, no negative periods', async () => {
    const s = createServerObject({ servers: servers() })
    const str = (id: number, value: string) => ({
      kind: 'resource' as const,
      id,
      type: 'string' as const,
      value,
    })
    const int = (id: number, value: number) => ({
      kind: 'resource' as const,
      id,
      type: 'integer' as const,
      value,
    })
    expect(await s.write(p('/1/0/7'), str(7, 'X'), 'replace', SERVER)).toMatchObject({ code: 'BAD_REQUEST' })
    expect(await s.write(p('/1/0/7'), str(7, 'UQ'), 'replace', SERVER)).toMatchObject({ ok: true })
    expect(await s.write(p('/1/0/1'), int(1, -5), 'replace', SERVER)).toMatchObject({ code: 'BAD_REQUEST' })
    expect(await s.write(p('/1/0/0'), int(0, 5), 'replace', SERVER)).toMatchObject({
      code: 'METHOD_NOT_ALLOWED',
    })
    expect(s.account(0)?.binding).toBe('UQ')
  })

  it('refuses a second account with the same Short Server ID and fills defaults on Create', async () => {
    const s = createServerObject({ servers: servers() })
    const res = (ssid: number) =>
      new Map([
        [0, { kind: 'resource' as const, id: 0, type: 'integer' as const, value: ssid }],
        [1, { kind: 'resource' as const, id: 1, type: 'integer' as const, value: 60 }],
        [6, { kind: 'resource' as const, id: 6, type: 'boolean' as const, value: false }],
        [7, { kind: 'resource' as const, id: 7, type: 'string' as const, value: 'U' }],
      ])
    expect(await s.create({ resources: res(101) }, { origin: 'bootstrap' })).toMatchObject({
      code: 'BAD_REQUEST',
    })
    expect(await s.create({ resources: res(102) }, { origin: 'bootstrap' })).toEqual({ ok: true, value: 1 })
    expect(s.byShortServerId(102)).toMatchObject({ notificationStoring: false, communicationRetryCount: 5 })
  })

  it('records Last Bootstrapped and the TLS-DTLS alert code', () => {
    const s = createServerObject({ servers: servers() })
    s.setLastBootstrapped(new Date(1_700_000_000_000))
    s.setTlsAlertCode(101, 40)
    expect(s.get(0, 12)).toEqual(new Date(1_700_000_000_000))
    expect(s.get(0, 11)).toBe(40)
  })
})
