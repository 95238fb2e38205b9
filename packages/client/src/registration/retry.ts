/**
 * The registration retry settings of a Server instance (Core TS 1.1.1 and 1.2 section
 * 6.2.1.1 "Registration Procedures"; resources 17-20, defaults 5, 60 s, 86400 s, 1).
 */
export interface RetrySettings {
  /** Communication Retry Count (/1/x/17): attempts in one communication sequence. */
  readonly retryCount: number
  /** Communication Retry Timer (/1/x/18), seconds: the first back-off, doubled after each attempt. */
  readonly retryTimer: number
  /** Communication Sequence Delay Timer (/1/x/19), seconds, between sequences; MAX_VALUE: no further sequence. */
  readonly sequenceDelayTimer: number
  /** Communication Sequence Retry Count (/1/x/20): sequences before the registration is considered failed. */
  readonly sequenceRetryCount: number
}

/**
 * A Sequence Delay Timer at or above this (the largest 32-bit unsigned value) is the
 * specification's MAX_VALUE: "do not perform another communication sequence".
 */
export const SEQUENCE_DELAY_MAX = 0xffffffff

/** What follows a failed attempt. */
export type RetryStep =
  | {
      readonly kind: 'retry'
      /** Milliseconds to wait before the next attempt. */
      readonly delay: number
      /** The next attempt's number within its sequence and the sequence's number, both 1-based. */
      readonly attempt: number
      readonly sequence: number
    }
  | { readonly kind: 'giveUp' }

/**
 * The step after attempt `attempt` of sequence `sequence` failed:
 * - within a sequence, the next attempt after Communication Retry Timer × 2^(attempt−1)
 *   seconds ("multiplied by two to the power of the communication retry attempt minus one
 *   ... to create an exponential back-off");
 * - after the last attempt of a sequence, the next sequence after the Communication
 *   Sequence Delay Timer, unless that is MAX_VALUE;
 * - after the last sequence, give up: the registration has failed.
 * Counts of 0 are read as 1 (one attempt, one sequence).
 */
export function nextRetry(settings: RetrySettings, attempt: number, sequence: number): RetryStep {
  const attempts = Math.max(1, Math.floor(settings.retryCount))
  const sequences = Math.max(1, Math.floor(settings.sequenceRetryCount))
  if (attempt < attempts) {
    const factor = 2 ** Math.min(attempt - 1, 40)
    return {
      kind: 'retry',
      delay: Math.max(0, settings.retryTimer) * factor * 1000,
      attempt: attempt + 1,
      sequence,
    }
  }
  if (sequence < sequences && settings.sequenceDelayTimer < SEQUENCE_DELAY_MAX) {
    return {
      kind: 'retry',
      delay: Math.max(0, settings.sequenceDelayTimer) * 1000,
      attempt: 1,
      sequence: sequence + 1,
    }
  }
  return { kind: 'giveUp' }
}

/**
 * When to send the Update that keeps a registration alive, in seconds before the lifetime
 * runs out (the default of the client's `updateMargin` option): a tenth of the lifetime,
 * but at least MAX_TRANSMIT_WAIT, so that a confirmable Update that needs every
 * retransmission still arrives in time, and never more than half the lifetime.
 * For 86400 s: 8640 s before expiry; for 300 s: 93 s; for 60 s: 30 s.
 */
export function defaultUpdateMargin(lifetime: number, maxTransmitWait: number): number {
  return Math.min(lifetime / 2, Math.max(lifetime * 0.1, maxTransmitWait / 1000))
}
