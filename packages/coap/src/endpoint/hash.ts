/** The 32-bit FNV-1a hash of some bytes (unsigned), for keys that need not be collision-free. */
export function fnv1a(bytes: Uint8Array): number {
  let h = 0x811c9dc5
  for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193)
  return h >>> 0
}
