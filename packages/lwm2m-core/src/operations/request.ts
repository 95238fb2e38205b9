import { type CoapOption, ContentFormat, type Method, OptionNumber, type RequestOptions } from '@lwm2m/coap'
import { formatAttributeQuery } from '../attributes/query.js'
import { Lwm2mError } from '../errors.js'
import type { Lwm2mNode, ObjectInstance } from '../node/types.js'
import { type Lwm2mPath, MAX_ID } from '../path/path.js'
import {
  buildBootstrapPackRequestQuery,
  buildBootstrapRequestQuery,
  buildRegisterQuery,
  buildUpdateQuery,
} from '../registration/params.js'
import { SEND_FORMATS } from './content-format.js'
import { type CodecLookup, codecFor, type OperationContext, rootSegments } from './context.js'
import { formatExecuteArguments } from './execute-arguments.js'
import type { Lwm2mOperation } from './types.js'

const OBSERVE_DEREGISTER: readonly CoapOption[] = [{ number: OptionNumber.Observe, value: Uint8Array.of(1) }]

function invalidPath(kind: string, path: Lwm2mPath, allowed: string): never {
  throw new Lwm2mError('LWM2M_INVALID_PATH', `${kind} cannot target ${path}: it takes ${allowed}`)
}

const text = new TextEncoder()

/**
 * Builds the CoAP request of an LwM2M operation (Transport TS section 6.4, tables 6.4.2-1
 * Bootstrap, 6.4.3-1 Registration, 6.4.4-1 Device Management, 6.4.5-1 Information Reporting),
 * encoding any payload with the codec of its content format. Device Management and
 * Information Reporting paths get the client's alternate path (`rootPath`) in front.
 *
 * Observe and Observe-Composite are built without the Observe option: hand them to
 * `CoapEndpoint.observe`, which registers the observation (RFC 7641 section 3.1). The cancel
 * operations carry Observe=1 (RFC 7641 section 3.6).
 *
 * Throws LWM2M_INVALID_PATH for a path the operation cannot target, LWM2M_UNSUPPORTED_FORMAT
 * when no codec can carry the payload, and what the codecs and query builders throw.
 */
