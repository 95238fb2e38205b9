import { type CoapResponse, Code, ContentFormat } from '@lwm2m/coap'
import { afterEach, describe, expect, it } from 'vitest'
import type { Registration } from '../src/index.js'
import { DEVICE_LINKS, next, settle, type TestBed, testBed } from './support/setup.js'

const text = (r: CoapResponse) => new TextDecoder().decode(r.payload)

let bed: TestBed | undefined
afterEach(async () => {
  await bed?.close()
  bed = undefined
})

describe('Register (Core TS 1.2 section 6.2.1; Transport TS table 6.4.3-1)', () => {
  it('answers 2.01 Created with Location-Path /rd/<id> and records every parameter', async () => {
    bed = await testBed()
    const c = await bed.client('node-1')
    const registered = next(bed.server, 'registered')
    const res = await c.register(
      '</lwm2m>;rt="oma.lwm2m";ct=110,</lwm2m/1/0>,</lwm2m/3>;ver=1.1,</lwm2m/3/0>',
      {
        lifetime: 120,
        binding: { transports: ['U'], queueMode: false },
        smsNumber: '+33612345678',
      },
    )
    expect(res.code).toBe(Code.Created)
    expect(res.locationPath).toHaveLength(2)
    expect(res.locationPath[0]).toBe('rd')
    const id = res.locationPath[1]!
    expect(id).toMatch(/^[A-Za-z0-9_-]{12}$/)
    const [reg, replaced] = await registered
    expect(replaced).toBeUndefined()
    expect(reg).toMatchObject({
      id,
      endpoint: 'node-1',
      peer: { address: c.peer.address, port: c.peer.port },
      transport: 0,
      scheme: 'coaps',
      version: '1.1',
      lifetime: 120,
      binding: { transports: ['U'], queueMode: false },
      queueMode: false,
      smsNumber: '+33612345678',
      rootPath: '/lwm2m',
      supportedFormats: [110],
      registeredAt: bed.clock.now(),
      updatedAt: bed.clock.now(),
      expiresAt: bed.clock.now() + 120_000,
    })
    expect([...reg.objectLinks.values()]).toEqual([
      { objectId: 1, instances: [0] },
      { objectId: 3, version: '1.1', instances: [0] },
    ])
    expect(await bed.server.getRegistration('node-1')).toBe(reg)
  })

  it('gives unpredictable, distinct ids', async () => {
    bed = await testBed()
    const ids = new Set<string>()
    for (let i = 0; i < 20; i++) {
      const c = await bed.client(`n${i}`)
      await c.register(DEVICE_LINKS)
      ids.add(c.location![1]!)
    }
    expect(ids.size).toBe(20)
  })

  it('takes the default lifetime 86400 s and binding U when absent (Core TS 1.0 section 5.3.1)', async () => {
    bed = await testBed()
    const c = await bed.client('node-1', { version: '1.0' })
    const res = await c.endpoint.request(c.server, {
      method: 'POST',
      path: ['rd'],
      query: ['ep=node-1'],
      contentFormat: ContentFormat.LINK_FORMAT,
      payload: '</1/0>,</3/0>',
    })
    expect(res.code).toBe(Code.Created)
    const reg = (await bed.server.getRegistration('node-1'))!
    expect(reg.lifetime).toBe(86400)
    expect(reg.version).toBe('1.0')
    expect(reg.binding.transports).toEqual(['U'])
  })

  describe('refuses bad parameters with 4.00 Bad Request and a diagnostic (Transport TS table 6.7-2)', () => {
    const cases: [string, string[], string | undefined, RegExp][] = [
      ['no ep for 1.0', ['lt=60'], '</3/0>', /ep/],
      ['empty ep', ['ep=', 'lwm2m=1.1'], '</3/0>', /ep needs a value/],
      ['lifetime not a number', ['ep=a', 'lt=abc', 'lwm2m=1.1'], '</3/0>', /lifetime/],
      ['negative lifetime', ['ep=a', 'lt=-1', 'lwm2m=1.1'], '</3/0>', /lifetime/],
      ['malformed version', ['ep=a', 'lwm2m=one'], '</3/0>', /lwm2m/],
      ['binding of another version', ['ep=a', 'lwm2m=1.0', 'b=T'], '</3/0>', /binding/],
      ['unknown binding letter', ['ep=a', 'lwm2m=1.1', 'b=X'], '</3/0>', /binding/],
      ['Q with a value', ['ep=a', 'lwm2m=1.1', 'Q=1'], '</3/0>', /Q takes no value/],
      ['empty sms', ['ep=a', 'lwm2m=1.1', 'sms='], '</3/0>', /sms/],
      ['repeated parameter', ['ep=a', 'ep=b', 'lwm2m=1.1'], '</3/0>', /twice/],
      ['unknown parameter', ['ep=a', 'lwm2m=1.1', 'zz=1'], '</3/0>', /unknown parameter/],
      ['bad Profile ID', ['ep=a', 'lwm2m=1.2', 'pid=@@'], '</3/0>', /Profile ID/],
      ['no payload', ['ep=a', 'lwm2m=1.1'], undefined, /object links/],
      ['malformed links', ['ep=a', 'lwm2m=1.1'], '</3/0', /Register payload/],
      ['bad ct', ['ep=a', 'lwm2m=1.1'], '</>;rt="oma.lwm2m";ct=abc,</3/0>', /ct/],
      ['bad ver', ['ep=a', 'lwm2m=1.1'], '</3>;ver=x,</3/0>', /ver/],
      ['two root links', ['ep=a', 'lwm2m=1.1'], '</a>;rt="oma.lwm2m",</b>;rt="oma.lwm2m"', /rt="oma.lwm2m"/],
      ['control characters in ep', ['ep=a%00b', 'lwm2m=1.1'], '</3/0>', /control/],
    ]
    for (const [name, query, payload, reason] of cases) {
      it(name, async () => {
        bed ??= await testBed()
        const c = await bed.client('raw')
        const q = query.map((s) => s.replace('%00', '\u0000'))
        const res = await c.endpoint.request(c.server, {
          method: 'POST',
          path: ['rd'],
          query: q,
          ...(payload === undefined ? {} : { contentFormat: ContentFormat.LINK_FORMAT, payload }),
        })
        expect(res.code).toBe(Code.BadRequest)
        expect(text(res)).toMatch(reason)
        expect(await bed.server.registrationStore.size()).toBe(0)
      })
    }

    it('an endpoint name longer than the limit', async () => {
      bed = await testBed({ limits: { endpointNameLength: 8 } })
      const c = await bed.client('raw')
      const res = await c.endpoint.request(c.server, {
        method: 'POST',
        path: ['rd'],
        query: ['ep=123456789', 'lwm2m=1.1'],
        contentFormat: ContentFormat.LINK_FORMAT,
        payload: '</3/0>',
      })
      expect(res.code).toBe(Code.BadRequest)
      expect(text(res)).toMatch(/exceeds 8/)
    })

    it('a payload that is not link-format', async () => {
      bed = await testBed()
      const c = await bed.client('raw')
      const res = await c.endpoint.request(c.server, {
        method: 'POST',
        path: ['rd'],
        query: ['ep=a', 'lwm2m=1.1'],
        contentFormat: ContentFormat.SENML_JSON,
        payload: '[]',
      })
      expect(res.code).toBe(Code.BadRequest)
    })
  })

  it('keeps unknown parameters with unknownParameters: keep', async () => {
    bed = await testBed({ unknownParameters: 'keep' })
    const c = await bed.client('node-1')
    expect((await c.register(DEVICE_LINKS, { additional: { et: 'sensor', d: null } })).code).toBe(
      Code.Created,
    )
    expect((await bed.server.getRegistration('node-1'))!.additional).toEqual({ et: 'sensor', d: null })
  })

  describe('version negotiation (Core TS 1.2 section 6.2.1, Transport TS table 6.7-2)', () => {
    it('accepts 1.0, 1.1 and 1.2', async () => {
      bed = await testBed()
      for (const version of ['1.0', '1.1', '1.2'] as const) {
        const c = await bed.client(`v${version}`, { version })
        expect((await c.register('</1/0>,</3/0>')).code).toBe(Code.Created)
        expect((await bed.server.getRegistration(`v${version}`))!.version).toBe(version)
      }
    })

    it('answers 4.12 Precondition Failed to a version it does not support', async () => {
      bed = await testBed({ versions: ['1.0', '1.1'] })
      const c = await bed.client('node-1', { version: '1.2' })
      const res = await c.register(DEVICE_LINKS)
      expect(res.code).toBe(Code.PreconditionFailed)
      expect(text(res)).toMatch(/1\.2 is not supported/)
      const future = await c.register(DEVICE_LINKS, { version: '1.3' })
      expect(future.code).toBe(Code.PreconditionFailed)
    })

    it('answers 4.00 to a 1.0 client the server does not support (1.0 knows no 4.12)', async () => {
      bed = await testBed({ versions: ['1.1', '1.2'] })
      const c = await bed.client('node-1', { version: '1.0' })
      expect((await c.register(DEVICE_LINKS)).code).toBe(Code.BadRequest)
    })
  })

  it('refuses other methods on /rd with 4.05 and unknown resources with 4.04', async () => {
    bed = await testBed()
    const c = await bed.client('raw')
    expect((await c.endpoint.request(c.server, { method: 'GET', path: ['rd'] })).code).toBe(
      Code.MethodNotAllowed,
    )
    expect((await c.endpoint.request(c.server, { method: 'GET', path: ['foo'] })).code).toBe(Code.NotFound)
  })

  it('a re-registration of the same endpoint name replaces the old one (new id, old location gone)', async () => {
    bed = await testBed()
    const c = await bed.client('node-1')
    await c.register(DEVICE_LINKS)
    const first = c.location!
    const old = (await bed.server.getRegistration('node-1'))!
    const registered = next(bed.server, 'registered')
    await c.register(DEVICE_LINKS)
    const [reg, replaced] = await registered
    expect(replaced).toBe(old)
    expect(reg.id).not.toBe(old.id)
    expect(await bed.server.registrationStore.size()).toBe(1)
    expect(await bed.server.registrationStore.getById(old.id)).toBeUndefined()
    // The old location is unknown now: an Update to it gets 4.04.
    c.location = first
    expect((await c.update()).code).toBe(Code.NotFound)
  })
})

