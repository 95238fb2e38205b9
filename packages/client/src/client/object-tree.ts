import type { Lwm2mNode, Lwm2mPath, ModelLookup, ObjectModel } from '@lwm2m/core'
import {
  type ChangeEvent,
  fail,
  isObjectImplementation,
  type ObjectImplementation,
  type OperationContext,
  type Result,
} from '@lwm2m/objects'
import { ClientError } from '../errors.js'

/** What happened to the tree: a change inside an object, or an object added or removed. */
export type TreeEvent =
  | ChangeEvent
  | { readonly kind: 'objectAdded' | 'objectRemoved'; readonly objectId: number }

/**
 * The objects a client hosts, by id: the models the codecs see, reads routed to the
 * implementation, and one stream of every implementation's changes.
 */
export class ObjectTree implements ModelLookup {
  readonly #objects = new Map<number, ObjectImplementation>()
  readonly #unsubscribe = new Map<number, () => void>()
  readonly #listeners = new Set<(event: TreeEvent) => void>()

  constructor(objects: readonly ObjectImplementation[]) {
    for (const o of objects) this.add(o)
  }

  getObjectModel(objectId: number): ObjectModel | undefined {
    return this.#objects.get(objectId)?.model
  }

  get(objectId: number): ObjectImplementation | undefined {
    return this.#objects.get(objectId)
  }

  has(objectId: number): boolean {
    return this.#objects.has(objectId)
  }

  /** Object ids, ascending. */
  ids(): number[] {
    return [...this.#objects.keys()].sort((a, b) => a - b)
  }

  add(object: ObjectImplementation): void {
    if (!isObjectImplementation(object)) {
      throw new ClientError('CLIENT_INVALID_OPTIONS', 'objects must be ObjectImplementation values')
    }
    const id = object.model.id
    if (this.#objects.has(id)) {
      throw new ClientError('CLIENT_INVALID_OPTIONS', `two implementations of object ${id}`)
    }
    this.#objects.set(id, object)
    if (this.#listeners.size > 0) this.#subscribe(id, object)
    this.#emit({ kind: 'objectAdded', objectId: id })
  }

  remove(objectId: number): ObjectImplementation | undefined {
    const object = this.#objects.get(objectId)
    if (object === undefined) return undefined
    this.#objects.delete(objectId)
    this.#unsubscribe.get(objectId)?.()
    this.#unsubscribe.delete(objectId)
    this.#emit({ kind: 'objectRemoved', objectId })
    return object
  }

  /** Listens to every change of every object (and to objects added or removed). */
  listen(listener: (event: TreeEvent) => void): () => void {
    if (this.#listeners.size === 0) for (const [id, o] of this.#objects) this.#subscribe(id, o)
    this.#listeners.add(listener)
    return () => {
      this.#listeners.delete(listener)
      if (this.#listeners.size === 0) {
        for (const off of this.#unsubscribe.values()) off()
        this.#unsubscribe.clear()
      }
    }
  }

  #subscribe(id: number, object: ObjectImplementation): void {
    this.#unsubscribe.set(
      id,
      object.onChange((event) => this.#emit(event)),
    )
  }

  #emit(event: TreeEvent): void {
    for (const l of [...this.#listeners]) l(event)
  }

  /** Reads through the implementation; NOT_FOUND for an object the client does not host. */
  async read(path: Lwm2mPath, context: OperationContext): Promise<Result<Lwm2mNode>> {
    const object = this.#objects.get(path.objectId ?? -1)
    if (object === undefined) return fail('NOT_FOUND', `no object ${path.objectId ?? '(root)'}`)
    return guard(() => object.read(path, context))
  }
}

/** Runs an implementation call, turning a throw (a bug in the implementation) into a 5.00 failure. */
export async function guard<T>(fn: () => Result<T> | PromiseLike<Result<T>>): Promise<Result<T>> {
  try {
    return await fn()
  } catch (error) {
    return fail('INTERNAL_SERVER_ERROR', `the object implementation threw: ${String(error)}`)
  }
}
