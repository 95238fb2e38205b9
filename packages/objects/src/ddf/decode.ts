import { TextDecoder } from 'node:util'

/**
 * Decodes the bytes of an XML document to text (XML 1.0 section 4.3.3, Appendix F):
 * a UTF-8 or UTF-16 byte order mark wins, else the encoding the XML declaration names,
 * else UTF-8. Invalid byte sequences are an error, never replaced.
 */
export function decodeXmlBytes(bytes: Uint8Array): string | { error: string } {
  let label = 'utf-8'
  if (bytes[0] === 0xfe && bytes[1] === 0xff) label = 'utf-16be'
  else if (bytes[0] === 0xff && bytes[1] === 0xfe) label = 'utf-16le'
  else if (!(bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf)) {
    // The declaration is ASCII in every ASCII-compatible encoding: read it from the first bytes.
    const head = String.fromCharCode(...bytes.subarray(0, Math.min(bytes.length, 200)))
    const m = /^<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z][A-Za-z0-9._-]*)["']/.exec(head)
    if (m !== null) label = m[1]!.toLowerCase()
  }
  let decoder: TextDecoder
  try {
    decoder = new TextDecoder(label, { fatal: true })
  } catch {
    return { error: `unsupported encoding "${label}"` }
  }
  try {
    return decoder.decode(bytes)
  } catch {
    return { error: `the bytes are not valid ${label}` }
  }
}
