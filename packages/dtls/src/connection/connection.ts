import type { Peer, PeerIdentity, TimerHandle } from '@lwm2m/coap'
import { peerKey } from '@lwm2m/coap'
import { type CipherState, protectRecord, unprotectRecord } from '../crypto/record-protection.js'
import { recordOverhead } from '../crypto/suites.js'
import { DtlsError, DtlsHandshakeError } from '../errors.js'
import type { ClientHandshake } from '../handshake/client-handshake.js'
import {
  decodeHandshakeFragments,
  encodeHandshake,
  encodeHandshakeFragment,
  type HandshakeFragment,
} from '../handshake/messages.js'
import { type HandshakeMessage, Reassembler } from '../handshake/reassembler.js'
import type { ServerHandshake } from '../handshake/server-handshake.js'
import { HANDSHAKE_HEADER_LENGTH, HandshakeType } from '../handshake/types.js'
import { AlertDescription, AlertLevel, alertName } from '../record/alert.js'
import { writeRecordHeader } from '../record/codec.js'
import { ReplayWindow } from '../record/replay-window.js'
import { ContentType, DTLS_1_2, type DtlsRecord, MAX_PLAINTEXT, MAX_SEQUENCE } from '../record/types.js'
import type { SessionState } from '../session/session.js'
import type { ConnectionHost } from './host.js'

/** One entry of a flight: a handshake message (unfragmented) or a ChangeCipherSpec, at an epoch. */
export type FlightItem =
  | {
      readonly kind: 'handshake'
      readonly epoch: number
      readonly type: number
      readonly seq: number
      readonly body: Uint8Array
    }
  | { readonly kind: 'ccs'; readonly epoch: number }

/** The handshake driving a connection; both roles implement it. */
export interface Handshake {
  /** Handles the next in-order handshake message; may be async (credential look-ups). */
  handle(message: HandshakeMessage, raw: Uint8Array): void | Promise<void>
  /** True when a ChangeCipherSpec is expected now (the read epoch then advances). */
  acceptChangeCipherSpec(): boolean
  /** True while waiting for the peer's Finished (a record of the new epoch that fails to open then fails the handshake). */
  readonly awaitingFinished: boolean
}

interface QueuedSend {
  readonly data: Uint8Array
  readonly callback: ((error?: Error) => void) | undefined
}

interface InboxItem {
  readonly record: DtlsRecord
  readonly address: string
  readonly port: number
}

/**
 * The DTLS state of one peer: the record layer (epochs, sequence numbers, the replay
 * window, record protection, RFC 6347 section 4.1), handshake message reassembly and
 * flights with retransmission (section 4.2), alerts, and the application data path.
 * The handshake logic of each role lives in its own class and drives this one.
 */
export class Connection {
  readonly role: 'client' | 'server'
  readonly host: ConnectionHost
  address: string
  port: number
  key: string
  state: 'handshaking' | 'established' | 'closed' = 'handshaking'
  identity: PeerIdentity | undefined
  /** True when the session was resumed with an abbreviated handshake. */
  resumed = false
  /** The session established (for the session caches). */
  session: SessionState | undefined
  lastActivity: number
  /** Client random of the handshake, so that a new ClientHello can be told from a retransmission. */
  clientRandom: Uint8Array | undefined
  handshake: (Handshake & (ServerHandshake | ClientHandshake)) | undefined
  /** The CID the peer puts in records to us (RFC 9146), empty when none. */
  ownCid: Uint8Array = new Uint8Array(0)
  /** The CID we put in records to the peer, empty when none. */
  peerCid: Uint8Array = new Uint8Array(0)

  // Record layer state.
  private readEpoch = 0
  private readState: CipherState | null = null
  private pendingReadState: CipherState | null = null
  private replay: ReplayWindow
  private writeEpoch = 0
  private readonly writeStates: Array<CipherState | null> = [null]
  private readonly writeSeq: number[] = [0]
  private pendingWriteState: CipherState | null = null
  private futureRecords: InboxItem[] = []

  // Handshake transport state.
  readonly reassembler: Reassembler
  private sendSeq = 0
  private flight: FlightItem[] | undefined
  private flightTimer: TimerHandle | undefined
  private timeout: number
  private retransmitted = false

