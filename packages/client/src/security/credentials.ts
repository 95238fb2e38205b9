import { createPublicKey, type KeyObject, type X509Certificate } from 'node:crypto'
import type { CoapUri } from '@lwm2m/coap'
import type { ObjectInstance, ResourceValue } from '@lwm2m/core'
import { resourceValue, type SecurityInstance } from '../accounts/accounts.js'
import { ClientError } from '../errors.js'
import {
  type MatchingType,
  matchesExpected,
  readCertificates,
  readPrivateKey,
  readPublicKey,
  samePublicKey,
  spkiOf,
} from './keys.js'

/** The cipher suites of @lwm2m/dtls (the ones LwM2M names, Transport TS 1.1 section 5.2.8). */
export type DtlsCipherSuiteName =
  | 'TLS_PSK_WITH_AES_128_CCM_8'
  | 'TLS_PSK_WITH_AES_128_CBC_SHA256'
  | 'TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8'
  | 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256'

/** IANA TLS cipher suite values (/0/x/16) of the suites @lwm2m/dtls implements. */
const SUITES_BY_ID: ReadonlyMap<number, DtlsCipherSuiteName> = new Map([
  [0xc0a8, 'TLS_PSK_WITH_AES_128_CCM_8'],
  [0x00ae, 'TLS_PSK_WITH_AES_128_CBC_SHA256'],
  [0xc0ae, 'TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8'],
  [0xc02b, 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256'],
])

/**
 * DTLS client credentials for one server, taken from its Security instance: the shape of
 * `DtlsClientPeerOptions` of @lwm2m/dtls (so it is handed to `dtlsClient` as it is), defined
 * here so that this package needs @lwm2m/dtls only when a `coaps` server is used.
 */
export interface DtlsCredentials {
  /** Security Mode 0: the PSK identity /0/x/3 (UTF-8) and the key /0/x/5 (kept as the Security object keeps it). */
  readonly psk?: { readonly identity: string; readonly key: Uint8Array }
  /** Security Mode 1: our key pair (/0/x/5, /0/x/3); the server's key must match /0/x/4. */
  readonly rpk?: {
    readonly privateKey: KeyObject
    readonly publicKey: KeyObject
    readonly verifyPeer: (publicKey: Uint8Array) => boolean
  }
  /** Security Mode 2: our certificate chain (/0/x/3) and key (/0/x/5); the server's chain checked as /0/x/15 says. */
  readonly x509?: {
    readonly privateKey: KeyObject
    readonly certificateChain: readonly X509Certificate[]
    readonly trustAnchors?: readonly X509Certificate[]
    readonly verifyPeer?: (chain: readonly X509Certificate[]) => boolean
  }
  /** The host name sent as server_name (RFC 6066) and, with X.509, checked against the server's certificate. */
  readonly serverName?: string
  /** From /0/x/16 when present: the suites to offer, in its order. */
  readonly cipherSuites?: readonly DtlsCipherSuiteName[]
}

/** Options of {@link dtlsCredentials}. */
export interface DtlsCredentialOptions {
  /**
   * Check, with X.509, that the server's certificate is for the host of the Server URI (or
   * the SNI resource /0/x/14 when present): a DNS name against its subjectAltName (or CN), an
   * IP address against its IP subjectAltName (RFC 6125). Default true; ETS 1.1-int-403 wants
   * the handshake to fail on a mismatch.
   */
  readonly checkServerName?: boolean
  /**
   * Trust anchors for Certificate Usage 1 (service certificate constraint), which asks that the
   * server's certificate be /0/x/4 and that its chain validate to a trust anchor the client
   * knows (there is no system trust store here). Without them usage 1 checks only that the
   * certificate is /0/x/4. (Usage 0, CA constraint, takes /0/x/4 itself as the anchor.)
   */
  readonly trustAnchors?: readonly X509Certificate[]
}

function integers(instance: ObjectInstance, id: number): number[] {
  const r = instance.resources.get(id)
  const values: ResourceValue[] =
    r === undefined ? [] : r.kind === 'resource' ? [r.value] : [...r.instances.values()]
  return values.filter((v) => typeof v === 'number' || typeof v === 'bigint').map(Number)
}

const SECURITY_MODES = ['PSK', 'RPK', 'certificate', 'NoSec', 'certificate with EST']

/**
 * The DTLS credentials of a Security instance (Core TS 1.1 section E.1, 1.2 appendix E.1)
 * for the server at `uri`: Security Mode (/0/x/2) 0 PSK, 1 raw public key, 2 certificate;
 * Public Key or Identity (3), Server Public Key (4), Secret Key (5), Matching Type (13), SNI
 * (14), Certificate Usage (15), DTLS/TLS Ciphersuite (16). Throws a ClientError
 * `CLIENT_SECURITY` for NoSec (3), certificate with EST (4), and key material that does not
 * parse; no message carries key bytes.
 *
 * - PSK: identity /0/x/3 as UTF-8, key /0/x/5.
 * - RPK: private key /0/x/5 (PKCS#8 or SEC1 DER, PEM, raw 32-byte scalar); /0/x/3 is our public
 *   key (checked against the private key when present); the server's key must be /0/x/4
 *   (SubjectPublicKeyInfo DER, PEM or raw point), or its hash under the Matching Type.
 * - X.509: certificate (chain) /0/x/3, private key /0/x/5, and /0/x/4 by Certificate Usage:
 *   3 domain-issued certificate (the default) and 1 service certificate constraint, the
 *   server's certificate itself (or its hash); 2 trust anchor assertion and 0 CA constraint,
 *   a CA certificate the server's chain must lead to. The host name is checked as
 *   `checkServerName` says.
 */
export function dtlsCredentials(
  security: SecurityInstance,
  uri: CoapUri,
  options: DtlsCredentialOptions = {},
): DtlsCredentials {
  const where = `Security instance /0/${security.instanceId}`
  const instance = security.resources
  const mode = security.securityMode
  const matchingRaw = resourceValue(instance, 13)
  const matching = (matchingRaw === undefined ? 0 : Number(matchingRaw)) as MatchingType
  if (![0, 1, 2, 3].includes(matching)) {
    throw new ClientError('CLIENT_SECURITY', `${where}: Matching Type (13) ${String(matchingRaw)} is unknown`)
  }
  const sniValue = resourceValue(instance, 14)
  const sni = typeof sniValue === 'string' && sniValue.length > 0 ? sniValue : undefined
  const suiteIds = integers(instance, 16)
  let cipherSuites: DtlsCipherSuiteName[] | undefined
  if (suiteIds.length > 0) {
    cipherSuites = suiteIds.flatMap((id) => SUITES_BY_ID.get(id) ?? [])
    if (cipherSuites.length === 0) {
      throw new ClientError(
        'CLIENT_SECURITY',
        `${where}: none of the cipher suites of /16 (${suiteIds.map((i) => `0x${i.toString(16)}`).join(', ')}) is implemented`,
      )
    }
  }
  const common = {
    ...(cipherSuites === undefined ? {} : { cipherSuites }),
  }
  switch (mode) {
    case 0: {
      if (security.publicKeyOrIdentity.length === 0) {
        throw new ClientError('CLIENT_SECURITY', `${where}: PSK mode without a PSK identity (/3)`)
      }
      if (security.secretKey.length === 0) {
        throw new ClientError('CLIENT_SECURITY', `${where}: PSK mode without a key (/5)`)
      }
      let identity: string
      try {
        identity = new TextDecoder('utf-8', { fatal: true }).decode(security.publicKeyOrIdentity)
      } catch (cause) {
        throw new ClientError('CLIENT_SECURITY', `${where}: the PSK identity (/3) is not UTF-8`, { cause })
      }
      return {
        psk: { identity, key: security.secretKey },
        ...(sni === undefined ? {} : { serverName: sni }),
        ...common,
      }
    }
    case 1: {
      const privateKey = readPrivateKey(security.secretKey, `${where}/5`)
      const publicKey = createPublicKey(privateKey)
      if (security.publicKeyOrIdentity.length > 0) {
        const declared = readPublicKey(security.publicKeyOrIdentity, `${where}/3`)
        if (!samePublicKey(declared, publicKey)) {
          throw new ClientError(
            'CLIENT_SECURITY',
            `${where}: the public key /3 does not belong to the private key /5`,
          )
        }
      }
      const expected =
        matching === 0
          ? spkiOf(readPublicKey(security.serverPublicKey, `${where}/4`))
          : nonEmpty(security.serverPublicKey, `${where}/4`, 'no hash of the server public key')
      return {
        rpk: {
          privateKey,
          publicKey,
          verifyPeer: (spki) => matchesExpected(spki, expected, matching),
        },
        ...(sni === undefined ? {} : { serverName: sni }),
        ...common,
      }
    }
    case 2: {
      const certificateChain = readCertificates(security.publicKeyOrIdentity, `${where}/3`)
      const privateKey = readPrivateKey(security.secretKey, `${where}/5`)
      if (!samePublicKey(certificateChain[0]!.publicKey, privateKey)) {
        throw new ClientError('CLIENT_SECURITY', `${where}: the certificate /3 is not for the private key /5`)
      }
      const usage = Number(resourceValue(instance, 15) ?? 3)
      const check = options.checkServerName ?? true
      const serverName = check ? (sni ?? uri.host) : undefined
      return {
        x509: { privateKey, certificateChain, ...serverTrust(security, usage, matching, options, where) },
        ...(serverName === undefined ? {} : { serverName }),
        ...common,
      }
    }
    default:
      throw new ClientError(
        'CLIENT_SECURITY',
        `${where}: Security Mode ${mode}${SECURITY_MODES[mode] === undefined ? '' : ` (${SECURITY_MODES[mode]})`} cannot secure ${uri.scheme}://${uri.host}: DTLS needs mode 0 (PSK), 1 (RPK) or 2 (certificate)`,
      )
  }
}

function nonEmpty(bytes: Uint8Array, where: string, what: string): Uint8Array {
  if (bytes.length === 0) throw new ClientError('CLIENT_SECURITY', `${where}: ${what}`)
  return bytes
}

/** The trust settings of the X.509 suites from Certificate Usage (/0/x/15, RFC 6698 section 2.1.1 values). */
function serverTrust(
  security: SecurityInstance,
  usage: number,
  matching: MatchingType,
  options: DtlsCredentialOptions,
  where: string,
): {
  trustAnchors?: readonly X509Certificate[]
  verifyPeer?: (chain: readonly X509Certificate[]) => boolean
} {
  const expected = security.serverPublicKey
  const extra = options.trustAnchors ?? []
  switch (usage) {
    case 1:
    case 3: {
      // The server's own certificate (domain-issued, or a service certificate constraint).
      const pinned =
        matching === 0
          ? new Uint8Array(readCertificates(expected, `${where}/4`)[0]!.raw)
          : nonEmpty(expected, `${where}/4`, 'no hash of the server certificate')
      const verifyPeer = (chain: readonly X509Certificate[]) =>
        chain[0] !== undefined && matchesExpected(new Uint8Array(chain[0].raw), pinned, matching)
      return usage === 1 && extra.length > 0 ? { trustAnchors: extra, verifyPeer } : { verifyPeer }
    }
    case 0:
    case 2: {
      // A CA certificate: the trust anchor the chain must lead to (or, by hash, one that it contains).
      if (matching === 0) {
        return { trustAnchors: readCertificates(expected, `${where}/4`) }
      }
      const hash = nonEmpty(expected, `${where}/4`, 'no hash of the trust anchor')
      return {
        verifyPeer: (chain) =>
          chain.some((c) => c.ca && matchesExpected(new Uint8Array(c.raw), hash, matching)),
      }
    }
    default:
      throw new ClientError('CLIENT_SECURITY', `${where}: Certificate Usage (15) ${usage} is unknown`)
  }
}
