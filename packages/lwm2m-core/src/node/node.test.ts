import { describe, expect, it } from 'vitest'
import { DEVICE } from '../../test/fixtures/oma-models.js'
import { deviceInstance, MODELS } from '../../test/fixtures/spec.js'
import { modelLookup } from '../codec/models.js'
import { Lwm2mCodecError, Lwm2mError } from '../errors.js'
import { Lwm2mPath } from '../path/path.js'
import { assembleNode, groupNodes } from './assemble.js'
import { instance, multipleResource, objectNode, resourceInstance, singleResource } from './build.js'
import { nodesEqual } from './equal.js'
import type { ObjectInstance } from './types.js'
import { validateNode } from './validate.js'

const p = Lwm2mPath.parse
const code = (f: () => unknown) => {
  try {
    f()
  } catch (e) {
    return Lwm2mError.isInstance(e) ? e.code : String(e)
  }
  return 'no error'
}

describe('node builders', () => {
  it('check values and refuse repeated ids', () => {
    expect(singleResource(9, 'integer', 100n).value).toBe(100)
    expect(multipleResource(6, 'integer', [1, 5]).instances).toEqual(
      new Map([
        [0, 1],
        [1, 5],
      ]),
    )
    expect(multipleResource(6, 'integer', new Map([[7, 1]])).instances.get(7)).toBe(1)
    expect(code(() => singleResource(9, 'integer', 'x'))).toBe('LWM2M_INVALID_VALUE')
    expect(
      code(() => instance(0, [singleResource(1, 'string', 'a'), singleResource(1, 'string', 'b')])),
    ).toBe('LWM2M_INVALID_VALUE')
    expect(code(() => objectNode(3, [instance(0), instance(0)]))).toBe('LWM2M_INVALID_VALUE')
    expect(
      code(() =>
        multipleResource(6, 'integer', [
          [1, 1],
          [1, 2],
        ]),
      ),
    ).toBe('LWM2M_INVALID_VALUE')
    expect(code(() => singleResource(65536, 'string', ''))).toBe('LWM2M_INVALID_PATH')
  })
})

describe('validateNode (Core TS 6.1 paths, Appendix D models)', () => {
  it('accepts the Device instance at /3/0 against the Device model', () => {
    validateNode(deviceInstance(), p('/3/0'), MODELS)
  })

  it('refuses kinds that do not fit the path, ids that do not match, and children under another id', () => {
    expect(code(() => validateNode(deviceInstance(), p('/3'), MODELS))).toBe('LWM2M_INVALID_VALUE')
    expect(code(() => validateNode(deviceInstance(), p('/3/1'), MODELS))).toBe('LWM2M_INVALID_VALUE')
    const wrong: ObjectInstance = {
      kind: 'instance',
      id: 0,
      resources: new Map([[1, singleResource(2, 'string', 'x')]]),
    }
    expect(code(() => validateNode(wrong, p('/3/0')))).toBe('LWM2M_INVALID_VALUE')
  })

  it('checks types, multiplicity and RangeEnumeration against the model', () => {
    expect(code(() => validateNode(singleResource(9, 'float', 50), p('/3/0/9'), MODELS))).toBe(
      'LWM2M_INVALID_VALUE',
    )
    expect(code(() => validateNode(singleResource(6, 'integer', 1), p('/3/0/6'), MODELS))).toBe(
      'LWM2M_INVALID_VALUE',
    )
    expect(DEVICE.resources.get(9)?.rangeEnumeration).toBe('0..100')
    expect(code(() => validateNode(singleResource(9, 'integer', 101), p('/3/0/9'), MODELS))).toBe(
      'LWM2M_INVALID_VALUE',
    )
    validateNode(resourceInstance(1, 'integer', 5), p('/3/0/6/1'), MODELS)
    expect(code(() => validateNode(resourceInstance(1, 'string', 'x'), p('/3/0/9/1'), MODELS))).toBe(
      'LWM2M_INVALID_VALUE',
    )
  })
})

describe('nodesEqual', () => {
  it('is deep and ignores map order', () => {
    const a = instance(0, [singleResource(1, 'string', 'a'), multipleResource(2, 'integer', [1, 2])])
    const b = instance(0, [
      multipleResource(2, 'integer', [
        [1, 2],
        [0, 1],
      ]),
      singleResource(1, 'string', 'a'),
    ])
    expect(nodesEqual(a, b)).toBe(true)
    expect(nodesEqual(a, instance(0, [singleResource(1, 'string', 'a')]))).toBe(false)
    expect(nodesEqual(singleResource(1, 'integer', 1), singleResource(1, 'float', 1))).toBe(false)
  })
})

describe('assembling decoded entries', () => {
  const none = modelLookup([])
  it('without a model, values at /o/i/r/ri make a multiple resource; mixed numbers become Float', () => {
    const node = assembleNode(
      110,
      p('/5/0/1'),
      [
        { kind: 'value', ids: [5, 0, 1, 0], type: 'integer', value: 1 },
        { kind: 'value', ids: [5, 0, 1, 1], type: 'float', value: 1.5 },
      ],
      none,
    )
    expect(node).toEqual(multipleResource(1, 'float', [1, 1.5]))
  })

  it('errors carry the path: outside the request, given twice, shape against the model', () => {
    const err = (f: () => unknown) => {
      try {
        f()
      } catch (e) {
        expect(e).toBeInstanceOf(Lwm2mCodecError)
        return (e as Lwm2mCodecError).path
      }
      return undefined
    }
    expect(
      err(() =>
        assembleNode(110, p('/3/0'), [{ kind: 'value', ids: [3, 1, 0], type: 'string', value: 'x' }], MODELS),
      ),
    ).toBe('/3/1/0')
    const twice = { kind: 'value', ids: [3, 0, 0], type: 'string', value: 'x' } as const
    expect(err(() => assembleNode(110, p('/3/0'), [twice, twice], MODELS))).toBe('/3/0/0')
    expect(
      err(() =>
        assembleNode(
          110,
          p('/3/0'),
          [{ kind: 'value', ids: [3, 0, 9, 0], type: 'integer', value: 1 }],
          MODELS,
        ),
      ),
    ).toBe('/3/0/9/0')
  })

  it('groupNodes without paths: per resource, nulls by their path, empty containers as nodes', () => {
    const groups = groupNodes(
      11544,
      [
        { kind: 'value', ids: [3, 0, 7, 0], type: 'integer', value: 3800 },
        { kind: 'value', ids: [3, 0, 7, 1], type: 'integer', value: 5000 },
        { kind: 'null', ids: [3, 0, 15] },
        { kind: 'container', ids: [4, 0] },
      ],
      MODELS,
    )
    expect([...groups.keys()]).toEqual(['/3/0/7', '/3/0/15', '/4/0'])
    expect(groups.get('/3/0/7')).toEqual(multipleResource(7, 'integer', [3800, 5000]))
    expect(groups.get('/3/0/15')).toBeNull()
    expect(groups.get('/4/0')).toEqual(instance(0))
  })

  it('groupNodes with paths: a requested path with nothing under it maps to null', () => {
    const groups = groupNodes(110, [{ kind: 'value', ids: [3, 0, 9], type: 'integer', value: 80 }], MODELS, [
      p('/3/0'),
      p('/5'),
    ])
    expect(groups.get('/3/0')).toEqual(instance(0, [singleResource(9, 'integer', 80)]))
    expect(groups.get('/5')).toBeNull()
  })
})
