import { createCipheriv, createDecipheriv, createHmac, randomFillSync, timingSafeEqual } from 'node:crypto'
import { asBuffer } from '../bytes.js'
import { writeRecordHeader, writeSeqNum } from '../record/codec.js'
import { ContentType, type DtlsRecord, MAX_PLAINTEXT } from '../record/types.js'
import type { CipherSuite } from './suites.js'

/** The keys of one direction of one epoch (RFC 5246 section 6.3). */
export interface CipherState {
  readonly suite: CipherSuite
  readonly key: Buffer
  /** The implicit 4-byte IV of AEAD suites (empty for CBC). */
  readonly fixedIv: Buffer
  /** HMAC-SHA256 key of CBC suites (empty for AEAD). */
  readonly macKey: Buffer
}

/** Client and server write states cut from the key block (RFC 5246 section 6.3). */
export function cipherStatesFromKeyBlock(
  suite: CipherSuite,
  keyBlock: Uint8Array,
): { client: CipherState; server: CipherState } {
  const kb = asBuffer(keyBlock)
  let o = 0
  const take = (n: number): Buffer => {
    const b = Buffer.from(kb.subarray(o, o + n))
    o += n
    return b
  }
  const clientMac = take(suite.macKeyLength)
  const serverMac = take(suite.macKeyLength)
  const clientKey = take(suite.encKeyLength)
  const serverKey = take(suite.encKeyLength)
  const clientIv = take(suite.fixedIvLength)
  const serverIv = take(suite.fixedIvLength)
  return {
    client: { suite, key: clientKey, fixedIv: clientIv, macKey: clientMac },
    server: { suite, key: serverKey, fixedIv: serverIv, macKey: serverMac },
  }
}

/** Key block length for a suite. */
export function keyBlockLength(suite: CipherSuite): number {
  return 2 * (suite.macKeyLength + suite.encKeyLength + suite.fixedIvLength)
}

const CID_PLACEHOLDER = 0xff

/**
 * The additional data of RFC 9146 section 5 for a tls12_cid record (the AEAD AD, or the
 * prefix of the CBC MAC input): seq_num_placeholder, tls12_cid, cid_length, tls12_cid,
 * version, epoch, sequence_number, cid, length_of_DTLSInnerPlaintext.
 */
function cidAdditionalData(
  version: number,
  epoch: number,
  sequence: number,
  cid: Uint8Array,
  innerLength: number,
): Buffer {
  const ad = Buffer.alloc(8 + 3 + 2 + 8 + cid.length + 2)
  ad.fill(CID_PLACEHOLDER, 0, 8)
  ad[8] = ContentType.tls12_cid
  ad[9] = cid.length
  ad[10] = ContentType.tls12_cid
  ad[11] = version >>> 8
  ad[12] = version & 0xff
  writeSeqNum(ad, 13, epoch, sequence)
  ad.set(cid, 21)
  ad[21 + cid.length] = innerLength >>> 8
  ad[22 + cid.length] = innerLength & 0xff
  return ad
}

/** The classic additional data / MAC header (RFC 5246 6.2.3.1/6.2.3.3 with the DTLS seq_num, RFC 6347 4.1.2.1). */
function plainAdditionalData(
  type: number,
  version: number,
  epoch: number,
  sequence: number,
  length: number,
): Buffer {
  const ad = Buffer.allocUnsafe(13)
  writeSeqNum(ad, 0, epoch, sequence)
  ad[8] = type
  ad[9] = version >>> 8
  ad[10] = version & 0xff
  ad[11] = length >>> 8
  ad[12] = length & 0xff
  return ad
}

function aeadAlgorithm(state: CipherState): 'aes-128-ccm' | 'aes-128-gcm' {
  return state.suite.cipher === 'aes-128-gcm' ? 'aes-128-gcm' : 'aes-128-ccm'
}

