import { Code } from '@lwm2m/coap'
import { registrationProfile } from '@lwm2m/core'
import { afterEach, describe, expect, it } from 'vitest'
import { next, settle, type TestBed, testBed } from './support/setup.js'

let bed: TestBed | undefined
afterEach(async () => {
  await bed?.close()
  bed = undefined
})

const text = (b: Uint8Array) => new TextDecoder().decode(b)
// A profile for /1/0 and /3/0 (ETS INT 1.2 int-110 and int-111: the objects of C.1).
const c1 = registrationProfile('6:27354b9a', '</1/0>,</3/0>')
const objects = (reg: { objectLinks: ReadonlyMap<number, { instances: readonly number[] }> }) =>
  Object.fromEntries([...reg.objectLinks].map(([id, o]) => [id, o.instances]))

describe('Profile IDs (Core TS 1.2 section 6.2.1 pid)', () => {
  it('a known Profile ID stands for its objects: a Register without object list (ETS LwM2M-1.2-int-110)', async () => {
    bed = await testBed({ profiles: [c1] })
    const c = await bed.client('node-1', { version: '1.2' })
    const registered = next(bed.server, 'registered')
    const res = await c.register('</>;rt="oma.lwm2m";ct=110', { profileIds: ['6:27354b9a'] })
    expect(res.code).toBe(Code.Created)
    const [reg] = await registered
    expect(reg.profileIds).toEqual(['6:27354b9a'])
    expect(objects(reg)).toEqual({ 1: [0], 3: [0] })
    expect(reg.supportedFormats).toEqual([110])
  })

  it('a Register with pid needs no payload at all', async () => {
    bed = await testBed({ profiles: [c1] })
    const c = await bed.client('node-1', { version: '1.2' })
    expect((await c.register('', { profileIds: ['6:27354b9a'] })).code).toBe(Code.Created)
    expect(objects((await bed.server.getRegistration('node-1'))!)).toEqual({ 1: [0], 3: [0] })
  })

  it("merges the payload's objects with the profile's (ETS LwM2M-1.2-int-111), on Register and Update", async () => {
    bed = await testBed({ profiles: [c1] })
    const c = await bed.client('node-1', { version: '1.2' })
    expect((await c.register('</4/0>', { profileIds: ['6:27354b9a'] })).code).toBe(Code.Created)
    expect(objects((await bed.server.getRegistration('node-1'))!)).toEqual({ 1: [0], 3: [0], 4: [0] })
    const updated = next(bed.server, 'updated')
    expect((await c.update({}, '</3/1>,</4/0>,</4/1>')).code).toBe(Code.Changed)
    const [update] = await updated
    expect(update.objectLinksChanged).toBe(true)
    expect(objects(update.registration)).toEqual({ 1: [0], 3: [0, 1], 4: [0, 1] })
  })

  it('answers 4.00 for a Profile ID it does not know, on Register and on Update', async () => {
    bed = await testBed({ profiles: [c1] })
    const c = await bed.client('node-1', { version: '1.2' })
    const refused = await c.register('</4/0>', { profileIds: ['6:deadbeef'] })
    expect(refused.code).toBe(Code.BadRequest)
    expect(text(refused.payload)).toContain('unknown Profile ID 6:deadbeef')
    expect(await bed.server.getRegistration('node-1')).toBeUndefined()
    expect((await c.register('</1/0>,</3/0>')).code).toBe(Code.Created)
    expect((await c.update({ profileIds: ['v:other'] })).code).toBe(Code.BadRequest)
    await settle()
    expect((await bed.server.getRegistration('node-1'))!.profileIds).toBeUndefined()
  })

  it('without known profiles, a Register that names one is refused rather than kept without its objects', async () => {
    bed = await testBed()
    const c = await bed.client('node-1', { version: '1.2' })
    expect((await c.register('', { profileIds: ['6:27354b9a'] })).code).toBe(Code.BadRequest)
  })
})
