import { CliError } from '../errors.js'

const DURATION = /^([0-9]+(?:\.[0-9]+)?)(ms|s|m|h)?$/
const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }

/** The longest duration taken: a day. */
export const MAX_DURATION_MS = 86_400_000

/**
 * A duration typed by a person: `500ms`, `10s`, `2m`, `1h`, or a plain number of seconds
 * (`10`, `0.5`). Gives milliseconds (at least 1, at most a day). Throws CliError CLI_USAGE
 * with `name` (the option) in the message otherwise.
 */
export function parseDuration(text: string, name = 'duration'): number {
  const m = DURATION.exec(text.trim())
  if (m === null) {
    throw new CliError(
      'CLI_USAGE',
      `${name} takes a duration such as 10s, 500ms or 2m, not "${text.slice(0, 40)}"`,
    )
  }
  const ms = Math.round(Number(m[1]) * UNIT_MS[m[2] ?? 's']!)
  if (!(ms >= 1) || ms > MAX_DURATION_MS) {
    throw new CliError('CLI_USAGE', `${name} must be between 1ms and 24h, not "${text.slice(0, 40)}"`)
  }
  return ms
}

/** A duration for people: "10 s", "1.5 s", "250 ms", "2 min". */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms} ms`
  if (ms < 120_000) return `${Number((ms / 1000).toFixed(1))} s`
  return `${Number((ms / 60_000).toFixed(1))} min`
}
