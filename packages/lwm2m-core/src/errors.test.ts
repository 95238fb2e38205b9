import { describe, expect, it } from 'vitest'
import { Lwm2mCodecError, Lwm2mError } from './errors.js'
import { isResponseError, Lwm2mResponseError } from './operations/response-error.js'

describe('error classes and their brand checks', () => {
  const base = new Lwm2mError('LWM2M_INVALID_PATH', 'bad path')
  const codec = new Lwm2mCodecError(11542, 'truncated', { offset: 3 })
  const response = new Lwm2mResponseError(0x84, 'no such object', { operation: 'read' })

  it('Lwm2mError.isInstance accepts every error of the package', () => {
    for (const e of [base, codec, response]) expect(Lwm2mError.isInstance(e)).toBe(true)
    expect(Lwm2mError.isInstance(new Error('x'))).toBe(false)
    expect(Lwm2mError.isInstance(null)).toBe(false)
  })

  it('a subclass isInstance accepts its own kind only, so that its fields can be read', () => {
    expect(Lwm2mResponseError.isInstance(response)).toBe(true)
    expect(Lwm2mResponseError.isInstance(codec)).toBe(false)
    expect(Lwm2mResponseError.isInstance(base)).toBe(false)
    expect(Lwm2mCodecError.isInstance(codec)).toBe(true)
    expect(Lwm2mCodecError.isInstance(response)).toBe(false)
    expect(Lwm2mCodecError.isInstance(base)).toBe(false)
    const caught: unknown = response
    if (Lwm2mResponseError.isInstance(caught)) expect(caught.coapCode).toBe(0x84)
    if (Lwm2mCodecError.isInstance(codec)) expect(codec.offset).toBe(3)
  })

  it('recognises errors of another copy of the package by brand and code', () => {
    const brand = Symbol.for('@lwm2m/core/error')
    const foreign = Object.assign(new Error('4.04'), {
      [brand]: true,
      code: 'LWM2M_RESPONSE',
      coapCode: 0x84,
    })
    expect(Lwm2mResponseError.isInstance(foreign)).toBe(true)
    expect(isResponseError(foreign)).toBe(true)
    expect(Lwm2mCodecError.isInstance(foreign)).toBe(false)
  })
})
