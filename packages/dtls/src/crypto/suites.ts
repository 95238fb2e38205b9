/** How a suite encrypts records. */
export type BulkCipher = 'aes-128-ccm-8' | 'aes-128-gcm' | 'aes-128-cbc-sha256'

/** A TLS 1.2 cipher suite this package implements (all with the SHA-256 PRF). */
export interface CipherSuite {
  readonly id: number
  readonly name: CipherSuiteName
  readonly keyExchange: 'psk' | 'ecdhe_ecdsa'
  readonly cipher: BulkCipher
  /** MAC key length (CBC only). */
  readonly macKeyLength: number
  readonly encKeyLength: number
  /** Implicit (fixed) IV length from the key block: 4 for AEAD, 0 for CBC in TLS 1.2. */
  readonly fixedIvLength: number
  /** Bytes per record before the ciphertext: explicit nonce (8) or CBC IV (16). */
  readonly recordIvLength: number
  /** AEAD tag length, or the MAC length for CBC. */
  readonly tagLength: number
}

/** The cipher suites LwM2M names (OMA LwM2M 1.1 Transport section 5.2.8). */
export type CipherSuiteName =
  | 'TLS_PSK_WITH_AES_128_CCM_8'
  | 'TLS_PSK_WITH_AES_128_CBC_SHA256'
  | 'TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8'
  | 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256'

export const CIPHER_SUITES: readonly CipherSuite[] = [
  {
    // RFC 6655 section 4
    id: 0xc0a8,
    name: 'TLS_PSK_WITH_AES_128_CCM_8',
    keyExchange: 'psk',
    cipher: 'aes-128-ccm-8',
    macKeyLength: 0,
    encKeyLength: 16,
    fixedIvLength: 4,
    recordIvLength: 8,
    tagLength: 8,
  },
  {
    // RFC 5487 section 3.2
    id: 0x00ae,
    name: 'TLS_PSK_WITH_AES_128_CBC_SHA256',
    keyExchange: 'psk',
    cipher: 'aes-128-cbc-sha256',
    macKeyLength: 32,
    encKeyLength: 16,
    fixedIvLength: 0,
    recordIvLength: 16,
    tagLength: 32,
  },
  {
    // RFC 7251 section 2
    id: 0xc0ae,
    name: 'TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8',
    keyExchange: 'ecdhe_ecdsa',
    cipher: 'aes-128-ccm-8',
    macKeyLength: 0,
    encKeyLength: 16,
    fixedIvLength: 4,
    recordIvLength: 8,
    tagLength: 8,
  },
  {
    // RFC 5289 section 3.2
    id: 0xc02b,
    name: 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256',
    keyExchange: 'ecdhe_ecdsa',
    cipher: 'aes-128-gcm',
    macKeyLength: 0,
    encKeyLength: 16,
    fixedIvLength: 4,
    recordIvLength: 8,
    tagLength: 16,
  },
]

const byId = new Map(CIPHER_SUITES.map((s) => [s.id, s]))
const byName = new Map(CIPHER_SUITES.map((s) => [s.name, s]))

export function suiteById(id: number): CipherSuite | undefined {
  return byId.get(id)
}

export function suiteByName(name: string): CipherSuite | undefined {
  return byName.get(name as CipherSuiteName)
}

/** TLS_EMPTY_RENEGOTIATION_INFO_SCSV (RFC 5746 section 3.3). */
export const EMPTY_RENEGOTIATION_INFO_SCSV = 0x00ff

/** Bytes a protected record adds to its plaintext at most, header included (for MTU maths). */
export function recordOverhead(suite: CipherSuite | undefined, cidLength = 0): number {
  const header = 13 + (cidLength > 0 ? cidLength + 1 : 0)
  if (suite === undefined) return header
  if (suite.cipher === 'aes-128-cbc-sha256') return header + 16 + 32 + 16
  return header + suite.recordIvLength + suite.tagLength
}
