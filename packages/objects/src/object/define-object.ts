import { type Logger, silentLogger } from '@lwm2m/coap'
import {
  type Lwm2mNode,
  Lwm2mPath,
  type ObjectInstance,
  type ObjectModel,
  type Resource,
  type ResourceModel,
  type ResourceValue,
} from '@lwm2m/core'
import { ObjectsError } from '../errors.js'
import {
  type Awaitable,
  done,
  type Failure,
  fail,
  isFailure,
  OperationError,
  ok,
  type Result,
} from './result.js'
import { SecretBytes } from './secret.js'
import {
  type ChangeEvent,
  type ChangeListener,
  type ObjectImplementation,
  type OperationContext,
  objectImplementationSymbol,
  type WriteMode,
} from './types.js'
import { copyValue, describeValue, isInRange, isValueOfType, resourceRange, valuesEqual } from './value.js'

/** The value of a multiple-instance resource: by resource instance id, or an array (ids 0, 1, 2...). */
export type MultiValue = ReadonlyMap<number, ResourceValue> | readonly ResourceValue[]
/** A resource's content as handlers and initial values give it: one value, or a {@link MultiValue}. */
export type ResourceContent = ResourceValue | MultiValue
/** A resource's content as the implementation hands it out: one value, or a map by resource instance id. */
export type StoredContent = ResourceValue | ReadonlyMap<number, ResourceValue>
/** Initial or default values of an instance's resources, by resource id. */
export type InstanceValues = Readonly<Record<number, ResourceContent>> | ReadonlyMap<number, ResourceContent>

/** What a resource handler is told. */
export interface ResourceCall {
  readonly instanceId: number
  readonly resourceId: number
  readonly context: OperationContext
}

/** What a write handler is told: `mode` is `create` for the initial values of a new instance. */
export interface WriteCall extends ResourceCall {
  readonly mode: WriteMode | 'create'
}

/** What an instance hook is told. */
export interface InstanceCall {
  readonly instanceId: number
  readonly context: OperationContext
}

/** Gives a resource's current value; `undefined` means the resource is absent right now (NOT_FOUND). */
export type ReadHandler = (call: ResourceCall) => Awaitable<ResourceContent | undefined>
/**
 * Takes a written value: the whole new value, also for a partial update of a multiple
 * resource (the merged map). Return or throw a failure ({@link OperationError}) to refuse.
 */
// biome-ignore lint/suspicious/noConfusingVoidType: a handler that returns nothing is the common case
export type WriteHandler = (value: StoredContent, call: WriteCall) => Awaitable<void | Failure>
/** Runs an executable resource with its argument text. Return `{ afterResponse }` for work that must follow the response. */
export type ExecuteHandler = (
  args: string,
  call: ResourceCall,
) => Awaitable<void | Failure | { readonly afterResponse: () => void | Promise<void> }>
/** Vets a Create; may return default values for resources the payload lacks. */
export type CreateHook = (
  call: InstanceCall & { readonly resources: ReadonlyMap<number, StoredContent> },
  // biome-ignore lint/suspicious/noConfusingVoidType: a handler that returns nothing is the common case
) => Awaitable<void | Failure | InstanceValues>
/** Vets a Delete, or cleans up after the instance. */
// biome-ignore lint/suspicious/noConfusingVoidType: a handler that returns nothing is the common case
export type DeleteHook = (call: InstanceCall) => Awaitable<void | Failure>

/** Options of {@link defineObject}. */
export interface DefineObjectOptions {
  /**
   * The instances there are at first: ids, or initial values by instance id. Default:
   * instance 0 for a single-instance object, none for a multiple-instance one.
   */
  readonly instances?:
    | readonly number[]
    | Readonly<Record<number, InstanceValues>>
    | ReadonlyMap<number, InstanceValues>
  /**
   * Getters by resource id, for values the application computes (a sensor, the clock).
   * Without one, a resource holds the value last written or set.
   */
  readonly read?: Readonly<Record<number, ReadHandler>>
  /**
   * Setters by resource id, told of every write. A resource without a getter also keeps
   * the value; a resource with a getter and no setter refuses writes.
   */
  readonly write?: Readonly<Record<number, WriteHandler>>
  /** Execute handlers by resource id; an executable resource exists when it has one. */
  readonly execute?: Readonly<Record<number, ExecuteHandler>>
  /** Whether a server may create instances: default true for multiple-instance objects; a hook vets each. */
  readonly create?: boolean | CreateHook
  /** Whether a server may delete instances: default true for multiple-instance objects; a hook vets each. */
  readonly delete?: boolean | DeleteHook
  /** Largest number of instances (default 1 for single-instance objects, 1024 otherwise). */
  readonly maxInstances?: number
  /**
   * Resource ids whose values are secrets: kept as {@link SecretBytes} (opaque) so that
   * no print of a value, node or of the implementation shows them. Strings are refused.
   */
  readonly secrets?: readonly number[]
  /** Where operations that fail for an internal reason are logged (never with values). */
  readonly logger?: Logger
  /** Called by `close()`, for the timers the application's handlers keep. */
  readonly close?: () => void | Promise<void>
}

