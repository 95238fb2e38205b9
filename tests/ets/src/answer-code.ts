/** The CoAP code of an operation's answer, whether the operation resolved or rejected. */
import { isResponseError } from '@lwm2m/core'

/**
 * The CoAP code an operation was answered with: the result's `code`, or the `coapCode` of
 * the Lwm2mResponseError an error answer rejects with (anything else is rethrown).
 */
export async function answerCode(operation: Promise<{ readonly code: number }>): Promise<number> {
  try {
    return (await operation).code
  } catch (error) {
    if (isResponseError(error)) return error.coapCode
    throw error
  }
}

/**
 * The CoAP code of an operation that must be refused: the `coapCode` of the
 * Lwm2mResponseError it rejects with. Throws when it succeeds (anything else is rethrown).
 */
export async function codeOfFailure(operation: Promise<unknown>): Promise<number> {
  try {
    await operation
  } catch (error) {
    if (isResponseError(error)) return error.coapCode
    throw error
  }
  throw new Error('the operation succeeded')
}
