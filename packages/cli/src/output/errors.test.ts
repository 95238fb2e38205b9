import { ClientError } from '@lwm2m/client'
import { CoapError } from '@lwm2m/coap'
import { Lwm2mError, Lwm2mResponseError } from '@lwm2m/core'
import { ServerError } from '@lwm2m/server'
import { describe, expect, it } from 'vitest'
import { CliError } from '../errors.js'
import { annotateError, contextOf, describeError, formatErrorReport } from './errors.js'

describe('describeError', () => {
  it('unknown endpoint: says which and where to look', () => {
    const r = describeError(new ServerError('UNKNOWN_ENDPOINT', 'x is not registered', { endpoint: 'x' }))
    expect(r).toMatchObject({
      code: 'UNKNOWN_ENDPOINT',
      message: 'no client named "x" is registered',
      expected: true,
    })
    expect(r.hint).toContain('list')
  })

  it('timeout: plain, and for a request that waited for a sleeping client', () => {
    const err = new ServerError('TIMEOUT', 'ep did not answer in time', { endpoint: 'ep' })
    expect(describeError(err, { timeout: 2000 }).message).toBe('ep did not answer within 2 s')
    const queued = describeError(err, { queued: true, timeout: 1500 })
    expect(queued.message).toBe(
      'ep is asleep (queue mode) and did not wake up within 1.5 s: the request was dropped',
    )
    expect(queued.queued).toBe(true)
    expect(queued.hint).toContain('awake')
  })

  it('an LwM2M error answer: code, status, diagnostic and what it means', () => {
    const r = describeError(new Lwm2mResponseError(0x84, 'read failed', { diagnostic: 'no /3/0/99' }), {
      endpoint: 'ep1',
    })
    expect(r).toMatchObject({
      code: 'LWM2M_RESPONSE',
      status: 'NOT_FOUND',
      coapCode: '4.04',
      diagnostic: 'no /3/0/99',
      message: 'ep1 answered 4.04 NOT_FOUND: no /3/0/99',
    })
    expect(r.hint).toContain('discover')
  })

  it('errors of the other packages and of the tool are expected, with their codes', () => {
    expect(describeError(new Lwm2mError('LWM2M_INVALID_PATH', 'bad path'))).toMatchObject({
      code: 'LWM2M_INVALID_PATH',
      expected: true,
    })
    expect(describeError(new CoapError('COAP_TIMEOUT', 't'))).toMatchObject({
      code: 'COAP_TIMEOUT',
      expected: true,
    })
    expect(describeError(new ClientError('CLIENT_SEND_MUTED', 'muted'))).toMatchObject({
      code: 'CLIENT_SEND_MUTED',
    })
    const usage = describeError(
      new CliError('CLI_USAGE', 'read needs 2 arguments', { usage: 'read <endpoint> <path>' }),
    )
    expect(formatErrorReport(usage)).toEqual([
      'error: read needs 2 arguments',
      'usage: read <endpoint> <path>',
    ])
  })

  it('anything else is an internal error; the stack trace only with debug', () => {
    const r = describeError(new TypeError('x is undefined'))
    expect(r).toMatchObject({ code: 'INTERNAL', message: 'internal error: x is undefined', expected: false })
    expect(r.stack).toBeUndefined()
    expect(formatErrorReport(r)[1]).toContain('--debug')
    expect(describeError(new TypeError('y'), {}, true).stack).toContain('TypeError: y')
    expect(describeError('a string').message).toBe('internal error: a string')
  })

  it('keeps the context a command attached to an error', () => {
    const err = new Error('e')
    expect(annotateError(err, { endpoint: 'a' })).toBe(err)
    annotateError(err, { queued: true })
    expect(contextOf(err)).toEqual({ endpoint: 'a', queued: true })
    expect(contextOf('not an object')).toEqual({})
  })
})