/**
 * Encrypts `content` into a complete record (header included). With `cid` (non-empty) the
 * record uses the tls12_cid format of RFC 9146: type 25 on the wire, the real type inside.
 */
export function protectRecord(
  state: CipherState,
  type: number,
  version: number,
  epoch: number,
  sequence: number,
  content: Uint8Array,
  cid?: Uint8Array,
): Uint8Array {
  const withCid = cid !== undefined && cid.length > 0
  let inner: Uint8Array = content
  let wireType = type
  if (withCid) {
    // DTLSInnerPlaintext: content, real_type, no zero padding (RFC 9146 section 4).
    const b = Buffer.allocUnsafe(content.length + 1)
    b.set(content, 0)
    b[content.length] = type
    inner = b
    wireType = ContentType.tls12_cid
  }
  const suite = state.suite
  const headerLen = 13 + (withCid ? cid.length : 0)
  if (suite.cipher === 'aes-128-cbc-sha256') {
    const macInput = withCid
      ? cidAdditionalData(version, epoch, sequence, cid, inner.length)
      : plainAdditionalData(type, version, epoch, sequence, inner.length)
    const mac = createHmac('sha256', state.macKey).update(macInput).update(inner).digest()
    const unpadded = inner.length + mac.length + 1
    const pad = (16 - (unpadded % 16)) % 16
    const plain = Buffer.allocUnsafe(unpadded + pad)
    plain.set(inner, 0)
    plain.set(mac, inner.length)
    plain.fill(pad, inner.length + mac.length)
    const iv = randomFillSync(Buffer.allocUnsafe(16))
    const c = createCipheriv('aes-128-cbc', state.key, iv).setAutoPadding(false)
    const body = c.update(plain)
    c.final()
    const out = Buffer.allocUnsafe(headerLen + 16 + body.length)
    const at = writeRecordHeader(
      out,
      0,
      wireType,
      version,
      epoch,
      sequence,
      16 + body.length,
      withCid ? cid : undefined,
    )
    out.set(iv, at)
    out.set(body, at + 16)
    return out
  }
  // AEAD (RFC 5288 / RFC 6655): nonce = fixed IV || explicit nonce; explicit = epoch || sequence.
  const nonce = Buffer.allocUnsafe(12)
  state.fixedIv.copy(nonce, 0)
  writeSeqNum(nonce, 4, epoch, sequence)
  const ad = withCid
    ? cidAdditionalData(version, epoch, sequence, cid, inner.length)
    : plainAdditionalData(type, version, epoch, sequence, inner.length)
  const tagLength = suite.tagLength
  const c = createCipheriv(aeadAlgorithm(state), state.key, nonce, {
    authTagLength: tagLength,
  } as never) as ReturnType<typeof createCipheriv> & {
    setAAD(b: Buffer, o?: object): void
    getAuthTag(): Buffer
  }
  c.setAAD(ad, { plaintextLength: inner.length })
  const fragLen = 8 + inner.length + tagLength
  const out = Buffer.allocUnsafe(headerLen + fragLen)
  let at = writeRecordHeader(out, 0, wireType, version, epoch, sequence, fragLen, withCid ? cid : undefined)
  nonce.copy(out, at, 4, 12)
  at += 8
  // A zero-length Buffer over an empty ArrayBuffer has no data pointer and OpenSSL's CCM then never sees the
  // (empty) plaintext: use a pooled empty Buffer instead.
  const body = c.update(inner.length === 0 ? Buffer.alloc(0) : asBuffer(inner))
  body.copy(out, at)
  at += body.length
  const fin = c.final()
  fin.copy(out, at)
  at += fin.length
  c.getAuthTag().copy(out, at)
  return out
}

/** A decrypted record: the real content type and the plaintext. */
export interface OpenedRecord {
  readonly type: number
  readonly content: Uint8Array
}

