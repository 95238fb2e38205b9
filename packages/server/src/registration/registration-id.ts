import type { RandomSource } from '@lwm2m/coap'

/** Bytes of randomness in a registration or observation id: 72 bits, 12 base64url characters. */
const ID_BYTES = 9

/**
 * A short unpredictable id from `random` (a registration's location `/rd/<id>`, an observation
 * id): 9 random bytes as 12 base64url characters, safe in a Uri-Path segment. Guessing one of
 * a million live registrations takes about 2^52 tries.
 */
export function randomId(random: RandomSource): string {
  const bytes = new Uint8Array(ID_BYTES)
  random(bytes)
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url')
}
