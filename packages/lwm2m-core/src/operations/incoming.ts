import { Code, ContentFormat, type IncomingRequest } from '@lwm2m/coap'
import { parseAttributeQuery } from '../attributes/query.js'
import type { NotificationAttributes } from '../attributes/types.js'
import { validateAttributes } from '../attributes/validate.js'
import { Lwm2mError } from '../errors.js'
import type { ResourceModel } from '../model/types.js'
import type { Lwm2mNode, ObjectInstance } from '../node/types.js'
import { Lwm2mPath, MAX_ID } from '../path/path.js'
import {
  parseBootstrapPackRequestQuery,
  parseBootstrapRequestQuery,
  parseRegisterQuery,
  parseUpdateQuery,
  type RegistrationParseOptions,
} from '../registration/params.js'
import { LWM2M_VERSIONS, type Lwm2mVersion, negotiateVersion } from '../version/version.js'
import { SEND_FORMATS } from './content-format.js'
import { codecFor, type OperationContext, rootSegments } from './context.js'
import { parseExecuteArguments } from './execute-arguments.js'
import { isResponseError, Lwm2mResponseError } from './response-error.js'
import type { Lwm2mOperation } from './types.js'

/**
 * Who receives the request:
 * - 'client': an LwM2M Client, from an LwM2M Server (Device Management and Information Reporting);
 * - 'clientBootstrap': an LwM2M Client, from its Bootstrap-Server (Bootstrap interface);
 * - 'server': an LwM2M Server, from clients (Register, Update, De-register, Send);
 * - 'bootstrapServer': a Bootstrap-Server, from clients (Bootstrap-Request, Bootstrap-Pack-Request).
 */
export type ReceiverSide = 'client' | 'clientBootstrap' | 'server' | 'bootstrapServer'

/** What {@link classifyRequest} needs beyond the codecs and models. */
export interface ClassifyContext extends OperationContext {
  readonly side: ReceiverSide
  /** The client's LwM2M version (side 'client'): attributes newer than it are refused. */
  readonly version?: Lwm2mVersion
  /** Versions a server accepts on Register (default 1.0, 1.1, 1.2). */
  readonly supportedVersions?: readonly Lwm2mVersion[]
  /** The version a registration was made with, for reading the binding of its Update (side 'server'). */
  readonly registrationVersion?: (location: readonly string[]) => Lwm2mVersion | undefined
  /** Unknown Register/Update/Bootstrap-Request parameters: 'reject' (4.00, the default) or 'keep'. */
  readonly unknownParameters?: RegistrationParseOptions['unknown']
  /**
   * Objects no LwM2M Server may reach through Device Management or Information Reporting:
   * Security (0), OSCORE (21) and COSE (23) by default (Core TS 1.2 section 6.3: 4.01 Unauthorized).
   */
  readonly bootstrapOnlyObjects?: readonly number[]
}

const BAD_REQUEST = Code.BadRequest
const decoder = new TextDecoder('utf-8', { fatal: true })

function refuse(code: number, message: string, cause?: unknown): never {
  throw new Lwm2mResponseError(code, message, cause === undefined ? {} : { cause })
}

/** Runs `fn`, turning the typed errors of the parsers into the answer the spec names. */
function answering<T>(code: (err: Lwm2mError) => number, fn: () => T): T {
  try {
    return fn()
  } catch (err) {
    if (isResponseError(err)) throw err
    if (Lwm2mError.isInstance(err)) refuse(code(err), err.message, err)
    throw err
  }
}

/**
 * Classifies an incoming CoAP request into a typed LwM2M operation, with its path checked, its
 * query parsed and its payload decoded (Transport TS tables 6.4.2-1 to 6.4.5-1). A request
 * that must be refused throws Lwm2mResponseError carrying the answer (send it with
 * `errorResponse`):
 * - 4.00 Bad Request: malformed query, attributes or payload, missing Content-Format, Observe
 *   with Accept link-format;
 * - 4.01 Unauthorized: Device Management or Information Reporting on /0, /21 or /23;
 * - 4.04 Not Found: a URI that is no LwM2M path or interface;
 * - 4.05 Method Not Allowed: an operation on a level it does not apply to (Execute on an instance,
 *   Delete of an object, Write on the root, ...);
 * - 4.06 Not Acceptable: an Accept no codec here can produce;
 * - 4.12 Precondition Failed: a Register whose LwM2M version the server does not support;
 * - 4.15 Unsupported Content-Format: a payload format no codec here decodes.
 * Access control, existence of the target and whether the node allows the operation are the
 * receiving role's checks.
 */