  // Application data queued while the handshake runs (client).
  private queue: QueuedSend[] = []
  private queuedBytes = 0

  // Serialised processing while an async handshake step runs.
  private busy = false
  private inbox: InboxItem[] = []
  private inboxBytes = 0

  constructor(host: ConnectionHost, role: 'client' | 'server', address: string, port: number) {
    this.host = host
    this.role = role
    this.address = address
    this.port = port
    this.key = peerKey({ address, port })
    this.lastActivity = host.config.clock.now()
    this.replay = new ReplayWindow(host.config.replayWindow)
    this.reassembler = new Reassembler(host.config.limits.maxReassemblyBytes)
    this.timeout = host.config.retransmitInitial
  }

  get established(): boolean {
    return this.state === 'established'
  }

  get closed(): boolean {
    return this.state === 'closed'
  }

  /** The epoch-0 record sequence number to continue from (the server follows the client's ClientHello). */
  setInitialSequence(seq: number): void {
    this.writeSeq[0] = seq
  }

  /** The message_seq of our next handshake message (RFC 6347 section 4.2.2). */
  setSendSeq(seq: number): void {
    this.sendSeq = seq
  }

  // ------------------------------------------------------------ handshake building blocks

  /** Numbers a handshake message and returns it as a flight item plus its hashed form. */
  message(type: number, body: Uint8Array, epoch = this.writeEpoch): { item: FlightItem; raw: Uint8Array } {
    const seq = this.sendSeq++
    return { item: { kind: 'handshake', epoch, type, seq, body }, raw: encodeHandshake(type, seq, body) }
  }

  /** Installs the keys the next ChangeCipherSpec activates in each direction. */
  setPendingKeys(read: CipherState, write: CipherState): void {
    this.pendingReadState = read
    this.pendingWriteState = write
  }

  /** Our ChangeCipherSpec: the flight item at the current epoch, then the write epoch advances. */
  changeCipherSpec(): FlightItem {
    const item: FlightItem = { kind: 'ccs', epoch: this.writeEpoch }
    if (this.pendingWriteState === null) throw new DtlsError('DTLS_HANDSHAKE_FAILED', 'no pending keys')
    this.writeEpoch++
    this.writeStates[this.writeEpoch] = this.pendingWriteState
    this.writeSeq[this.writeEpoch] = 0
    this.pendingWriteState = null
    return item
  }

  /** The negotiated cipher suite id, once keys are active. */
  get cipherSuite(): number | undefined {
    return this.writeStates[this.writeEpoch]?.suite.id
  }

  get currentWriteEpoch(): number {
    return this.writeEpoch
  }

  /**
   * Sends a flight and, unless it is the last flight of the handshake, arms the
   * retransmission timer (RFC 6347 section 4.2.4).
   */
  sendFlight(items: FlightItem[], final: boolean): void {
    this.cancelTimer()
    this.flight = items
    this.timeout = this.host.config.retransmitInitial
    this.transmitFlight()
    if (!final) this.armTimer()
  }

  private armTimer(): void {
    const clock = this.host.config.clock
    this.flightTimer = clock.setTimeout(() => this.onTimer(), this.timeout)
  }

  private cancelTimer(): void {
    if (this.flightTimer !== undefined) {
      this.host.config.clock.clearTimeout(this.flightTimer)
      this.flightTimer = undefined
    }
  }

  private onTimer(): void {
    this.flightTimer = undefined
    if (this.closed || this.flight === undefined) return
    const max = this.host.config.retransmitMax
    if (this.timeout >= max) {
      this.fail(new DtlsError('DTLS_TIMEOUT', `the handshake with ${this.key} timed out`), undefined)
      return
    }
    this.timeout = Math.min(this.timeout * 2, max)
    this.host.logger.debug('dtls: retransmitting flight', { peer: this.key, timeout: this.timeout })
    this.transmitFlight()
    this.armTimer()
  }

