/** Handshake message types (RFC 5246 section 7.4, RFC 6347 section 4.3.2). */
export const HandshakeType = {
  hello_request: 0,
  client_hello: 1,
  server_hello: 2,
  hello_verify_request: 3,
  certificate: 11,
  server_key_exchange: 12,
  certificate_request: 13,
  server_hello_done: 14,
  certificate_verify: 15,
  client_key_exchange: 16,
  finished: 20,
} as const
export type HandshakeType = (typeof HandshakeType)[keyof typeof HandshakeType]

/** Extension types used here (RFC 6066, 7250, 7627, 5746, 8422, 9146). */
export const ExtensionType = {
  server_name: 0,
  supported_groups: 10,
  ec_point_formats: 11,
  signature_algorithms: 13,
  client_certificate_type: 19,
  server_certificate_type: 20,
  encrypt_then_mac: 22,
  extended_master_secret: 23,
  connection_id: 54,
  renegotiation_info: 0xff01,
} as const

/** Certificate types of RFC 7250 (TLS Certificate Types registry). */
export const CertificateType = { x509: 0, raw_public_key: 2 } as const

/** secp256r1 (RFC 8422 section 5.1.1). */
export const NAMED_CURVE_SECP256R1 = 23
/** ECCurveType named_curve (RFC 8422 section 5.4). */
export const EC_CURVE_TYPE_NAMED = 3
/** SignatureAndHashAlgorithm {sha256, ecdsa} (RFC 5246 section 7.4.1.4.1). */
export const SIG_ECDSA_SHA256 = 0x0403
/** ClientCertificateType ecdsa_sign (RFC 8422 section 5.5). */
export const CLIENT_CERT_ECDSA_SIGN = 64

/** The DTLS handshake header length (RFC 6347 section 4.2.2). */
export const HANDSHAKE_HEADER_LENGTH = 12