export function buildRequest(op: Lwm2mOperation, ctx: OperationContext): RequestOptions {
  const rootPath = ctx.rootPath
  switch (op.kind) {
    case 'bootstrapRequest':
      return { method: 'POST', path: ['bs'], query: buildBootstrapRequestQuery(op.params) }
    case 'bootstrapPackRequest':
      return {
        method: 'GET',
        path: ['bspack'],
        query: buildBootstrapPackRequestQuery(op.params),
        accept: op.accept ?? ContentFormat.SENML_CBOR,
      }
    case 'bootstrapFinish':
      return { method: 'POST', path: ['bs'] }
    case 'bootstrapDiscover':
      if (op.path.ids.length > 1) invalidPath(op.kind, op.path, '/ or /o')
      return { method: 'GET', path: op.path.toSegments(), accept: ContentFormat.LINK_FORMAT }
    case 'bootstrapRead':
      if (op.path.objectId !== 1 && op.path.objectId !== 2)
        invalidPath(op.kind, op.path, '/1, /1/i, /2 or /2/i')
      if (op.path.ids.length > 2) invalidPath(op.kind, op.path, '/1, /1/i, /2 or /2/i')
      return getRequest(op.path.toSegments(), op.accept)
    case 'bootstrapWrite':
      if (op.path.isRoot() || op.path.isResourceInstance())
        invalidPath(op.kind, op.path, '/o, /o/i or /o/i/r')
      return {
        method: 'PUT',
        path: op.path.toSegments(),
        contentFormat: op.contentFormat,
        payload: encodeNode(ctx, op.contentFormat, op.node, op.path),
      }
    case 'bootstrapDelete':
      if (op.path.ids.length > 2) invalidPath(op.kind, op.path, '/, /o or /o/i')
      return { method: 'DELETE', path: op.path.toSegments() }
    case 'register':
      return linkRequest({ method: 'POST', path: ['rd'], query: buildRegisterQuery(op.params) }, op.links)
    case 'update':
      return linkRequest(
        { method: 'POST', path: checkLocation(op.location), query: buildUpdateQuery(op.params) },
        op.links,
      )
    case 'deregister':
      return { method: 'DELETE', path: checkLocation(op.location) }
    case 'read':
      if (op.path.isRoot()) invalidPath(op.kind, op.path, '/o, /o/i, /o/i/r or /o/i/r/ri')
      return getRequest(dmPath(rootPath, op.path), op.accept)
    case 'discover': {
      if (op.path.isRoot() || op.path.isResourceInstance())
        invalidPath(op.kind, op.path, '/o, /o/i or /o/i/r')
      const req: RequestOptions = {
        method: 'GET',
        path: dmPath(rootPath, op.path),
        accept: ContentFormat.LINK_FORMAT,
      }
      if (op.depth === undefined) return req
      if (!Number.isInteger(op.depth) || op.depth < 0 || op.depth > 3) {
        throw new Lwm2mError('LWM2M_INVALID_VALUE', `Discover depth must be 0 to 3, not ${op.depth}`)
      }
      return { ...req, query: [`depth=${op.depth}`] }
    }
    case 'write': {
      const method: Method = op.mode === 'replace' ? 'PUT' : 'POST'
      if (op.mode === 'replace' && (op.path.isRoot() || op.path.isObject())) {
        invalidPath('Write (replace)', op.path, '/o/i, /o/i/r or /o/i/r/ri')
      }
      if (op.mode === 'partialUpdate' && !(op.path.isInstance() || op.path.isResource())) {
        invalidPath('Write (partial update)', op.path, '/o/i or /o/i/r')
      }
      return {
        method,
        path: dmPath(rootPath, op.path),
        contentFormat: op.contentFormat,
        payload: encodeNode(ctx, op.contentFormat, op.node, op.path),
      }
    }
    case 'writeAttributes':
      if (op.path.isRoot()) invalidPath(op.kind, op.path, '/o, /o/i, /o/i/r or /o/i/r/ri')
      return { method: 'PUT', path: dmPath(rootPath, op.path), query: formatAttributeQuery(op.attributes) }
    case 'execute': {
      if (!op.path.isResource()) invalidPath(op.kind, op.path, '/o/i/r')
      const args = op.arguments?.length ? formatExecuteArguments(op.arguments) : undefined
      const req: RequestOptions = { method: 'POST', path: dmPath(rootPath, op.path) }
      return args === undefined
        ? req
        : { ...req, contentFormat: ContentFormat.TEXT, payload: text.encode(args) }
    }
    case 'create': {
      if (!op.path.isObject()) invalidPath(op.kind, op.path, '/o')
      if (op.instances.length === 0) throw new Lwm2mError('LWM2M_INVALID_VALUE', 'Create needs an instance')
      const objectId = op.path.objectId!
      const withoutId = op.instances.some((i) => i.id === MAX_ID)
      let node: Lwm2mNode
      if (withoutId) {
        // The client picks the id: only one instance, and only in TLV, where its resource TLVs
        // go without the Object Instance TLV (Core TS 1.2 section 6.3.6). SenML, LwM2M CBOR
        // and OMA JSON name every value by its full path, instance id included, and have no
        // agreed id-less form (OMA LwM2M issues #422 and #541).
        if (op.instances.length > 1) {
          throw new Lwm2mError(
            'LWM2M_INVALID_VALUE',
            'a Create that leaves the instance id to the client creates one instance only',
          )
        }
        node = op.instances[0]!
        if (!codecFor(ctx.codecs, op.contentFormat).canEncode(node, op.path)) {
          throw unsupported(
            op.contentFormat,
            `a Create without instance id (only TLV, ${ContentFormat.LWM2M_TLV}, can)`,
          )
        }
      } else {
        const instances = new Map<number, ObjectInstance>()
        for (const i of op.instances) {
          if (instances.has(i.id))
            throw new Lwm2mError('LWM2M_INVALID_VALUE', `Create names instance ${i.id} twice`)
          instances.set(i.id, i)
        }
        node = { kind: 'object', id: objectId, instances }
      }
      return {
        method: 'POST',
        path: dmPath(rootPath, op.path),
        contentFormat: op.contentFormat,
        payload: encodeNode(ctx, op.contentFormat, node, op.path),
      }
    }
    case 'delete':
      if (!(op.path.isInstance() || op.path.isResourceInstance()))
        invalidPath(op.kind, op.path, '/o/i or /o/i/r/ri')
      return { method: 'DELETE', path: dmPath(rootPath, op.path) }
    case 'readComposite':
    case 'observeComposite':
    case 'cancelObservationComposite': {
      const codec = codecFor(ctx.codecs, op.contentFormat)
      if (!codec.encodePaths) throw unsupported(op.contentFormat, 'a list of paths')
      let req: RequestOptions = {
        method: 'FETCH',
        path: rootSegments(rootPath),
        contentFormat: op.contentFormat,
        payload: codec.encodePaths(op.paths),
      }
      req = withAccept(req, op.accept)
      if (op.kind === 'observeComposite' && op.attributes)
        req = { ...req, query: formatAttributeQuery(op.attributes) }
      if (op.kind === 'cancelObservationComposite') req = { ...req, options: OBSERVE_DEREGISTER }
      return req
    }
    case 'writeComposite': {
      const codec = codecFor(ctx.codecs, op.contentFormat)
      if (!codec.encodeNodes) throw unsupported(op.contentFormat, 'several nodes')
      return {
        method: 'iPATCH',
        path: rootSegments(rootPath),
        contentFormat: op.contentFormat,
        payload: codec.encodeNodes(op.nodes, ctx.models),
      }
    }
    case 'observe': {
      if (op.path.isRoot()) invalidPath(op.kind, op.path, '/o, /o/i, /o/i/r or /o/i/r/ri')
      const path = dmPath(rootPath, op.path)
      if (!op.attributes) return getRequest(path, op.accept)
      const query = formatAttributeQuery(op.attributes)
      return op.accept === undefined
        ? { method: 'GET', path, query }
        : { method: 'GET', path, query, accept: op.accept }
    }
    case 'cancelObservation':
      return {
        ...getRequest(dmPath(rootPath, op.path), op.accept),
        options: OBSERVE_DEREGISTER,
      }
    case 'send': {
      if (!SEND_FORMATS.includes(op.contentFormat))
        throw unsupported(op.contentFormat, 'Send data (SenML CBOR, SenML JSON or LwM2M CBOR do)')
      if (op.data.length === 0) throw new Lwm2mError('LWM2M_INVALID_VALUE', 'Send needs data')
      const codec = codecFor(ctx.codecs, op.contentFormat)
      // Timestamps, or several groups, need a format that carries time: never drop them.
      const timed = op.data.length > 1 || op.data[0]!.timestamp !== undefined
      let payload: Uint8Array
      if (timed) {
        if (!codec.encodeTimestamped) throw unsupported(op.contentFormat, 'timestamped Send data')
        payload = codec.encodeTimestamped(op.data, ctx.models)
      } else if (codec.encodeNodes) {
        payload = codec.encodeNodes(op.data[0]!.nodes, ctx.models)
      } else if (codec.encodeTimestamped) {
        payload = codec.encodeTimestamped(op.data, ctx.models)
      } else {
        throw unsupported(op.contentFormat, 'Send data')
      }
      return { method: 'POST', path: ['dp'], contentFormat: op.contentFormat, payload }
    }
  }
}