  /** Encodes the current flight into records and packs them into datagrams of at most the MTU. */
  private transmitFlight(): void {
    const items = this.flight
    if (items === undefined) return
    const mtu = this.host.config.mtu
    const datagrams: Uint8Array[] = []
    let parts: Uint8Array[] = []
    let size = 0
    const push = (rec: Uint8Array): void => {
      if (size + rec.length > mtu && parts.length > 0) {
        datagrams.push(Buffer.concat(parts))
        parts = []
        size = 0
      }
      parts.push(rec)
      size += rec.length
    }
    for (const item of items) {
      if (item.kind === 'ccs') {
        push(this.sealRecord(ContentType.change_cipher_spec, item.epoch, Uint8Array.of(1)))
        continue
      }
      const state = this.writeStates[item.epoch] ?? null
      const overhead = recordOverhead(state?.suite, item.epoch > 0 ? this.peerCid.length : 0)
      const room = Math.max(64, mtu - overhead - HANDSHAKE_HEADER_LENGTH)
      const body = item.body
      if (body.length <= room) {
        push(this.sealRecord(ContentType.handshake, item.epoch, encodeHandshake(item.type, item.seq, body)))
        continue
      }
      // RFC 6347 section 4.2.3: fragment the message to fit the MTU.
      for (let off = 0; off < body.length; off += room) {
        const len = Math.min(room, body.length - off)
        push(
          this.sealRecord(
            ContentType.handshake,
            item.epoch,
            encodeHandshakeFragment(item.type, item.seq, body, off, len),
          ),
        )
      }
    }
    if (parts.length > 0) datagrams.push(Buffer.concat(parts))
    for (const d of datagrams) this.host.sendDatagram(this, d)
  }

  /** Protects one record at `epoch` with the next sequence number of that epoch. */
  private sealRecord(type: number, epoch: number, content: Uint8Array): Uint8Array {
    const seq = this.writeSeq[epoch] ?? 0
    if (seq > MAX_SEQUENCE)
      throw new DtlsError('DTLS_CLOSED', 'sequence numbers exhausted; the session must be renewed')
    this.writeSeq[epoch] = seq + 1
    const state = this.writeStates[epoch] ?? null
    if (state === null) {
      const out = new Uint8Array(13 + content.length)
      const at = writeRecordHeader(out, 0, type, DTLS_1_2, epoch, seq, content.length)
      out.set(content, at)
      return out
    }
    return protectRecord(
      state,
      type,
      DTLS_1_2,
      epoch,
      seq,
      content,
      this.peerCid.length > 0 ? this.peerCid : undefined,
    )
  }

  // ------------------------------------------------------------ receiving

  /** Records of one datagram from `address`:`port` (routed here by address or by CID). */
  receive(records: readonly DtlsRecord[], address: string, port: number): void {
    if (this.closed) return
    if (this.busy) {
      for (const record of records) this.enqueue({ record, address, port })
      return
    }
    this.retransmitted = false
    for (let i = 0; i < records.length; i++) {
      const p = this.safeProcess({ record: records[i]!, address, port })
      if (p !== undefined) {
        for (let j = i + 1; j < records.length; j++) this.enqueue({ record: records[j]!, address, port })
        this.waitFor(p)
        return
      }
      if (this.closed) return
    }
  }

  private enqueue(item: InboxItem): void {
    const n = item.record.fragment.length
    if (this.inboxBytes + n > this.host.config.limits.maxReassemblyBytes) return
    this.inboxBytes += n
    this.inbox.push(item)
  }

  /** Runs an async handshake step, holding incoming records until it is done. */
  runAsync(p: Promise<void>): void {
    this.waitFor(p)
  }

  /** The peer as handed to the CoAP layer: address, port and the authenticated identity. */
  get peer(): Peer {
    let p = this.peerCache
    if (
      p === undefined ||
      p.address !== this.address ||
      p.port !== this.port ||
      p.identity !== this.identity
    ) {
      p =
        this.identity === undefined
          ? { address: this.address, port: this.port }
          : { address: this.address, port: this.port, identity: this.identity }
      this.peerCache = p
    }
    return p
  }

  private peerCache: Peer | undefined

  private waitFor(p: Promise<void>): void {
    this.busy = true
    p.then(
      () => {
        this.busy = false
        this.drainInbox()
      },
      (e: unknown) => {
        this.busy = false
        this.onProcessingError(e)
      },
    )
  }