/**
 * Decrypts and authenticates a record. Returns undefined for any failure (bad MAC, bad
 * padding, bad length, oversized plaintext): RFC 6347 section 4.1.2.7 has such records
 * silently discarded. For CBC the MAC is computed whether or not the padding is valid (as
 * if the pad were empty, RFC 5246 section 6.2.3.2) and compared in constant time, so that
 * padding errors are not distinguishable from MAC errors.
 */
export function unprotectRecord(state: CipherState, record: DtlsRecord): OpenedRecord | undefined {
  const suite = state.suite
  const frag = asBuffer(record.fragment)
  const cid = record.type === ContentType.tls12_cid ? record.cid : undefined
  let inner: Buffer
  if (suite.cipher === 'aes-128-cbc-sha256') {
    // IV + at least one block holding MAC (32) + pad length byte, whole blocks.
    if (frag.length < 16 + 48 || (frag.length - 16) % 16 !== 0) return undefined
    const d = createDecipheriv('aes-128-cbc', state.key, frag.subarray(0, 16)).setAutoPadding(false)
    const plain = Buffer.concat([d.update(frag.subarray(16)), d.final()])
    const n = plain.length
    const padLen = plain[n - 1]!
    // Check padding in constant time over the largest possible pad (256 bytes or what exists).
    let good = padLen + 1 + 32 <= n ? 1 : 0
    const checkMax = Math.min(256, n)
    for (let i = 1; i <= checkMax; i++) {
      const inPad = i <= padLen + 1 ? 1 : 0
      const ok = plain[n - i] === padLen ? 1 : 0
      good &= ok | (inPad ^ 1)
    }
    const effectivePad = good === 1 ? padLen + 1 : 1
    const contentLen = n - 32 - effectivePad
    if (contentLen < 0) return undefined
    inner = plain.subarray(0, contentLen)
    const macIn = cid
      ? cidAdditionalData(record.version, record.epoch, record.sequence, cid, contentLen)
      : plainAdditionalData(record.type, record.version, record.epoch, record.sequence, contentLen)
    const mac = createHmac('sha256', state.macKey).update(macIn).update(inner).digest()
    const macOk = timingSafeEqual(mac, plain.subarray(contentLen, contentLen + 32))
    if (!macOk || good !== 1) return undefined
  } else {
    const tagLength = suite.tagLength
    if (frag.length < 8 + tagLength) return undefined
    const ctLen = frag.length - 8 - tagLength
    const nonce = Buffer.allocUnsafe(12)
    state.fixedIv.copy(nonce, 0)
    frag.copy(nonce, 4, 0, 8)
    const ad = cid
      ? cidAdditionalData(record.version, record.epoch, record.sequence, cid, ctLen)
      : plainAdditionalData(record.type, record.version, record.epoch, record.sequence, ctLen)
    try {
      const d = createDecipheriv(aeadAlgorithm(state), state.key, nonce, {
        authTagLength: tagLength,
      } as never) as ReturnType<typeof createDecipheriv> & {
        setAAD(b: Buffer, o?: object): void
        setAuthTag(b: Buffer): void
      }
      d.setAuthTag(frag.subarray(8 + ctLen))
      d.setAAD(ad, { plaintextLength: ctLen })
      const body = d.update(frag.subarray(8, 8 + ctLen))
      const fin = d.final()
      inner = fin.length === 0 ? body : Buffer.concat([body, fin])
    } catch {
      return undefined
    }
  }
  let type = record.type
  let content: Uint8Array = inner
  if (cid) {
    // DTLSInnerPlaintext: strip zero padding, the last non-zero byte is the real type.
    let i = inner.length - 1
    while (i >= 0 && inner[i] === 0) i--
    if (i < 0) return undefined
    type = inner[i]!
    content = inner.subarray(0, i)
    if (type === ContentType.tls12_cid) return undefined
  }
  if (content.length > MAX_PLAINTEXT) return undefined
  return { type, content }
}
