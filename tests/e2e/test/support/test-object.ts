/**
 * The object the end-to-end tests move through every operation: one resource of each LwM2M
 * resource type (Core TS 1.2 Appendix C), two multiple-instance resources, a non-idempotent
 * Execute resource, and counters of what the client really ran (Execute, Create).
 */
import type { ObjectLink, ResourceValue } from '@lwm2m/core'
import { createObjectModel, type DefinedObject, defineObject } from '@lwm2m/objects'

export const TEST_OBJECT_ID = 33_000

/** Resource ids of the test object. */
export const R = {
  string: 0,
  integer: 1,
  unsigned: 2,
  float: 3,
  boolean: 4,
  opaque: 5,
  time: 6,
  objlnk: 7,
  integers: 8,
  strings: 9,
  bump: 10,
  corelnk: 11,
  smallFloat: 12,
} as const

export const testModel = createObjectModel({
  id: TEST_OBJECT_ID,
  name: 'E2E Test Object',
  description: 'One resource of each type, for end-to-end tests',
  multiple: true,
  resources: [
    { id: R.string, name: 'String', operations: 'RW', type: 'string', mandatory: true },
    { id: R.integer, name: 'Integer', operations: 'RW', type: 'integer' },
    { id: R.unsigned, name: 'Unsigned', operations: 'RW', type: 'unsigned' },
    { id: R.float, name: 'Float', operations: 'RW', type: 'float' },
    { id: R.boolean, name: 'Boolean', operations: 'RW', type: 'boolean' },
    { id: R.opaque, name: 'Opaque', operations: 'RW', type: 'opaque' },
    { id: R.time, name: 'Time', operations: 'RW', type: 'time' },
    { id: R.objlnk, name: 'Objlnk', operations: 'RW', type: 'objlnk' },
    { id: R.integers, name: 'Integers', operations: 'RW', type: 'integer', multiple: true },
    { id: R.strings, name: 'Strings', operations: 'RW', type: 'string', multiple: true },
    { id: R.bump, name: 'Bump', operations: 'E', type: 'none' },
    { id: R.corelnk, name: 'Corelnk', operations: 'RW', type: 'corelnk' },
    { id: R.smallFloat, name: 'Small float', operations: 'RW', type: 'float' },
  ],
})

/** The values instance 0 starts with: 64-bit extremes, a double that float32 cannot hold, bytes 0..255. */
export const INITIAL = {
  [R.string]: 'héllo, wörld: "quoted" & <tagged>',
  [R.integer]: -9_223_372_036_854_775_808n,
  [R.unsigned]: 18_446_744_073_709_551_615n,
  [R.float]: Math.PI,
  [R.boolean]: true,
  [R.opaque]: Uint8Array.from({ length: 256 }, (_, i) => i),
  [R.time]: new Date(1_700_000_000_000),
  [R.objlnk]: { objectId: 3, instanceId: 0 } satisfies ObjectLink,
  [R.integers]: new Map<number, ResourceValue>([
    [0, 9_007_199_254_740_993n],
    [7, -1],
    [65534, 0],
  ]),
  [R.strings]: new Map<number, ResourceValue>([
    [0, 'a'],
    [1, ''],
  ]),
  [R.corelnk]: '</3/0>;ct=0,</3303/0>',
  [R.smallFloat]: -0.5,
} as const

/** Values written in the tests, different from the initial ones. */
export const WRITTEN = {
  [R.string]: 'written ✓',
  [R.integer]: 9_223_372_036_854_775_807n,
  [R.unsigned]: 9_007_199_254_740_993n,
  [R.float]: -1.0000000000000002,
  [R.boolean]: false,
  [R.opaque]: Uint8Array.of(0, 0xff, 0x80, 0x7f),
  [R.time]: new Date(86_400_000),
  [R.objlnk]: { objectId: 65535, instanceId: 65535 } satisfies ObjectLink,
  [R.integers]: new Map<number, ResourceValue>([[3, 42]]),
  [R.strings]: new Map<number, ResourceValue>([[9, 'nine']]),
  [R.corelnk]: '</1/0>',
  [R.smallFloat]: 1e300,
} as const

/** The test object as a client hosts it, with counters of what ran. */
export interface TestObject {
  readonly object: DefinedObject
  /** Argument texts of every Execute of the Bump resource, in order. */
  readonly executions: string[]
  /** Ids of every instance a server created, in order. */
  readonly created: number[]
}

export function createTestObject(): TestObject {
  const executions: string[] = []
  const created: number[] = []
  const object = defineObject(testModel, {
    instances: { 0: INITIAL },
    execute: {
      [R.bump]: (args) => {
        executions.push(args)
      },
    },
    create: ({ instanceId }) => {
      created.push(instanceId)
    },
  })
  return { object, executions, created }
}
