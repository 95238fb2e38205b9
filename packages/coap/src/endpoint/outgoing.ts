import type { CoapError } from '../errors.js'
import type { CoapMessage } from '../message/types.js'
import type { Deadline } from '../time/deadline-queue.js'
import type { Peer, SendCallback } from '../transport/types.js'
import type { PeerState } from './peer.js'

/** Who sent an {@link Outgoing} message and hears how it ended. */
export interface OutgoingOwner {
  /** An ACK arrived: `response` is the piggybacked response, undefined for an Empty ACK. */
  onAcknowledged(out: Outgoing, response: CoapMessage | undefined, from: Peer): void
  /** The peer answered with RST. */
  onReset(out: Outgoing): void
  /** Retransmissions ran out (RFC 7252 section 4.2) or the message could not be sent. */
  onGiveUp(out: Outgoing, error: CoapError): void
}

/** Retransmission timeouts are driven by the endpoint's deadline queue; this calls back into it. */
export interface RetransmissionDriver {
  onRetransmissionDue(out: Outgoing, now: number): void
}

/**
 * One message of ours in the message layer: a CON awaiting ACK/RST with its
 * retransmission state, or a NON kept so that an RST can be matched to it.
 */
export class Outgoing implements Deadline {
  deadline = 0
  heapIndex = -1
  /** Retransmissions done so far. */
  retransmits = 0
  /** Current timeout, doubled at each retransmission; 0 until first sent. */
  timeout = 0
  /** Holds one of the peer's NSTART slots. */
  holdsSlot = false
  /** Waiting for an NSTART slot. */
  queued = false
  cancelled = false
  /** The transport's verdict on each transmission of a CON (made once, on its first send). */
  sent: SendCallback | undefined = undefined
  /** Settlement hooks for owners that hand out promises per message (notifications). */
  resolve: (() => void) | undefined = undefined
  reject: ((error: CoapError) => void) | undefined = undefined

  constructor(
    readonly driver: RetransmissionDriver,
    readonly peer: PeerState,
    readonly mid: number,
    readonly bytes: Uint8Array,
    readonly confirmable: boolean,
    /** Counts against NSTART (our CON requests and pings). */
    readonly countsForNstart: boolean,
    readonly owner: OutgoingOwner,
  ) {}

  onDeadline(now: number): void {
    this.driver.onRetransmissionDue(this, now)
  }
}