function unsupported(format: number, what: string): Lwm2mError {
  return new Lwm2mError('LWM2M_UNSUPPORTED_FORMAT', `content format ${format} cannot carry ${what}`)
}

/** A GET of `path`, with Accept when given (one literal per shape: no spread on the request path). */
function getRequest(path: readonly string[], accept: number | undefined): RequestOptions {
  return accept === undefined ? { method: 'GET', path } : { method: 'GET', path, accept }
}

/** Uri-Path of a Device Management or Information Reporting path: the client's root path first. */
function dmPath(rootPath: string | undefined, path: Lwm2mPath): string[] {
  const segments = path.toSegments()
  if (rootPath === undefined || rootPath === '/') return segments
  const root = rootSegments(rootPath)
  return root.length === 0 ? segments : [...root, ...segments]
}

function withAccept(req: RequestOptions, accept: number | undefined): RequestOptions {
  return accept === undefined ? req : { ...req, accept }
}

function linkRequest(req: RequestOptions, links: string | undefined): RequestOptions {
  return links === undefined
    ? req
    : { ...req, contentFormat: ContentFormat.LINK_FORMAT, payload: text.encode(links) }
}

function checkLocation(location: readonly string[]): readonly string[] {
  if (location.length === 0)
    throw new Lwm2mError('LWM2M_INVALID_REGISTRATION', 'the registration location is empty')
  return location
}

/** Encodes `node` at `path` with the codec of `format`, checking that the format can carry it. */
export function encodeNode(
  ctx: { codecs: CodecLookup; models: OperationContext['models'] },
  format: number,
  node: Lwm2mNode,
  path: Lwm2mPath,
): Uint8Array {
  const codec = codecFor(ctx.codecs, format)
  if (!codec.canEncode(node, path)) throw unsupported(format, `this ${node.kind} at ${path}`)
  return codec.encode(node, path, ctx.models)
}
