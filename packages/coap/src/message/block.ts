import { CoapError } from '../errors.js'
import { decodeUint, encodeUint } from './options.js'

/** The value of a Block1 or Block2 option (RFC 7959 section 2.2). */
export interface BlockValue {
  /** Block number, 0 to 2^20 - 1. */
  readonly num: number
  /** More blocks follow (M bit). */
  readonly more: boolean
  /** Size exponent: the block size is 2^(szx + 4); 7 is BERT (RFC 8323) and is refused over UDP. */
  readonly szx: number
}

/** Block size in bytes of a size exponent 0-6 (16 to 1024). */
export function blockSize(szx: number): number {
  return 1 << (szx + 4)
}

/** The size exponent of a block size of 16 to 1024 bytes (rounded down to a power of two). */
export function sizeToSzx(size: number): number {
  if (!(size >= 16)) throw new CoapError('COAP_INVALID_ARGUMENT', `block size ${size} (at least 16)`)
  let szx = 0
  while (szx < 6 && blockSize(szx + 1) <= size) szx++
  return szx
}

export function encodeBlock(block: BlockValue): Uint8Array {
  if (!Number.isInteger(block.num) || block.num < 0 || block.num > 0xfffff) {
    throw new CoapError('COAP_INVALID_ARGUMENT', `block number ${block.num}`)
  }
  if (!Number.isInteger(block.szx) || block.szx < 0 || block.szx > 7) {
    throw new CoapError('COAP_INVALID_ARGUMENT', `block size exponent ${block.szx}`)
  }
  return encodeUint(block.num * 16 + (block.more ? 8 : 0) + block.szx)
}

/** Decodes a Block option value of 0-3 bytes; undefined if the value is longer. */
export function decodeBlock(value: Uint8Array): BlockValue | undefined {
  if (value.length > 3) return undefined
  const n = decodeUint(value)
  return { num: n >>> 4, more: (n & 8) !== 0, szx: n & 7 }
}