describe('Update (Core TS 1.2 section 6.2.2)', () => {
  it('answers 2.04 and applies lifetime, binding, sms and a new object list', async () => {
    bed = await testBed()
    const c = await bed.client('node-1')
    await c.register(DEVICE_LINKS, { lifetime: 60 })
    const before = (await bed.server.getRegistration('node-1'))!
    await bed.clock.advanceAsync(30_000)
    const updated = next(bed.server, 'updated')
    const res = await c.update(
      { lifetime: 120, binding: { transports: ['U', 'T'], queueMode: false }, smsNumber: '123' },
      '</1/0>,</3/0>,</3303/0>,</3303/1>',
    )
    expect(res.code).toBe(Code.Changed)
    const [u] = await updated
    expect(u.previous).toBe(before)
    expect(u.objectLinksChanged).toBe(true)
    expect(u.params).toMatchObject({ lifetime: 120, smsNumber: '123' })
    expect(u.registration).toMatchObject({
      id: before.id,
      lifetime: 120,
      binding: { transports: ['U', 'T'] },
      smsNumber: '123',
      registeredAt: before.registeredAt,
      updatedAt: bed.clock.now(),
      expiresAt: bed.clock.now() + 120_000,
    })
    expect(u.registration.objectLinks.get(3303)?.instances).toEqual([0, 1])
    // Only the supported formats of the first payload: the second has no root link.
    expect(u.registration.supportedFormats).toEqual([])
  })

  it('a parameterless Update only refreshes the lifetime', async () => {
    bed = await testBed()
    const c = await bed.client('node-1')
    await c.register(DEVICE_LINKS, { lifetime: 60 })
    const before = (await bed.server.getRegistration('node-1'))!
    await bed.clock.advanceAsync(50_000)
    expect((await c.update()).code).toBe(Code.Changed)
    const after = (await bed.server.getRegistration('node-1'))!
    expect(after.objectLinks).toBe(before.objectLinks)
    expect(after.expiresAt).toBe(bed.clock.now() + 60_000)
  })

  it('takes the new address of the client (Update from another port, NAT rebinding)', async () => {
    bed = await testBed()
    const c = await bed.client('node-1')
    await c.register(DEVICE_LINKS)
    const moved = await bed.client('node-1')
    moved.location = c.location
    expect((await moved.update()).code).toBe(Code.Changed)
    const reg = (await bed.server.getRegistration('node-1'))!
    expect(reg.peer.port).toBe(moved.peer.port)
    expect(await bed.server.registrationStore.getByPeer(0, moved.peer)).toBe(reg)
    expect(await bed.server.registrationStore.getByPeer(0, c.peer)).toBeUndefined()
  })

  it('answers 4.04 for an unknown location (the client registers again, ETS 1.1-int-105)', async () => {
    bed = await testBed()
    const c = await bed.client('node-1')
    c.location = ['rd', 'nope']
    expect((await c.update()).code).toBe(Code.NotFound)
    expect((await c.deregister()).code).toBe(Code.NotFound)
    c.location = ['rd', 'a', 'b']
    expect((await c.update()).code).toBe(Code.NotFound)
  })

  it('answers 4.00 to bad Update parameters and keeps the registration', async () => {
    bed = await testBed()
    const c = await bed.client('node-1', { version: '1.0' })
    await c.register(DEVICE_LINKS)
    const res = await c.endpoint.request(c.server, { method: 'POST', path: c.location!, query: ['b=T'] })
    expect(res.code).toBe(Code.BadRequest)
    expect(text(res)).toMatch(/binding/)
    const res2 = await c.endpoint.request(c.server, { method: 'POST', path: c.location!, query: ['lt=x'] })
    expect(res2.code).toBe(Code.BadRequest)
    expect((await bed.server.getRegistration('node-1'))!.binding.transports).toEqual(['U'])
  })
})