export function classifyRequest(req: IncomingRequest, ctx: ClassifyContext): Lwm2mOperation {
  switch (ctx.side) {
    case 'client':
      return classifyDeviceManagement(req, ctx)
    case 'clientBootstrap':
      return classifyBootstrap(req, ctx)
    case 'server':
      return classifyRegistration(req, ctx)
    case 'bootstrapServer':
      return classifyBootstrapServer(req, ctx)
  }
}

function pathOf(segments: readonly string[]): Lwm2mPath {
  return answering(
    () => Code.NotFound,
    () => Lwm2mPath.fromSegments(segments),
  )
}

function methodNotAllowed(what: string, path: Lwm2mPath): never {
  refuse(Code.MethodNotAllowed, `${what} is not allowed on ${path}`)
}

function needFormat(req: IncomingRequest, what: string): number {
  if (req.contentFormat === undefined) refuse(BAD_REQUEST, `${what} needs a Content-Format`)
  return req.contentFormat
}

function checkAccept(req: IncomingRequest, ctx: ClassifyContext): number | undefined {
  const accept = req.accept
  if (accept === undefined || accept === ContentFormat.LINK_FORMAT) return accept
  if (!ctx.codecs.get(accept)) refuse(Code.NotAcceptable, `content format ${accept} is not supported here`)
  return accept
}

function decodeAt(req: IncomingRequest, ctx: ClassifyContext, path: Lwm2mPath, what: string): Lwm2mNode {
  const format = needFormat(req, what)
  const codec = answering(
    () => Code.UnsupportedContentFormat,
    () => codecFor(ctx.codecs, format),
  )
  return answering(
    () => BAD_REQUEST,
    () => codec.decode(req.payload, path, ctx.models),
  )
}

function resourceModel(ctx: ClassifyContext, path: Lwm2mPath): ResourceModel | undefined {
  if (path.resourceId === undefined) return undefined
  return ctx.models.getObjectModel(path.objectId!)?.resources.get(path.resourceId)
}

function stripRoot(req: IncomingRequest, ctx: ClassifyContext): readonly string[] {
  const root = rootSegments(ctx.rootPath)
  if (root.length === 0) return req.path
  if (root.length > req.path.length || !root.every((s, i) => req.path[i] === s)) {
    refuse(Code.NotFound, `/${req.path.join('/')} is not under the LwM2M root ${ctx.rootPath}`)
  }
  return req.path.slice(root.length)
}

function observationAttributes(
  req: IncomingRequest,
  ctx: ClassifyContext,
  path: Lwm2mPath | undefined,
  composite: boolean,
): NotificationAttributes | undefined {
  if (req.query.length === 0) return undefined
  return answering(
    () => BAD_REQUEST,
    () => {
      const changes = parseAttributeQuery(req.query, { allowUnset: false })
      const resource = path && resourceModel(ctx, path)
      validateAttributes(changes, {
        context: composite ? 'observeComposite' : 'observe',
        ...(path ? { path } : {}),
        ...(resource ? { resource } : {}),
        ...(ctx.version ? { version: ctx.version } : {}),
      })
      return changes as NotificationAttributes
    },
  )
}