/** An implementation made by {@link defineObject}, with the application's side of it. */
export interface DefinedObject extends ObjectImplementation {
  /** The value a resource holds (not those of getters); undefined when absent. */
  get(instanceId: number, resourceId: number): StoredContent | undefined
  /** Sets a held value from the application and notifies observers if it changed. Throws OBJECTS_INVALID_ARGUMENT. */
  set(instanceId: number, resourceId: number, value: ResourceContent): void
  /** Removes an optional held value. */
  unset(instanceId: number, resourceId: number): void
  /** Tells observers that a getter's value changed (/o/i/r), or all of an instance's (/o/i). */
  changed(instanceId: number, resourceId?: number, resourceInstanceId?: number): void
  /** Adds an instance from the application (no server rules); returns its id. Throws OBJECTS_INVALID_ARGUMENT. */
  addInstance(values?: InstanceValues, instanceId?: number): number
  /** Removes an instance from the application; false if there was none. */
  removeInstance(instanceId: number): boolean
  hasInstance(instanceId: number): boolean
  /**
   * Releases what the implementation holds (listeners, and the application's `close` option
   * for its timers); afterwards every operation answers 5.03. Calling it again does nothing.
   */
  close(): Promise<void>
}

type Stored = ResourceValue | Map<number, ResourceValue>
/** Why content does not fit a resource (kept apart from string values). */
class Invalid {
  constructor(readonly reason: string) {}
}
type ExecuteOutcome = { readonly afterResponse: () => void | Promise<void> }

const inspectSymbol = Symbol.for('nodejs.util.inspect.custom')
const MAX_INSTANCE_ID = 65534

function entriesOf<T>(input: Readonly<Record<number, T>> | ReadonlyMap<number, T>): [number, T][] {
  if (input instanceof Map) return [...(input as ReadonlyMap<number, T>)]
  return Object.entries(input as Record<string, T>).map(([k, v]) => [Number(k), v])
}

function isId(n: unknown, max = 65535): n is number {
  return typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= max
}

/**
 * Builds an {@link ObjectImplementation} from a model and plain per-resource functions:
 * the model's rules (operations, types, ranges, mandatory resources, single or
 * multiple instances) are enforced for servers, values are kept for resources that have
 * no getter, and every change reaches `onChange` listeners.
 *
 * ```ts
 * const temperature = defineObject(temperatureModel, {
 *   instances: { 0: { 5701: 'Cel', 5750: 'outdoor' } },
 *   read: { 5700: () => sensor.celsius() },
 *   execute: { 5605: () => sensor.resetMinMax() },
 * })
 * ```
 */
