import { existsSync, readFileSync, statSync } from 'node:fs'
import { isAbsolute, resolve } from 'node:path'
import { CliError } from '../errors.js'

// Key material on the command line and in security files: a file (PEM or DER), or inline
// hex, or inline PEM text. No message here ever repeats key bytes.

const HEX = /^(?:0x)?((?:[0-9a-fA-F]{2})+)$/
const MAX_FILE = 1024 * 1024

function invalid(message: string, cause?: unknown): never {
  throw new CliError('CLI_INVALID_OPTION', message, cause === undefined ? undefined : { cause })
}

/** Bytes of a hex string ("00a1..." or "0x00a1..."); CliError otherwise. */
export function hexBytes(text: string, what: string): Uint8Array {
  const m = HEX.exec(text.trim())
  if (m === null) invalid(`${what} takes hex digits (an even number of them)`)
  return new Uint8Array(Buffer.from(m[1]!, 'hex'))
}

/**
 * Key or certificate bytes from `value`: inline PEM text, the contents of a file (PEM or DER;
 * relative to `base`), or inline hex of the DER bytes, in that order.
 */
export function keyMaterial(value: string, what: string, base = process.cwd()): Uint8Array {
  const text = value.trim()
  if (text.startsWith('-----BEGIN ')) return new TextEncoder().encode(text)
  const path = isAbsolute(text) ? text : resolve(base, text)
  if (existsSync(path)) {
    try {
      if (statSync(path).size > MAX_FILE) invalid(`${what}: ${text} is larger than 1 MiB`)
      return new Uint8Array(readFileSync(path))
    } catch (err) {
      if (CliError.isInstance(err)) throw err
      invalid(`${what}: cannot read ${text}: ${(err as Error).message}`, err)
    }
  }
  if (HEX.test(text)) return hexBytes(text, what)
  return invalid(`${what}: no file ${text}, and not hex or PEM`)
}

/** `endpoint:identity:hexkey` of `--psk` (the identity may hold colons; the key is after the last one). */
export function pskSpec(spec: string): { endpoint: string; identity: string; key: Uint8Array } {
  const first = spec.indexOf(':')
  const last = spec.lastIndexOf(':')
  if (first <= 0 || last <= first + 1 || last === spec.length - 1) {
    invalid(
      '--psk takes endpoint:identity:hexkey, e.g. --psk node-1:node-1-id:000102030405060708090a0b0c0d0e0f',
    )
  }
  return {
    endpoint: spec.slice(0, first),
    identity: spec.slice(first + 1, last),
    key: hexBytes(spec.slice(last + 1), `the key of --psk ${spec.slice(0, first)}`),
  }
}

/** Commander's collector of a repeatable option. */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value]
}
