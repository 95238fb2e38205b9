import { describe, expect, it } from 'vitest'
import { defaultUpdateMargin, nextRetry, SEQUENCE_DELAY_MAX } from './retry.js'

// Core TS 1.1.1 / 1.2 section 6.2.1.1, table "Registration Procedures Default Values".
const defaults = { retryCount: 5, retryTimer: 60, sequenceDelayTimer: 86400, sequenceRetryCount: 1 }

function schedule(settings: typeof defaults): number[] {
  const delays: number[] = []
  let attempt = 1
  let sequence = 1
  for (let i = 0; i < 100; i++) {
    const step = nextRetry(settings, attempt, sequence)
    if (step.kind === 'giveUp') return delays
    delays.push(step.delay)
    attempt = step.attempt
    sequence = step.sequence
  }
  throw new Error('no end')
}

describe('the registration retry procedure (Core TS 1.2 section 6.2.1.1)', () => {
  it('backs off exponentially within a sequence: Retry Timer x 2^(attempt-1)', () => {
    expect(schedule(defaults)).toEqual([60_000, 120_000, 240_000, 480_000])
  })

  it('waits the Sequence Delay Timer between sequences, Sequence Retry Count of them', () => {
    expect(schedule({ ...defaults, retryCount: 2, retryTimer: 10, sequenceRetryCount: 3 })).toEqual([
      10_000, 86_400_000, 10_000, 86_400_000, 10_000,
    ])
  })

  it('performs no further sequence when the Sequence Delay Timer is MAX_VALUE', () => {
    expect(
      schedule({ ...defaults, retryCount: 1, sequenceRetryCount: 5, sequenceDelayTimer: SEQUENCE_DELAY_MAX }),
    ).toEqual([])
  })

  it('reads counts of 0 as one attempt and one sequence', () => {
    expect(schedule({ ...defaults, retryCount: 0, sequenceRetryCount: 0 })).toEqual([])
  })
})

describe('the Update margin', () => {
  it('is 10 % of the lifetime, at least MAX_TRANSMIT_WAIT, at most half the lifetime', () => {
    expect(defaultUpdateMargin(86400, 93_000)).toBe(8640)
    expect(defaultUpdateMargin(300, 93_000)).toBe(93)
    expect(defaultUpdateMargin(60, 93_000)).toBe(30)
    expect(defaultUpdateMargin(20, 93_000)).toBe(10)
  })
})
