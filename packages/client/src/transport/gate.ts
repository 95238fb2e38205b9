import {
  type DatagramHandler,
  type Peer,
  type SendCallback,
  type Transport,
  type TransportAddress,
  type TransportEvents,
  transportSymbol,
} from '@lwm2m/coap'

/** A transport whose radio can be switched off: see {@link gateTransport}. */
export interface GatedTransport extends Transport {
  /** True while datagrams pass (the radio is on). */
  readonly passing: boolean
  /** Lets datagrams pass (true) or drops every one in both directions (false). */
  setPassing(passing: boolean): void
  /** Datagrams dropped while closed, both directions. */
  readonly dropped: number
}

/**
 * Wraps a transport with the radio switch of queue mode and of a disabled server: while
 * the gate is closed, the socket stays bound (a modem in power-saving mode keeps its IP
 * context, a DTLS session survives) but nothing goes out and every datagram that arrives
 * is dropped unread, as when the radio is off. The CoAP endpoint above sees lost datagrams.
 */
export function gateTransport(inner: Transport): GatedTransport {
  let passing = true
  let dropped = 0
  const gated: GatedTransport = {
    [transportSymbol]: true,
    scheme: inner.scheme,
    ...(inner.maxDatagramSize === undefined ? {} : { maxDatagramSize: inner.maxDatagramSize }),
    get passing() {
      return passing
    },
    get dropped() {
      return dropped
    },
    setPassing(value: boolean) {
      passing = value
    },
    open(handler: DatagramHandler, events?: TransportEvents): Promise<void> {
      return inner.open((datagram, peer) => {
        if (!passing) {
          dropped++
          return
        }
        handler(datagram, peer)
      }, events)
    },
    send(datagram: Uint8Array, peer: Peer, callback?: SendCallback): void {
      if (!passing) {
        dropped++
        callback?.()
        return
      }
      inner.send(datagram, peer, callback)
    },
    address(): TransportAddress {
      return inner.address()
    },
    close(): Promise<void> {
      return inner.close()
    },
  }
  return gated
}
