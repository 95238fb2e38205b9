import { describe, expect, it } from 'vitest'
import { CliError } from '../errors.js'
import { formatName, parseFormat } from './formats.js'

describe('content formats', () => {
  it('by name or number, both ways', () => {
    expect(parseFormat('senml-cbor')).toBe(112)
    expect(parseFormat('TLV')).toBe(11542)
    expect(parseFormat('11544')).toBe(11544)
    expect(formatName(110)).toBe('senml-json')
    expect(formatName(1234)).toBe('1234')
    expect(formatName(undefined)).toBe('none')
    expect(() => parseFormat('xml')).toThrow(/unknown format "xml"/)
    expect(() => parseFormat('toString')).toThrow(CliError)
    expect(() => parseFormat('70000')).toThrow(CliError)
  })
})
