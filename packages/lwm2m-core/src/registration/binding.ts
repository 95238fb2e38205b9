import { Lwm2mError } from '../errors.js'
import { type Lwm2mVersion, versionAtLeast } from '../version/version.js'

/**
 * A transport binding letter (Core TS 1.2 section 6.2.1.2, table "Behaviour with Current
 * Transport Bindings"): U UDP, S SMS (1.0+), T TCP, N Non-IP (1.1+), M MQTT, H HTTP (1.2).
 */
export type BindingTransport = 'U' | 'S' | 'N' | 'T' | 'M' | 'H'

/** A binding mode: the transports, and (LwM2M 1.0 only, where `b` carries it) queue mode. */
export interface BindingMode {
  /** In the order of the text, each once. */
  readonly transports: readonly BindingTransport[]
  /** True when the 1.0 `b` value has a Q (UQ, SQ, UQS). Always false for 1.1+, which use the `Q` parameter. */
  readonly queueMode: boolean
}

/** The binding values LwM2M 1.0 allows (Core TS 1.0 section 5.3.1.1): queue mode lives inside `b`. */
const V10: ReadonlyMap<string, BindingMode> = new Map([
  ['U', { transports: ['U'], queueMode: false }],
  ['UQ', { transports: ['U'], queueMode: true }],
  ['S', { transports: ['S'], queueMode: false }],
  ['SQ', { transports: ['S'], queueMode: true }],
  ['US', { transports: ['U', 'S'], queueMode: false }],
  ['UQS', { transports: ['U', 'S'], queueMode: true }],
])

const LETTERS_11: ReadonlySet<string> = new Set(['U', 'S', 'N', 'T'])
const LETTERS_12: ReadonlySet<string> = new Set(['U', 'S', 'N', 'T', 'M', 'H'])

function invalid(message: string): never {
  throw new Lwm2mError('LWM2M_INVALID_REGISTRATION', message)
}

/**
 * Parses a `b=` value for the client's LwM2M version: 1.0 knows U, UQ, S, SQ, US and UQS;
 * 1.1 any set of U, S, N, T (queue mode moved to the `Q` parameter); 1.2 adds M and H.
 * Throws LWM2M_INVALID_REGISTRATION (answered 4.00).
 */
export function parseBinding(text: string, version: Lwm2mVersion = '1.2'): BindingMode {
  if (version === '1.0') {
    const mode = V10.get(text)
    if (!mode) invalid(`binding "${text.slice(0, 20)}" is not one of U, UQ, S, SQ, US, UQS (LwM2M 1.0)`)
    return mode
  }
  const letters = versionAtLeast(version, '1.2') ? LETTERS_12 : LETTERS_11
  if (text.length === 0) invalid('empty binding')
  const transports: BindingTransport[] = []
  for (const ch of text) {
    if (!letters.has(ch))
      invalid(`binding "${text.slice(0, 20)}": "${ch}" is not a binding of LwM2M ${version}`)
    if (transports.includes(ch as BindingTransport)) invalid(`binding "${text.slice(0, 20)}" repeats "${ch}"`)
    transports.push(ch as BindingTransport)
  }
  return { transports, queueMode: false }
}

/** Formats a binding for the client's version (1.0 puts Q after U, as in "UQS"). */
export function formatBinding(mode: BindingMode, version: Lwm2mVersion = '1.2'): string {
  if (version === '1.0') {
    if (mode.transports.some((t) => t !== 'U' && t !== 'S'))
      invalid(`binding ${mode.transports.join('')} cannot be written for LwM2M 1.0`)
    const u = mode.transports.includes('U')
    const s = mode.transports.includes('S')
    const text = `${u ? 'U' : ''}${u && mode.queueMode ? 'Q' : ''}${s ? 'S' : ''}${!u && s && mode.queueMode ? 'Q' : ''}`
    if (!V10.has(text)) invalid(`binding ${mode.transports.join('')} cannot be written for LwM2M 1.0`)
    return text
  }
  const text = mode.transports.join('')
  parseBinding(text, version)
  return text
}
