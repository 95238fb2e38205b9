import { Code } from '@lwm2m/coap'
import type { ResponseStatus } from '@lwm2m/core'
import { ObjectsError } from '../errors.js'

/**
 * Why an operation on an object failed, as the LwM2M response code it becomes (Core TS
 * 1.1 section 6.4; names as @lwm2m/core's ResponseStatus; {@link failureCoapCode} maps them):
 * - BAD_REQUEST 4.00: the payload is wrong (bad value or type, a mandatory resource missing on Create)
 * - UNAUTHORIZED 4.01: the requester may not access this (the Security object for a LwM2M Server)
 * - NOT_FOUND 4.04: no such object instance, resource or resource instance
 * - METHOD_NOT_ALLOWED 4.05: not allowed on this target (Write on a read-only resource, Update outside Downloaded)
 * - NOT_ACCEPTABLE 4.06: no content format can carry the answer
 * - REQUEST_ENTITY_TOO_LARGE 4.13: larger than the implementation accepts (a firmware package)
 * - INTERNAL_SERVER_ERROR 5.00: the implementation failed (a handler threw)
 * - NOT_IMPLEMENTED 5.01: defined, but this implementation does not do it
 * - SERVICE_UNAVAILABLE 5.03: temporarily unable (a sensor offline, the object closed)
 */
export type FailureCode = Extract<
  ResponseStatus,
  | 'BAD_REQUEST'
  | 'UNAUTHORIZED'
  | 'NOT_FOUND'
  | 'METHOD_NOT_ALLOWED'
  | 'NOT_ACCEPTABLE'
  | 'REQUEST_ENTITY_TOO_LARGE'
  | 'INTERNAL_SERVER_ERROR'
  | 'NOT_IMPLEMENTED'
  | 'SERVICE_UNAVAILABLE'
>

/** A successful operation. */
export interface Success<T> {
  readonly ok: true
  readonly value: T
  /**
   * Work to do once the response has been sent, for operations whose effect must follow
   * the answer (Core TS: Reboot, Factory Reset, Disable, Registration Update Trigger,
   * Bootstrap-Request Trigger, Firmware Update). The client role calls it after sending
   * the response; a caller that sends no response calls it at once. Errors it throws or
   * rejects with are the caller's to log.
   */
  readonly afterResponse?: () => void | Promise<void>
}

/** A failed operation: `code` says which LwM2M error code to answer. */
export interface Failure {
  readonly ok: false
  readonly code: FailureCode
  /** For logs and diagnostic payloads; never contains a secret value. */
  readonly message: string
}

/** The outcome of an operation on an object implementation. */
export type Result<T> = Success<T> | Failure

/** A value or a promise of it: implementations may answer synchronously. */
export type Awaitable<T> = T | PromiseLike<T>

/** A success carrying `value`. */
export function ok<T>(value: T, afterResponse?: () => void | Promise<void>): Success<T> {
  return afterResponse === undefined ? { ok: true, value } : { ok: true, value, afterResponse }
}

/** A success without a value (Write, Execute, Delete). */
export function done(afterResponse?: () => void | Promise<void>): Success<undefined> {
  return ok(undefined, afterResponse)
}

/** A failure. */
export function fail(code: FailureCode, message: string = code): Failure {
  return { ok: false, code, message }
}

const COAP_CODES: Readonly<Record<FailureCode, number>> = {
  BAD_REQUEST: Code.BadRequest,
  UNAUTHORIZED: Code.Unauthorized,
  NOT_FOUND: Code.NotFound,
  METHOD_NOT_ALLOWED: Code.MethodNotAllowed,
  NOT_ACCEPTABLE: Code.NotAcceptable,
  REQUEST_ENTITY_TOO_LARGE: Code.RequestEntityTooLarge,
  INTERNAL_SERVER_ERROR: Code.InternalServerError,
  NOT_IMPLEMENTED: Code.NotImplemented,
  SERVICE_UNAVAILABLE: Code.ServiceUnavailable,
}

/** The CoAP response code of a failure (0x84 for NOT_FOUND, that is 4.04). */
export function failureCoapCode(code: FailureCode): number {
  return COAP_CODES[code]
}

/** True for a {@link Failure} (any object with `ok: false` and a known code). */
export function isFailure(value: unknown): value is Failure {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { ok?: unknown }).ok === false &&
    typeof (value as { code?: unknown }).code === 'string' &&
    (value as { code: string }).code in COAP_CODES
  )
}

const operationBrand = Symbol.for('@lwm2m/objects/operation-error')

/**
 * Thrown by a handler of {@link defineObject} (a getter, setter or execute function) to
 * answer with a given LwM2M error instead of 5.00: `throw new OperationError('SERVICE_UNAVAILABLE', 'sensor offline')`.
 */
export class OperationError extends ObjectsError {
  static override readonly name: string = 'OperationError'
  readonly [operationBrand] = true
  readonly failure: Failure

  constructor(code: FailureCode, message: string = code, options?: { cause?: unknown }) {
    super('OBJECTS_OPERATION_FAILED', message, options)
    this.failure = fail(code, message)
  }

  static override isInstance(value: unknown): value is OperationError {
    return (
      typeof value === 'object' &&
      value !== null &&
      (value as { [operationBrand]?: unknown })[operationBrand] === true
    )
  }
}