function classifyDeviceManagement(req: IncomingRequest, ctx: ClassifyContext): Lwm2mOperation {
  const segments = stripRoot(req, ctx)
  const path = pathOf(segments)
  const blocked = ctx.bootstrapOnlyObjects ?? [0, 21, 23]
  if (path.objectId !== undefined && blocked.includes(path.objectId)) {
    refuse(Code.Unauthorized, `object ${path.objectId} is reserved to the Bootstrap interface`)
  }
  switch (req.method) {
    case 'GET': {
      if (path.isRoot()) methodNotAllowed('GET', path)
      if (req.observe === 0 || req.observe === 1) {
        if (req.accept === ContentFormat.LINK_FORMAT) refuse(BAD_REQUEST, 'Observe with Accept link-format')
        const accept = checkAccept(req, ctx)
        if (req.observe === 1)
          return { kind: 'cancelObservation', path, ...(accept === undefined ? {} : { accept }) }
        const attributes = observationAttributes(req, ctx, path, false)
        return {
          kind: 'observe',
          path,
          ...(accept === undefined ? {} : { accept }),
          ...(attributes ? { attributes } : {}),
        }
      }
      if (req.accept === ContentFormat.LINK_FORMAT) {
        if (path.isResourceInstance()) methodNotAllowed('Discover', path)
        return { kind: 'discover', path, ...discoverDepth(req.query) }
      }
      if (req.query.length > 0) refuse(BAD_REQUEST, `Read takes no query (${req.query[0]})`)
      const accept = checkAccept(req, ctx)
      return { kind: 'read', path, ...(accept === undefined ? {} : { accept }) }
    }
    case 'PUT': {
      if (path.isRoot() || path.isObject()) methodNotAllowed('PUT', path)
      if (req.contentFormat === undefined && req.payload.length === 0) {
        if (req.query.length === 0) refuse(BAD_REQUEST, 'PUT without payload or attributes')
        const attributes = answering(
          () => BAD_REQUEST,
          () => {
            const changes = parseAttributeQuery(req.query)
            const resource = resourceModel(ctx, path)
            validateAttributes(changes, {
              path,
              ...(resource ? { resource } : {}),
              ...(ctx.version ? { version: ctx.version } : {}),
            })
            return changes
          },
        )
        return { kind: 'writeAttributes', path, attributes }
      }
      const node = decodeAt(req, ctx, path, 'Write')
      return { kind: 'write', path, mode: 'replace', node, contentFormat: req.contentFormat! }
    }
    case 'POST': {
      if (path.isRoot() || path.isResourceInstance()) methodNotAllowed('POST', path)
      if (path.isObject()) return classifyCreate(req, ctx, path)
      if (path.isInstance()) {
        const node = decodeAt(req, ctx, path, 'Write')
        return { kind: 'write', path, mode: 'partialUpdate', node, contentFormat: req.contentFormat! }
      }
      // A resource: Execute, or the partial update of a multiple-instance resource.
      const model = resourceModel(ctx, path)
      if (model && !model.operations.includes('E') && !(model.multiple && model.operations.includes('W'))) {
        methodNotAllowed(
          `POST (${model.name} is neither executable nor a writable multiple-instance resource)`,
          path,
        )
      }
      const isWrite = model
        ? !model.operations.includes('E')
        : req.contentFormat !== undefined && req.contentFormat !== ContentFormat.TEXT
      if (isWrite) {
        const node = decodeAt(req, ctx, path, 'Write')
        return { kind: 'write', path, mode: 'partialUpdate', node, contentFormat: req.contentFormat! }
      }
      if (req.contentFormat !== undefined && req.contentFormat !== ContentFormat.TEXT) {
        refuse(
          Code.UnsupportedContentFormat,
          `Execute arguments are text/plain, not content format ${req.contentFormat}`,
        )
      }
      const args = answering(
        () => BAD_REQUEST,
        () => parseExecuteArguments(req.payload),
      )
      return { kind: 'execute', path, ...(args.length > 0 ? { arguments: args } : {}) }
    }
    case 'DELETE':
      if (!(path.isInstance() || path.isResourceInstance())) methodNotAllowed('Delete', path)
      return { kind: 'delete', path }
    case 'FETCH': {
      if (!path.isRoot()) methodNotAllowed('FETCH', path)
      const format = needFormat(req, 'a composite operation')
      const codec = answering(
        () => Code.UnsupportedContentFormat,
        () => codecFor(ctx.codecs, format),
      )
      if (!codec.decodePaths)
        refuse(Code.UnsupportedContentFormat, `content format ${format} carries no list of paths`)
      const decodePaths = codec.decodePaths.bind(codec)
      const paths = answering(
        () => BAD_REQUEST,
        () => decodePaths(req.payload),
      )
      for (const p of paths) {
        if (p.objectId !== undefined && blocked.includes(p.objectId)) {
          refuse(Code.Unauthorized, `object ${p.objectId} is reserved to the Bootstrap interface`)
        }
      }
      const accept = checkAccept(req, ctx)
      if (accept !== undefined && !ctx.codecs.get(accept)?.encodeNodes) {
        refuse(Code.NotAcceptable, `content format ${accept} cannot carry several nodes`)
      }
      const base = { paths, contentFormat: format, ...(accept === undefined ? {} : { accept }) }
      if (req.observe === 1) return { kind: 'cancelObservationComposite', ...base }
      if (req.observe === 0) {
        const attributes = observationAttributes(req, ctx, undefined, true)
        return { kind: 'observeComposite', ...base, ...(attributes ? { attributes } : {}) }
      }
      if (req.query.length > 0) refuse(BAD_REQUEST, `Read-Composite takes no query (${req.query[0]})`)
      return { kind: 'readComposite', ...base }
    }
    case 'iPATCH': {
      if (!path.isRoot()) methodNotAllowed('iPATCH', path)
      const format = needFormat(req, 'Write-Composite')
      const codec = answering(
        () => Code.UnsupportedContentFormat,
        () => codecFor(ctx.codecs, format),
      )
      if (!codec.decodeNodes)
        refuse(Code.UnsupportedContentFormat, `content format ${format} cannot carry several nodes`)
      const decodeNodes = codec.decodeNodes.bind(codec)
      const nodes = answering(
        () => BAD_REQUEST,
        () => decodeNodes(req.payload, ctx.models),
      )
      for (const key of nodes.keys()) {
        const p = pathOf(key.split('/').slice(1))
        if (p.objectId !== undefined && blocked.includes(p.objectId)) {
          refuse(Code.Unauthorized, `object ${p.objectId} is reserved to the Bootstrap interface`)
        }
      }
      return { kind: 'writeComposite', nodes: valuesByPath(nodes), contentFormat: format }
    }
    default:
      methodNotAllowed(req.method, path)
  }
}

