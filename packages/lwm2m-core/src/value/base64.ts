/**
 * Strict base64 (RFC 4648 section 4, text/plain opaque values and OMA JSON "sv") and
 * base64url (section 5, SenML "vd"). Decoders reject characters outside the alphabet,
 * misplaced padding and non-zero trailing bits, so that every text has one meaning.
 */

const B64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}(?:==)?|[A-Za-z0-9+/]{3}=?)?$/
const B64URL = /^(?:[A-Za-z0-9_-]{4})*(?:[A-Za-z0-9_-]{2}(?:==)?|[A-Za-z0-9_-]{3}=?)?$/

function view(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
}

/** Standard base64 with padding. */
export function encodeBase64(bytes: Uint8Array): string {
  return view(bytes).toString('base64')
}

/** base64url without padding (RFC 8428 section 4.3 for "vd"). */
export function encodeBase64Url(bytes: Uint8Array): string {
  return view(bytes).toString('base64url')
}

function decode(text: string, pattern: RegExp, encoding: 'base64' | 'base64url'): Uint8Array | undefined {
  if (!pattern.test(text)) return undefined
  // Padding is optional only when the text is unpadded throughout: "ab=" is not base64.
  const pad = text.indexOf('=')
  if (pad >= 0 && text.length % 4 !== 0) return undefined
  const buf = Buffer.from(text, encoding)
  // Reject non-canonical trailing bits ("QR==" decodes like "QQ==").
  if (buf.toString(encoding).replace(/=+$/, '') !== text.replace(/=+$/, '')) return undefined
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength)
}

/** Decodes standard base64 (padding required when present, may be omitted entirely); undefined if invalid. */
export function decodeBase64(text: string): Uint8Array | undefined {
  return decode(text, B64, 'base64')
}

/** Decodes base64url, with or without padding; undefined if invalid. */
export function decodeBase64Url(text: string): Uint8Array | undefined {
  return decode(text, B64URL, 'base64url')
}
