import { describe, expect, it } from 'vitest'
import { Lwm2mCodecError, Lwm2mError } from './errors.js'
import { Lwm2mResponseError } from './operations/response-error.js'

describe('error classes', () => {
  it('isInstance of a subclass does not take its siblings', () => {
    const codec = new Lwm2mCodecError(11542, 'bad', { offset: 2 })
    const response = new Lwm2mResponseError(0x84, 'gone')
    expect(Lwm2mError.isInstance(codec)).toBe(true)
    expect(Lwm2mResponseError.isInstance(codec)).toBe(false)
    expect(Lwm2mResponseError.isInstance(response)).toBe(true)
    expect(Lwm2mCodecError.isInstance(response)).toBe(false)
    if (Lwm2mResponseError.isInstance(response)) expect(response.coapCode).toBe(0x84)
  })
})
