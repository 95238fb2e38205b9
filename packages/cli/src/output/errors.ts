import { ClientError } from '@lwm2m/client'
import { CoapError, formatCode } from '@lwm2m/coap'
import { isResponseError, Lwm2mError } from '@lwm2m/core'
import { ObjectsError } from '@lwm2m/objects'
import { ServerError } from '@lwm2m/server'
import { CliError } from '../errors.js'

/** What a command's failure is, for people and for the JSON `error` line. */
export interface ErrorReport {
  /** A stable code: the error's own (`UNKNOWN_ENDPOINT`, `TIMEOUT`, `CLI_USAGE`, `LWM2M_RESPONSE`, ...) or `INTERNAL`. */
  readonly code: string
  readonly message: string
  /** What to do about it, when there is something to say. */
  readonly hint?: string
  /** The usage of the command, for usage errors. */
  readonly usage?: string
  /** For an LwM2M error answer: its name (`NOT_FOUND`) and code (`4.04`), and the client's diagnostic. */
  readonly status?: string
  readonly coapCode?: string
  readonly diagnostic?: string
  /** True when the request had waited in the queue of a sleeping client. */
  readonly queued?: boolean
  /** False for failures nobody expects (a bug): these always show how to get the stack trace. */
  readonly expected: boolean
  /** The stack trace, with `--debug` only. */
  readonly stack?: string
}

/** What the command that failed knew: the endpoint and whether the request was queued. */
export interface ErrorContext {
  readonly endpoint?: string
  readonly queued?: boolean
  readonly timeout?: number
}

const RESPONSE_HINTS: Readonly<Record<string, string>> = {
  BAD_REQUEST: 'the client refused the request as malformed (a value or argument it does not take)',
  UNAUTHORIZED: 'access control (or the Security object) keeps this server out of it',
  NOT_FOUND: 'the client has no such object, instance or resource (discover shows what it has)',
  METHOD_NOT_ALLOWED: 'the resource does not allow this operation (read-only, write-only or executable)',
  NOT_ACCEPTABLE: 'the client cannot answer in that format: try another --format',
  UNSUPPORTED_CONTENT_FORMAT: 'the client does not take that format: try another --format',
  REQUEST_ENTITY_TOO_LARGE: 'the payload is larger than the client takes',
  INTERNAL_SERVER_ERROR: 'the client failed while handling it (see its own log)',
  SERVICE_UNAVAILABLE: 'the client cannot do it now: try again later',
}

const CLIENT_HINTS: Readonly<Record<string, string>> = {
  CLIENT_NO_SERVER: 'the client is not registered; status tells why. Is the server running and reachable?',
  CLIENT_SEND_MUTED: 'the server account has Mute Send (/1/x/23) set',
  CLIENT_UNSUPPORTED: 'Send needs LwM2M 1.1 or later (--lwm2m-version 1.1)',
  CLIENT_REQUEST_FAILED: 'the server refused it or did not answer',
}

function seconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`
}

function serverReport(err: ServerError, ctx: ErrorContext): Omit<ErrorReport, 'expected'> {
  const ep = err.endpoint ?? ctx.endpoint ?? 'the client'
  switch (err.code) {
    case 'UNKNOWN_ENDPOINT':
      return {
        code: err.code,
        message: `no client named "${ep}" is registered`,
        hint: 'list shows the registered clients',
      }
    case 'TIMEOUT': {
      const within = ctx.timeout === undefined ? '' : ` within ${seconds(ctx.timeout)}`
      if (ctx.queued === true) {
        return {
          code: err.code,
          message: `${ep} is asleep (queue mode) and did not wake up${within}: the request was dropped`,
          hint: 'a sleeping client is reached when it next talks to the server (an Update, a notification, a Send); wait for its awake event or give a longer --timeout',
          queued: true,
        }
      }
      return {
        code: err.code,
        message: `${ep} did not answer${within}`,
        hint: 'is the client still running and reachable? --timeout waits longer',
      }
    }
    case 'NOT_SUPPORTED':
      return {
        code: err.code,
        message: err.message,
        hint: 'composite operations need a client of LwM2M 1.1 or later',
      }
    case 'QUEUE_FULL':
      return {
        code: err.code,
        message: err.message,
        hint: 'too many requests wait for this sleeping client; wait until it wakes up',
      }
    default:
      return { code: err.code, message: err.message }
  }
}

/**
 * Turns a failure into a report: the package errors of @lwm2m (and the tool's own) are
 * expected and described in words a person can act on; anything else is an internal error.
 */
export function describeError(err: unknown, ctx: ErrorContext = {}, debug = false): ErrorReport {
  const stack = debug && err instanceof Error && err.stack !== undefined ? { stack: err.stack } : {}
  if (CliError.isInstance(err)) {
    return {
      code: err.code,
      message: err.message,
      ...(err.usage === undefined ? {} : { usage: err.usage }),
      expected: true,
      ...stack,
    }
  }
  if (ServerError.isInstance(err)) return { ...serverReport(err, ctx), expected: true, ...stack }
  if (isResponseError(err)) {
    const ep = ctx.endpoint ?? 'the peer'
    const hint = RESPONSE_HINTS[err.status]
    return {
      code: err.code,
      message: `${ep} answered ${formatCode(err.coapCode)} ${err.status}${err.diagnostic === undefined || err.diagnostic === '' ? '' : `: ${err.diagnostic}`}`,
      status: err.status,
      coapCode: formatCode(err.coapCode),
      ...(err.diagnostic === undefined ? {} : { diagnostic: err.diagnostic }),
      ...(hint === undefined ? {} : { hint }),
      expected: true,
      ...stack,
    }
  }
  if (ClientError.isInstance(err)) {
    const hint = CLIENT_HINTS[err.code]
    return {
      code: err.code,
      message: err.message,
      ...(hint === undefined ? {} : { hint }),
      expected: true,
      ...stack,
    }
  }
  if (Lwm2mError.isInstance(err) || CoapError.isInstance(err) || ObjectsError.isInstance(err)) {
    const code = (err as { code: string }).code
    return { code, message: (err as Error).message, expected: true, ...stack }
  }
  const message = err instanceof Error ? err.message : String(err)
  return {
    code: 'INTERNAL',
    message: `internal error: ${message}`,
    hint: debug ? 'this is a bug of the tool: please report it' : 'run with --debug to see where it happened',
    expected: false,
    ...stack,
  }
}

/** The lines a person reads for a report. */
export function formatErrorReport(report: ErrorReport): string[] {
  const lines = [`error: ${report.message}`]
  if (report.usage !== undefined) lines.push(`usage: ${report.usage}`)
  if (report.hint !== undefined) lines.push(`  (${report.hint})`)
  if (report.stack !== undefined) lines.push(report.stack)
  return lines
}

const contexts = new WeakMap<object, ErrorContext>()

/**
 * Attaches what a command knew when `err` happened (the endpoint, whether the request was
 * queued, its timeout) so that the report can say it; returns `err` to be thrown.
 */
export function annotateError(err: unknown, context: ErrorContext): unknown {
  if (typeof err === 'object' && err !== null) contexts.set(err, { ...contexts.get(err), ...context })
  return err
}

/** The context attached to `err` by {@link annotateError}. */
export function contextOf(err: unknown): ErrorContext {
  return (typeof err === 'object' && err !== null ? contexts.get(err) : undefined) ?? {}
}
