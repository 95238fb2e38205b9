import { createHmac } from 'node:crypto'

/**
 * P_SHA256 (RFC 5246 section 5): A(0) = seed, A(i) = HMAC(secret, A(i-1)),
 * output = HMAC(secret, A(1) + seed) + HMAC(secret, A(2) + seed) + ..., cut to `length`.
 */
export function pSha256(secret: Uint8Array, seed: Uint8Array, length: number): Uint8Array {
  const out = new Uint8Array(length)
  let a: Uint8Array = seed
  let o = 0
  while (o < length) {
    a = createHmac('sha256', secret).update(a).digest()
    const chunk = createHmac('sha256', secret).update(a).update(seed).digest()
    const n = Math.min(chunk.length, length - o)
    out.set(chunk.subarray(0, n), o)
    o += n
  }
  return out
}

/** The TLS 1.2 PRF with SHA-256 (RFC 5246 section 5): P_SHA256(secret, label + seed). */
export function prf(secret: Uint8Array, label: string, seed: Uint8Array, length: number): Uint8Array {
  const l = Buffer.from(label, 'latin1')
  const s = new Uint8Array(l.length + seed.length)
  s.set(l, 0)
  s.set(seed, l.length)
  return pSha256(secret, s, length)
}

/** The PSK premaster secret of RFC 4279 section 2: uint16 N, N zero bytes, uint16 N, the key. */
export function pskPremaster(psk: Uint8Array): Uint8Array {
  const n = psk.length
  const out = new Uint8Array(4 + 2 * n)
  out[0] = n >>> 8
  out[1] = n & 0xff
  out[2 + n] = n >>> 8
  out[3 + n] = n & 0xff
  out.set(psk, 4 + n)
  return out
}
