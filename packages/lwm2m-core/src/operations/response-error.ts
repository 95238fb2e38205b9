import { formatCode } from '@lwm2m/coap'
import { Lwm2mError } from '../errors.js'

/** Names of the CoAP response codes LwM2M uses (Transport TS section 6.7), for matching in code. */
export type ResponseStatus =
  | 'CREATED'
  | 'DELETED'
  | 'VALID'
  | 'CHANGED'
  | 'CONTENT'
  | 'CONTINUE'
  | 'BAD_REQUEST'
  | 'UNAUTHORIZED'
  | 'BAD_OPTION'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'METHOD_NOT_ALLOWED'
  | 'NOT_ACCEPTABLE'
  | 'REQUEST_ENTITY_INCOMPLETE'
  | 'CONFLICT'
  | 'PRECONDITION_FAILED'
  | 'REQUEST_ENTITY_TOO_LARGE'
  | 'UNSUPPORTED_CONTENT_FORMAT'
  | 'UNPROCESSABLE_ENTITY'
  | 'TOO_MANY_REQUESTS'
  | 'INTERNAL_SERVER_ERROR'
  | 'NOT_IMPLEMENTED'
  | 'BAD_GATEWAY'
  | 'SERVICE_UNAVAILABLE'
  | 'GATEWAY_TIMEOUT'
  | 'PROXYING_NOT_SUPPORTED'
  | 'UNKNOWN'

const STATUS: ReadonlyMap<number, ResponseStatus> = new Map([
  [0x41, 'CREATED'],
  [0x42, 'DELETED'],
  [0x43, 'VALID'],
  [0x44, 'CHANGED'],
  [0x45, 'CONTENT'],
  [0x5f, 'CONTINUE'],
  [0x80, 'BAD_REQUEST'],
  [0x81, 'UNAUTHORIZED'],
  [0x82, 'BAD_OPTION'],
  [0x83, 'FORBIDDEN'],
  [0x84, 'NOT_FOUND'],
  [0x85, 'METHOD_NOT_ALLOWED'],
  [0x86, 'NOT_ACCEPTABLE'],
  [0x88, 'REQUEST_ENTITY_INCOMPLETE'],
  [0x89, 'CONFLICT'],
  [0x8c, 'PRECONDITION_FAILED'],
  [0x8d, 'REQUEST_ENTITY_TOO_LARGE'],
  [0x8f, 'UNSUPPORTED_CONTENT_FORMAT'],
  [0x96, 'UNPROCESSABLE_ENTITY'],
  [0x9d, 'TOO_MANY_REQUESTS'],
  [0xa0, 'INTERNAL_SERVER_ERROR'],
  [0xa1, 'NOT_IMPLEMENTED'],
  [0xa2, 'BAD_GATEWAY'],
  [0xa3, 'SERVICE_UNAVAILABLE'],
  [0xa4, 'GATEWAY_TIMEOUT'],
  [0xa5, 'PROXYING_NOT_SUPPORTED'],
])

/** The name of a response code: 0x84 gives 'NOT_FOUND'; codes without a name give 'UNKNOWN'. */
export function responseStatus(code: number): ResponseStatus {
  return STATUS.get(code) ?? 'UNKNOWN'
}

/**
 * An LwM2M operation answered (or to be answered) with an error code. The initiator gets
 * it from `parseResponse` when the peer answered 4.xx/5.xx (or an unexpected success code);
 * the receiver gets it from `classifyRequest` for a request it must refuse, and turns it
 * into its answer with `errorResponse`.
 */
export class Lwm2mResponseError extends Lwm2mError {
  static override readonly name: string = 'Lwm2mResponseError'
  /** The 8-bit CoAP code, 0x84 for 4.04. */
  readonly coapCode: number
  /** Its name, 'NOT_FOUND' for 4.04. */
  readonly status: ResponseStatus
  /** The operation concerned ('read', 'register', ...), when known. */
  readonly operation: string | undefined
  /** The diagnostic payload of the peer's answer (RFC 7252 section 5.5.2), if any. */
  readonly diagnostic: string | undefined

  constructor(
    coapCode: number,
    message: string,
    options: { operation?: string; diagnostic?: string; cause?: unknown } = {},
  ) {
    super('LWM2M_RESPONSE', `${formatCode(coapCode)} ${responseStatus(coapCode)}: ${message}`, {
      cause: options.cause,
    })
    this.coapCode = coapCode
    this.status = responseStatus(coapCode)
    this.operation = options.operation
    this.diagnostic = options.diagnostic
  }
}

/** True for an Lwm2mResponseError from any copy of this package. */
export function isResponseError(err: unknown): err is Lwm2mResponseError {
  return (
    Lwm2mError.isInstance(err) &&
    err.code === 'LWM2M_RESPONSE' &&
    typeof (err as { coapCode?: unknown }).coapCode === 'number'
  )
}
