/** Alert levels (RFC 5246 section 7.2). */
export const AlertLevel = { warning: 1, fatal: 2 } as const
export type AlertLevel = (typeof AlertLevel)[keyof typeof AlertLevel]

/** Alert descriptions (RFC 5246 section 7.2, RFC 4279, RFC 6066, RFC 5746). */
export const AlertDescription = {
  close_notify: 0,
  unexpected_message: 10,
  bad_record_mac: 20,
  record_overflow: 22,
  handshake_failure: 40,
  bad_certificate: 42,
  unsupported_certificate: 43,
  certificate_revoked: 44,
  certificate_expired: 45,
  certificate_unknown: 46,
  illegal_parameter: 47,
  unknown_ca: 48,
  access_denied: 49,
  decode_error: 50,
  decrypt_error: 51,
  protocol_version: 70,
  insufficient_security: 71,
  internal_error: 80,
  user_canceled: 90,
  no_renegotiation: 100,
  unsupported_extension: 110,
  unrecognized_name: 112,
  unknown_psk_identity: 115,
} as const
export type AlertDescription = (typeof AlertDescription)[keyof typeof AlertDescription] | number

const names = new Map<number, string>(Object.entries(AlertDescription).map(([k, v]) => [v, k]))

/** The RFC name of an alert description, e.g. "bad_record_mac". */
export function alertName(description: number): string {
  return names.get(description) ?? `alert_${description}`
}

/** An alert message: two bytes (RFC 5246 section 7.2). */
export interface Alert {
  readonly level: AlertLevel | number
  readonly description: AlertDescription
}
