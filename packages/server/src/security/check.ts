import type { Peer, PeerIdentity } from '@lwm2m/coap'
import { describeIdentity, equalBytes } from './identity.js'
import { commonName, type SecurityInfo } from './security-store.js'

/** The outcome of a security check: allowed, or refused with the reason (sent as 4.03 diagnostic). */
export type SecurityDecision =
  | { readonly allowed: true }
  | { readonly allowed: false; readonly reason: string }

const ALLOWED: SecurityDecision = Object.freeze({ allowed: true })

/** True when the authenticated `identity` is the one `info` expects. */
export function identityMatches(info: SecurityInfo, identity: PeerIdentity): boolean {
  switch (info.mode) {
    case 'psk':
      return identity.mode === 'psk' && identity.identity === info.identity
    case 'rpk':
      return identity.mode === 'rpk' && equalBytes(identity.publicKey, info.publicKey)
    case 'x509':
      if (identity.mode !== 'x509') return false
      if (info.certificate !== undefined) {
        // A pinned certificate is the proof itself; a subject, when given too, must match as well.
        return (
          equalBytes(info.certificate, identity.certificate) &&
          (info.subject === undefined || identity.subject === info.subject)
        )
      }
      return info.subject !== undefined
        ? identity.subject === info.subject
        : commonName(identity.subject) === info.endpoint
  }
}

/**
 * May `peer` use the endpoint name `endpoint`? (DESIGN.md: the check that a DTLS identity may
 * use an endpoint name; Core TS 1.2 section 7.1.) With security configured for the endpoint,
 * the peer must have authenticated with exactly that identity: a plain-CoAP peer is refused.
 * Without security for the endpoint, a plain-CoAP peer is allowed when `allowUnsecured`, and an
 * authenticated peer is refused (its identity is not registered for this name).
 */
export function checkEndpointSecurity(
  endpoint: string,
  info: SecurityInfo | undefined,
  peer: Peer,
  options: { readonly allowUnsecured: boolean },
): SecurityDecision {
  const identity = peer.identity
  if (info !== undefined) {
    if (identity === undefined) {
      return { allowed: false, reason: `endpoint ${endpoint} must use a secure connection` }
    }
    if (!identityMatches(info, identity)) {
      return { allowed: false, reason: `${describeIdentity(identity)} may not use endpoint ${endpoint}` }
    }
    return ALLOWED
  }
  if (identity !== undefined) {
    return {
      allowed: false,
      reason: `${describeIdentity(identity)} has no security info for endpoint ${endpoint}`,
    }
  }
  return options.allowUnsecured
    ? ALLOWED
    : { allowed: false, reason: `endpoint ${endpoint} has no security info and plain CoAP is not allowed` }
}
