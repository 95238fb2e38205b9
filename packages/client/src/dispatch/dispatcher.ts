import { Code, type IncomingRequest, type RequestContext, type ResponseInit } from '@lwm2m/coap'
import {
  buildResponse,
  classifyRequest,
  errorResponse,
  formatDiscoverLinks,
  type Lwm2mNode,
  type Lwm2mOperation,
  Lwm2mPath,
  type ObjectInstance,
  rootSegments,
  versionAtLeast,
} from '@lwm2m/core'
import {
  AccessRight,
  type Failure,
  fail,
  failureCoapCode,
  type ObjectImplementation,
  type OperationContext,
  ok,
  type Result,
} from '@lwm2m/objects'
import type { ClientContext } from '../client/context.js'
import { guard } from '../client/object-tree.js'
import type { ObserverRegistry } from '../observe/registry.js'
import type { AccessControl } from './access.js'
import { discover } from './discover.js'

/** Objects no LwM2M Server reaches (Core TS 1.2 section 6.3: Security, OSCORE, COSE). */
const BOOTSTRAP_ONLY: readonly number[] = [0, 21, 23]
const INTERNAL = { origin: 'internal' } as const
const decoder = new TextDecoder()

/** What the client does after a server executed one of the Server object's actions. */
export interface ServerActions {
  /** /1/x/8 Registration Update Trigger executed on Server instance `instanceId`. */
  registrationUpdateTrigger(instanceId: number): void | Promise<void>
  /** /1/x/4 Disable executed. */
  disable(instanceId: number): void | Promise<void>
  /** /1/x/9 Bootstrap-Request Trigger executed. */
  bootstrapRequestTrigger(instanceId: number): void | Promise<void>
}

type After = () => void | Promise<void>

function failure(f: Failure): ResponseInit {
  return { code: failureCoapCode(f.code), payload: f.message.slice(0, 128) }
}

/** A refusal that becomes the answer. */
class Refusal {
  constructor(readonly failure: Failure) {}
}

function refuse(code: Failure['code'], message: string): never {
  throw new Refusal(fail(code, message))
}

/** Unwraps a result, or throws a refusal. */
function need<T>(r: Result<T>): T {
  if (!r.ok) throw new Refusal(r)
  return r.value
}

function pathsOf(op: Lwm2mOperation | undefined, req: IncomingRequest): string[] {
  if (op === undefined) return [`/${req.path.join('/')}`]
  if ('path' in op) return [String(op.path)]
  if ('paths' in op) return op.paths.map(String)
  if (op.kind === 'writeComposite') return [...op.nodes.keys()]
  return []
}

/**
 * The client's request handler (Core TS 1.1 sections 6.3 and 6.4, Transport TS section
 * 6.4): core's `classifyRequest` checks and decodes the request (4.00, 4.01 for the
 * Security object, 4.04, 4.05, 4.06, 4.15); the dispatcher then checks existence, the
 * model's operations (a read-only resource is not written: 4.05) and access control
 * (4.01), calls the object implementation and answers with core's `buildResponse`.
 * The objects' `afterResponse` hooks, and the client's own reactions to the Server
 * object's executable resources, run once the answer was handed to the transport.
 */
export class Dispatcher {
  constructor(
    private readonly ctx: ClientContext,
    private readonly access: AccessControl,
    private readonly observers: ObserverRegistry,
    private readonly actions: ServerActions,
  ) {}