  private drainInbox(): void {
    while (!this.busy && !this.closed && this.inbox.length > 0) {
      const item = this.inbox.shift()!
      this.inboxBytes -= item.record.fragment.length
      const p = this.safeProcess(item)
      if (p !== undefined) this.waitFor(p)
    }
  }

  private safeProcess(item: InboxItem): Promise<void> | undefined {
    try {
      return this.processRecord(item)
    } catch (e) {
      this.onProcessingError(e)
      return undefined
    }
  }

  private onProcessingError(e: unknown): void {
    if (this.closed) return
    if (DtlsHandshakeError.isInstance(e) || (DtlsError.isInstance(e) && e.alert !== undefined)) {
      this.fail(e, e.alert ?? AlertDescription.internal_error)
      return
    }
    this.host.logger.error('dtls: internal error', { peer: this.key, error: String(e) })
    this.fail(
      new DtlsError('DTLS_HANDSHAKE_FAILED', 'internal error', { cause: e }),
      AlertDescription.internal_error,
    )
  }

  private processRecord(item: InboxItem): Promise<void> | undefined {
    const { record } = item
    if (record.epoch === this.readEpoch) return this.processCurrentEpoch(item)
    if (record.epoch === this.readEpoch + 1 && this.state === 'handshaking') {
      // A record of the next epoch before the ChangeCipherSpec (reordering): keep a few.
      if (this.futureRecords.length < 8) this.futureRecords.push(item)
      return undefined
    }
    if (record.epoch === 0 && record.type === ContentType.handshake && this.readEpoch > 0) {
      // The peer retransmits its epoch-0 handshake messages: maybe it lost our last flight.
      this.inspectOldHandshake(record.fragment)
    }
    // Any other epoch: silently discarded (RFC 6347 section 4.1).
    return undefined
  }

  private processCurrentEpoch(item: InboxItem): Promise<void> | undefined {
    const { record } = item
    let type = record.type
    let content: Uint8Array = record.fragment
    let newest = false
    if (this.readEpoch > 0) {
      const state = this.readState!
      // RFC 9146 section 3: with a CID negotiated, records of this epoch must carry it.
      if (
        this.ownCid.length > 0 ? record.type !== ContentType.tls12_cid : record.type === ContentType.tls12_cid
      )
        return undefined
      if (!this.replay.check(record.sequence)) return undefined
      const opened = unprotectRecord(state, record)
      if (opened === undefined) {
        if (this.state === 'handshaking' && this.handshake?.awaitingFinished === true) {
          // The first protected record does not open: the keys differ (wrong PSK, RFC 4279).
          throw new DtlsHandshakeError(
            'DTLS_HANDSHAKE_FAILED',
            'a record of the new epoch failed authentication: the keys differ',
            AlertDescription.bad_record_mac,
          )
        }
        return undefined // RFC 6347 section 4.1.2.7: bad MAC, silently dropped
      }
      newest = this.replay.isNewest(record.sequence)
      this.replay.accept(record.sequence)
      type = opened.type
      content = opened.content
      this.lastActivity = this.host.config.clock.now()
      if ((item.address !== this.address || item.port !== this.port) && newest) {
        // RFC 9146 section 6: the newest authenticated record moves the peer.
        this.host.onAddressChange(this, item.address, item.port)
      }
    } else if (record.type === ContentType.tls12_cid || record.type === ContentType.application_data) {
      return undefined
    } else if (item.address !== this.address || item.port !== this.port) {
      return undefined // plaintext from another address cannot be this peer's
    }
    switch (type) {
      case ContentType.application_data:
        if (this.state === 'established' && this.readEpoch > 0) {
          if (this.role === 'server' && this.flight !== undefined) this.flight = undefined // peer has our Finished
          this.host.onData(this, content)
        }
        return undefined
      case ContentType.alert:
        this.onAlert(content)
        return undefined
      case ContentType.change_cipher_spec:
        this.onChangeCipherSpec(content)
        return undefined
      case ContentType.handshake:
        return this.onHandshakeRecord(content)
      default:
        return undefined
    }
  }