export function defineObject(model: ObjectModel, options: DefineObjectOptions = {}): DefinedObject {
  const logger = options.logger ?? silentLogger
  const getters = new Map(entriesOf(options.read ?? {}))
  const setters = new Map(entriesOf(options.write ?? {}))
  const executors = new Map(entriesOf(options.execute ?? {}))
  const secrets = new Set(options.secrets ?? [])
  const maxInstances = options.maxInstances ?? (model.multiple ? 1024 : 1)
  const creatable = options.create ?? model.multiple
  const deletable = options.delete ?? model.multiple
  const state = new Map<number, Map<number, Stored>>()
  const listeners = new Set<ChangeListener>()
  let closed = false

  const invalid = (message: string): never => {
    throw new ObjectsError('OBJECTS_INVALID_ARGUMENT', `object ${model.id}: ${message}`)
  }
  for (const [id, fn] of getters) {
    const r = model.resources.get(id)
    if (r === undefined) invalid(`read handler for resource ${id}, which the model does not define`)
    else if (r.operations === 'E') invalid(`read handler for executable resource ${id}`)
    if (typeof fn !== 'function') invalid(`read handler for resource ${id} is not a function`)
  }
  for (const [id, fn] of setters) {
    const r = model.resources.get(id)
    if (r === undefined) invalid(`write handler for resource ${id}, which the model does not define`)
    else if (r.operations === 'E') invalid(`write handler for executable resource ${id}`)
    if (typeof fn !== 'function') invalid(`write handler for resource ${id} is not a function`)
  }
  for (const [id, fn] of executors) {
    if (model.resources.get(id)?.operations !== 'E')
      invalid(`execute handler for resource ${id}, which is not executable`)
    if (typeof fn !== 'function') invalid(`execute handler for resource ${id} is not a function`)
  }
  for (const id of secrets) {
    const r = model.resources.get(id)
    if (r === undefined || r.type !== 'opaque')
      invalid(`secret resource ${id} must be an opaque resource of the model`)
  }

  // ---- values -------------------------------------------------------------------------

  const keep = (r: ResourceModel, v: ResourceValue): ResourceValue =>
    secrets.has(r.id) && v instanceof Uint8Array ? SecretBytes.copyOf(v) : copyValue(v)

  /** Checks and normalises content for a resource: a value, or a map for a multiple resource. */
  const normalise = (r: ResourceModel, content: unknown, checkRange: boolean): Stored | Invalid => {
    const range = checkRange ? resourceRange(r) : undefined
    const one = (v: unknown): ResourceValue | Invalid => {
      if (!isValueOfType(r.type, v))
        return new Invalid(`resource ${r.id} takes ${r.type} values, not ${describeValue(v)}`)
      if (range !== undefined && !isInRange(range, v)) {
        return new Invalid(`a value of resource ${r.id} is out of its range ${r.rangeEnumeration}`)
      }
      return keep(r, v)
    }
    if (!r.multiple) {
      if (Array.isArray(content) || content instanceof Map)
        return new Invalid(`resource ${r.id} is single-instance`)
      return one(content)
    }
    let entries: [number, unknown][]
    if (content instanceof Map) entries = [...(content as Map<unknown, unknown>)] as [number, unknown][]
    else if (Array.isArray(content)) entries = content.map((v, i): [number, unknown] => [i, v])
    else return new Invalid(`resource ${r.id} is multiple-instance: give a Map or an array`)
    const out = new Map<number, ResourceValue>()
    for (const [ri, v] of entries) {
      if (!isId(ri))
        return new Invalid(`resource instance id ${String(ri)} of resource ${r.id} is not in 0..65535`)
      const value = one(v)
      if (value instanceof Invalid) return value
      out.set(ri, value)
    }
    return out
  }

  const storedEqual = (a: Stored | undefined, b: Stored | undefined): boolean => {
    if (a === undefined || b === undefined) return a === b
    if (a instanceof Map || b instanceof Map) {
      if (!(a instanceof Map && b instanceof Map) || a.size !== b.size) return false
      for (const [k, v] of a) {
        const w = b.get(k)
        if (w === undefined || !valuesEqual(v, w)) return false
      }
      return true
    }
    return valuesEqual(a, b)
  }

  // ---- events -------------------------------------------------------------------------

  const emit = (event: ChangeEvent): void => {
    for (const listener of [...listeners]) {
      try {
        listener(event)
      } catch (error) {
        logger.error(`object ${model.id}: a change listener threw`, {
          path: event.path.toString(),
          error: String(error),
        })
      }
    }
  }
  const valueChanged = (iid: number, rid: number, ri?: number): void => {
    if (listeners.size > 0)
      emit({
        kind: 'value',
        path: ri === undefined ? Lwm2mPath.of(model.id, iid, rid) : Lwm2mPath.of(model.id, iid, rid, ri),
      })
  }

  // ---- presence and access ------------------------------------------------------------

  /** Whether the implementation keeps a resource's value: not for getters, nor for write-only resources with a setter (a firmware package). */
  const holds = (r: ResourceModel): boolean =>
    !getters.has(r.id) && !(r.operations === 'W' && setters.has(r.id))

  const isPresent = (iid: number, r: ResourceModel): boolean => {
    if (r.operations === 'E') return executors.has(r.id)
    if (getters.has(r.id)) return true
    if (state.get(iid)?.has(r.id) === true) return true
    return r.operations === 'W' && setters.has(r.id)
  }

  /** Servers read R and RW resources; the bootstrap server and the client itself read any value resource. */
  const readable = (r: ResourceModel, context: OperationContext): boolean =>
    r.operations !== 'E' && (context.origin !== 'server' || r.operations === 'R' || r.operations === 'RW')

  const writable = (r: ResourceModel, context: OperationContext): boolean =>
    r.operations !== 'E' && (context.origin !== 'server' || r.operations.includes('W'))

  const guard = async <T>(what: string, path: string, fn: () => Awaitable<T>): Promise<Result<T>> => {
    try {
      return ok(await fn())
    } catch (error) {
      if (OperationError.isInstance(error)) return error.failure
      logger.error(`object ${model.id}: the ${what} of ${path} threw`, {
        error: error instanceof Error ? error.message : String(error),
      })
      return fail('INTERNAL_SERVER_ERROR', `the ${what} of ${path} failed`)
    }
  }

  /** The current content of a present, readable resource: the getter's or the held value. */
  const current = async (
    iid: number,
    r: ResourceModel,
    context: OperationContext,
  ): Promise<Result<Stored | undefined>> => {
    const getter = getters.get(r.id)
    if (getter === undefined) return ok(state.get(iid)?.get(r.id))
    const path = `/${model.id}/${iid}/${r.id}`
    const got = await guard('read handler', path, () =>
      getter({ instanceId: iid, resourceId: r.id, context }),
    )
    if (!got.ok || got.value === undefined) return got as Result<undefined>
    const value = normalise(r, got.value, false)
    if (value instanceof Invalid) {
      logger.error(`object ${model.id}: the read handler of ${path} gave a value the model does not allow`, {
        reason: value.reason,
      })
      return fail('INTERNAL_SERVER_ERROR', `the read handler of ${path} gave a bad value: ${value.reason}`)
    }
    return ok(value)
  }

  const resourceNode = (r: ResourceModel, value: Stored): Resource =>
    value instanceof Map
      ? { kind: 'multipleResource', id: r.id, type: r.type, instances: value }
      : { kind: 'resource', id: r.id, type: r.type, value }

  const readInstance = async (iid: number, context: OperationContext): Promise<Result<ObjectInstance>> => {
    const resources = new Map<number, Resource>()
    for (const r of sortedResources) {
      if (!isPresent(iid, r) || !readable(r, context)) continue
      const got = await current(iid, r, context)
      if (!got.ok) return got
      if (got.value !== undefined) resources.set(r.id, resourceNode(r, got.value))
    }
    return ok({ kind: 'instance', id: iid, resources })
  }

  const sortedResources = [...model.resources.values()].sort((a, b) => a.id - b.id)

  const where = (path: Lwm2mPath): Failure | undefined => {
    if (closed) return fail('SERVICE_UNAVAILABLE', `object ${model.id} is closed`)
    if (path.objectId !== model.id) return fail('NOT_FOUND', `${path} is not in object ${model.id}`)
    return undefined
  }

  // ---- write --------------------------------------------------------------------------

  interface PlannedWrite {
    readonly r: ResourceModel
    readonly value: Stored
    readonly ri?: number
  }

  /** Checks one resource of a write or create and computes its new content. */
  const plan = async (
    iid: number,
    resource: Resource | { kind: 'resourceInstance'; id: number; value: ResourceValue; resourceId: number },
    mode: WriteMode | 'create',
    context: OperationContext,
  ): Promise<Result<PlannedWrite>> => {
    const rid = resource.kind === 'resourceInstance' ? resource.resourceId : resource.id
    const r = model.resources.get(rid)
    const path = `/${model.id}/${iid}/${rid}`
    if (r === undefined) return fail('NOT_FOUND', `object ${model.id} has no resource ${rid}`)
    if (r.operations === 'E') return fail('METHOD_NOT_ALLOWED', `${path} is executable`)
    if (mode !== 'create' && !writable(r, context))
      return fail('METHOD_NOT_ALLOWED', `${path} is not writable`)
    if (getters.has(rid) && !setters.has(rid))
      return fail('METHOD_NOT_ALLOWED', `${path} is computed by the client`)
    const checkRange = context.origin !== 'internal'
    if (resource.kind === 'resourceInstance') {
      if (!r.multiple) return fail('BAD_REQUEST', `${path} is a single-instance resource`)
      const value = normalise(r, new Map([[resource.id, resource.value]]), checkRange)
      if (value instanceof Invalid) return fail('BAD_REQUEST', value.reason)
      const before = await current(iid, r, { origin: 'internal' })
      if (!before.ok) return before
      const merged = new Map(before.value instanceof Map ? before.value : [])
      merged.set(resource.id, (value as Map<number, ResourceValue>).get(resource.id)!)
      return ok({ r, value: merged, ri: resource.id })
    }
    if (r.multiple !== (resource.kind === 'multipleResource')) {
      return fail('BAD_REQUEST', `${path} is a ${r.multiple ? 'multiple' : 'single'}-instance resource`)
    }
    const value = normalise(
      r,
      resource.kind === 'multipleResource' ? resource.instances : resource.value,
      checkRange,
    )
    if (value instanceof Invalid) return fail('BAD_REQUEST', value.reason)
    if (value instanceof Map && mode === 'partialUpdate') {
      const before = await current(iid, r, { origin: 'internal' })
      if (!before.ok) return before
      if (before.value instanceof Map) return ok({ r, value: new Map([...before.value, ...value]) })
    }
    return ok({ r, value })
  }

  /** Writes planned values: setter first (it may refuse), then the held value; emits changes. */
  const apply = async (
    iid: number,
    writes: readonly PlannedWrite[],
    mode: WriteMode | 'create',
    context: OperationContext,
  ): Promise<Result<void>> => {
    for (const w of writes) {
      const setter = setters.get(w.r.id)
      const path = `/${model.id}/${iid}/${w.r.id}`
      if (setter !== undefined) {
        const result = await guard('write handler', path, () =>
          setter(w.value, { instanceId: iid, resourceId: w.r.id, context, mode }),
        )
        if (!result.ok) return result
        if (isFailure(result.value)) return result.value
      }
      if (holds(w.r)) {
        const values = state.get(iid)
        if (values === undefined) return fail('NOT_FOUND', `/${model.id}/${iid} was deleted during the write`)
        const before = values.get(w.r.id)
        values.set(w.r.id, w.value)
        if (setter !== undefined || !storedEqual(before, w.value)) valueChanged(iid, w.r.id, w.ri)
      } else valueChanged(iid, w.r.id, w.ri)
    }
    return done()
  }

  const newInstance = (iid: number): Map<number, Stored> => {
    const values = new Map<number, Stored>()
    state.set(iid, values)
    return values
  }

  const lowestFreeId = (): number | undefined => {
    for (let id = 0; id <= MAX_INSTANCE_ID; id++) if (!state.has(id)) return id
    return undefined
  }

  // ---- the implementation ------------------------------------------------------------

  const implementation: DefinedObject = {
    [objectImplementationSymbol]: true,
    model,

    instances() {
      return [...state.keys()].sort((a, b) => a - b)
    },

    resources(instanceId) {
      if (!state.has(instanceId)) return undefined
      return sortedResources.filter((r) => isPresent(instanceId, r)).map((r) => r.id)
    },

    async read(path, context) {
      const bad = where(path)
      if (bad !== undefined) return bad
      if (path.isObject()) {
        const instances = new Map<number, ObjectInstance>()
        for (const iid of implementation.instances()) {
          const got = await readInstance(iid, context)
          if (!got.ok) return got
          instances.set(iid, got.value)
        }
        return ok({ kind: 'object', id: model.id, instances })
      }
      const iid = path.instanceId!
      if (!state.has(iid)) return fail('NOT_FOUND', `no instance /${model.id}/${iid}`)
      if (path.isInstance()) return readInstance(iid, context)
      const r = model.resources.get(path.resourceId!)
      if (r === undefined) return fail('NOT_FOUND', `object ${model.id} has no resource ${path.resourceId}`)
      if (!readable(r, context)) return fail('METHOD_NOT_ALLOWED', `${path} is not readable`)
      if (!isPresent(iid, r)) return fail('NOT_FOUND', `${path} is absent`)
      if (path.isResourceInstance() && !r.multiple)
        return fail('BAD_REQUEST', `${path.parent()} is a single-instance resource`)
      const got = await current(iid, r, context)
      if (!got.ok) return got
      if (got.value === undefined) return fail('NOT_FOUND', `${path} is absent`)
      if (path.isResource()) return ok(resourceNode(r, got.value))
      const value = (got.value as Map<number, ResourceValue>).get(path.resourceInstanceId!)
      if (value === undefined) return fail('NOT_FOUND', `${path} is absent`)
      return ok({
        kind: 'resourceInstance',
        id: path.resourceInstanceId!,
        type: r.type,
        value,
      } satisfies Lwm2mNode)
    },

    async write(path, node, mode, context) {
      const bad = where(path)
      if (bad !== undefined) return bad
      if (!path.isInstance() && !path.isResource() && !path.isResourceInstance()) {
        return fail('METHOD_NOT_ALLOWED', `write ${path}: write its instances one by one`)
      }
      const iid = path.instanceId!
      let created = false
      if (!state.has(iid)) {
        // Bootstrap-Write creates the instance it names (Core TS 1.1 section 5.2.7.4).
        if (context.origin === 'server') return fail('NOT_FOUND', `no instance /${model.id}/${iid}`)
        if (state.size >= maxInstances || iid > MAX_INSTANCE_ID)
          return fail('BAD_REQUEST', `cannot create /${model.id}/${iid}`)
        created = true
      }
      const writes: PlannedWrite[] = []
      const check = async (result: Promise<Result<PlannedWrite>>): Promise<Failure | undefined> => {
        const r = await result
        if (!r.ok) return r
        writes.push(r.value)
        return undefined
      }
      let removals: ResourceModel[] = []
      if (path.isInstance()) {
        if (node.kind !== 'instance') return fail('BAD_REQUEST', `write ${path} takes an object instance`)
        if (node.id !== iid) return fail('BAD_REQUEST', `write ${path} carries instance ${node.id}`)
        for (const resource of node.resources.values()) {
          const failure = await check(plan(iid, resource, mode, context))
          if (failure !== undefined) return failure
        }
        if (mode === 'replace' && !created) {
          removals = sortedResources.filter(
            (r) =>
              !node.resources.has(r.id) &&
              !r.mandatory &&
              writable(r, context) &&
              holds(r) &&
              state.get(iid)!.has(r.id),
          )
        }
      } else if (path.isResource()) {
        if ((node.kind !== 'resource' && node.kind !== 'multipleResource') || node.id !== path.resourceId) {
          return fail('BAD_REQUEST', `write ${path} takes resource ${path.resourceId}`)
        }
        const failure = await check(plan(iid, node, mode, context))
        if (failure !== undefined) return failure
      } else {
        if (node.kind !== 'resourceInstance' || node.id !== path.resourceInstanceId) {
          return fail('BAD_REQUEST', `write ${path} takes resource instance ${path.resourceInstanceId}`)
        }
        const failure = await check(
          plan(
            iid,
            { kind: 'resourceInstance', id: node.id, value: node.value, resourceId: path.resourceId! },
            mode,
            context,
          ),
        )
        if (failure !== undefined) return failure
      }
      if (created) {
        if (state.has(iid)) return fail('BAD_REQUEST', `/${model.id}/${iid} was created meanwhile`)
        newInstance(iid)
        emit({ kind: 'created', path: Lwm2mPath.of(model.id, iid) })
      }
      const result = await apply(iid, writes, mode, context)
      if (!result.ok) {
        if (created && state.delete(iid)) emit({ kind: 'deleted', path: Lwm2mPath.of(model.id, iid) })
        return result
      }
      for (const r of removals) {
        if (state.get(iid)?.delete(r.id) === true) valueChanged(iid, r.id)
      }
      return result
    },

    async execute(path, args, context) {
      const bad = where(path)
      if (bad !== undefined) return bad
      if (!path.isResource())
        return fail('METHOD_NOT_ALLOWED', `execute ${path}: only resources are executable`)
      const iid = path.instanceId!
      if (!state.has(iid)) return fail('NOT_FOUND', `no instance /${model.id}/${iid}`)
      const r = model.resources.get(path.resourceId!)
      if (r === undefined) return fail('NOT_FOUND', `object ${model.id} has no resource ${path.resourceId}`)
      if (r.operations !== 'E') return fail('METHOD_NOT_ALLOWED', `${path} is not executable`)
      const handler = executors.get(r.id)
      if (handler === undefined) return fail('NOT_FOUND', `${path} is absent`)
      const result = await guard('execute handler', path.toString(), () =>
        handler(args, { instanceId: iid, resourceId: r.id, context }),
      )
      if (!result.ok) return result
      const value = result.value
      if (isFailure(value)) return value
      if (
        typeof value === 'object' &&
        value !== null &&
        typeof (value as ExecuteOutcome).afterResponse === 'function'
      ) {
        return done((value as ExecuteOutcome).afterResponse)
      }
      return done()
    },

    async create(request, context) {
      if (closed) return fail('SERVICE_UNAVAILABLE', `object ${model.id} is closed`)
      if (context.origin === 'server' && creatable === false) {
        return fail('METHOD_NOT_ALLOWED', `object ${model.id} takes no new instances`)
      }
      if (request.instanceId !== undefined && !isId(request.instanceId, MAX_INSTANCE_ID)) {
        return fail('BAD_REQUEST', `instance id ${request.instanceId} is not in 0..${MAX_INSTANCE_ID}`)
      }
      if (request.instanceId !== undefined && state.has(request.instanceId)) {
        return fail('BAD_REQUEST', `/${model.id}/${request.instanceId} exists`)
      }
      if (state.size >= maxInstances) {
        return model.multiple
          ? fail('SERVICE_UNAVAILABLE', `object ${model.id} holds its maximum of ${maxInstances} instances`)
          : fail('BAD_REQUEST', `single-instance object ${model.id} has its instance`)
      }
      const iid = request.instanceId ?? lowestFreeId()
      if (iid === undefined) return fail('SERVICE_UNAVAILABLE', `object ${model.id} has no free instance id`)
      const writes: PlannedWrite[] = []
      for (const resource of request.resources.values()) {
        // Values for resources the client computes are not the server's to set: ignored.
        if (getters.has(resource.id) && !setters.has(resource.id)) continue
        const planned = await plan(iid, resource, 'create', context)
        if (!planned.ok) return planned.code === 'NOT_FOUND' ? fail('BAD_REQUEST', planned.message) : planned
        writes.push(planned.value)
      }
      if (typeof creatable === 'function') {
        const given = new Map<number, StoredContent>(writes.map((w) => [w.r.id, w.value]))
        const hook = await guard('create hook', `/${model.id}/${iid}`, () =>
          creatable({ instanceId: iid, context, resources: given }),
        )
        if (!hook.ok) return hook
        if (isFailure(hook.value)) return hook.value
        if (hook.value !== undefined) {
          for (const [rid, content] of entriesOf(hook.value as InstanceValues)) {
            if (given.has(rid)) continue
            const r = model.resources.get(rid)
            const value =
              r === undefined
                ? new Invalid(`object ${model.id} has no resource ${rid}`)
                : normalise(r, content, false)
            if (value instanceof Invalid) {
              logger.error(`object ${model.id}: the create hook gave a bad default`, { reason: value.reason })
              return fail(
                'INTERNAL_SERVER_ERROR',
                `the create hook of /${model.id}/${iid} gave a bad default`,
              )
            }
            writes.push({ r: r!, value })
          }
        }
      }
      if (context.origin === 'server') {
        const has = new Set(writes.map((w) => w.r.id))
        const missing = sortedResources.filter(
          (r) => r.mandatory && r.operations !== 'E' && !has.has(r.id) && !getters.has(r.id),
        )
        if (missing.length > 0) {
          return fail(
            'BAD_REQUEST',
            `create /${model.id}: mandatory resource(s) ${missing.map((r) => r.id).join(', ')} missing`,
          )
        }
      }
      if (state.has(iid)) return fail('BAD_REQUEST', `/${model.id}/${iid} was created meanwhile`)
      newInstance(iid)
      const result = await apply(iid, writes, 'create', context)
      if (!result.ok) {
        state.delete(iid)
        return result
      }
      emit({ kind: 'created', path: Lwm2mPath.of(model.id, iid) })
      return ok(iid)
    },

    async delete(path, context) {
      const bad = where(path)
      if (bad !== undefined) return bad
      const iid = path.instanceId
      if (iid === undefined || path.isResource())
        return fail('METHOD_NOT_ALLOWED', `delete ${path}: only instances and resource instances`)
      if (!state.has(iid)) return fail('NOT_FOUND', `no instance /${model.id}/${iid}`)
      if (path.isResourceInstance()) {
        const r = model.resources.get(path.resourceId!)
        if (r === undefined) return fail('NOT_FOUND', `object ${model.id} has no resource ${path.resourceId}`)
        if (!r.multiple) return fail('BAD_REQUEST', `${path.parent()} is a single-instance resource`)
        if (!writable(r, context) || (getters.has(r.id) && !setters.has(r.id))) {
          return fail('METHOD_NOT_ALLOWED', `${path.parent()} is not writable`)
        }
        const before = await current(iid, r, { origin: 'internal' })
        if (!before.ok) return before
        if (!(before.value instanceof Map) || !before.value.has(path.resourceInstanceId!)) {
          return fail('NOT_FOUND', `${path} is absent`)
        }
        const after = new Map(before.value)
        after.delete(path.resourceInstanceId!)
        return apply(iid, [{ r, value: after }], 'replace', context)
      }
      if (context.origin === 'server' && deletable === false) {
        return fail('METHOD_NOT_ALLOWED', `instances of object ${model.id} cannot be deleted`)
      }
      if (typeof deletable === 'function') {
        const hook = await guard('delete hook', path.toString(), () =>
          deletable({ instanceId: iid, context }),
        )
        if (!hook.ok) return hook
        if (isFailure(hook.value)) return hook.value
      }
      if (!state.delete(iid)) return fail('NOT_FOUND', `no instance /${model.id}/${iid}`)
      emit({ kind: 'deleted', path: Lwm2mPath.of(model.id, iid) })
      return done()
    },

    onChange(listener) {
      listeners.add(listener)
      return () => {
        listeners.delete(listener)
      }
    },

    async close() {
      if (closed) return
      closed = true
      listeners.clear()
      await options.close?.()
    },

    get(instanceId, resourceId) {
      return state.get(instanceId)?.get(resourceId)
    },

    set(instanceId, resourceId, content) {
      const values = state.get(instanceId)
      if (values === undefined) invalid(`no instance ${instanceId}`)
      const r = model.resources.get(resourceId)
      if (r === undefined || r.operations === 'E') invalid(`no value resource ${resourceId}`)
      if (getters.has(resourceId))
        invalid(`resource ${resourceId} is read through its getter: call changed() instead`)
      const value = normalise(r!, content, false)
      if (value instanceof Invalid) invalid(value.reason)
      const before = values!.get(resourceId)
      values!.set(resourceId, value as Stored)
      if (!storedEqual(before, value as Stored)) valueChanged(instanceId, resourceId)
    },

    unset(instanceId, resourceId) {
      if (state.get(instanceId)?.delete(resourceId) === true) valueChanged(instanceId, resourceId)
    },

    changed(instanceId, resourceId, resourceInstanceId) {
      if (!state.has(instanceId) || listeners.size === 0) return
      if (resourceId === undefined) emit({ kind: 'value', path: Lwm2mPath.of(model.id, instanceId) })
      else valueChanged(instanceId, resourceId, resourceInstanceId)
    },

    addInstance(values = {}, instanceId) {
      const iid = instanceId ?? lowestFreeId()
      if (iid === undefined || !isId(iid, MAX_INSTANCE_ID))
        invalid(`instance id ${String(iid)} is not in 0..${MAX_INSTANCE_ID}`)
      if (state.has(iid!)) invalid(`instance ${iid} exists`)
      if (state.size >= maxInstances) invalid(`at most ${maxInstances} instance(s)`)
      const prepared = new Map<number, Stored>()
      for (const [rid, content] of entriesOf(values)) {
        const r = model.resources.get(rid)
        if (r === undefined || r.operations === 'E') invalid(`no value resource ${rid}`)
        if (getters.has(rid)) invalid(`resource ${rid} is read through its getter`)
        const value = normalise(r!, content, false)
        if (value instanceof Invalid) invalid(value.reason)
        prepared.set(rid, value as Stored)
      }
      state.set(iid!, prepared)
      emit({ kind: 'created', path: Lwm2mPath.of(model.id, iid!) })
      return iid!
    },

    removeInstance(instanceId) {
      if (!state.delete(instanceId)) return false
      emit({ kind: 'deleted', path: Lwm2mPath.of(model.id, instanceId) })
      return true
    },

    hasInstance(instanceId) {
      return state.has(instanceId)
    },
  }

  describeForPrinting(implementation, () => ({
    object: model.id,
    name: model.name,
    version: model.version,
    instances: implementation.instances(),
  }))

  // Initial instances last, so that their values are checked like any other.
  const initial = options.instances ?? (model.multiple ? [] : [0])
  if (Array.isArray(initial))
    for (const iid of initial as readonly number[]) implementation.addInstance({}, iid)
  else
    for (const [iid, values] of entriesOf(initial as Readonly<Record<number, InstanceValues>>))
      implementation.addInstance(values, iid)
  return implementation
}

/**
 * Makes `toString`, `toJSON` and `util.inspect` of an implementation show what it is
 * (object, version, instance ids) and never a value: a logger or `JSON.stringify` of an
 * object hosting keys prints no key.
 */
export function describeForPrinting(target: object, summary: () => Record<string, unknown>): void {
  const text = (): string => {
    const s = summary()
    return `ObjectImplementation(${Object.entries(s)
      .map(([k, v]) => `${k}: ${Array.isArray(v) ? `[${v.join(', ')}]` : String(v)}`)
      .join(', ')})`
  }
  Object.defineProperties(target, {
    toString: { value: text, enumerable: false, configurable: true },
    toJSON: { value: summary, enumerable: false, configurable: true },
    [inspectSymbol]: { value: text, enumerable: false, configurable: true },
  })
}