  #serverContext(ssid: number, signal?: AbortSignal): OperationContext {
    return { origin: 'server', shortServerId: ssid, ...(signal === undefined ? {} : { signal }) }
  }

  /** Answers one request of server `ssid`. */
  async handle(ssid: number, req: IncomingRequest, rctx: RequestContext): Promise<ResponseInit> {
    const after: After[] = []
    let op: Lwm2mOperation | undefined
    let response: ResponseInit
    try {
      const early = this.#precheck(req)
      if (early !== undefined) response = early
      else {
        op = classifyRequest(req, { ...this.ctx.operations, side: 'client', version: this.ctx.version })
        response = await this.#dispatch(ssid, op, req, rctx, after)
      }
    } catch (error) {
      if (error instanceof Refusal) response = failure(error.failure)
      else {
        response = errorResponse(error)
        if (response.code === Code.InternalServerError) {
          this.ctx.emitter.emit('error', { error, context: 'answering a request', shortServerId: ssid })
        }
      }
    }
    this.ctx.emitter.emit('operation', {
      shortServerId: ssid,
      kind: op?.kind ?? 'refused',
      paths: pathsOf(op, req),
      code: typeof response.code === 'number' ? response.code : 0,
    })
    // Success only: a failed Execute runs no hook. The endpoint hands the answer to its
    // transport when this promise settles; the hooks run a full turn of the event loop
    // later, once the transport had its turn to put the answer on the wire.
    if (after.length > 0 && typeof response.code === 'number' && response.code < 0x80) {
      setImmediate(() => setImmediate(() => void this.#runAfter(ssid, after)))
    }
    return response
  }

  async #runAfter(ssid: number, after: readonly After[]): Promise<void> {
    for (const fn of after) {
      try {
        await fn()
      } catch (error) {
        this.ctx.emitter.emit('error', { error, context: 'an afterResponse hook', shortServerId: ssid })
      }
    }
  }

  /**
   * Checks that need no payload, made before it is decoded: 4.04 for an object the client
   * does not host, 4.05 for a Write (PUT with a payload) on a resource its model does not
   * let servers write (an executable or read-only resource: a value for it cannot even be
   * decoded, and the answer is 4.05, not 4.00).
   */
  #precheck(req: IncomingRequest): ResponseInit | undefined {
    const root = rootSegments(this.ctx.rootPath)
    if (!root.every((s, i) => req.path[i] === s)) return undefined
    const segments = req.path.slice(root.length)
    const first = segments[0]
    if (first === undefined || !/^(0|[1-9][0-9]{0,4})$/.test(first)) return undefined
    const id = Number(first)
    if (id > 65535 || BOOTSTRAP_ONLY.includes(id)) return undefined
    if (!this.ctx.tree.has(id)) return { code: Code.NotFound, payload: `no object ${id}` }
    const rid = segments[2]
    if (req.method === 'PUT' && rid !== undefined && segments.length <= 4 && req.payload.length > 0) {
      const model = this.ctx.tree.getObjectModel(id)?.resources.get(Number(rid))
      if (model !== undefined && !model.operations.includes('W')) {
        return {
          code: Code.MethodNotAllowed,
          payload: `/${segments.join('/')} (${model.name}) is not writable`,
        }
      }
    }
    return undefined
  }

  #object(path: Lwm2mPath): ObjectImplementation {
    const object = this.ctx.tree.get(path.objectId ?? -1)
    if (object === undefined) refuse('NOT_FOUND', `no object ${path.objectId ?? '(root)'}`)
    return object
  }

  async #requireRight(ssid: number, right: number, path: Lwm2mPath): Promise<void> {
    if (path.instanceId === undefined) return
    if (!(await this.access.allows(ssid, right, path.objectId!, path.instanceId))) {
      refuse('UNAUTHORIZED', `the server has no access right for this operation on ${path.parent()}`)
    }
  }

  /**
   * The model's operations decide first (Core TS 1.1 section 6.3: "4.05 Method Not Allowed:
   * the target does not allow the operation"), whatever the implementation would say.
   */
  #requireModelOperation(path: Lwm2mPath, operation: 'R' | 'W' | 'E'): void {
    if (path.resourceId === undefined) return
    const model = this.ctx.tree.getObjectModel(path.objectId!)?.resources.get(path.resourceId)
    if (model === undefined) return
    if (operation === 'E' ? model.operations !== 'E' : !model.operations.includes(operation)) {
      const what = { R: 'readable', W: 'writable', E: 'executable' }[operation]
      refuse('METHOD_NOT_ALLOWED', `${path} (${model.name}) is not ${what}`)
    }
  }

  /** Read for a server: access control, then the implementation; an object lists only the instances the server may read. */
  async read(ssid: number, path: Lwm2mPath, signal?: AbortSignal): Promise<Result<Lwm2mNode>> {
    const object = this.ctx.tree.get(path.objectId ?? -1)
    if (object === undefined) return fail('NOT_FOUND', `no object ${path.objectId ?? '(root)'}`)
    if (BOOTSTRAP_ONLY.includes(path.objectId!)) return fail('UNAUTHORIZED', `object ${path.objectId}`)
    if (path.instanceId !== undefined) {
      if (!(await this.access.allows(ssid, AccessRight.Read, path.objectId!, path.instanceId))) {
        return fail('UNAUTHORIZED', `the server may not read ${path.parent()}`)
      }
      if (path.resourceId !== undefined) {
        const model = object.model.resources.get(path.resourceId)
        if (model !== undefined && !model.operations.includes('R')) {
          return fail('METHOD_NOT_ALLOWED', `${path} (${model.name}) is not readable`)
        }
      }
    }
    const result = await guard(() => object.read(path, this.#serverContext(ssid, signal)))
    if (!result.ok || !path.isObject() || result.value.kind !== 'object' || !this.access.enforced)
      return result
    const instances = new Map<number, ObjectInstance>()
    for (const [iid, inst] of result.value.instances) {
      if (await this.access.allows(ssid, AccessRight.Read, path.objectId!, iid)) instances.set(iid, inst)
    }
    return ok({ kind: 'object', id: result.value.id, instances })
  }

  /**
   * Reads several paths for a server (Read-Composite, Observe-Composite, Core TS 1.1
   * section 6.3.8): what cannot be read (absent, not readable, not allowed) is left out,
   * as ETS LwM2M-1.1-int-236 and int-281 expect; the root path stands for every object but
   * the Security, OSCORE and COSE objects (int-235).
   */
  async readComposite(ssid: number, paths: readonly Lwm2mPath[]): Promise<Map<string, Lwm2mNode>> {
    const out = new Map<string, Lwm2mNode>()
    for (const path of paths) {
      const targets = path.isRoot()
        ? this.ctx.tree
            .ids()
            .filter((id) => !BOOTSTRAP_ONLY.includes(id))
            .map((id) => Lwm2mPath.of(id))
        : [path]
      for (const target of targets) {
        const result = await this.read(ssid, target)
        if (result.ok) out.set(String(target), result.value)
      }
    }
    return out
  }

  /** Whether the target of a Write-Attributes exists: 4.04 otherwise. */
  async #exists(path: Lwm2mPath): Promise<Result<void>> {
    const object = this.#object(path)
    if (path.isObject()) return ok(undefined)
    if (!object.instances().includes(path.instanceId!))
      return fail('NOT_FOUND', `no instance ${path.parent()}`)
    if (path.isInstance()) return ok(undefined)
    if (!(object.resources(path.instanceId!) ?? []).includes(path.resourceId!)) {
      return fail('NOT_FOUND', `${path.isResource() ? path : path.parent()} is absent`)
    }
    if (path.isResource()) return ok(undefined)
    const read = await guard(() => object.read(path, INTERNAL))
    return read.ok ? ok(undefined) : read
  }

  async #dispatch(
    ssid: number,
    op: Lwm2mOperation,
    req: IncomingRequest,
    rctx: RequestContext,
    after: After[],
  ): Promise<ResponseInit> {
    const reply = { preferredFormats: this.ctx.preferredFormats }
    const ops = this.ctx.operations
    const server = this.#serverContext(ssid, rctx.signal)
    switch (op.kind) {
      case 'read':
      case 'cancelObservation': {
        const node = need(await this.read(ssid, op.path, rctx.signal))
        return buildResponse(op, { node }, ops, reply)
      }
      case 'observe': {
        const node = need(await this.read(ssid, op.path, rctx.signal))
        const response = buildResponse(op, { node }, ops, reply)
        const relation = rctx.observe()
        if (relation !== undefined) {
          const obs = this.observers.create({
            shortServerId: ssid,
            kind: 'single',
            paths: [op.path],
            format: response.contentFormat!,
            attributes: op.attributes,
            relation,
            nodes: new Map([[String(op.path), node]]),
          })
          after.push(() => this.observers.activate(obs))
        }
        return response
      }
      case 'discover': {
        const entries = need(await discover(this.ctx, ssid, op.path, op.depth))
        return buildResponse(op, { links: formatDiscoverLinks(entries) }, ops)
      }
      case 'write': {
        const object = this.#object(op.path)
        await this.#requireRight(ssid, AccessRight.Write, op.path)
        this.#requireModelOperation(op.path, 'W')
        need(await guard(() => object.write(op.path, op.node, op.mode, server)))
        return buildResponse(op, {}, ops)
      }
      case 'writeAttributes': {
        need(await this.#exists(op.path))
        await this.#requireRight(ssid, AccessRight.Read, op.path)
        this.ctx.attributes.apply(ssid, op.path, op.attributes)
        this.observers.attributesChanged(ssid, op.path)
        return buildResponse(op, {}, ops)
      }
      case 'execute': {
        const object = this.#object(op.path)
        await this.#requireRight(ssid, AccessRight.Execute, op.path)
        this.#requireModelOperation(op.path, 'E')
        const args = decoder.decode(req.payload)
        const done = await guard(() => object.execute(op.path, args, server))
        if (!done.ok) return failure(done)
        if (done.afterResponse !== undefined) after.push(done.afterResponse)
        if (op.path.objectId === 1) this.#serverAction(op.path, after)
        return buildResponse(op, {}, ops)
      }
      case 'create':
        return this.#create(ssid, op.path, op.instances, server)
      case 'delete': {
        const object = this.#object(op.path)
        if (op.path.isInstance() && !object.model.multiple) {
          refuse('METHOD_NOT_ALLOWED', `object ${object.model.id} is single-instance: its instance stays`)
        }
        await this.#requireRight(ssid, AccessRight.Delete, op.path)
        need(await guard(() => object.delete(op.path, server)))
        if (op.path.isInstance()) {
          this.ctx.attributes.removeTree(op.path)
          await this.access.deleted(op.path.objectId!, op.path.instanceId!)
        }
        return buildResponse(op, {}, ops)
      }
      case 'readComposite':
      case 'cancelObservationComposite': {
        this.#requireComposite(op.kind)
        const nodes = await this.readComposite(ssid, op.paths)
        return buildResponse(op, { nodes }, ops, reply)
      }
      case 'observeComposite': {
        this.#requireComposite(op.kind)
        const nodes = await this.readComposite(ssid, op.paths)
        const response = buildResponse(op, { nodes }, ops, reply)
        const relation = rctx.observe()
        if (relation !== undefined) {
          const obs = this.observers.create({
            shortServerId: ssid,
            kind: 'composite',
            paths: op.paths,
            format: response.contentFormat!,
            requestFormat: op.contentFormat,
            attributes: op.attributes,
            relation,
            nodes,
          })
          after.push(() => this.observers.activate(obs))
        }
        return response
      }
      case 'writeComposite':
        this.#requireComposite(op.kind)
        await this.#writeComposite(ssid, op.nodes, server)
        return buildResponse(op, {}, ops)
      default:
        refuse('METHOD_NOT_ALLOWED', `${op.kind} is not an operation an LwM2M Server sends a client`)
    }
  }

  #requireComposite(kind: string): void {
    if (!versionAtLeast(this.ctx.version, '1.1')) {
      refuse('METHOD_NOT_ALLOWED', `${kind} needs LwM2M 1.1; this client speaks ${this.ctx.version}`)
    }
  }

  /** The client's part of the Server object's actions (Core TS 1.1 section E.2), after the answer. */
  #serverAction(path: Lwm2mPath, after: After[]): void {
    const iid = path.instanceId!
    switch (path.resourceId) {
      case 4:
        after.push(() => this.actions.disable(iid))
        break
      case 8:
        after.push(() => this.actions.registrationUpdateTrigger(iid))
        break
      case 9:
        after.push(() => this.actions.bootstrapRequestTrigger(iid))
        break
    }
  }

  /**
   * Create (Core TS 1.1 section 6.3.6): 4.05 on a single-instance object that has its instance
   * (ETS LwM2M-1.1-int-680); the one instance (id 0) of a single-instance object that has none
   * may be created where the implementation allows it (ETS LwM2M-CONMGMT-1.1-int-1350 creates
   * Bearer Selection /13/0). Then the Create right on /o/65535, then each instance through the
   * implementation; the client picks the id when the server gave none. With access control in
   * force, the new instance gets an Access Control instance owned by its creator.
   */
  async #create(
    ssid: number,
    path: Lwm2mPath,
    instances: readonly ObjectInstance[],
    server: OperationContext,
  ): Promise<ResponseInit> {
    const object = this.#object(path)
    if (!object.model.multiple) {
      if (object.instances().length > 0 || instances.length > 1) {
        refuse('METHOD_NOT_ALLOWED', `object ${object.model.id} is single-instance and has its instance`)
      }
      if (instances[0] !== undefined && instances[0].id !== 0 && instances[0].id !== 65535) {
        refuse(
          'BAD_REQUEST',
          `the instance of single-instance object ${object.model.id} is /${object.model.id}/0`,
        )
      }
    }
    if (!(await this.access.allows(ssid, AccessRight.Create, path.objectId!, 65535))) {
      refuse('UNAUTHORIZED', `the server may not create instances of object ${path.objectId}`)
    }
    const made: number[] = []
    for (const instance of instances) {
      const result = await guard(() =>
        object.create(
          { ...(instance.id === 65535 ? {} : { instanceId: instance.id }), resources: instance.resources },
          server,
        ),
      )
      if (!result.ok) {
        for (const iid of made) await guard(() => object.delete(Lwm2mPath.of(path.objectId!, iid), INTERNAL))
        throw new Refusal(result)
      }
      made.push(result.value)
    }
    for (const iid of made) await this.access.created(ssid, path.objectId!, iid)
    const op = { kind: 'create' as const, path, instances, contentFormat: 0 }
    return made.length === 1
      ? buildResponse(op, { instance: Lwm2mPath.of(path.objectId!, made[0]!) }, this.ctx.operations)
      : buildResponse(op, {}, this.ctx.operations)
  }

  /**
   * Write-Composite (Core TS 1.1 section 6.3.9): every target checked first (existence of
   * the object, Write right, writable by the model), then written in order as a partial
   * update (a multiple-instance resource keeps the instances the request does not name);
   * when one write fails, those before it are restored, so that the request changes all
   * or nothing. A null node (SenML-ETCH) deletes a resource instance.
   */
  async #writeComposite(
    ssid: number,
    nodes: ReadonlyMap<string, Lwm2mNode | null>,
    server: OperationContext,
  ): Promise<void> {
    const targets: { path: Lwm2mPath; node: Lwm2mNode | null; object: ObjectImplementation }[] = []
    for (const [key, node] of nodes) {
      const path = Lwm2mPath.parse(key)
      if (path.ids.length < 2) refuse('METHOD_NOT_ALLOWED', `Write-Composite cannot write ${path}`)
      const object = this.#object(path)
      await this.#requireRight(ssid, node === null ? AccessRight.Delete : AccessRight.Write, path)
      if (node !== null) this.#requireModelOperation(path, 'W')
      targets.push({ path, node, object })
    }
    const undo: { path: Lwm2mPath; before: Lwm2mNode | undefined; object: ObjectImplementation }[] = []
    for (const t of targets) {
      const before = await guard(() => t.object.read(t.path, INTERNAL))
      const result = await guard(() =>
        t.node === null
          ? t.object.delete(t.path, server)
          : t.object.write(t.path, t.node, 'partialUpdate', server),
      )
      if (!result.ok) {
        for (const u of undo.reverse()) {
          if (u.before !== undefined)
            await guard(() => u.object.write(u.path, u.before!, 'replace', INTERNAL))
        }
        throw new Refusal(result)
      }
      undo.push({ path: t.path, before: before.ok ? before.value : undefined, object: t.object })
    }
  }
}
