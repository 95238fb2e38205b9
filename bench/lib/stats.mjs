export function median(values) {
  const v = values.filter((x) => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b)
  if (v.length === 0) return undefined
  const mid = v.length >> 1
  return v.length % 2 === 1 ? v[mid] : (v[mid - 1] + v[mid]) / 2
}

/** The run whose `key` is the median (for odd counts), so that its other fields go with it. */
export function medianRun(runs, key) {
  const ok = runs.filter((r) => Number.isFinite(r[key])).sort((a, b) => a[key] - b[key])
  return ok.length === 0 ? undefined : ok[(ok.length - 1) >> 1]
}