  private onChangeCipherSpec(content: Uint8Array): void {
    if (content.length !== 1 || content[0] !== 1) {
      throw new DtlsHandshakeError(
        'DTLS_HANDSHAKE_FAILED',
        'malformed ChangeCipherSpec',
        AlertDescription.decode_error,
      )
    }
    if (this.state !== 'handshaking' || this.handshake === undefined) return // a retransmission
    if (this.pendingReadState === null || !this.handshake.acceptChangeCipherSpec()) {
      // Early (before the key exchange was processed, e.g. a lost fragment): ignore, the peer retransmits.
      return
    }
    this.readEpoch++
    this.readState = this.pendingReadState
    this.pendingReadState = null
    this.replay = new ReplayWindow(this.host.config.replayWindow)
    const future = this.futureRecords
    this.futureRecords = []
    for (const f of future) this.enqueueFront(f)
  }

  private enqueueFront(item: InboxItem): void {
    this.inbox.push(item)
    this.inboxBytes += item.record.fragment.length
    if (!this.busy) queueMicrotask(() => this.drainInbox())
  }

  private onHandshakeRecord(content: Uint8Array): Promise<void> | undefined {
    let fragments: HandshakeFragment[]
    try {
      fragments = decodeHandshakeFragments(content)
    } catch {
      return undefined // unframeable: discard the record
    }
    if (this.state !== 'handshaking') {
      this.onPostHandshake(fragments)
      return undefined
    }
    for (const f of fragments) {
      const r = this.reassembler.add(f)
      if (r === 'old') this.maybeRetransmit(f.messageSeq)
    }
    return this.drainHandshake()
  }

  private drainHandshake(): Promise<void> | undefined {
    for (;;) {
      if (this.closed || this.handshake === undefined || this.state !== 'handshaking') return undefined
      const m = this.reassembler.take()
      if (m === undefined) return undefined
      const raw = encodeHandshake(m.type, m.seq, m.body)
      const p = this.handshake.handle(m, raw)
      if (p !== undefined) return p.then(() => this.drainHandshake())
    }
  }

  /** RFC 6347 section 4.2.4: the peer retransmitted the end of its last flight, so ours was lost. */
  private maybeRetransmit(seq: number): void {
    if (this.retransmitted || this.flight === undefined) return
    if (seq !== this.reassembler.next - 1) return
    this.retransmitted = true
    this.transmitFlight()
  }

  private inspectOldHandshake(content: Uint8Array): void {
    try {
      for (const f of decodeHandshakeFragments(content))
        if (f.messageSeq < this.reassembler.next) this.maybeRetransmit(f.messageSeq)
    } catch {
      // discarded
    }
  }

  /** Handshake messages after the handshake: retransmissions, or renegotiation (refused, RFC 5746). */
  private onPostHandshake(fragments: HandshakeFragment[]): void {
    let refused = false
    for (const f of fragments) {
      // A renegotiating peer may restart message_seq at 0 (OpenSSL does): judge by type first.
      const renegotiation =
        (this.role === 'server' && f.type === HandshakeType.client_hello) ||
        (this.role === 'client' && f.type === HandshakeType.hello_request)
      if (renegotiation) {
        if (!refused) {
          refused = true
          this.host.logger.info('dtls: renegotiation refused', { peer: this.key })
          this.sendAlert(AlertLevel.warning, AlertDescription.no_renegotiation)
        }
        continue
      }
      if (f.messageSeq < this.reassembler.next) this.maybeRetransmit(f.messageSeq)
    }
  }

  private onAlert(content: Uint8Array): void {
    if (content.length !== 2) return
    const level = content[0]!
    const description = content[1]!
    if (this.state === 'established' && this.readEpoch === 0) return
    this.host.logger.debug('dtls: alert received', { peer: this.key, level, alert: alertName(description) })
    if (description === AlertDescription.close_notify) {
      if (this.state === 'established') this.sendAlert(AlertLevel.warning, AlertDescription.close_notify)
      this.shutdown(new DtlsError('DTLS_CLOSED', 'the peer closed the session (close_notify)', { alert: 0 }))
      return
    }
    if (level === AlertLevel.fatal) {
      const err = new DtlsHandshakeError(
        'DTLS_ALERT',
        `the peer sent the fatal alert ${alertName(description)}`,
        description,
        true,
      )
      this.host.forgetSession(this)
      this.shutdown(err)
    }
  }