/**
 * The nodes of a Write-Composite as the payload names them (Core TS 1.2 section 6.3.9): the
 * codecs group a resource's instances into its multiple resource, but "/3/0/7/0" and
 * "/3/0/7/1" in the payload are writes of those two instances, not a replacement of /3/0/7:
 * they become one resource instance node each. An empty multiple resource (an empty LwM2M
 * CBOR map) stays whole.
 */
function valuesByPath(nodes: Map<string, Lwm2mNode | null>): Map<string, Lwm2mNode | null> {
  let split = false
  for (const n of nodes.values()) if (n?.kind === 'multipleResource' && n.instances.size > 0) split = true
  if (!split) return nodes
  const out = new Map<string, Lwm2mNode | null>()
  for (const [key, node] of nodes) {
    if (node?.kind !== 'multipleResource' || node.instances.size === 0) {
      out.set(key, node)
      continue
    }
    for (const [ri, value] of node.instances)
      out.set(`${key}/${ri}`, { kind: 'resourceInstance', id: ri, type: node.type, value })
  }
  return out
}

function discoverDepth(query: readonly string[]): { depth?: number } {
  let depth: number | undefined
  for (const item of query) {
    const m = /^depth=([0-3])$/.exec(item)
    if (!m || depth !== undefined)
      refuse(BAD_REQUEST, `Discover takes only depth=0..3, not "${item.slice(0, 40)}"`)
    depth = Number(m[1])
  }
  return depth === undefined ? {} : { depth }
}

