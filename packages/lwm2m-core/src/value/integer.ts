/** Integer helpers for the 64-bit LwM2M Integer, Unsigned Integer and Time types. */

/** The smallest LwM2M Integer (-2^63). */
export const INT64_MIN = -(2n ** 63n)
/** The largest LwM2M Integer (2^63 - 1). */
export const INT64_MAX = 2n ** 63n - 1n
/** The largest LwM2M Unsigned Integer (2^64 - 1). */
export const UINT64_MAX = 2n ** 64n - 1n

const MIN_SAFE = BigInt(Number.MIN_SAFE_INTEGER)
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER)

/**
 * The canonical form of an integer value: a `number` when it is a safe integer, a
 * `bigint` otherwise. Returns undefined for anything that is not an integer
 * (fractions, NaN, unsafe `number`s, which may already have lost precision).
 */
export function normalizeInteger(value: unknown): number | bigint | undefined {
  if (typeof value === 'number') return Number.isSafeInteger(value) ? (value === 0 ? 0 : value) : undefined
  if (typeof value === 'bigint') return value >= MIN_SAFE && value <= MAX_SAFE ? Number(value) : value
  return undefined
}

/** True if `value` is an integer within [min, max]. */
export function integerInRange(value: number | bigint, min: bigint, max: bigint): boolean {
  if (typeof value === 'number') return Number(min) <= value && value <= Number(max)
  return min <= value && value <= max
}

/** `value` as a bigint (for `number` it must be a safe integer). */
export function toBigInt(value: number | bigint): bigint {
  return typeof value === 'bigint' ? value : BigInt(value)
}

const DECIMAL = /^-?(0|[1-9][0-9]*)$/

/**
 * Parses a decimal integer ("-12", "18446744073709551615") exactly: a number when
 * safe, a bigint otherwise; undefined when the text is not a plain decimal integer.
 */
export function parseDecimalInteger(text: string): number | bigint | undefined {
  if (text.length > 40 || !DECIMAL.test(text)) return undefined
  if (text.length <= 15) return Number(text) || 0
  return normalizeInteger(BigInt(text))
}