  // ------------------------------------------------------------ results

  /** The handshake succeeded: the session is up, queued data goes out. */
  complete(
    identity: PeerIdentity,
    session: SessionState | undefined,
    finalFlightSent: boolean,
    resumed = false,
  ): void {
    if (!finalFlightSent) this.cancelTimer()
    this.resumed = resumed
    this.identity = identity
    this.session = session
    this.state = 'established'
    this.lastActivity = this.host.config.clock.now()
    this.reassembler.clear()
    this.futureRecords = []
    // The handshake state (transcript, ephemeral keys) is no longer needed.
    this.handshake = undefined
    this.host.onEstablished(this)
    const q = this.queue
    this.queue = []
    this.queuedBytes = 0
    for (const s of q) this.sendApplicationData(s.data, s.callback)
  }

  /** The handshake or session failed: send `alert` (fatal) if given, drop the session. */
  fail(error: DtlsError, alert: number | undefined): void {
    if (this.closed) return
    if (alert !== undefined) this.sendAlert(AlertLevel.fatal, alert)
    this.host.forgetSession(this)
    this.shutdown(error)
  }

  /** Closes with close_notify (RFC 5246 section 7.2.1). */
  close(): void {
    if (this.closed) return
    if (this.state === 'established') this.sendAlert(AlertLevel.warning, AlertDescription.close_notify)
    this.shutdown(new DtlsError('DTLS_CLOSED', 'the session was closed'))
  }

  /** Releases everything without sending anything. */
  shutdown(error: DtlsError | undefined): void {
    if (this.closed) return
    const wasEstablished = this.state === 'established'
    this.state = 'closed'
    this.cancelTimer()
    this.flight = undefined
    this.inbox = []
    this.futureRecords = []
    this.reassembler.clear()
    const q = this.queue
    this.queue = []
    const err = error ?? new DtlsError('DTLS_CLOSED', 'the session was closed')
    for (const s of q) s.callback?.(err)
    this.host.onClosed(this, err, wasEstablished)
  }

  sendAlert(level: number, description: number): void {
    try {
      const rec = this.sealRecord(ContentType.alert, this.writeEpoch, Uint8Array.of(level, description))
      this.host.sendDatagram(this, rec)
    } catch {
      // nothing to do: the session is going away
    }
  }

  // ------------------------------------------------------------ application data

  /**
   * Sends (or queues during the handshake) one datagram of application data. A failure goes
   * to `callback`, or to the log without one (the socket gets a callback only when given one:
   * its fast path stays free of completion callbacks).
   */
  sendApplicationData(data: Uint8Array, callback?: (error?: Error) => void): void {
    if (this.closed) {
      this.sendFailed(new DtlsError('DTLS_CLOSED', 'the session is closed'), callback)
      return
    }
    if (data.length > MAX_PLAINTEXT) {
      this.sendFailed(
        new DtlsError('DTLS_INVALID_ARGUMENT', `a datagram of ${data.length} bytes exceeds 2^14`),
        callback,
      )
      return
    }
    if (this.state !== 'established') {
      if (this.queuedBytes + data.length > this.host.config.limits.maxQueuedBytes) {
        this.sendFailed(
          new DtlsError('DTLS_LIMIT', 'too much data queued while the handshake runs'),
          callback,
        )
        return
      }
      this.queuedBytes += data.length
      this.queue.push({ data, callback })
      return
    }
    let rec: Uint8Array
    try {
      rec = this.sealRecord(ContentType.application_data, this.writeEpoch, data)
    } catch (e) {
      this.sendFailed(e as Error, callback)
      return
    }
    this.lastActivity = this.host.config.clock.now()
    this.host.sendDatagram(this, rec, callback)
  }

  private sendFailed(error: Error, callback: ((error?: Error) => void) | undefined): void {
    if (callback !== undefined) callback(error)
    else this.host.logger.debug('dtls: send failed', { peer: this.key, error: error.message })
  }
}
