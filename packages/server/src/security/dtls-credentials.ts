import type { KeyObject, X509Certificate } from 'node:crypto'
import type { PeerIdentity } from '@lwm2m/coap'
import { identityMatches } from './check.js'
import type { SecurityStore } from './security-store.js'

/** A key as a KeyObject, PEM text or DER bytes (PKCS#8 private, SubjectPublicKeyInfo public). */
export type ServerKeyInput = KeyObject | string | Uint8Array
/** A certificate as an X509Certificate, PEM text (bundles allowed) or DER bytes. */
export type ServerCertificateInput = X509Certificate | string | Uint8Array

/** What the server itself presents on the ECDHE_ECDSA suites. */
export interface ServerDtlsIdentity {
  /** Raw public keys (RFC 7250): the server's P-256 key pair. */
  readonly rpk?: { readonly privateKey: ServerKeyInput; readonly publicKey?: ServerKeyInput }
  /**
   * X.509: the server's key, its chain (end-entity first) and the CAs the clients'
   * certificates must lead to. Without `trustAnchors` a client certificate is trusted when the
   * security store pins it (`certificate` of an X.509 entry); subjects and common names are
   * only believed from a certificate that leads to a trust anchor.
   */
  readonly x509?: {
    readonly privateKey: ServerKeyInput
    readonly certificateChain: readonly ServerCertificateInput[]
    readonly trustAnchors?: readonly ServerCertificateInput[]
  }
  /** A PSK identity hint to send (none by default). */
  readonly pskHint?: string
}

/**
 * The credential options of `dtlsServer` of @lwm2m/dtls (its `psk`, `rpk` and `x509`
 * options), backed by a {@link SecurityStore}; spread them into the transport's options.
 * Defined here by shape, so that this package does not depend on @lwm2m/dtls.
 */
export interface DtlsServerCredentials {
  readonly psk: {
    readonly key: (identity: string) => Promise<Uint8Array | undefined>
    readonly hint?: string
  }
  readonly rpk?: {
    readonly privateKey: ServerKeyInput
    readonly publicKey?: ServerKeyInput
    readonly verifyPeer: (publicKey: Uint8Array) => Promise<boolean>
  }
  readonly x509?: {
    readonly privateKey: ServerKeyInput
    readonly certificateChain: readonly ServerCertificateInput[]
    readonly trustAnchors?: readonly ServerCertificateInput[]
    readonly verifyPeer: (chain: readonly X509Certificate[]) => Promise<boolean>
  }
}

/** "CN=node-1, O=ACME": the subject as @lwm2m/dtls puts it in `Peer.identity.subject`. */
export function certificateSubject(certificate: X509Certificate): string {
  return certificate.subject
    .split('\n')
    .filter((line) => line.length > 0)
    .join(', ')
}

/**
 * The DTLS server's credential callbacks, answered by the security store (Core TS 1.2
 * section 7.1; Leshan's SecurityStore plays the same part): the PSK of an identity; trust in
 * a client's raw public key; trust in a client's certificate (after the chain verified
 * against `trustAnchors`, when given). A credential the store does not know fails the
 * handshake (unknown_psk_identity, certificate_unknown), so an unknown client never gets to
 * send a Register. Which endpoint name an identity may use is checked later, on each
 * Register, Update and Send (4.03 otherwise). A store that fails counts as "unknown".
 *
 * ```ts
 * const security = createMemorySecurityStore([{ endpoint: 'node-1', mode: 'psk', identity: 'node-1', key }])
 * const server = await createServer({
 *   endpoints: [dtlsServer({ port: 5684, ...dtlsServerCredentials(security, { rpk: { privateKey } }) })],
 *   security: { store: security },
 * })
 * ```
 */
export function dtlsServerCredentials(
  store: SecurityStore,
  own: ServerDtlsIdentity = {},
): DtlsServerCredentials {
  const anchored = (own.x509?.trustAnchors?.length ?? 0) > 0
  const known = async (identity: PeerIdentity): Promise<boolean> => {
    try {
      const info = await store.getByIdentity(identity)
      if (info === undefined || !identityMatches(info, identity)) return false
      // Without trust anchors nothing vouches for a certificate's subject: only a pinned one counts.
      return identity.mode !== 'x509' || anchored || (info.mode === 'x509' && info.certificate !== undefined)
    } catch {
      return false
    }
  }
  const psk = {
    key: async (identity: string): Promise<Uint8Array | undefined> => {
      try {
        const info = await store.getByIdentity({ mode: 'psk', identity })
        return info?.mode === 'psk' && info.identity === identity ? info.key : undefined
      } catch {
        return undefined
      }
    },
    ...(own.pskHint === undefined ? {} : { hint: own.pskHint }),
  }
  return {
    psk,
    ...(own.rpk === undefined
      ? {}
      : {
          rpk: {
            ...own.rpk,
            verifyPeer: (publicKey: Uint8Array) => known({ mode: 'rpk', publicKey }),
          },
        }),
    ...(own.x509 === undefined
      ? {}
      : {
          x509: {
            ...own.x509,
            verifyPeer: (chain: readonly X509Certificate[]) => {
              const leaf = chain[0]
              if (leaf === undefined) return Promise.resolve(false)
              return known({
                mode: 'x509',
                certificate: new Uint8Array(leaf.raw),
                subject: certificateSubject(leaf),
              })
            },
          },
        }),
  }
}
