/**
 * The firmware images of the Firmware Update cases (751-779): a small signed image format
 * that the C.8 device checks the way a real one would, so that each failure of the ETS comes
 * from the image itself: a valid image, one too large for the flash, one needing more RAM
 * than the device has, a corrupt one (digest mismatch), one of another type, and one the
 * bootloader refuses to install.
 *
 * Layout (all integers big-endian):
 *
 * | bytes | field                                                      |
 * | ----- | ---------------------------------------------------------- |
 * | 4     | magic "LWFW"                                               |
 * | 1     | image type: 1 = application firmware                       |
 * | 2     | hardware family the image is built for                     |
 * | 1 + n | package name (length, UTF-8)                               |
 * | 1 + n | package version (length, UTF-8)                            |
 * | 4     | RAM needed to unpack and install, bytes                     |
 * | 2     | lowest bootloader version able to install it               |
 * | 4 + n | payload (length, bytes)                                    |
 * | 32    | SHA-256 of everything before                               |
 */
import { createHash } from 'node:crypto'

export const IMAGE_MAGIC = 'LWFW'
export const IMAGE_TYPE_APPLICATION = 1

export interface FirmwareImageInit {
  readonly name: string
  readonly version: string
  readonly hardware: number
  readonly type?: number
  readonly ramNeeded?: number
  readonly bootloader?: number
  /** Payload size in bytes (filled with a deterministic pattern). */
  readonly size: number
}

export interface FirmwareImage {
  readonly type: number
  readonly hardware: number
  readonly name: string
  readonly version: string
  readonly ramNeeded: number
  readonly bootloader: number
  readonly payloadLength: number
}

/** Why an image was refused, as the Firmware Update object's results name it. */
export type ImageProblem = 'notAnImage' | 'corrupt'

export class FirmwareImageError extends Error {
  constructor(
    readonly problem: ImageProblem,
    message: string,
  ) {
    super(message)
    this.name = 'FirmwareImageError'
  }
}

/** Builds an image; the payload is a deterministic byte pattern of `size` bytes. */
export function buildImage(init: FirmwareImageInit): Uint8Array {
  const enc = new TextEncoder()
  const name = enc.encode(init.name)
  const version = enc.encode(init.version)
  const header = new Uint8Array(4 + 1 + 2 + 1 + name.length + 1 + version.length + 4 + 2 + 4)
  const view = new DataView(header.buffer)
  let o = 0
  header.set(enc.encode(IMAGE_MAGIC), o)
  o += 4
  view.setUint8(o++, init.type ?? IMAGE_TYPE_APPLICATION)
  view.setUint16(o, init.hardware)
  o += 2
  view.setUint8(o++, name.length)
  header.set(name, o)
  o += name.length
  view.setUint8(o++, version.length)
  header.set(version, o)
  o += version.length
  view.setUint32(o, init.ramNeeded ?? 16 * 1024)
  o += 4
  view.setUint16(o, init.bootloader ?? 1)
  o += 2
  view.setUint32(o, init.size)
  const payload = new Uint8Array(init.size)
  for (let i = 0; i < payload.length; i++) payload[i] = (i * 31 + 7) & 0xff
  const body = new Uint8Array(header.length + payload.length)
  body.set(header)
  body.set(payload, header.length)
  const digest = createHash('sha256').update(body).digest()
  const out = new Uint8Array(body.length + 32)
  out.set(body)
  out.set(digest, body.length)
  return out
}

/** Reads and checks an image: its structure first, then its digest. */
export function parseImage(bytes: Uint8Array): FirmwareImage {
  const bad = (m: string) => new FirmwareImageError('notAnImage', m)
  if (bytes.length < 4 + 1 + 2 + 1 + 1 + 4 + 2 + 4 + 32) throw bad('too short to be an image')
  if (new TextDecoder().decode(bytes.subarray(0, 4)) !== IMAGE_MAGIC) throw bad('no LWFW magic')
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  let o = 4
  const type = view.getUint8(o++)
  const hardware = view.getUint16(o)
  o += 2
  const text = () => {
    const n = view.getUint8(o++)
    if (o + n > bytes.length) throw bad('truncated header')
    const s = new TextDecoder().decode(bytes.subarray(o, o + n))
    o += n
    return s
  }
  const name = text()
  const version = text()
  if (o + 10 > bytes.length) throw bad('truncated header')
  const ramNeeded = view.getUint32(o)
  o += 4
  const bootloader = view.getUint16(o)
  o += 2
  const payloadLength = view.getUint32(o)
  o += 4
  if (o + payloadLength + 32 !== bytes.length) throw new FirmwareImageError('corrupt', 'length mismatch')
  const digest = createHash('sha256')
    .update(bytes.subarray(0, o + payloadLength))
    .digest()
  if (!digest.equals(bytes.subarray(o + payloadLength))) {
    throw new FirmwareImageError('corrupt', 'SHA-256 digest mismatch')
  }
  return { type, hardware, name, version, ramNeeded, bootloader, payloadLength }
}

/** A copy of `image` with one payload byte flipped: its digest no longer matches. */
export function corrupt(image: Uint8Array): Uint8Array {
  const out = image.slice()
  const at = Math.floor(out.length / 2)
  out[at] = (out[at] ?? 0) ^ 0x5a
  return out
}
