/**
 * @packageDocumentation
 * DTLS 1.2 (RFC 6347) for Node.js on node:crypto, offered to @lwm2m/coap as a
 * `Transport` (scheme "coaps"): client and server, PSK (RFC 4279), raw public keys
 * (RFC 7250) and X.509 with the cipher suites LwM2M names (TLS_PSK_WITH_AES_128_CCM_8,
 * TLS_PSK_WITH_AES_128_CBC_SHA256, TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8,
 * TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256), the stateless cookie exchange, flight
 * retransmission, the anti-replay window, session resumption, the extended master
 * secret (RFC 7627), server_name (RFC 6066), refused renegotiation (RFC 5746) and
 * Connection ID (RFC 9146). The authenticated identity of the peer travels with every
 * datagram handed up.
 */

export * from './credentials/keys.js'
export * from './credentials/x509.js'
export * from './crypto/prf.js'
export * from './crypto/record-protection.js'
export * from './crypto/suites.js'
export * from './errors.js'
export * from './handshake/messages.js'
export * from './handshake/types.js'
export * from './record/alert.js'
export * from './record/codec.js'
export * from './record/replay-window.js'
export * from './record/types.js'
export * from './transport/endpoint.js'
export * from './transport/options.js'
