import {
  instance,
  Lwm2mPath,
  modelLookup,
  multipleResource,
  NO_MODELS,
  objectLink,
  resourceInstance,
  singleResource,
} from '@lwm2m/core'
import { deviceModelV1_2 } from '@lwm2m/objects'
import { describe, expect, it } from 'vitest'
import { inferType, instanceOf, isNode, pathArgument, toNode } from './values.js'

const P = (t: string) => Lwm2mPath.parse(t)
const models = modelLookup([deviceModelV1_2])

describe('toNode: plain values typed by the model', () => {
  it('types single values by the resource model', () => {
    expect(toNode(P('/3/0/14'), '+02:00', models)).toEqual(singleResource(14, 'string', '+02:00'))
    expect(toNode(P('/3/0/13'), 1_700_000_000, models)).toEqual(
      singleResource(13, 'time', new Date(1_700_000_000_000)),
    )
    expect(toNode(P('/3/0/9'), 80, models)).toEqual(singleResource(9, 'integer', 80))
    expect(toNode(P('/3/0/7/0'), 3800, models)).toEqual(resourceInstance(0, 'integer', 3800))
  })

  it('makes multiple resources from arrays and Maps, and checks multiplicity', () => {
    expect(toNode(P('/3/0/7'), [1, 2], models)).toEqual(multipleResource(7, 'integer', [1, 2]))
    expect(toNode(P('/3/0/7'), new Map([[4, 9]]), models)).toEqual(multipleResource(7, 'integer', [[4, 9]]))
    expect(() => toNode(P('/3/0/7'), 1, models)).toThrow(/multiple-instance/)
    expect(() => toNode(P('/3/0/9'), [1], models)).toThrow(/single-instance/)
  })

  it('makes instances from records and Maps', () => {
    expect(toNode(P('/3/0'), { 14: '+01:00', 7: [5] }, models)).toEqual(
      instance(0, [singleResource(14, 'string', '+01:00'), multipleResource(7, 'integer', [5])]),
    )
    expect(instanceOf(3, 2, new Map([[9, 1]]), models)).toEqual(
      instance(2, [singleResource(9, 'integer', 1)]),
    )
    expect(() => toNode(P('/3/0'), { '-1': 1 } as never, models)).toThrow(/not a resource id/)
    expect(() => toNode(P('/3/0'), 5, models)).toThrow(/resource values/)
  })

  it('infers types without a model', () => {
    expect(inferType('x')).toBe('string')
    expect(inferType(1)).toBe('integer')
    expect(inferType(1.5)).toBe('float')
    expect(inferType(true)).toBe('boolean')
    expect(inferType(2n ** 63n)).toBe('unsigned')
    expect(inferType(-(2n ** 63n))).toBe('integer')
    expect(inferType(Uint8Array.of(1))).toBe('opaque')
    expect(inferType(new Date(0))).toBe('time')
    expect(inferType(objectLink(3, 0))).toBe('objlnk')
    expect(() => inferType({} as never)).toThrow(/cannot write/)
    expect(toNode(P('/9/0/1'), [true, false], NO_MODELS)).toEqual(
      multipleResource(1, 'boolean', [true, false]),
    )
  })

  it("checks plain values against the model's range (Core TS Appendix D RangeEnumeration); nodes go as they are", () => {
    expect(() => toNode(P('/3/0/9'), 150, models)).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    )
    expect(toNode(P('/3/0/9'), 100, models)).toEqual(singleResource(9, 'integer', 100))
    const outOfRange = singleResource(9, 'integer', 150)
    expect(toNode(P('/3/0/9'), outOfRange, models)).toBe(outOfRange)
  })

  it('passes nodes through and refuses what cannot be written', () => {
    const node = singleResource(1, 'string', 'x')
    expect(toNode(P('/9/0/1'), node, NO_MODELS)).toBe(node)
    expect(isNode(node)).toBe(true)
    expect(isNode(objectLink(1, 2))).toBe(false)
    expect(() => toNode(P('/3'), { 0: 'x' }, models)).toThrow(/give a node/)
    expect(() => toNode(P('/3/0/9'), 'eighty', models)).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    )
    expect(() => toNode(P('/3/0/9/1'), [1] as never, models)).toThrow(/one value/)
  })

  it('parses path arguments, refusing bad text with INVALID_ARGUMENT', () => {
    expect(pathArgument('/3/0').toString()).toBe('/3/0')
    const p = P('/1')
    expect(pathArgument(p)).toBe(p)
    expect(() => pathArgument('/3/-1')).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }))
  })
})
