/** A parsed "major.minor" version. */
export interface Version {
  readonly major: number
  readonly minor: number
}

/** Parses "1.2" (extra components such as "1.2.1" are ignored); undefined when it is no version. */
export function parseVersion(text: string): Version | undefined {
  const m = /^(\d{1,5})\.(\d{1,5})(?:\.\d{1,5})?$/.exec(text.trim())
  return m === null ? undefined : { major: Number(m[1]), minor: Number(m[2]) }
}

/** Orders "X.Y" versions numerically ("1.10" after "1.9"); text that is no version sorts first, by text. */
export function compareVersions(a: string, b: string): number {
  const va = parseVersion(a)
  const vb = parseVersion(b)
  if (va === undefined || vb === undefined) {
    if (va !== undefined) return 1
    if (vb !== undefined) return -1
    return a < b ? -1 : a > b ? 1 : 0
  }
  return va.major - vb.major || va.minor - vb.minor
}
