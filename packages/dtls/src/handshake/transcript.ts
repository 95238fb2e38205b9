import { createHash } from 'node:crypto'

/**
 * The handshake messages seen so far, each with its 12-byte DTLS header as if sent
 * unfragmented (RFC 6347 section 4.2.6); the first ClientHello and the HelloVerifyRequest
 * are left out (section 4.2.1). Kept as a list because CertificateVerify signs the raw
 * messages and the extended master secret and Finished need hashes at several points.
 */
export class Transcript {
  private readonly messages: Uint8Array[] = []

  add(message: Uint8Array): void {
    this.messages.push(message)
  }

  reset(): void {
    this.messages.length = 0
  }

  /** SHA-256 over every message so far. */
  hash(): Buffer {
    const h = createHash('sha256')
    for (const m of this.messages) h.update(m)
    return h.digest()
  }

  /** All messages so far, concatenated (the input CertificateVerify signs). */
  bytes(): Buffer {
    return Buffer.concat(this.messages)
  }
}