describe('De-register (Core TS 1.2 section 6.2.3)', () => {
  it('answers 2.02 Deleted and forgets the registration', async () => {
    bed = await testBed()
    const c = await bed.client('node-1')
    await c.register(DEVICE_LINKS)
    const reg = (await bed.server.getRegistration('node-1'))!
    const deregistered = next(bed.server, 'deregistered')
    expect((await c.deregister()).code).toBe(Code.Deleted)
    expect((await deregistered)[0]).toBe(reg)
    expect(await bed.server.getRegistration('node-1')).toBeUndefined()
    expect((await c.deregister()).code).toBe(Code.NotFound)
  })
})

describe('lifetime expiry (Core TS 1.2 section 6.2.1, ETS 1.1-int-102)', () => {
  it('removes a registration exactly when its lifetime passed without Update', async () => {
    bed = await testBed()
    const c = await bed.client('node-1')
    await c.register(DEVICE_LINKS, { lifetime: 20 })
    const expired: Registration[] = []
    bed.server.on('expired', (r) => expired.push(r))
    await bed.clock.advanceAsync(19_999)
    expect(expired).toHaveLength(0)
    await bed.clock.advanceAsync(1)
    expect(expired.map((r) => r.endpoint)).toEqual(['node-1'])
    expect(await bed.server.getRegistration('node-1')).toBeUndefined()
    expect((await c.update()).code).toBe(Code.NotFound)
  })

  it('an Update pushes the expiry back; lifetimeGrace adds slack', async () => {
    bed = await testBed({ lifetimeGrace: 5_000 })
    const c = await bed.client('node-1')
    await c.register(DEVICE_LINKS, { lifetime: 20 })
    const expired: string[] = []
    bed.server.on('expired', (r) => expired.push(r.endpoint))
    await bed.clock.advanceAsync(15_000)
    await c.update()
    await bed.clock.advanceAsync(24_000)
    expect(expired).toEqual([])
    await bed.clock.advanceAsync(1_001)
    expect(expired).toEqual(['node-1'])
  })

  it('expires many registrations in order with one timer, and lifetime 0 never', async () => {
    bed = await testBed()
    const order: string[] = []
    bed.server.on('expired', (r) => order.push(r.endpoint))
    const regs = [
      ['c', 30],
      ['a', 10],
      ['z', 0],
      ['b', 20],
    ] as const
    const clients = await Promise.all(regs.map(([name]) => bed!.client(name)))
    const timers = bed.clock.pending
    for (const [i, [, lt]] of regs.entries()) await clients[i]!.register(DEVICE_LINKS, { lifetime: lt })
    // The server's deadline queue arms one clock timer for all lifetimes.
    expect(bed.clock.pending - timers).toBeLessThanOrEqual(1)
    await bed.clock.advanceAsync(3600_000)
    expect(order).toEqual(['a', 'b', 'c'])
    expect(await bed.server.getRegistration('z')).toBeDefined()
  })
})

