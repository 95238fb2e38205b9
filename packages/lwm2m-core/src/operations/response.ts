import { type CoapResponse, ContentFormat, formatCode, isSuccessCode } from '@lwm2m/coap'
import { Lwm2mCodecError, Lwm2mError } from '../errors.js'
import type { Lwm2mNode } from '../node/types.js'
import { Lwm2mPath, MAX_ID } from '../path/path.js'
import { codecFor, type OperationContext, rootSegments } from './context.js'
import { Lwm2mResponseError } from './response-error.js'
import type { Lwm2mOperation, Lwm2mOperationKind, OperationOf, ResultOf } from './types.js'

/** The success code each operation answers with (Transport TS section 6.7). */
const EXPECTED: Partial<Record<Lwm2mOperationKind, number>> = {
  read: 0x45,
  bootstrapRead: 0x45,
  observe: 0x45,
  cancelObservation: 0x45,
  discover: 0x45,
  bootstrapDiscover: 0x45,
  readComposite: 0x45,
  observeComposite: 0x45,
  cancelObservationComposite: 0x45,
  bootstrapPackRequest: 0x45,
  register: 0x41,
  create: 0x41,
}

const decoder = new TextDecoder('utf-8', { fatal: false })

/**
 * Maps the CoAP response of an LwM2M operation to its typed result (see {@link ResultOf}),
 * decoding payloads with the codec of their Content-Format. A 4.xx or 5.xx answer throws
 * Lwm2mResponseError carrying the code ('NOT_FOUND', ...) and the diagnostic payload; so does
 * a success code the operation does not answer with (Read answered 2.04). A payload no codec
 * can decode throws Lwm2mCodecError or LWM2M_UNSUPPORTED_FORMAT.
 *
 * Notifications of an observation are responses too: map each with the Observe operation.
 */
export function parseResponse<K extends Lwm2mOperationKind>(
  op: OperationOf<K>,
  response: Pick<CoapResponse, 'code' | 'payload' | 'contentFormat' | 'locationPath'>,
  ctx: OperationContext,
): ResultOf<K> {
  return parseAny(op, response, ctx) as ResultOf<K>
}

function parseAny(
  op: Lwm2mOperation,
  response: Pick<CoapResponse, 'code' | 'payload' | 'contentFormat' | 'locationPath'>,
  ctx: OperationContext,
): unknown {
  const { code } = response
  if (!isSuccessCode(code)) {
    const diagnostic =
      response.payload.length > 0 ? decoder.decode(response.payload.subarray(0, 256)) : undefined
    throw new Lwm2mResponseError(code, `${op.kind} failed${diagnostic ? `: ${diagnostic}` : ''}`, {
      operation: op.kind,
      ...(diagnostic === undefined ? {} : { diagnostic }),
    })
  }
  const expected = EXPECTED[op.kind]
  if (expected !== undefined && code !== expected) {
    throw new Lwm2mResponseError(
      code,
      `${op.kind} expects ${formatCode(expected)}, the peer answered ${formatCode(code)}`,
      {
        operation: op.kind,
      },
    )
  }
  switch (op.kind) {
    case 'read':
    case 'bootstrapRead':
    case 'observe':
    case 'cancelObservation':
      return { code, node: decodeNodeAt(op.path, response, ctx), contentFormat: response.contentFormat }
    case 'discover':
    case 'bootstrapDiscover': {
      const cf = response.contentFormat
      if (cf !== undefined && cf !== ContentFormat.LINK_FORMAT) {
        throw new Lwm2mError(
          'LWM2M_UNSUPPORTED_FORMAT',
          `${op.kind} answered in content format ${cf}, not link-format`,
        )
      }
      return { code, links: decoder.decode(response.payload) }
    }
    case 'readComposite':
    case 'observeComposite':
    case 'cancelObservationComposite':
    case 'bootstrapPackRequest': {
      const format = requireFormat(op.kind, response)
      const codec = codecFor(ctx.codecs, format)
      if (!codec.decodeNodes)
        throw new Lwm2mError(
          'LWM2M_UNSUPPORTED_FORMAT',
          `content format ${format} cannot carry several nodes`,
        )
      // Each requested path gets the node under it (or null when the answer left it out, Core
      // TS 1.2 section 6.3.8: Read-Composite is best effort); a Bootstrap-Pack is grouped by resource.
      const paths = op.kind === 'bootstrapPackRequest' ? undefined : op.paths
      const nodes =
        response.payload.length === 0 ? new Map() : codec.decodeNodes(response.payload, ctx.models, paths)
      return { code, nodes, contentFormat: format }
    }
    case 'register':
      if (response.locationPath.length === 0) {
        throw new Lwm2mError('LWM2M_INVALID_REGISTRATION', 'the Register answer carries no Location-Path')
      }
      return { code, location: response.locationPath }
    case 'create':
      return { code, instance: createdInstance(op.path, response.locationPath, ctx.rootPath) }
    default:
      return { code }
  }
}

function requireFormat(kind: string, response: Pick<CoapResponse, 'contentFormat' | 'payload'>): number {
  if (response.contentFormat === undefined) {
    throw new Lwm2mError('LWM2M_UNSUPPORTED_FORMAT', `the ${kind} answer has a payload but no Content-Format`)
  }
  return response.contentFormat
}

/**
 * Decodes a node answer. An empty 2.05 on an object is an object without instances (Core TS
 * 1.2 section 6.3.1); an empty payload elsewhere is decoded by its codec (text/plain "" is a
 * valid empty string).
 */
function decodeNodeAt(
  path: Lwm2mPath,
  response: Pick<CoapResponse, 'payload' | 'contentFormat'>,
  ctx: OperationContext,
): Lwm2mNode {
  if (response.payload.length === 0 && path.isObject()) {
    return { kind: 'object', id: path.objectId!, instances: new Map() }
  }
  const format = requireFormat('read', response)
  const node = codecFor(ctx.codecs, format).decode(response.payload, path, ctx.models)
  // Instance 65535 is reserved (MAX_ID): a Read answer never holds it. TLV gives it to resource
  // TLVs without Object Instance TLV in a multiple-instance object, the form of a Create only.
  if (node.kind === 'object' && node.instances.has(MAX_ID)) {
    throw new Lwm2mCodecError(format, `instance ${MAX_ID} is reserved: no object answers with it`, {
      path: `${path.toString()}/${MAX_ID}`,
    })
  }
  return node
}

/** The instance a Create answer names in its Location-Path ("/3303/1", with or without the alternate path). */
function createdInstance(
  objectPath: Lwm2mPath,
  location: readonly string[],
  rootPath: string | undefined,
): Lwm2mPath | undefined {
  if (location.length === 0) return undefined
  const root = rootSegments(rootPath)
  let segments = location
  if (root.length > 0 && root.every((s, i) => location[i] === s)) segments = location.slice(root.length)
  try {
    const path = Lwm2mPath.fromSegments(segments)
    if (path.isInstance() && path.objectId === objectPath.objectId) return path
  } catch {
    // Not an LwM2M path: report no instance rather than fail a successful Create.
  }
  return undefined
}
