/** Assertion helpers of the end-to-end tests. */
import {
  instance,
  isResponseError,
  type Lwm2mNode,
  multipleResource,
  type ObjectInstance,
  type Resource,
  type ResourceValue,
  singleResource,
} from '@lwm2m/core'
import { expect } from 'vitest'
import { R, testModel } from './test-object.js'

/** The rejection of `p` (fails the test when it resolves). */
export async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p
  } catch (err) {
    return err
  }
  throw new Error('expected a rejection')
}

/** Expects `p` to fail with an LwM2M error answer of `code` (CoAP code byte, 0x86 for 4.06). */
export async function expectAnswer(p: Promise<unknown>, code: number): Promise<void> {
  const err = await rejection(p)
  if (!isResponseError(err)) throw err
  expect(err.coapCode).toBe(code)
}

/** A resource node of the test object with `value` (a Map for a multiple resource). */
export function resourceNode(
  id: number,
  value: ResourceValue | ReadonlyMap<number, ResourceValue>,
): Resource {
  const model = testModel.resources.get(id)
  if (model === undefined) throw new Error(`no resource ${id}`)
  return value instanceof Map
    ? multipleResource(id, model.type, [...(value as ReadonlyMap<number, ResourceValue>)])
    : singleResource(id, model.type, value as ResourceValue)
}

/** An instance of the test object with these values. */
export function instanceNode(
  id: number,
  values: Readonly<Record<number, ResourceValue | ReadonlyMap<number, ResourceValue>>>,
): ObjectInstance {
  return instance(
    id,
    Object.entries(values).map(([rid, v]) => resourceNode(Number(rid), v)),
  )
}

/** The single-valued resources of the test object (all types). */
export const SINGLE_RESOURCES: readonly number[] = [
  R.string,
  R.integer,
  R.unsigned,
  R.float,
  R.boolean,
  R.opaque,
  R.time,
  R.objlnk,
  R.corelnk,
  R.smallFloat,
]

/** Nodes compared by value, Maps in any order. */
export function expectNode(actual: Lwm2mNode | null | undefined, expected: Lwm2mNode): void {
  expect(actual).toEqual(expected)
}
