import { Lwm2mError } from '../errors.js'

/** One Execute argument: a digit 0-9 and an optional value (Core TS 1.2 section 6.3.5). */
export interface ExecuteArgument {
  readonly digit: number
  readonly value?: string
}

function invalid(at: number, why: string): never {
  throw new Lwm2mError('LWM2M_INVALID_VALUE', `invalid Execute arguments at character ${at}: ${why}`)
}

/** CHAR = "!" / %x23-26 / %x28-5B / %x5D-7E: printable ASCII without space, '"', "'" and "\". */
function isArgChar(c: number): boolean {
  return c === 0x21 || (c >= 0x23 && c <= 0x26) || (c >= 0x28 && c <= 0x5b) || (c >= 0x5d && c <= 0x7e)
}

/**
 * Parses the text/plain payload of an Execute (Core TS 1.2 section 6.3.5):
 * `arglist = arg *( "," arg )`, `arg = DIGIT / DIGIT "=" "'" *CHAR "'"`, each digit at most
 * once (1.2.1). An empty payload is no argument. Example: `0='x',1` gives
 * `[{ digit: 0, value: 'x' }, { digit: 1 }]`. Throws LWM2M_INVALID_VALUE (answered 4.00).
 */
export function parseExecuteArguments(payload: string | Uint8Array): ExecuteArgument[] {
  const text = typeof payload === 'string' ? payload : latin1(payload)
  const out: ExecuteArgument[] = []
  if (text.length === 0) return out
  const seen = new Set<number>()
  let i = 0
  for (;;) {
    const d = text.charCodeAt(i)
    if (!(d >= 0x30 && d <= 0x39)) invalid(i, 'expected a digit 0-9')
    const digit = d - 0x30
    if (seen.has(digit)) invalid(i, `argument ${digit} is given twice`)
    seen.add(digit)
    i++
    if (text[i] === '=') {
      if (text[i + 1] !== "'") invalid(i + 1, `expected "'" after "="`)
      const start = i + 2
      let end = start
      while (end < text.length && text[end] !== "'") {
        if (!isArgChar(text.charCodeAt(end))) invalid(end, 'character not allowed in an argument value')
        end++
      }
      if (end >= text.length) invalid(end, 'unterminated value')
      out.push({ digit, value: text.slice(start, end) })
      i = end + 1
    } else {
      out.push({ digit })
    }
    if (i === text.length) return out
    if (text[i] !== ',') invalid(i, 'expected "," between arguments')
    i++
  }
}

/** Formats Execute arguments as {@link parseExecuteArguments} reads them; throws LWM2M_INVALID_VALUE. */
export function formatExecuteArguments(args: readonly ExecuteArgument[]): string {
  const seen = new Set<number>()
  return args
    .map((a) => {
      if (!Number.isInteger(a.digit) || a.digit < 0 || a.digit > 9)
        invalid(0, `argument ${a.digit} is not a digit 0-9`)
      if (seen.has(a.digit)) invalid(0, `argument ${a.digit} is given twice`)
      seen.add(a.digit)
      if (a.value === undefined) return String(a.digit)
      for (let i = 0; i < a.value.length; i++) {
        if (!isArgChar(a.value.charCodeAt(i)))
          invalid(i, `character ${JSON.stringify(a.value[i])} is not allowed in a value`)
      }
      return `${a.digit}='${a.value}'`
    })
    .join(',')
}

function latin1(bytes: Uint8Array): string {
  let s = ''
  for (const b of bytes) s += String.fromCharCode(b)
  return s
}
