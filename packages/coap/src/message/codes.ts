/**
 * CoAP codes (RFC 7252 section 12.1, RFC 8132, RFC 7959, RFC 8516) as 8-bit numbers:
 * class in the top three bits, detail in the low five, so 2.05 is `(2 << 5) | 5` = 0x45.
 */
export const Code = {
  Empty: 0x00,
  GET: 0x01,
  POST: 0x02,
  PUT: 0x03,
  DELETE: 0x04,
  FETCH: 0x05,
  PATCH: 0x06,
  iPATCH: 0x07,

  Created: 0x41,
  Deleted: 0x42,
  Valid: 0x43,
  Changed: 0x44,
  Content: 0x45,
  Continue: 0x5f,

  BadRequest: 0x80,
  Unauthorized: 0x81,
  BadOption: 0x82,
  Forbidden: 0x83,
  NotFound: 0x84,
  MethodNotAllowed: 0x85,
  NotAcceptable: 0x86,
  RequestEntityIncomplete: 0x88,
  Conflict: 0x89,
  PreconditionFailed: 0x8c,
  RequestEntityTooLarge: 0x8d,
  UnsupportedContentFormat: 0x8f,
  UnprocessableEntity: 0x96,
  TooManyRequests: 0x9d,

  InternalServerError: 0xa0,
  NotImplemented: 0xa1,
  BadGateway: 0xa2,
  ServiceUnavailable: 0xa3,
  GatewayTimeout: 0xa4,
  ProxyingNotSupported: 0xa5,
} as const

/** The request methods (RFC 7252 section 5.8, RFC 8132). */
export type Method = 'GET' | 'POST' | 'PUT' | 'DELETE' | 'FETCH' | 'PATCH' | 'iPATCH'

const METHODS: readonly (Method | undefined)[] = [
  undefined,
  'GET',
  'POST',
  'PUT',
  'DELETE',
  'FETCH',
  'PATCH',
  'iPATCH',
]

/** The method name of a request code, or undefined if the code is no method we know. */
export function methodName(code: number): Method | undefined {
  return code < 8 ? METHODS[code] : undefined
}

/** The request code of a method name. */
export function methodCode(method: Method): number {
  return Code[method]
}

/** The class of a code: 0 request or empty, 2 success, 4 client error, 5 server error. */
export function codeClass(code: number): number {
  return code >>> 5
}

/** True for codes of class 0 except 0.00 (requests). */
export function isRequestCode(code: number): boolean {
  return code > 0 && code < 32
}

/** True for response codes (classes 2 to 5). */
export function isResponseCode(code: number): boolean {
  return code >= 64 && code < 192
}

/** True for 2.xx. */
export function isSuccessCode(code: number): boolean {
  return code >>> 5 === 2
}

/** "c.dd" text of a code, as RFC 7252 writes them: 0x45 gives "2.05". */
export function formatCode(code: number): string {
  const detail = code & 0x1f
  return `${code >>> 5}.${detail < 10 ? '0' : ''}${detail}`
}

/** The 8-bit code of "c.dd" text, or undefined if the text is not of that form. */
export function parseCode(text: string): number | undefined {
  const m = /^([0-7])\.([0-3][0-9])$/.exec(text)
  if (!m) return undefined
  const detail = Number(m[2])
  if (detail > 31) return undefined
  return (Number(m[1]) << 5) | detail
}

/** Accepts a code as a number or as "c.dd" text. */
export function toCode(code: number | string): number {
  if (typeof code === 'number') return code
  const n = parseCode(code)
  if (n === undefined) throw new TypeError(`not a CoAP code: ${code}`)
  return n
}