function classifyCreate(req: IncomingRequest, ctx: ClassifyContext, path: Lwm2mPath): Lwm2mOperation {
  const node = decodeAt(req, ctx, path, 'Create')
  const format = req.contentFormat!
  let instances: ObjectInstance[]
  if (node.kind === 'object') instances = [...node.instances.values()]
  else if (node.kind === 'instance') instances = [node]
  else refuse(BAD_REQUEST, `Create needs an object instance, the payload holds a ${node.kind}`)
  // An empty TLV payload: an instance without id and without values (Core TS 1.2 section
  // 6.3.6), given the id as the TLV codec gives it to resources without instance TLV.
  if (instances.length === 0 && req.payload.length === 0) {
    const id = ctx.models.getObjectModel(path.objectId!)?.multiple ? MAX_ID : 0
    instances = [{ kind: 'instance', id, resources: new Map() }]
  }
  if (instances.length === 0) refuse(BAD_REQUEST, 'Create without an instance')
  return { kind: 'create', path, instances, contentFormat: format }
}

function classifyBootstrap(req: IncomingRequest, ctx: ClassifyContext): Lwm2mOperation {
  if (req.path.length === 1 && req.path[0] === 'bs') {
    if (req.method !== 'POST') refuse(Code.MethodNotAllowed, `${req.method} /bs`)
    return { kind: 'bootstrapFinish' }
  }
  const path = pathOf(req.path)
  switch (req.method) {
    case 'GET':
      if (req.accept === ContentFormat.LINK_FORMAT) {
        if (path.ids.length > 1) refuse(BAD_REQUEST, `Bootstrap-Discover targets / or an object, not ${path}`)
        return { kind: 'bootstrapDiscover', path }
      }
      if ((path.objectId !== 1 && path.objectId !== 2) || path.ids.length > 2) {
        // "Object ID MUST be '1' (Server Object) or '2' (Access Control Object). An error is reported otherwise."
        refuse(BAD_REQUEST, `Bootstrap-Read targets /1, /1/i, /2 or /2/i, not ${path}`)
      }
      {
        const accept = checkAccept(req, ctx)
        return { kind: 'bootstrapRead', path, ...(accept === undefined ? {} : { accept }) }
      }
    case 'PUT': {
      if (path.isRoot() || path.isResourceInstance()) methodNotAllowed('Bootstrap-Write', path)
      const node = decodeAt(req, ctx, path, 'Bootstrap-Write')
      // Resource TLVs without Object Instance TLV in a multiple-instance object: the form of a
      // Create without id (instance 65535, reserved), which a Bootstrap-Write cannot mean.
      if (node.kind === 'object' && node.instances.has(MAX_ID))
        refuse(BAD_REQUEST, `Bootstrap-Write of ${path} names no instance (or the reserved ${MAX_ID})`)
      return { kind: 'bootstrapWrite', path, node, contentFormat: req.contentFormat! }
    }
    case 'DELETE':
      if (path.ids.length > 2) refuse(BAD_REQUEST, `Bootstrap-Delete targets /, /o or /o/i, not ${path}`)
      return { kind: 'bootstrapDelete', path }
    default:
      methodNotAllowed(req.method, path)
  }
}

function linksText(req: IncomingRequest, what: string): string | undefined {
  if (req.payload.length === 0) return undefined
  if (req.contentFormat !== undefined && req.contentFormat !== ContentFormat.LINK_FORMAT) {
    refuse(BAD_REQUEST, `${what} payload must be application/link-format, not ${req.contentFormat}`)
  }
  return answering(
    () => BAD_REQUEST,
    () => {
      try {
        return decoder.decode(req.payload)
      } catch (err) {
        throw new Lwm2mError('LWM2M_INVALID_REGISTRATION', `${what} payload is not UTF-8`, { cause: err })
      }
    },
  )
}

