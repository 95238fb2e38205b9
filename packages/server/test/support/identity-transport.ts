import { type Peer, type PeerIdentity, peerKey, type Transport, transportSymbol } from '@lwm2m/coap'

/**
 * A transport that marks datagrams from some peers with a security identity, as a DTLS
 * transport would after the handshake: lets tests of the server's security check run on the
 * in-memory network. `identities` maps `peerKey(peer)` ("127.0.0.1:20001") to the identity;
 * it may change during a test.
 */
export function withIdentities(inner: Transport, identities: Map<string, PeerIdentity>): Transport {
  return {
    [transportSymbol]: true,
    scheme: 'coaps',
    ...(inner.maxDatagramSize === undefined ? {} : { maxDatagramSize: inner.maxDatagramSize }),
    open: (handler) =>
      inner.open((data, peer) => {
        const identity = identities.get(peerKey(peer))
        const from: Peer =
          identity === undefined ? peer : { address: peer.address, port: peer.port, identity }
        handler(data, from)
      }),
    send: (datagram, peer, callback) => inner.send(datagram, peer, callback),
    address: () => inner.address(),
    close: () => inner.close(),
  }
}
