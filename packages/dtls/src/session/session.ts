import type { PeerIdentity } from '@lwm2m/coap'

/** What a resumable session keeps (RFC 5246 section 7.3 "session state"). */
export interface SessionState {
  readonly id: Uint8Array
  readonly cipherSuite: number
  readonly masterSecret: Uint8Array
  readonly extendedMasterSecret: boolean
  /** The peer's authenticated identity, restored on resumption. */
  readonly identity: PeerIdentity
}