function classifyRegistration(req: IncomingRequest, ctx: ClassifyContext): Lwm2mOperation {
  const unknown = ctx.unknownParameters ?? 'reject'
  const [first, ...rest] = req.path
  if (first === 'rd') {
    if (rest.length === 0) {
      if (req.method !== 'POST') refuse(Code.MethodNotAllowed, `${req.method} /rd`)
      const params = answering(
        () => BAD_REQUEST,
        () => parseRegisterQuery(req.query, { unknown }),
      )
      const decision = negotiateVersion(params.version, ctx.supportedVersions ?? LWM2M_VERSIONS)
      if (!decision.accepted) refuse(decision.code, decision.reason)
      const links = linksText(req, 'Register')
      return {
        kind: 'register',
        params,
        version: decision.version,
        ...(links === undefined ? {} : { links }),
      }
    }
    const location = req.path
    if (req.method === 'POST') {
      const version = ctx.registrationVersion?.(location) ?? '1.2'
      const params = answering(
        () => BAD_REQUEST,
        () => parseUpdateQuery(req.query, version, { unknown }),
      )
      const links = linksText(req, 'Update')
      return { kind: 'update', location, params, ...(links === undefined ? {} : { links }) }
    }
    if (req.method === 'DELETE') return { kind: 'deregister', location }
    refuse(Code.MethodNotAllowed, `${req.method} /${req.path.join('/')}`)
  }
  if (first === 'dp' && rest.length === 0) {
    if (req.method !== 'POST') refuse(Code.MethodNotAllowed, `${req.method} /dp`)
    const format = needFormat(req, 'Send')
    if (!SEND_FORMATS.includes(format))
      refuse(
        Code.UnsupportedContentFormat,
        `Send data is SenML CBOR, SenML JSON or LwM2M CBOR, not ${format}`,
      )
    const codec = answering(
      () => Code.UnsupportedContentFormat,
      () => codecFor(ctx.codecs, format),
    )
    const decodeTimestamped = codec.decodeTimestamped?.bind(codec)
    const decodeNodes = codec.decodeNodes?.bind(codec)
    if (!decodeTimestamped && !decodeNodes)
      refuse(Code.UnsupportedContentFormat, `content format ${format} cannot carry Send data`)
    const data = answering(
      () => BAD_REQUEST,
      () => {
        if (decodeTimestamped) return decodeTimestamped(req.payload, ctx.models)
        const nodes = new Map<string, Lwm2mNode>()
        for (const [k, v] of decodeNodes!(req.payload, ctx.models)) if (v !== null) nodes.set(k, v)
        return [{ timestamp: undefined, nodes }]
      },
    )
    return { kind: 'send', data, contentFormat: format }
  }
  refuse(Code.NotFound, `/${req.path.join('/')} is no LwM2M Server resource`)
}

function classifyBootstrapServer(req: IncomingRequest, ctx: ClassifyContext): Lwm2mOperation {
  const unknown = ctx.unknownParameters ?? 'reject'
  if (req.path.length === 1 && req.path[0] === 'bs') {
    if (req.method !== 'POST') refuse(Code.MethodNotAllowed, `${req.method} /bs`)
    const params = answering(
      (e) => (e.code === 'LWM2M_UNSUPPORTED_FORMAT' ? Code.UnsupportedContentFormat : BAD_REQUEST),
      () => parseBootstrapRequestQuery(req.query, { unknown }),
    )
    return { kind: 'bootstrapRequest', params }
  }
  if (req.path.length === 1 && req.path[0] === 'bspack') {
    if (req.method !== 'GET') refuse(Code.MethodNotAllowed, `${req.method} /bspack`)
    const params = answering(
      () => BAD_REQUEST,
      () => parseBootstrapPackRequestQuery(req.query, { unknown }),
    )
    const accept = req.accept
    if (
      accept !== undefined &&
      (![ContentFormat.SENML_CBOR, ContentFormat.SENML_JSON, ContentFormat.LWM2M_CBOR].includes(
        accept as 112,
      ) ||
        !ctx.codecs.get(accept)?.encodeNodes)
    ) {
      refuse(Code.NotAcceptable, `a Bootstrap-Pack cannot be sent in content format ${accept}`)
    }
    return { kind: 'bootstrapPackRequest', params, ...(accept === undefined ? {} : { accept }) }
  }
  refuse(Code.NotFound, `/${req.path.join('/')} is no Bootstrap-Server resource`)
}
