/** Record content types (RFC 5246 section 6.2.1, RFC 9146 section 4). */
export const ContentType = {
  change_cipher_spec: 20,
  alert: 21,
  handshake: 22,
  application_data: 23,
  /** RFC 9146: a record carrying a connection ID; the real type is inside the encrypted payload. */
  tls12_cid: 25,
} as const
export type ContentType = (typeof ContentType)[keyof typeof ContentType]

/** DTLS 1.2 on the wire is {254, 253}; DTLS 1.0 is {254, 255} (RFC 6347 section 4.1). */
export const DTLS_1_2 = 0xfefd
export const DTLS_1_0 = 0xfeff

/** The DTLS record header: 13 bytes, plus the CID in a tls12_cid record (RFC 6347 4.1, RFC 9146 4). */
export const RECORD_HEADER_LENGTH = 13

/** The largest plaintext a record may carry (RFC 5246 section 6.2.1). */
export const MAX_PLAINTEXT = 16384
/** The largest ciphertext a record may carry (RFC 5246 section 6.2.3: 2^14 + 2048). */
export const MAX_CIPHERTEXT = 16384 + 2048
/** The largest 48-bit sequence number. */
export const MAX_SEQUENCE = 2 ** 48 - 1

/** One record of a datagram; `fragment` and `header` are views into the datagram. */
export interface DtlsRecord {
  /** The content type on the wire (25 for a CID record before decryption). */
  readonly type: number
  readonly version: number
  readonly epoch: number
  /** The 48-bit sequence number. */
  readonly sequence: number
  /** The connection ID of a tls12_cid record. */
  readonly cid?: Uint8Array
  /** The record payload (encrypted unless epoch 0). */
  readonly fragment: Uint8Array
}
