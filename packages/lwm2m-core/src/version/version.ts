import { Lwm2mError } from '../errors.js'

/** The LwM2M enabler versions this package implements. */
export type Lwm2mVersion = '1.0' | '1.1' | '1.2'

/** Every version this package implements, oldest first. */
export const LWM2M_VERSIONS: readonly Lwm2mVersion[] = ['1.0', '1.1', '1.2']

/** The newest version this package implements. */
export const LATEST_LWM2M_VERSION: Lwm2mVersion = '1.2'

const VERSION_TEXT = /^(0|[1-9][0-9]{0,3})\.(0|[1-9][0-9]{0,3})$/

/**
 * A `major.minor` version as the `lwm2m=` parameter and the `ver=` link attribute
 * carry it (Core TS section 7.3, ABNF `1*DIGIT "." 1*DIGIT`), split into numbers.
 * Returns undefined for text that is not of that form.
 */
export function parseVersionText(text: string): { major: number; minor: number } | undefined {
  const m = VERSION_TEXT.exec(text)
  if (!m) return undefined
  return { major: Number(m[1]), minor: Number(m[2]) }
}

/** Compares two `major.minor` version strings; throws LWM2M_INVALID_REGISTRATION for malformed text. */
export function compareVersions(a: string, b: string): number {
  const x = parseVersionText(a)
  const y = parseVersionText(b)
  if (!x || !y) throw new Lwm2mError('LWM2M_INVALID_REGISTRATION', `not a version: "${x ? b : a}"`)
  return x.major - y.major || x.minor - y.minor
}

/** True for "1.0", "1.1" and "1.2". */
export function isLwm2mVersion(text: string): text is Lwm2mVersion {
  return text === '1.0' || text === '1.1' || text === '1.2'
}

/** True if `version` is `atLeast` or newer (both must be versions we know). */
export function versionAtLeast(version: Lwm2mVersion, atLeast: Lwm2mVersion): boolean {
  return LWM2M_VERSIONS.indexOf(version) >= LWM2M_VERSIONS.indexOf(atLeast)
}

/** What a server decides about the `lwm2m=` version of a Register. */
export type VersionDecision =
  | { readonly accepted: true; readonly version: Lwm2mVersion }
  | {
      readonly accepted: false
      /** The CoAP code to answer with: 4.12 (0x8c) or 4.00 (0x80). */
      readonly code: number
      readonly reason: string
    }

/**
 * Version negotiation on Register (Core TS 1.2 section 6.2.1: "An LwM2M Server MUST
 * refuse a Client's Registration request, if it does not support the LwM2M Enabler
 * version indicated by the Client"; Transport TS 1.1/1.2 table 6.7-2: 4.12 Precondition
 * Failed, "Supported LwM2M Versions of the Server and the Client are not compatible").
 *
 * - no `lwm2m=` parameter: a 1.0 client (it was optional with default 1.0 in TS 1.0), accepted as 1.0
 *   when the server supports 1.0;
 * - text that is not `major.minor`: 4.00 Bad Request (a malformed parameter);
 * - a well-formed version the server does not support (1.3, 2.0, or one the server was
 *   configured without): 4.12 Precondition Failed. A 1.0 client knows no 4.12 (TS 1.0 lists
 *   only 2.01, 4.00, 4.03 for Register), so a server refusing "1.0" answers 4.00 instead.
 *
 * The client then may try an older version (section 5.1 "Compatibility").
 */
export function negotiateVersion(
  requested: string | undefined,
  supported: readonly Lwm2mVersion[] = LWM2M_VERSIONS,
): VersionDecision {
  const text = requested ?? '1.0'
  if (!parseVersionText(text)) {
    return { accepted: false, code: 0x80, reason: `malformed lwm2m version "${text}"` }
  }
  if (isLwm2mVersion(text) && supported.includes(text)) return { accepted: true, version: text }
  return {
    accepted: false,
    code: text === '1.0' ? 0x80 : 0x8c,
    reason: `LwM2M version ${text} is not supported (supported: ${supported.join(', ')})`,
  }
}
