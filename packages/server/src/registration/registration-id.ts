import type { RandomSource } from '@lwm2m/coap'

/** Bytes of randomness in a registration or observation id: 72 bits, 12 base64url characters. */
const ID_BYTES = 9

const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'

/**
 * A short unpredictable id from `random` (a registration's location `/rd/<id>`, an observation
 * id): 9 random bytes as 12 base64url characters (RFC 4648 section 5), safe in a Uri-Path
 * segment. Guessing one of a million live registrations takes about 2^52 tries. Written out
 * here: a Buffer and its base64url conversion cost several times more per id.
 */
export function randomId(random: RandomSource): string {
  const bytes = new Uint8Array(ID_BYTES)
  random(bytes)
  let id = ''
  for (let i = 0; i < ID_BYTES; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!
    id += BASE64URL[n >>> 18]! + BASE64URL[(n >>> 12) & 63]! + BASE64URL[(n >>> 6) & 63]! + BASE64URL[n & 63]!
  }
  return id
}
