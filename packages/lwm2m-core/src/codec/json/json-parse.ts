import { Lwm2mCodecError } from '../../errors.js'
import { parseDecimalInteger } from '../../value/integer.js'
import { utf8ErrorOffset } from '../../value/utf8.js'

/**
 * A JSON value as the JSON-based formats read it: objects as plain records (a
 * "__proto__" member is an own property, never the prototype),
 * integers beyond 2^53 as exact bigints (JSON.parse would round them silently).
 */
export type JsonValue = null | boolean | number | bigint | string | JsonValue[] | JsonObject
export interface JsonObject {
  [key: string]: JsonValue
}

/** Deepest nesting accepted (SenML needs 2, OMA JSON 3). */
export const MAX_JSON_DEPTH = 16

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

/**
 * Parses a JSON text (RFC 8259) strictly: no duplicate member names, no trailing
 * commas, bounded depth, exact 64-bit integers. Throws Lwm2mCodecError for `format`
 * with the character offset of the problem.
 */
export function parseJson(format: number, payload: Uint8Array): JsonValue {
  return parseJsonWithOffsets(format, payload).value
}

/**
 * Like {@link parseJson}, and also tells the character offset where each object of the
 * document starts (for messages about a record).
 */
export function parseJsonWithOffsets(
  format: number,
  payload: Uint8Array,
): { value: JsonValue; offsetOf: (o: object) => number | undefined } {
  let text: string
  try {
    text = utf8.decode(payload)
  } catch {
    throw new Lwm2mCodecError(format, 'JSON text is not valid UTF-8', { offset: utf8ErrorOffset(payload) })
  }
  const parser = new Parser(format, text)
  const value = parser.document()
  return { value, offsetOf: (o) => parser.offsets.get(o) }
}

const WS = new Set([0x20, 0x09, 0x0a, 0x0d])

class Parser {
  pos = 0
  readonly offsets = new WeakMap<object, number>()
  constructor(
    readonly format: number,
    readonly text: string,
  ) {}

  fail(why: string, at = this.pos): never {
    throw new Lwm2mCodecError(this.format, `JSON: ${why}`, { offset: at })
  }

  ws(): void {
    const t = this.text
    while (this.pos < t.length && WS.has(t.charCodeAt(this.pos))) this.pos++
  }

  document(): JsonValue {
    if (this.text.charCodeAt(0) === 0xfeff) this.pos = 1
    const v = this.value(0)
    this.ws()
    if (this.pos !== this.text.length) this.fail('unexpected text after the JSON value')
    return v
  }

  value(depth: number): JsonValue {
    this.ws()
    const c = this.text.charCodeAt(this.pos)
    switch (c) {
      case 0x7b /* { */:
        return this.object(depth + 1)
      case 0x5b /* [ */:
        return this.array(depth + 1)
      case 0x22 /* " */:
        return this.string()
      case 0x74 /* t */:
        return this.literal('true', true)
      case 0x66 /* f */:
        return this.literal('false', false)
      case 0x6e /* n */:
        return this.literal('null', null)
      default:
        if (c === 0x2d || (c >= 0x30 && c <= 0x39)) return this.number()
        return this.fail(
          Number.isNaN(c)
            ? 'unexpected end of input'
            : `unexpected character ${JSON.stringify(this.text[this.pos])}`,
        )
    }
  }

  literal<T>(word: string, v: T): T {
    if (!this.text.startsWith(word, this.pos)) this.fail(`expected ${word}`)
    this.pos += word.length
    return v
  }

  object(depth: number): JsonObject {
    if (depth > MAX_JSON_DEPTH) this.fail(`nesting deeper than ${MAX_JSON_DEPTH}`)
    // A plain object stays in V8's fast mode (Object.create(null) would not); "__proto__"
    // is defined as an own member below so that no input can touch the prototype.
    const out: JsonObject = {}
    this.offsets.set(out, this.pos)
    this.pos++
    this.ws()
    if (this.text.charCodeAt(this.pos) === 0x7d) {
      this.pos++
      return out
    }
    for (;;) {
      this.ws()
      const at = this.pos
      if (this.text.charCodeAt(this.pos) !== 0x22) this.fail('expected a member name')
      const key = this.string()
      if (Object.hasOwn(out, key)) this.fail(`member "${key.slice(0, 20)}" given twice`, at)
      this.ws()
      if (this.text.charCodeAt(this.pos) !== 0x3a) this.fail('expected ":"')
      this.pos++
      const v = this.value(depth)
      if (key === '__proto__')
        Object.defineProperty(out, key, { value: v, enumerable: true, writable: true, configurable: true })
      else out[key] = v
      this.ws()
      const c = this.text.charCodeAt(this.pos)
      this.pos++
      if (c === 0x7d) return out
      if (c !== 0x2c) this.fail('expected "," or "}"', this.pos - 1)
    }
  }

  array(depth: number): JsonValue[] {
    if (depth > MAX_JSON_DEPTH) this.fail(`nesting deeper than ${MAX_JSON_DEPTH}`)
    const out: JsonValue[] = []
    this.pos++
    this.ws()
    if (this.text.charCodeAt(this.pos) === 0x5d) {
      this.pos++
      return out
    }
    for (;;) {
      out.push(this.value(depth))
      this.ws()
      const c = this.text.charCodeAt(this.pos)
      this.pos++
      if (c === 0x5d) return out
      if (c !== 0x2c) this.fail('expected "," or "]"', this.pos - 1)
    }
  }

  string(): string {
    const t = this.text
    const start = ++this.pos
    // Fast path: no escapes.
    let i = start
    for (; i < t.length; i++) {
      const c = t.charCodeAt(i)
      if (c === 0x22) {
        this.pos = i + 1
        return t.slice(start, i)
      }
      if (c === 0x5c || c < 0x20) break
    }
    let out = t.slice(start, i)
    for (;;) {
      if (i >= t.length) this.fail('unterminated string', start - 1)
      const c = t.charCodeAt(i)
      if (c === 0x22) {
        this.pos = i + 1
        return out
      }
      if (c < 0x20) this.fail('control character in a string', i)
      if (c !== 0x5c) {
        out += t[i]
        i++
        continue
      }
      const e = t[i + 1]
      switch (e) {
        case '"':
        case '\\':
        case '/':
          out += e
          break
        case 'b':
          out += '\b'
          break
        case 'f':
          out += '\f'
          break
        case 'n':
          out += '\n'
          break
        case 'r':
          out += '\r'
          break
        case 't':
          out += '\t'
          break
        case 'u': {
          const hex = t.slice(i + 2, i + 6)
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.fail('bad \\u escape', i)
          out += String.fromCharCode(Number.parseInt(hex, 16))
          i += 4
          break
        }
        default:
          this.fail('bad escape', i)
      }
      i += 2
    }
  }

  number(): number | bigint {
    const t = this.text
    const start = this.pos
    const m = /-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/y
    m.lastIndex = start
    const r = m.exec(t)
    if (r === null) this.fail('bad number')
    this.pos = m.lastIndex
    const s = r[0]
    if (r[1] === undefined && r[2] === undefined && s.length > 15) {
      const exact = parseDecimalInteger(s)
      if (exact !== undefined) return exact
    }
    return Number(s)
  }
}

/** A JSON string literal for `s`. */
export const jsonString: (s: string) => string = JSON.stringify