describe('limits', () => {
  it('answers 5.03 with Max-Age beyond the registration limit, and still lets a registered client re-register', async () => {
    bed = await testBed({ limits: { registrations: 2 } })
    const a = await bed.client('a')
    const b = await bed.client('b')
    const c = await bed.client('c')
    expect((await a.register(DEVICE_LINKS)).code).toBe(Code.Created)
    expect((await b.register(DEVICE_LINKS)).code).toBe(Code.Created)
    const full = await c.register(DEVICE_LINKS)
    expect(full.code).toBe(Code.ServiceUnavailable)
    expect(full.maxAge).toBe(60)
    expect((await a.register(DEVICE_LINKS)).code).toBe(Code.Created)
  })

  it('answers 4.13 to a Register payload beyond the limit', async () => {
    bed = await testBed({ limits: { registrationPayload: 64 } })
    const c = await bed.client('a')
    const links = Array.from({ length: 20 }, (_, i) => `</3303/${i}>`).join(',')
    const res = await c.register(links)
    expect(res.code).toBe(Code.RequestEntityTooLarge)
  })
})

it('events run after the answer: a listener can use the registration at once', async () => {
  bed = await testBed()
  const c = await bed.client('node-1')
  let seen: Registration | undefined
  bed.server.on('registered', () => {
    throw new Error('a faulty listener')
  })
  bed.server.on('registered', (reg) => {
    seen = reg
  })
  const res = await c.register(DEVICE_LINKS)
  expect(res.code).toBe(Code.Created)
  await settle()
  expect(seen?.endpoint).toBe('node-1')
})
