import { describe, expect, it } from 'vitest'
import { CliError } from '../errors.js'
import { formatDuration, parseDuration } from './duration.js'

describe('parseDuration', () => {
  it('reads units, and plain numbers as seconds', () => {
    expect(parseDuration('10s')).toBe(10_000)
    expect(parseDuration('500ms')).toBe(500)
    expect(parseDuration('2m')).toBe(120_000)
    expect(parseDuration('1h')).toBe(3_600_000)
    expect(parseDuration('1.5')).toBe(1500)
  })

  it('refuses what is not a duration, zero, and more than a day', () => {
    for (const t of ['', 'soon', '-1s', '0', '25h', '10 s s']) {
      expect(() => parseDuration(t, '--timeout'), t).toThrow(CliError)
    }
    expect(() => parseDuration('x', '--timeout')).toThrow(/^--timeout takes a duration/)
  })

  it('prints durations for people', () => {
    expect(formatDuration(250)).toBe('250 ms')
    expect(formatDuration(1500)).toBe('1.5 s')
    expect(formatDuration(10_000)).toBe('10 s')
    expect(formatDuration(180_000)).toBe('3 min')
  })
})
