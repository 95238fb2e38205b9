import type { ObjectModel, ResourceModel, ResourceOperations, ResourceType } from '@lwm2m/core'
import { ObjectsError } from '../errors.js'

/** A resource definition in the short form {@link createObjectModel} takes: defaults fill the rest. */
export interface ResourceSpec {
  readonly id: number
  readonly name: string
  readonly operations: ResourceOperations
  readonly type: ResourceType
  /** Default false (single-instance). */
  readonly multiple?: boolean
  /** Default false (optional). */
  readonly mandatory?: boolean
  /** Default "". */
  readonly rangeEnumeration?: string
  /** Default "". */
  readonly units?: string
  /** Default "". */
  readonly description?: string
}

/** An object definition in the short form {@link createObjectModel} takes. */
export interface ObjectModelSpec {
  readonly id: number
  readonly name: string
  /** Default "". */
  readonly description?: string
  /** Object version, default "1.0". */
  readonly version?: string
  /** LwM2M version the object was defined for, default "1.0". */
  readonly lwm2mVersion?: string
  /** Default `urn:oma:lwm2m:{oma|ext|x}:{id}` (with `:{version}` unless the version is 1.0), by id range. */
  readonly urn?: string
  /** Default false (single-instance object). */
  readonly multiple?: boolean
  /** Default false (optional object). */
  readonly mandatory?: boolean
  readonly resources: readonly ResourceSpec[]
}

const OPERATIONS: ReadonlySet<string> = new Set(['R', 'W', 'RW', 'E', ''])
const TYPES: ReadonlySet<string> = new Set([
  'string',
  'integer',
  'unsigned',
  'float',
  'boolean',
  'opaque',
  'time',
  'objlnk',
  'corelnk',
  'none',
])
const VERSION = /^\d{1,5}\.\d{1,5}$/

function invalid(message: string): never {
  throw new ObjectsError('OBJECTS_INVALID_MODEL', message)
}

function isId(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 65535
}

/** The URN the OMA registry gives an object by its id range (oma 0-1023, x 10241-32768, ext otherwise). */
export function defaultObjectUrn(id: number, version = '1.0'): string {
  const kind = id < 1024 ? 'oma' : id >= 10241 && id <= 32768 ? 'x' : 'ext'
  return version === '1.0' ? `urn:oma:lwm2m:${kind}:${id}` : `urn:oma:lwm2m:${kind}:${id}:${version}`
}

/**
 * Builds a frozen {@link ObjectModel} from its short form, checking it: ids 0-65535, a
 * known type and operations per resource, no duplicate resource id, versions "X.Y".
 * The generated OMA models are built with it, and object packages may write their
 * models with it by hand. Throws ObjectsError `OBJECTS_INVALID_MODEL`.
 */
export function createObjectModel(spec: ObjectModelSpec): ObjectModel {
  if (!isId(spec.id)) invalid(`object id ${String(spec.id)} is not an integer in 0..65535`)
  if (typeof spec.name !== 'string') invalid(`object ${spec.id}: name must be a string`)
  const version = spec.version ?? '1.0'
  const lwm2mVersion = spec.lwm2mVersion ?? '1.0'
  if (!VERSION.test(version)) invalid(`object ${spec.id}: version "${version}" is not of the form X.Y`)
  if (!VERSION.test(lwm2mVersion))
    invalid(`object ${spec.id}: LwM2M version "${lwm2mVersion}" is not of the form X.Y`)
  const resources = new Map<number, ResourceModel>()
  for (const r of spec.resources) {
    if (!isId(r.id)) invalid(`object ${spec.id}: resource id ${String(r.id)} is not an integer in 0..65535`)
    if (resources.has(r.id)) invalid(`object ${spec.id}: resource ${r.id} is defined twice`)
    if (!OPERATIONS.has(r.operations))
      invalid(`object ${spec.id}, resource ${r.id}: unknown operations "${r.operations}"`)
    if (!TYPES.has(r.type)) invalid(`object ${spec.id}, resource ${r.id}: unknown type "${r.type}"`)
    if ((r.operations === 'E') !== (r.type === 'none')) {
      invalid(`object ${spec.id}, resource ${r.id}: executable resources and only they have type "none"`)
    }
    resources.set(
      r.id,
      Object.freeze({
        id: r.id,
        name: r.name,
        operations: r.operations,
        multiple: r.multiple ?? false,
        mandatory: r.mandatory ?? false,
        type: r.type,
        rangeEnumeration: r.rangeEnumeration ?? '',
        units: r.units ?? '',
        description: r.description ?? '',
      }),
    )
  }
  return Object.freeze({
    id: spec.id,
    name: spec.name,
    description: spec.description ?? '',
    version,
    lwm2mVersion,
    urn: spec.urn ?? defaultObjectUrn(spec.id, version),
    multiple: spec.multiple ?? false,
    mandatory: spec.mandatory ?? false,
    resources,
  })
}
