import type { Lwm2mNode, Lwm2mPath, ObjectModel, Resource, WriteOperation } from '@lwm2m/core'
import type { Awaitable, Result } from './result.js'

/**
 * Who performs an operation; it decides which of the model's rules apply.
 * - `server`: a LwM2M Server over the Device Management and Service Enablement
 *   interface. The model's operations apply: Read needs R, Write needs W, Execute
 *   needs E; Create and Delete need a multiple-instance object.
 * - `bootstrap`: the LwM2M Bootstrap-Server. Bootstrap-Write writes any resource
 *   whatever its operations (Core TS 1.1 section 5.2.7.4) and creates the instance it
 *   names if it does not exist; Bootstrap-Read and Bootstrap-Delete act on any instance.
 * - `internal`: the client itself (its role engine or the application): no operation
 *   rules; this is how the client role reads the Security object's keys.
 * Access control (the Access Control object, Security object off-limits to servers) is
 * the client role's check before it dispatches; implementations may refuse too.
 */
export type OperationOrigin = 'server' | 'bootstrap' | 'internal'

/** Passed with every operation. */
export interface OperationContext {
  readonly origin: OperationOrigin
  /** The Short Server ID of the requesting LwM2M Server (origin `server`). */
  readonly shortServerId?: number
  /** Aborted when the request is abandoned (the client stops, the exchange timed out). */
  readonly signal?: AbortSignal
}

/**
 * Write semantics (Core TS 1.1 section 6.3.3), as @lwm2m/core's WriteOperation names
 * them: `replace` (CoAP PUT) replaces the target: for an instance, the writable
 * resources the payload does not carry are removed where the model allows (optional
 * ones); for a multiple-instance resource, every resource instance is replaced.
 * `partialUpdate` (CoAP POST) changes only what the payload carries and adds resource
 * instances to a multiple-instance resource.
 */
export type WriteMode = WriteOperation['mode']

/** What changed: a resource value, or an instance created or deleted. */
export interface ChangeEvent {
  /** `value`: at `path` (/o/i/r, or /o/i/r/ri for one resource instance); `created`/`deleted`: the instance /o/i. */
  readonly kind: 'value' | 'created' | 'deleted'
  readonly path: Lwm2mPath
}

/** Called synchronously after each change; exceptions it throws are caught and logged by the implementation. */
export type ChangeListener = (event: ChangeEvent) => void

/**
 * The instance to create: an id, or none to let the implementation choose, and initial
 * resources. From @lwm2m/core's CreateOperation: one request per instance, `instanceId`
 * absent where the instance id is 65535 ("no instance reference").
 */
export interface CreateRequest {
  /** The instance id the server asked for; absent: the implementation picks the lowest free id. */
  readonly instanceId?: number
  /** Initial resources, by id (the decoded payload's resources). */
  readonly resources: ReadonlyMap<number, Resource>
}

export const objectImplementationSymbol: unique symbol = Symbol.for('@lwm2m/objects/implementation') as never

/**
 * The contract between the LwM2M Client role and one object it hosts. The client
 * role decodes the request, checks paths, access control and content formats, then
 * calls one method and maps the {@link Result} to the response. Every method takes
 * paths inside this object (`path.objectId === model.id`) and answers failures as
 * results, never by throwing (a throw is a bug; the client answers 5.00 and logs it).
 *
 * Methods may answer synchronously or with a promise. `instances()` and
 * `resources()` are synchronous: an implementation knows its shape, values may take time.
 */
export interface ObjectImplementation {
  readonly [objectImplementationSymbol]: true
  /** The model this implementation follows (its `version` is what the client announces as `ver`). */
  readonly model: ObjectModel
  /** Instance ids, ascending. */
  instances(): readonly number[]
  /**
   * The resources present in an instance, ascending: for Discover and for knowing which
   * optional resources exist. Includes executable and write-only resources. Undefined
   * when there is no such instance.
   */
  resources(instanceId: number): readonly number[] | undefined
  /**
   * Read (Core TS 1.1 section 6.3.1) of /o (an ObjectNode of every instance), /o/i (an
   * ObjectInstance of its readable resources), /o/i/r (a Resource) or /o/i/r/ri (a
   * ResourceInstance). NOT_FOUND for what does not exist, METHOD_NOT_ALLOWED for a
   * resource the origin may not read (for `server`, one without R; executables always).
   */
  read(path: Lwm2mPath, context: OperationContext): Awaitable<Result<Lwm2mNode>>
  /**
   * Write (section 6.3.3) of /o/i with an ObjectInstance, /o/i/r with a Resource or
   * /o/i/r/ri with a ResourceInstance. All of the payload is checked (existence,
   * writability for the origin, types, ranges) before anything is written: a failure
   * writes nothing. BAD_REQUEST for a value of the wrong type or out of range.
   */
  write(path: Lwm2mPath, node: Lwm2mNode, mode: WriteMode, context: OperationContext): Awaitable<Result<void>>
  /**
   * Execute (section 6.3.5) of /o/i/r with the request's argument text as received (""
   * when none); @lwm2m/core's `parseExecuteArguments` reads it.
   */
  execute(path: Lwm2mPath, args: string, context: OperationContext): Awaitable<Result<void>>
  /**
   * Create (section 6.3.6): a new instance, answering its id. BAD_REQUEST when the id
   * exists or a mandatory resource is missing (origin `server`), METHOD_NOT_ALLOWED
   * when the object takes no new instances from this origin.
   */
  create(request: CreateRequest, context: OperationContext): Awaitable<Result<number>>
  /** Delete (section 6.3.7) of /o/i, or of /o/i/r/ri for a multiple-instance resource. */
  delete(path: Lwm2mPath, context: OperationContext): Awaitable<Result<void>>
  /** Subscribes to changes (whoever made them: a server, the application, a timer); returns the unsubscribe function. */
  onChange(listener: ChangeListener): () => void
  /** Stops timers and transfers the implementation runs; it answers no further operations. */
  close?(): void | Promise<void>
}

/** True for an {@link ObjectImplementation} from any copy of this package. */
export function isObjectImplementation(value: unknown): value is ObjectImplementation {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as Record<symbol, unknown>)[objectImplementationSymbol] === true
  )
}
