const inspectSymbol = Symbol.for('nodejs.util.inspect.custom')
const brand = Symbol.for('@lwm2m/objects/secret')
const REDACTED = '[redacted]'

/**
 * Bytes that must never be printed: a Uint8Array (so codecs, DTLS and comparisons use
 * it as usual) whose `toString`, `toJSON`, `util.inspect` and `toLocaleString` show
 * `[redacted]` and the length only. Make one with `SecretBytes.copyOf(bytes)`.
 * Copies made with `slice`, `subarray` or `map` stay redacted; `reveal()`,
 * `Buffer.from(secret)` or `Array.from(secret)` make plain copies, on purpose.
 * Implementations store secret resources (Security Secret Key, SMS binding keys) as
 * SecretBytes so that a node or a value handed to a logger does not leak them.
 */
export class SecretBytes extends Uint8Array {
  /** New SecretBytes holding a copy of `bytes`. */
  static copyOf(bytes: ArrayLike<number>): SecretBytes {
    const secret = new SecretBytes(bytes.length)
    secret.set(bytes)
    return secret
  }

  get [brand](): true {
    return true
  }

  /** A plain Uint8Array copy of the secret, for the code that must use it (a DTLS handshake). */
  reveal(): Uint8Array {
    return new Uint8Array(this.buffer, this.byteOffset, this.length).slice()
  }

  override toString(): string {
    return REDACTED
  }

  override toLocaleString(): string {
    return REDACTED
  }

  toJSON(): string {
    return REDACTED
  }

  [inspectSymbol](): string {
    return `SecretBytes(${this.length}) ${REDACTED}`
  }
}

/** True for SecretBytes, from any copy of this package. */
export function isSecretBytes(value: unknown): value is SecretBytes {
  return value instanceof Uint8Array && (value as unknown as Record<symbol, unknown>)[brand] === true
}
