import { Lwm2mPath, type ObjectInstance, senmlJsonCodec, tlvCodec } from '@lwm2m/core'
import { describe, expect, it } from 'vitest'
import { standardModels } from '../generated/index.js'
import { createModelRegistry } from '../registry/registry.js'
import { createDeviceObject } from '../standard/device.js'
import { createServerObject } from '../standard/server.js'
import { manualClock } from '../testing/manual-clock.js'

// The nodes implementations read are what @lwm2m/core's codecs carry, with the model set
// a client announced as their ModelLookup: read, encode, decode, write back.
describe('objects and the core codecs (Core TS 7.4 TLV, SenML JSON)', () => {
  const models = createModelRegistry(standardModels).forClient([{ objectId: 1 }, { objectId: 3 }], {
    lwm2mVersion: '1.1',
  })

  const formats = [
    ['TLV', tlvCodec()],
    ['SenML JSON', senmlJsonCodec()],
  ] as const

  it.each(formats)('a Device read survives %s', async (_, codec) => {
    const device = createDeviceObject({
      manufacturer: 'ACME',
      powerSources: [{ type: 1, voltage: 3700 }],
      clock: manualClock(),
    })
    const path = Lwm2mPath.parse('/3/0')
    const read = await device.read(path, { origin: 'server' })
    if (!read.ok) throw new Error(read.message)
    const decoded = codec.decode(codec.encode(read.value, path, models), path, models) as ObjectInstance
    expect([...decoded.resources.keys()].sort((a, b) => a - b)).toEqual([
      ...(read.value as ObjectInstance).resources.keys(),
    ])
    expect(decoded.resources.get(0)).toMatchObject({ value: 'ACME' })
    expect(decoded.resources.get(7)).toMatchObject({ instances: new Map([[0, 3700]]) })
  })

  it.each(formats)('a Server instance decoded from %s is accepted by a Server object', async (_, codec) => {
    const source = createServerObject({ servers: [{ shortServerId: 5, lifetime: 86400, binding: 'UQ' }] })
    const target = createServerObject({ servers: [{ shortServerId: 5, lifetime: 60 }] })
    const path = Lwm2mPath.parse('/1/0')
    const read = await source.read(path, { origin: 'internal' })
    if (!read.ok) throw new Error(read.message)
    const node = codec.decode(codec.encode(read.value, path, models), path, models) as ObjectInstance
    // A server writes only what it may: drop the read-only Short Server ID.
    const writable = { ...node, resources: new Map([...node.resources].filter(([id]) => id !== 0)) }
    expect(
      await target.write(path, writable, 'replace', { origin: 'server', shortServerId: 5 }),
    ).toMatchObject({ ok: true })
    expect(target.account(0)).toMatchObject({ lifetime: 86400, binding: 'UQ' })
  })
})
