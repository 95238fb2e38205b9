import { createHmac, timingSafeEqual } from 'node:crypto'
import type { Clock } from '@lwm2m/coap'

/**
 * Stateless cookies for HelloVerifyRequest (RFC 6347 section 4.2.1): an HMAC-SHA256 over
 * the client's address, port and ClientHello parameters, under a secret that rotates every
 * `rotateMs`; the previous secret is still accepted so that an exchange spanning a rotation
 * succeeds. Nothing is stored per client.
 */
export class CookieJar {
  private current: Buffer
  private previous: Buffer
  private rotatedAt: number
  private readonly clock: Clock
  private readonly random: (n: number) => Uint8Array
  private readonly rotateMs: number

  constructor(clock: Clock, random: (n: number) => Uint8Array, rotateMs = 300_000) {
    this.clock = clock
    this.random = random
    this.rotateMs = rotateMs
    this.current = Buffer.from(random(32))
    this.previous = Buffer.from(random(32))
    this.rotatedAt = clock.now()
  }

  private rotate(): void {
    const now = this.clock.now()
    if (now - this.rotatedAt < this.rotateMs) return
    // After two periods without use, both secrets are stale.
    this.previous = now - this.rotatedAt >= 2 * this.rotateMs ? Buffer.from(this.random(32)) : this.current
    this.current = Buffer.from(this.random(32))
    this.rotatedAt = now
  }

  private mac(secret: Buffer, address: string, port: number, params: Uint8Array): Buffer {
    return createHmac('sha256', secret).update(`${address}|${port}|`).update(params).digest()
  }

  /** A cookie for this client and these ClientHello parameters. */
  make(address: string, port: number, params: Uint8Array): Buffer {
    this.rotate()
    return this.mac(this.current, address, port, params)
  }

  /** True when `cookie` was made by `make` with the current or previous secret. */
  verify(address: string, port: number, params: Uint8Array, cookie: Uint8Array): boolean {
    if (cookie.length !== 32) return false
    this.rotate()
    const c = Buffer.from(cookie.buffer, cookie.byteOffset, cookie.byteLength)
    const a = timingSafeEqual(this.mac(this.current, address, port, params), c)
    const b = timingSafeEqual(this.mac(this.previous, address, port, params), c)
    return a || b
  }
}
