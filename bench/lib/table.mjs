/** A plain-text table: right-aligned numbers, left-aligned text. */
export function formatTable(headers, rows) {
  const cells = rows.map((r) => r.map((c) => (c === undefined || c === null ? '-' : String(c))))
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => r[i].length)))
  const numeric = headers.map((_, i) => cells.every((r) => /^[-+]?[\d.,]+[a-z%x]*$|^-$/i.test(r[i])))
  const line = (r) => r.map((c, i) => (numeric[i] ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ')
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(line)].join('\n')
}

export const fmt = {
  int: (n) => (n === undefined ? undefined : Math.round(n).toLocaleString('en-US')),
  ms: (n) => (n === undefined ? undefined : n.toFixed(n < 1 ? 3 : 2)),
  mb: (kb) => (kb === undefined ? undefined : (kb / 1024).toFixed(1)),
  ratio: (n) => (n === undefined ? undefined : `${n.toFixed(2)}x`),
}
