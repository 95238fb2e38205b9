import { Reader } from '../bytes.js'
import { DtlsCodecError } from '../errors.js'
import { ContentType, type DtlsRecord, MAX_CIPHERTEXT, MAX_SEQUENCE, RECORD_HEADER_LENGTH } from './types.js'

/**
 * Decodes the record at `offset` (RFC 6347 section 4.1; RFC 9146 section 4 for tls12_cid,
 * whose CID length the receiver knows because it chose the CID: `cidLength`).
 * Returns the record (views into `datagram`) and the offset after it.
 */
export function decodeRecord(
  datagram: Uint8Array,
  offset: number,
  cidLength = 0,
): { record: DtlsRecord; next: number } {
  const r = new Reader(datagram, offset)
  const type = r.u8('record type')
  if (type < 20 || type > 25 || type === 24) r.fail(`unknown record content type ${type}`, 10)
  const version = r.u16('record version')
  if (version >>> 8 !== 0xfe) r.fail(`record version ${version.toString(16)} is not DTLS`, 70)
  const epoch = r.u16('epoch')
  const sequence = r.u48('sequence number')
  let cid: Uint8Array | undefined
  if (type === ContentType.tls12_cid) {
    if (cidLength === 0) r.fail('tls12_cid record without a negotiated connection ID', 10)
    cid = r.view(cidLength, 'connection id')
  }
  const length = r.u16('record length')
  if (length > MAX_CIPHERTEXT) r.fail(`record length ${length} exceeds 2^14+2048`, 22)
  const fragment = r.view(length, 'record fragment')
  const record: DtlsRecord =
    cid === undefined
      ? { type, version, epoch, sequence, fragment }
      : { type, version, epoch, sequence, cid, fragment }
  return { record, next: r.offset }
}

/**
 * Splits a datagram into its records (RFC 6347 section 4.1: several records may share a
 * datagram). Parsing stops at the first malformed record: the bytes after it cannot be
 * framed, and RFC 6347 section 4.1.2.7 says invalid records are silently discarded, so the
 * records decoded so far are returned with the error.
 */
export function decodeDatagram(
  datagram: Uint8Array,
  cidLength = 0,
): { records: DtlsRecord[]; error?: DtlsCodecError } {
  const records: DtlsRecord[] = []
  let offset = 0
  // Each record is at least 13 bytes, so the loop runs at most datagram.length / 13 times.
  while (offset < datagram.length) {
    try {
      const { record, next } = decodeRecord(datagram, offset, cidLength)
      records.push(record)
      offset = next
    } catch (e) {
      if (e instanceof DtlsCodecError) return { records, error: e }
      throw e
    }
  }
  return { records }
}

/** Writes a record header (13 bytes, or 13 + CID length for tls12_cid) into `out` at `at`. */
export function writeRecordHeader(
  out: Uint8Array,
  at: number,
  type: number,
  version: number,
  epoch: number,
  sequence: number,
  length: number,
  cid?: Uint8Array,
): number {
  if (sequence > MAX_SEQUENCE || sequence < 0) throw new RangeError('sequence number out of range')
  out[at] = type
  out[at + 1] = version >>> 8
  out[at + 2] = version & 0xff
  out[at + 3] = epoch >>> 8
  out[at + 4] = epoch & 0xff
  const hi = Math.floor(sequence / 0x1_0000_0000)
  const lo = sequence >>> 0
  out[at + 5] = hi >>> 8
  out[at + 6] = hi & 0xff
  out[at + 7] = lo >>> 24
  out[at + 8] = (lo >>> 16) & 0xff
  out[at + 9] = (lo >>> 8) & 0xff
  out[at + 10] = lo & 0xff
  let o = at + 11
  if (cid !== undefined) {
    out.set(cid, o)
    o += cid.length
  }
  out[o] = length >>> 8
  out[o + 1] = length & 0xff
  return o + 2
}

/** Encodes a whole record with a plaintext (or already protected) fragment. */
export function encodeRecord(record: DtlsRecord): Uint8Array {
  const cidLen = record.cid?.length ?? 0
  const out = new Uint8Array(RECORD_HEADER_LENGTH + cidLen + record.fragment.length)
  const at = writeRecordHeader(
    out,
    0,
    record.type,
    record.version,
    record.epoch,
    record.sequence,
    record.fragment.length,
    record.cid,
  )
  out.set(record.fragment, at)
  return out
}

/** The 8-byte epoch + sequence number used in MAC and AEAD inputs (RFC 6347 section 4.1.2.1). */
export function writeSeqNum(out: Uint8Array, at: number, epoch: number, sequence: number): void {
  out[at] = epoch >>> 8
  out[at + 1] = epoch & 0xff
  const hi = Math.floor(sequence / 0x1_0000_0000)
  const lo = sequence >>> 0
  out[at + 2] = hi >>> 8
  out[at + 3] = hi & 0xff
  out[at + 4] = lo >>> 24
  out[at + 5] = (lo >>> 16) & 0xff
  out[at + 6] = (lo >>> 8) & 0xff
  out[at + 7] = lo & 0xff
}
