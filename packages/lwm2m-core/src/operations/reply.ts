import { Code, ContentFormat, type ResponseInit } from '@lwm2m/coap'
import { Lwm2mError } from '../errors.js'
import type { Lwm2mNode } from '../node/types.js'
import type { Lwm2mPath } from '../path/path.js'
import { chooseResponseFormat, DEFAULT_CLIENT_PREFERENCE } from './content-format.js'
import { codecFor, type OperationContext } from './context.js'
import { isResponseError, Lwm2mResponseError } from './response-error.js'
import type { Lwm2mOperation } from './types.js'

/** What the receiver of an operation answers, by the operation's result. */
export type OperationReply =
  /** Read, Bootstrap-Read, Observe (the initial notification), Cancel Observation, and each later notification. */
  | { readonly node: Lwm2mNode }
  /** Discover, Bootstrap-Discover: the link-format text. */
  | { readonly links: string }
  /** Read-Composite, Observe-Composite, Bootstrap-Pack. */
  | { readonly nodes: ReadonlyMap<string, Lwm2mNode | null> }
  /** Register: where the registration lives ("rd", "5a3f"). */
  | { readonly location: readonly string[] }
  /** Create: the instance the client made. */
  | { readonly instance: Lwm2mPath }
  /** Everything else. */
  | Record<string, never>

/** Options of {@link buildResponse}. */
export interface ReplyOptions {
  /** The answering side's formats best first, used when the request has no Accept. */
  readonly preferredFormats?: readonly number[]
}

/** The success code of each operation (Transport TS section 6.7). */
function successCode(op: Lwm2mOperation): number {
  switch (op.kind) {
    case 'register':
    case 'create':
      return Code.Created
    case 'delete':
    case 'bootstrapDelete':
    case 'deregister':
      return Code.Deleted
    case 'read':
    case 'bootstrapRead':
    case 'observe':
    case 'cancelObservation':
    case 'discover':
    case 'bootstrapDiscover':
    case 'readComposite':
    case 'observeComposite':
    case 'cancelObservationComposite':
    case 'bootstrapPackRequest':
      return Code.Content
    default:
      return Code.Changed
  }
}

function notAcceptable(message: string): never {
  throw new Lwm2mResponseError(Code.NotAcceptable, message)
}

/**
 * Builds the success answer of an operation from its result: 2.01 with Location-Path for
 * Register and Create, 2.02 for the deletes, 2.05 with the payload encoded for the reads, 2.04
 * otherwise. A read is encoded in the request's Accept, or without one in the first of
 * `preferredFormats` that can carry the node; when none can, it throws Lwm2mResponseError 4.06
 * Not Acceptable (answer it with {@link errorResponse}).
 */
export function buildResponse(
  op: Lwm2mOperation,
  reply: OperationReply,
  ctx: OperationContext,
  options: ReplyOptions = {},
): ResponseInit {
  const code = successCode(op)
  if ('node' in reply) {
    const path = (op as { path?: Lwm2mPath }).path
    if (!path) throw new Lwm2mError('LWM2M_INVALID_VALUE', `${op.kind} does not answer with a node`)
    const accept = (op as { accept?: number }).accept
    const format =
      accept ??
      chooseResponseFormat(
        (f) => ctx.codecs.get(f)?.canEncode(reply.node, path) === true,
        options.preferredFormats ?? DEFAULT_CLIENT_PREFERENCE,
      )
    if (format === undefined) notAcceptable(`no content format here can carry this ${reply.node.kind}`)
    const codec = ctx.codecs.get(format)
    if (!codec?.canEncode(reply.node, path))
      notAcceptable(`content format ${format} cannot carry this ${reply.node.kind}`)
    return { code, contentFormat: format, payload: codec!.encode(reply.node, path, ctx.models) }
  }
  if ('links' in reply) return { code, contentFormat: ContentFormat.LINK_FORMAT, payload: reply.links }
  if ('nodes' in reply) {
    const accept = (op as { accept?: number }).accept
    const candidates =
      accept !== undefined ? [accept] : (options.preferredFormats ?? DEFAULT_CLIENT_PREFERENCE)
    const format = candidates.find((f) => ctx.codecs.get(f)?.encodeNodes !== undefined)
    if (format === undefined) notAcceptable('no content format here can carry several nodes')
    const codec = codecFor(ctx.codecs, format)
    return { code, contentFormat: format, payload: codec.encodeNodes!(reply.nodes, ctx.models) }
  }
  if ('location' in reply) return { code, locationPath: reply.location }
  if ('instance' in reply) return { code, locationPath: reply.instance.toSegments() }
  return { code }
}

/**
 * The answer to a refused request: an Lwm2mResponseError gives its code, the other typed
 * errors of this package their natural code (4.15 for an unsupported content format, 4.00
 * otherwise), anything else 5.00 Internal Server Error. The message travels as the
 * diagnostic payload (RFC 7252 section 5.5.2), at most 128 characters.
 */
export function errorResponse(err: unknown): ResponseInit {
  const code = errorCodeOf(err)
  const message = err instanceof Error ? err.message : String(err)
  const diagnostic = code === Code.InternalServerError ? 'internal error' : message
  return { code, payload: diagnostic.length > 128 ? diagnostic.slice(0, 128) : diagnostic }
}

/** The CoAP code that answers `err` (see {@link errorResponse}). */
export function errorCodeOf(err: unknown): number {
  if (isResponseError(err)) return err.coapCode
  if (Lwm2mError.isInstance(err)) {
    switch (err.code) {
      case 'LWM2M_UNSUPPORTED_FORMAT':
        return Code.UnsupportedContentFormat
      case 'LWM2M_INVALID_PATH':
        return Code.NotFound
      default:
        return Code.BadRequest
    }
  }
  return Code.InternalServerError
}
