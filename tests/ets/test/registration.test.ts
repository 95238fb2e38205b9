/**
 * ETS INT 1.2 section 6.2, Registration interface (int-101 ... int-111): our client and our
 * server against each other, judged by the messages on the wire and by what the server
 * concluded. int-106 (TCP binding) is not applicable to a UDP/DTLS stack (README).
 */
import { parseRegistrationLinks, registrationProfile } from '@lwm2m/core'
import { describe, expect, it } from 'vitest'
import { c1 } from '../src/configurations/c01.js'
import { c3 } from '../src/configurations/c03.js'
import { c5 } from '../src/configurations/c05.js'
import { ENDPOINT, withEts } from '../src/harness.js'
import { registrationUpdateTrigger } from '../src/procedures/update-trigger.js'
import { codeOf, contentFormatOf, locationPath, text, uriQuery } from '../src/wire.js'

/** The object list of a Register/Update payload, without the root link: "</1/0>,</3/0>" -> ['/1/0', '/3/0']. */
function announced(payload: string): string[] {
  const links = parseRegistrationLinks(payload)
  const out: string[] = []
  for (const [id, o] of links.objects) {
    if (o.instances.length === 0) out.push(`/${id}`)
    for (const i of o.instances) out.push(`/${id}/${i}`)
  }
  return out
}

