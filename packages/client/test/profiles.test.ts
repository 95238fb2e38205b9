import { registrationProfile } from '@lwm2m/core'
import { createTemperatureObject } from '@lwm2m/objects'
import { afterEach, describe, expect, it } from 'vitest'
import { type Bench, bench } from './harness.js'

let b: Bench
afterEach(async () => {
  await b?.close()
})

// The Server (1.2) and Device (1.2) objects of the bench's 1.2 client: /1/0 and /3/0.
const base = registrationProfile('6:27354b9a', '</1/0>,</3/0>')

describe('Profile IDs on Register and Update (Core TS 1.2 section 6.2.1 pid)', () => {
  it('a profile the client hosts goes in pid and its objects leave the payload (ETS LwM2M-1.2-int-110)', async () => {
    b = await bench()
    const client = b.client({ version: '1.2', profiles: [base] })
    await client.start()
    const { op } = await b.until(b.server.take('register'))
    expect(op.params.profileIds).toEqual(['6:27354b9a'])
    expect(b.server.registration().links.objects.size).toBe(0)
    expect(op.links).toMatch(/^<\/>;rt="oma.lwm2m";ct=/)
  })

  it('what the profile lacks stays listed (ETS LwM2M-1.2-int-111); a change of it goes in an Update', async () => {
    b = await bench()
    const temperature = createTemperatureObject({ sensors: [{ value: 21 }], clock: b.clock })
    const client = b.client({ version: '1.2', profiles: [base], objects: [temperature] })
    await client.start()
    const { op } = await b.until(b.server.take('register'))
    expect(op.params.profileIds).toEqual(['6:27354b9a'])
    expect([...b.server.registration().links.objects.keys()]).toEqual([3303])
    temperature.addInstance({ 5700: 19 })
    const update = await b.until(b.server.take('update'))
    expect(update.op.params.profileIds).toBeUndefined()
    expect(b.server.registration().links.objects.get(3303)?.instances).toEqual([0, 1])
  })

  it('registers anew without pid when no profile applies any more (pid cannot be withdrawn by an Update)', async () => {
    b = await bench()
    const other = registrationProfile('v:thermo', '</1/0>,</3/0>,</3303>;ver=1.1,</3303/0>')
    const temperature = createTemperatureObject({ sensors: [{ value: 21 }], clock: b.clock })
    const client = b.client({ version: '1.2', profiles: [other], objects: [temperature] })
    await client.start()
    expect((await b.until(b.server.take('register'))).op.params.profileIds).toEqual(['v:thermo'])
    temperature.removeInstance(0)
    const again = await b.until(b.server.take('register'))
    expect(again.op.params.profileIds).toBeUndefined()
    expect(again.op.links).toContain('</1/0>,</3/0>,</3303>;ver=1.1')
  })

  it('a 1.1 client sends no pid', async () => {
    b = await bench()
    const client = b.client({ version: '1.1', profiles: [base] })
    await client.start()
    const { op } = await b.until(b.server.take('register'))
    expect(op.params.profileIds).toBeUndefined()
    expect([...b.server.registration().links.objects.keys()]).toEqual([1, 3])
  })
})
