import { parseRegistrationLinks } from '@lwm2m/core'
import { describe, expect, it } from 'vitest'
import { ObjectsError } from '../errors.js'
import {
  deviceModelV1_0,
  deviceModelV1_2,
  firmwareUpdateModelV1_0,
  firmwareUpdateModelV1_2,
  standardModels,
  temperatureModelV1_1,
} from '../generated/index.js'
import { createObjectModel } from '../model/create-object-model.js'
import { defaultObjectVersion } from './default-versions.js'
import { createModelRegistry } from './registry.js'
import { compareVersions, parseVersion } from './version.js'

const registry = createModelRegistry(standardModels)

describe('createModelRegistry', () => {
  it('looks models up by id and version, the latest without a version', () => {
    expect(registry.get(3, '1.0')).toBe(deviceModelV1_0)
    expect(registry.get(3, '1.2')).toBe(deviceModelV1_2)
    expect(registry.get(3, '1.1')).toBeUndefined()
    expect(registry.get(3)).toBe(deviceModelV1_2)
    expect(registry.latest(3)).toBe(deviceModelV1_2)
    expect(registry.getObjectModel(3)).toBe(deviceModelV1_2)
    expect(registry.get(17)).toBeUndefined()
    expect(registry.versions(5)).toEqual(['1.0', '1.2'])
    expect(registry.objectIds()[0]).toBe(0)
    expect(registry.objectIds()).toContain(3350)
    expect(registry.models()).toHaveLength(standardModels.length)
  })

  it('orders versions numerically', () => {
    const m = (version: string) => createObjectModel({ id: 40000, name: 'x', version, resources: [] })
    const r = createModelRegistry([m('1.10'), m('1.9'), m('2.0')])
    expect(r.versions(40000)).toEqual(['1.9', '1.10', '2.0'])
    expect(r.latest(40000)?.version).toBe('2.0')
  })

  it('refuses two models of the same id and version unless told to replace', () => {
    const other = createObjectModel({ id: 3, name: 'My Device', version: '1.2', resources: [] })
    expect(() => createModelRegistry([...standardModels, other])).toThrow(
      expect.objectContaining({ code: 'OBJECTS_MODEL_CONFLICT' }),
    )
    expect(createModelRegistry([...standardModels, other], { onConflict: 'replace' }).get(3, '1.2')).toBe(
      other,
    )
    expect(registry.with([other]).get(3, '1.2')).toBe(other)
    expect(registry.get(3, '1.2')).toBe(deviceModelV1_2)
    expect(() => createModelRegistry([{} as never])).toThrow(ObjectsError)
  })

  describe('resolve: the compatible model for a requested version', () => {
    it('takes the version itself when registered', () => {
      expect(registry.resolve(5, '1.0')).toEqual({
        objectId: 5,
        requested: '1.0',
        model: firmwareUpdateModelV1_0,
        exact: true,
      })
    })
    it('else the oldest newer minor version (a superset of the client)', () => {
      expect(registry.resolve(5, '1.1')).toMatchObject({ model: firmwareUpdateModelV1_2, exact: false })
      expect(registry.resolve(3303, '1.0')).toMatchObject({ model: temperatureModelV1_1, exact: false })
    })
    it('else the newest older minor version', () => {
      expect(registry.resolve(5, '1.7')).toMatchObject({ model: firmwareUpdateModelV1_2, exact: false })
    })
    it('never another major version', () => {
      expect(registry.resolve(3336, '1.0').model).toBeUndefined()
      expect(registry.resolve(3, '2.0').model).toBeUndefined()
      expect(registry.resolve(3, 'x').model).toBeUndefined()
      expect(registry.resolve(17, '1.0').model).toBeUndefined()
    })
  })

  describe('forClient: the models of one registered client (Core TS 1.1 section 6.2.2, ver attribute)', () => {
    it('follows what the client announced: </3>;ver=1.1 gives Device 1.2, the nearest compatible version here', () => {
      const models = registry.forClient(
        [
          { objectId: 3, version: '1.1' },
          { objectId: 5, version: '1.0' },
        ],
        { lwm2mVersion: '1.1' },
      )
      expect(models.getObjectModel(3)).toBe(deviceModelV1_2)
      expect(models.resolutions.get(3)).toMatchObject({ requested: '1.1', exact: false })
      expect(models.getObjectModel(5)).toBe(firmwareUpdateModelV1_0)
      expect(models.resolutions.get(5)?.exact).toBe(true)
      expect(models.lwm2mVersion).toBe('1.1')
    })

    it('takes the objects of a parsed Register payload (@lwm2m/core parseRegistrationLinks)', () => {
      const links = parseRegistrationLinks(
        '</>;rt="oma.lwm2m";ct=110,</1/0>,</3>;ver=1.0,</3/0>,</5/0>,</3303/0>',
      )
      const models = registry.forClient(links.objects.values(), { lwm2mVersion: '1.1' })
      expect(models.getObjectModel(3)).toBe(deviceModelV1_0)
      expect(models.getObjectModel(1)?.version).toBe('1.2')
      expect(models.resolutions.get(1)).toMatchObject({ requested: '1.1', exact: false })
      expect(models.getObjectModel(5)).toBe(firmwareUpdateModelV1_0)
      expect(models.getObjectModel(3303)).toBe(temperatureModelV1_1)
    })

    it('gives objects announced without ver the version of the client LwM2M version', () => {
      const v10 = registry.forClient([{ objectId: 3 }, { objectId: 5 }], { lwm2mVersion: '1.0' })
      expect(v10.getObjectModel(3)).toBe(deviceModelV1_0)
      expect(v10.getObjectModel(5)).toBe(firmwareUpdateModelV1_0)
      const v12 = registry.forClient([{ objectId: 3 }, { objectId: 5 }], { lwm2mVersion: '1.2' })
      expect(v12.getObjectModel(3)).toBe(deviceModelV1_2)
      expect(v12.resolutions.get(5)).toMatchObject({ requested: '1.1', model: firmwareUpdateModelV1_2 })
    })

    it('answers for objects the client did not announce with its default version', () => {
      const models = registry.forClient([{ objectId: 3, version: '1.0' }], { lwm2mVersion: '1.2' })
      expect(models.getObjectModel(5)).toBe(firmwareUpdateModelV1_2)
      expect(models.getObjectModel(3336)?.version).toBe('2.0')
      expect(models.getObjectModel(17)).toBeUndefined()
    })

    it('keeps the first version of an object announced twice and takes ver from any of its links', () => {
      const models = registry.forClient([{ objectId: 3 }, { objectId: 3, version: '1.0' }], {
        lwm2mVersion: '1.2',
      })
      expect(models.getObjectModel(3)).toBe(deviceModelV1_0)
    })

    it('shares one model set between clients that announced the same', () => {
      const a = registry.forClient([{ objectId: 3, version: '1.0' }, { objectId: 1 }], {
        lwm2mVersion: '1.1',
      })
      const b = registry.forClient([{ objectId: 1 }, { objectId: 3, version: '1.0' }], {
        lwm2mVersion: '1.1',
      })
      expect(a).toBe(b)
      expect(registry.forClient([{ objectId: 3, version: '1.0' }], { lwm2mVersion: '1.1' })).not.toBe(a)
    })

    it('keeps its cache bounded', () => {
      const small = createModelRegistry(standardModels, { clientCacheSize: 2 })
      const first = small.forClient([{ objectId: 1 }])
      small.forClient([{ objectId: 2 }])
      small.forClient([{ objectId: 3 }])
      expect(small.forClient([{ objectId: 1 }])).not.toBe(first)
    })
  })
})

describe('versions', () => {
  it('parses and compares', () => {
    expect(parseVersion('1.2')).toEqual({ major: 1, minor: 2 })
    expect(parseVersion('1.2.1')).toEqual({ major: 1, minor: 2 })
    expect(parseVersion('v1')).toBeUndefined()
    expect(compareVersions('1.10', '1.9')).toBeGreaterThan(0)
    expect(compareVersions('x', '1.0')).toBeLessThan(0)
  })

  it('knows the core object versions per LwM2M version (Core TS 1.2 Appendix E)', () => {
    expect(defaultObjectVersion(3, '1.0')).toBe('1.0')
    expect(defaultObjectVersion(3, '1.1')).toBe('1.1')
    expect(defaultObjectVersion(4, '1.1')).toBe('1.2')
    expect(defaultObjectVersion(1, '1.2.1')).toBe('1.2')
    expect(defaultObjectVersion(21, '1.2')).toBe('2.0')
    expect(defaultObjectVersion(3303, '1.2')).toBe('1.0')
  })
})
