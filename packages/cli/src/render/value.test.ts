import { describe, expect, it } from 'vitest'
import { formatValue, formatValueWithUnit } from './value.js'

describe('formatValue', () => {
  it('prints each kind of value for people', () => {
    expect(formatValue('ACME')).toBe('ACME')
    expect(formatValue('')).toBe('""')
    expect(formatValue(' padded')).toBe('" padded"')
    expect(formatValue('line\nbreak')).toBe('"line\\nbreak"')
    expect(formatValue(21.5)).toBe('21.5')
    expect(formatValue(-0)).toBe('0')
    expect(formatValue(2n ** 64n - 1n)).toBe('18446744073709551615')
    expect(formatValue(true)).toBe('true')
    expect(formatValue(Uint8Array.of(0, 0xab))).toBe('0x00ab')
    expect(formatValue(new Uint8Array(0))).toBe('0x (empty)')
    expect(formatValue(new Uint8Array(40).fill(1))).toBe(`0x${'01'.repeat(32)}... (40 bytes)`)
    expect(formatValue(new Date(1_700_000_000_000))).toBe('2023-11-14T22:13:20Z')
    expect(formatValue({ objectId: 3, instanceId: 0 })).toBe('3:0')
  })

  it('adds the unit when there is one', () => {
    expect(formatValueWithUnit(21.5, 'Cel')).toBe('21.5 Cel')
    expect(formatValueWithUnit(21.5, '')).toBe('21.5')
    expect(formatValueWithUnit(21.5, undefined)).toBe('21.5')
  })
})