describe('Registration interface (ETS INT 1.2 section 6.2)', () => {
  it('LightweightM2M-1.1-int-101 Initial Registration', async () => {
    // Over the in-memory network and over UDP sockets on 127.0.0.1: the same client and server.
    for (const kind of ['memory', 'udp'] as const) await initialRegistration(kind)
  })

  async function initialRegistration(kind: 'memory' | 'udp'): Promise<void> {
    await withEts({ configuration: c1, network: { kind } }, async (ets) => {
      const { request, response } = ets.wire.last({ dir: 'in', method: 'POST', path: '/rd' })
      const query = uriQuery(request.message)
      // ep (optional in 1.1+, we send it), lt = /1/0/1, b = U, no sms (the client has no MSISDN).
      expect(query).toContain(`ep=${ENDPOINT}`)
      expect(query).toContain('lt=86400')
      expect(query).toContain('b=U')
      expect(query.some((q) => q.startsWith('sms='))).toBe(false)
      // The ETS expects lwm2m=1.1; a 1.2 client reports 1.2 (inventory 10.2: assert the version
      // the client implements; Core TS 1.2 section 6.2.1 "LwM2M Version").
      expect(query).toContain('lwm2m=1.2')
      expect(contentFormatOf(request.message)).toBe(40)
      // The object list: /1/0 and /3/0 of C.1, never /0 (Security) nor /21 (OSCORE).
      const objects = announced(text(request.message))
      expect(objects).toEqual(['/1/0', '/3/0'])
      expect(objects.some((p) => p.startsWith('/0') || p.startsWith('/21'))).toBe(false)
      // 2.01 Created with the Location-Path of the registration.
      expect(codeOf(response)).toBe('2.01')
      const reg = await ets.registration()
      expect(locationPath(response!.message)).toBe(`/rd/${reg.id}`)
      // What the server concluded.
      expect(reg).toMatchObject({ endpoint: ENDPOINT, lifetime: 86400, version: '1.2', queueMode: false })
      expect(reg.binding.transports).toEqual(['U'])
      expect([...reg.objectLinks.keys()]).toEqual([1, 3])
      expect(reg.objectLinks.get(1)?.instances).toEqual([0])
      expect(reg.objectLinks.get(3)?.instances).toEqual([0])
    })
  }

  it('LightweightM2M-1.1-int-102 Registration Update', async () => {
    await withEts({ configuration: c1 }, async (ets) => {
      const reg = await ets.registration()
      const mark = ets.events.mark()
      const written = await ets.until(ets.server.write(ENDPOINT, '/1/0/1', 20))
      expect(written.code).toBe(0x44)
      expect(codeOf(ets.wire.last({ dir: 'out', method: 'PUT', path: '/1/0/1' }))).toBe('2.04')
      // The client tells the server its new lifetime: POST /rd/{loc}?lt=20, answered 2.04.
      const updated = await ets.until(ets.events.next('updated', mark))
      const update = ets.wire.last({ dir: 'in', method: 'POST', path: `/rd/${reg.id}` })
      expect(uriQuery(update.request.message)).toEqual(['lt=20'])
      expect(codeOf(update)).toBe('2.04')
      expect(updated.args[0].registration.lifetime).toBe(20)
      const at = updated.at
      // Then, before the 20 s are over, a parameterless Update (the client keeps its registration) ...
      const next = await ets.until(ets.events.next('updated', ets.events.mark()))
      const refresh = ets.wire.last({ dir: 'in', method: 'POST', path: `/rd/${reg.id}` })
      expect(uriQuery(refresh.request.message)).toEqual([])
      expect(refresh.request.message.payload.length).toBe(0)
      expect(codeOf(refresh)).toBe('2.04')
      expect(next.at - at).toBeLessThan(20_000)
      // ... and the other branch of the pass criteria, the server's: a client that stops
      // updating is removed exactly 20 s after its last Update (Core TS 1.2 section 6.2.2).
      await ets.client.stop({ deregister: false })
      const last = (await ets.registration()).updatedAt
      const expired = await ets.until(ets.events.next('expired', ets.events.mark()))
      expect(expired.at - last).toBe(20_000)
      expect(await ets.server.getRegistration(ENDPOINT)).toBeUndefined()
    })
  })

  it('LightweightM2M-1.1-int-103 Deregistration', async () => {
    await withEts({ configuration: c3 }, async (ets) => {
      const reg = await ets.registration()
      const mark = ets.events.mark()
      expect((await ets.until(ets.server.execute(ENDPOINT, '/1/0/4'))).code).toBe(0x44)
      expect(codeOf(ets.wire.last({ dir: 'out', method: 'POST', path: '/1/0/4' }))).toBe('2.04')
      const gone = await ets.until(ets.events.next('deregistered', mark))
      const deregister = ets.wire.last({ dir: 'in', method: 'DELETE', path: `/rd/${reg.id}` })
      expect(codeOf(deregister)).toBe('2.02')
      expect(gone.args[0].id).toBe(reg.id)
      expect(await ets.server.getRegistration(ENDPOINT)).toBeUndefined()
    })
  })

  it('LightweightM2M-1.1-int-104 Registration Update Trigger', async () => {
    await withEts({ configuration: c1 }, async (ets) => {
      await registrationUpdateTrigger(ets)
    })
  })

  it('LightweightM2M-1.1-int-105 Discarded Register Update', async () => {
    await withEts({ configuration: c1 }, async (ets) => {
      const reg = await ets.registration()
      // A short lifetime: the ETS text says POST, but a Write of a resource is PUT (inventory 10.1,
      // Core TS 1.2 section 6.3.3: "Replace" = PUT).
      let mark = ets.events.mark()
      await ets.until(ets.server.write(ENDPOINT, '/1/0/1', 60))
      expect(codeOf(ets.wire.last({ dir: 'out', method: 'PUT', path: '/1/0/1' }))).toBe('2.04')
      await ets.until(ets.events.next('updated', mark))
      // The server is made to forget the client: a spoofed De-register, possible on NoSec.
      const raw = await ets.rawEndpoint()
      const port = ets.server.endpoints[0]!.address().port
      const spoofed = await ets.until(
        raw.request({ address: '127.0.0.1', port }, { method: 'DELETE', path: ['rd', reg.id] }),
      )
      expect(spoofed.code).toBe(0x42)
      expect(await ets.server.getRegistration(ENDPOINT)).toBeUndefined()
      // The client's next Update, within the lifetime, is answered 4.04 ...
      mark = ets.events.mark()
      const since = ets.wire.mark()
      const again = await ets.until(ets.events.next('registered', mark))
      const update = ets.wire.last({ dir: 'in', method: 'POST', path: `/rd/${reg.id}`, since })
      expect(codeOf(update)).toBe('4.04')
      expect(update.request.at - reg.registeredAt).toBeLessThan(60_000)
      // ... and the client registers again (as int-101), answered 2.01.
      const register = ets.wire.last({ dir: 'in', method: 'POST', path: '/rd', since })
      expect(register.request.at).toBeGreaterThanOrEqual(update.request.at)
      expect(uriQuery(register.request.message)).toEqual(
        expect.arrayContaining([`ep=${ENDPOINT}`, 'lt=60', 'lwm2m=1.2', 'b=U']),
      )
      expect(announced(text(register.request.message))).toEqual(['/1/0', '/3/0'])
      expect(codeOf(register)).toBe('2.01')
      expect(again.args[0].id).not.toBe(reg.id)
    })
  })

  it('LightweightM2M-1.1-int-107 Extending the lifetime', async () => {
    await withEts({ configuration: c1, start: false }, async (ets) => {
      // Binding U, lifetime 60.
      ets.config.server.set(0, 1, 60)
      const reg = await ets.register()
      const register = ets.wire.last({ dir: 'in', method: 'POST', path: '/rd' })
      expect(uriQuery(register.request.message)).toEqual(expect.arrayContaining(['lt=60', 'b=U']))
      expect(codeOf(register)).toBe('2.01')
      await ets.advance(5_000)
      const mark = ets.events.mark()
      const since = ets.wire.mark()
      const writtenAt = ets.clock.now()
      await ets.until(ets.server.write(ENDPOINT, '/1/0/1', 120))
      expect(codeOf(ets.wire.last({ dir: 'out', method: 'PUT', path: '/1/0/1', since }))).toBe('2.04')
      // At once: an Update with the new lifetime, accepted with 2.04.
      const extended = await ets.until(ets.events.next('updated', mark))
      const update = ets.wire.last({ dir: 'in', method: 'POST', path: `/rd/${reg.id}`, since })
      expect(uriQuery(update.request.message)).toEqual(['lt=120'])
      expect(codeOf(update)).toBe('2.04')
      expect(update.request.at).toBe(writtenAt)
      expect(extended.args[0].registration.lifetime).toBe(120)
      // The next Update arrives inside the new lifetime.
      const next = await ets.until(ets.events.next('updated', ets.events.mark()))
      expect(next.at - extended.at).toBeLessThan(120_000)
      expect(ets.events.all('expired')).toEqual([])
    })
  })

  it('LightweightM2M-1.1-int-108 Turn on Queue Mode', async () => {
    await withEts({ configuration: c1, client: { queueMode: true } }, async (ets) => {
      const register = ets.wire.last({ dir: 'in', method: 'POST', path: '/rd' })
      const query = uriQuery(register.request.message)
      // LwM2M 1.1+: the binding stays U and queue mode is the Q parameter (Core TS 1.2 section 6.2.1).
      expect(query).toEqual(expect.arrayContaining(['b=U', 'Q']))
      expect(codeOf(register)).toBe('2.01')
      const reg = await ets.registration()
      expect(reg.queueMode).toBe(true)
      expect(reg.binding.transports).toEqual(['U'])
    })
  })

  it('LightweightM2M-1.1-int-109 Behaviour in Queue Mode', async () => {
    // MAX_TRANSMIT_WAIT 93 s on both sides: the RFC 7252 defaults of both, the awake time of both.
    await withEts({ configuration: c1, client: { queueMode: true } }, async (ets) => {
      const reg = await ets.registration()
      expect(codeOf(ets.wire.last({ dir: 'in', method: 'POST', path: '/rd' }))).toBe('2.01')
      // Lifetime 240 (the ETS says POST; a resource Write is PUT: inventory 10.1).
      let mark = ets.events.mark()
      await ets.until(ets.server.write(ENDPOINT, '/1/0/1', 240))
      expect(codeOf(ets.wire.last({ dir: 'out', method: 'PUT', path: '/1/0/1' }))).toBe('2.04')
      const lt240 = await ets.until(ets.events.next('updated', mark))
      const update = ets.wire.last({ dir: 'in', method: 'POST', path: `/rd/${reg.id}` })
      expect(uriQuery(update.request.message)).toEqual(['lt=240'])
      expect(codeOf(update)).toBe('2.04')
      // After MAX_TRANSMIT_WAIT without a message from the client, the server treats it as asleep.
      const asleep = await ets.until(ets.events.next('sleeping', mark))
      expect(asleep.at - lt240.at).toBe(93_000)
      expect(ets.server.isAwake(ENDPOINT)).toBe(false)
      // 120 s after the Update the operator reads /1/0/1: the server sends nothing, it queues the Read.
      await ets.advance(lt240.at + 120_000 - ets.clock.now())
      const since = ets.wire.mark()
      mark = ets.events.mark()
      const read = ets.server.read(ENDPOINT, '/1/0/1')
      await ets.advance(0)
      expect(ets.wire.exchanges({ dir: 'out', since })).toEqual([])
      expect(ets.server.queuedRequests(ENDPOINT)).toBe(1)
      // The next Update is accepted, and only then the Read goes out.
      const { node } = await ets.until(read)
      const woke = ets.wire.last({ dir: 'in', method: 'POST', path: `/rd/${reg.id}`, since })
      expect(codeOf(woke)).toBe('2.04')
      const get = ets.wire.last({ dir: 'out', method: 'GET', path: '/1/0/1', since })
      expect(codeOf(get)).toBe('2.05')
      expect(ets.wire.messages.indexOf(get.request)).toBeGreaterThan(
        ets.wire.messages.indexOf(woke.response!),
      )
      expect(node).toMatchObject({ kind: 'resource', id: 1, value: 240 })
      expect(ets.events.all('updated').length).toBeGreaterThanOrEqual(2)
    })
  })

  it('LightweightM2M-1.2-int-110 Registration using Profile ID', async () => {
    // The client supports 32-bit SHA-256 Profile IDs and the server knows the profile of C.1
    // (/1/0 and /3/0) as 6:27354b9a. The ID is provisioned on both sides: the ETS gives the value,
    // not the octets it hashes, and no serialization of the C.1 list we tried hashes to it.
    const profile = registrationProfile('6:27354b9a', '</1/0>,</3/0>')
    await withEts(
      {
        configuration: c1,
        client: { profiles: [profile] },
        server: { profiles: [profile] },
      },
      async (ets) => {
        const { request, response } = ets.wire.last({ dir: 'in', method: 'POST', path: '/rd' })
        const query = uriQuery(request.message)
        expect(query).toEqual(
          expect.arrayContaining([`ep=${ENDPOINT}`, 'lt=86400', 'lwm2m=1.2', 'b=U', 'pid=6:27354b9a']),
        )
        // No object list: the payload has only the root link with the formats (ct=), no object.
        const payload = text(request.message)
        expect(parseRegistrationLinks(payload).objects.size).toBe(0)
        expect(payload).not.toMatch(/<\/[0-9]/)
        expect(codeOf(response)).toBe('2.01')
        // The server knows the client's objects from the profile.
        const reg = await ets.registration()
        expect(reg.profileIds).toEqual(['6:27354b9a'])
        expect([...reg.objectLinks.keys()]).toEqual([1, 3])
        expect(reg.objectLinks.get(3)?.instances).toEqual([0])
        const read = await ets.until(ets.server.read(ENDPOINT, '/3/0/0'))
        expect(read.node).toMatchObject({ value: 'Open Mobile Alliance' })
      },
    )
  })

  it('LightweightM2M-1.2-int-111 Profile ID + Object List', async () => {
    // C.5 (C.1 + Connectivity Monitoring /4/0); the server knows the C.1 profile (see int-110).
    const profile = registrationProfile('6:27354b9a', '</1/0>,</3/0>')
    await withEts(
      {
        configuration: c5,
        client: { profiles: [profile] },
        server: { profiles: [profile] },
      },
      async (ets) => {
        const { request, response } = ets.wire.last({ dir: 'in', method: 'POST', path: '/rd' })
        expect(uriQuery(request.message)).toEqual(
          expect.arrayContaining(['lwm2m=1.2', 'lt=86400', 'pid=6:27354b9a']),
        )
        // The payload lists only what the profile lacks: </4/0>. (The ETS prints the query and the
        // payload as one string, <lwm2m=1.2;lt=86400;pid=6:27354b9a,/4/0> (inventory 10.1).)
        const payload = text(request.message)
        expect(announced(payload)).toEqual(['/4/0'])
        expect(payload.endsWith(',</4/0>')).toBe(true)
        expect(codeOf(response)).toBe('2.01')
        // The server merges both lists.
        const reg = await ets.registration()
        expect([...reg.objectLinks.keys()]).toEqual([1, 3, 4])
        expect([...reg.objectLinks.values()].map((o) => o.instances)).toEqual([[0], [0], [0]])
        const read = await ets.until(ets.server.read(ENDPOINT, '/4/0/0'))
        expect(read.node).toMatchObject({ kind: 'resource', id: 0 })
      },
    )
  })
})
