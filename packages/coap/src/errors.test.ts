import { describe, expect, it } from 'vitest'
import { CoapCodecError, CoapError, CoapResetError, LinkFormatError } from './errors.js'

describe('error classes', () => {
  it('isInstance answers for the class it is called on and its ancestors only', () => {
    const codec = new CoapCodecError(3, 'bad')
    expect(CoapError.isInstance(codec)).toBe(true)
    expect(CoapCodecError.isInstance(codec)).toBe(true)
    expect(LinkFormatError.isInstance(codec)).toBe(false)
    expect(CoapResetError.isInstance(new CoapError('COAP_RESET', 'x'))).toBe(false)
    expect(CoapError.isInstance(new Error('x'))).toBe(false)
    expect(CoapError.isInstance(null)).toBe(false)
  })

  it('isInstance survives a second copy of the package (no prototype check)', () => {
    const codec = new CoapCodecError(3, 'bad')
    const copy = Object.assign(Object.create(Error.prototype), codec)
    for (const s of Object.getOwnPropertySymbols(codec)) copy[s] = (codec as never)[s]
    expect(CoapCodecError.isInstance(copy)).toBe(true)
    expect(LinkFormatError.isInstance(copy)).toBe(false)
  })
})
