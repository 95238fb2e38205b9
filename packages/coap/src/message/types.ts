/** The four message types of RFC 7252 section 3. */
export const MessageType = {
  CON: 0,
  NON: 1,
  ACK: 2,
  RST: 3,
} as const
export type MessageType = (typeof MessageType)[keyof typeof MessageType]

/** One option as it travels: its number and its raw value (RFC 7252 section 3.1). */
export interface CoapOption {
  readonly number: number
  readonly value: Uint8Array
}

/**
 * A CoAP message (RFC 7252 section 3). Decoding gives views over the datagram, not
 * copies: `token`, option values and `payload` share the received buffer.
 * `options` are in wire order: sorted by number, repeated options in sequence.
 */
export interface CoapMessage {
  readonly type: MessageType
  /** The 8-bit code: class in the top 3 bits, detail in the low 5 (0x45 is 2.05). */
  readonly code: number
  readonly messageId: number
  readonly token: Uint8Array
  readonly options: readonly CoapOption[]
  readonly payload: Uint8Array
}
