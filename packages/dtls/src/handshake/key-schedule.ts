import { prf } from '../crypto/prf.js'
import { type CipherState, cipherStatesFromKeyBlock, keyBlockLength } from '../crypto/record-protection.js'
import type { CipherSuite } from '../crypto/suites.js'

/**
 * The master secret: RFC 5246 section 8.1, or with the extended master secret of
 * RFC 7627 section 4 ("extended master secret" over the session hash).
 */
export function computeMasterSecret(
  premaster: Uint8Array,
  clientRandom: Uint8Array,
  serverRandom: Uint8Array,
  extended: boolean,
  sessionHash: Uint8Array,
): Uint8Array {
  if (extended) return prf(premaster, 'extended master secret', sessionHash, 48)
  const seed = new Uint8Array(64)
  seed.set(clientRandom, 0)
  seed.set(serverRandom, 32)
  return prf(premaster, 'master secret', seed, 48)
}

/** Client and server write states from the master secret (RFC 5246 section 6.3). */
export function deriveCipherStates(
  suite: CipherSuite,
  masterSecret: Uint8Array,
  clientRandom: Uint8Array,
  serverRandom: Uint8Array,
): { client: CipherState; server: CipherState } {
  const seed = new Uint8Array(64)
  seed.set(serverRandom, 0)
  seed.set(clientRandom, 32)
  return cipherStatesFromKeyBlock(suite, prf(masterSecret, 'key expansion', seed, keyBlockLength(suite)))
}

/** Finished.verify_data (RFC 5246 section 7.4.9): 12 bytes. */
export function computeVerifyData(
  masterSecret: Uint8Array,
  role: 'client' | 'server',
  transcriptHash: Uint8Array,
): Uint8Array {
  return prf(masterSecret, role === 'client' ? 'client finished' : 'server finished', transcriptHash, 12)
}
