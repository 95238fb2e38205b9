/**
 * Reads the top level of a TLV payload (OMA LwM2M Core TS 1.2 section 7.4.3, "TLV") as it
 * lies on the wire: each entry's type (bits 7-6 of the type byte), identifier and value
 * bytes. The cases use it to check the encoding the ETS prescribes, not only the values.
 */

/** TLV entry types: 00 Object Instance, 01 Resource Instance, 10 Multiple Resource, 11 Resource with Value. */
export const TlvKind = ['instance', 'resourceInstance', 'multipleResource', 'resource'] as const
export type TlvKind = (typeof TlvKind)[number]

export interface TlvEntry {
  readonly kind: TlvKind
  readonly id: number
  readonly value: Uint8Array
}

export function tlvEntries(bytes: Uint8Array): TlvEntry[] {
  const out: TlvEntry[] = []
  let i = 0
  const need = (n: number): void => {
    if (i + n > bytes.length) throw new Error(`TLV truncated at byte ${i}`)
  }
  while (i < bytes.length) {
    const type = bytes[i++]!
    const idLength = type & 0x20 ? 2 : 1
    need(idLength)
    const id = idLength === 2 ? (bytes[i]! << 8) | bytes[i + 1]! : bytes[i]!
    i += idLength
    const lengthType = (type >> 3) & 0x03
    let length = type & 0x07
    if (lengthType > 0) {
      need(lengthType)
      length = 0
      for (let k = 0; k < lengthType; k++) length = (length << 8) | bytes[i + k]!
      i += lengthType
    }
    need(length)
    out.push({ kind: TlvKind[type >> 6]!, id, value: bytes.subarray(i, i + length) })
    i += length
  }
  return out
}
