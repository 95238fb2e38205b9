import { createHash } from 'node:crypto'
import type { PeerIdentity } from '@lwm2m/coap'
import type { Awaitable } from '../store/registration-store.js'
import { identityKey } from './identity.js'

/**
 * What an endpoint must prove to use its name (Core TS 1.2 section 7.1 security modes, the
 * Security object's /0/x/3 "Public Key or Identity"): the credentials the DTLS layer accepts
 * and that the server checks the authenticated identity against.
 */
export type SecurityInfo =
  /** Pre-shared key: the PSK identity; `key` is for the DTLS layer, which looks it up by identity. */
  | { readonly endpoint: string; readonly mode: 'psk'; readonly identity: string; readonly key?: Uint8Array }
  /** Raw public key (RFC 7250): the client's SubjectPublicKeyInfo, DER. */
  | { readonly endpoint: string; readonly mode: 'rpk'; readonly publicKey: Uint8Array }
  /**
   * X.509: the certificate's subject must be `subject` exactly, or, without `subject`, its
   * common name must be the endpoint name (the usual LwM2M convention); with `certificate`
   * (DER), the client's certificate must moreover be exactly that one (pinned).
   */
  | {
      readonly endpoint: string
      readonly mode: 'x509'
      readonly subject?: string
      readonly certificate?: Uint8Array
    }

/**
 * Where the server finds the security of an endpoint. Async-capable like the other stores.
 * The DTLS transport consults the same store for keys (`getByIdentity` of a PSK identity).
 */
export interface SecurityStore {
  getByEndpoint(endpoint: string): Awaitable<SecurityInfo | undefined>
  /** The security info an authenticated identity belongs to (for a Register without `ep`, 1.1+, and for DTLS key lookup). */
  getByIdentity(identity: PeerIdentity): Awaitable<SecurityInfo | undefined>
}

/** The in-memory security store, with its editing methods. */
export interface MemorySecurityStore extends SecurityStore {
  getByEndpoint(endpoint: string): SecurityInfo | undefined
  getByIdentity(identity: PeerIdentity): SecurityInfo | undefined
  /** The PSK key of an identity, for a DTLS server's `psk.key` callback. */
  pskKey(identity: string): Uint8Array | undefined
  /** Adds or replaces the info of `info.endpoint`. Throws when another endpoint already uses the identity. */
  set(info: SecurityInfo): void
  delete(endpoint: string): boolean
  values(): IterableIterator<SecurityInfo>
  readonly size: number
}

/** The common name of an X.509 subject ("CN=node-1, O=ACME" gives "node-1"). */
export function commonName(subject: string): string | undefined {
  for (const part of subject.split(/,(?=(?:[^"]*"[^"]*")*[^"]*$)/)) {
    const m = /^\s*CN\s*=\s*(.*?)\s*$/i.exec(part)
    if (m) return m[1]!.replace(/^"(.*)"$/, '$1')
  }
  return undefined
}

/** The index key of a pinned certificate: its SHA-256. */
function certificateKey(der: Uint8Array): string {
  return `x509cert:${createHash('sha256').update(der).digest('base64')}`
}

function infoKey(info: SecurityInfo): string | undefined {
  switch (info.mode) {
    case 'psk':
      return identityKey({ mode: 'psk', identity: info.identity })
    case 'rpk':
      return identityKey({ mode: 'rpk', publicKey: info.publicKey })
    case 'x509':
      if (info.certificate !== undefined) return certificateKey(info.certificate)
      return info.subject === undefined ? undefined : `x509:${info.subject}`
  }
}

function checkInfo(info: SecurityInfo): void {
  if (typeof info.endpoint !== 'string' || info.endpoint.length === 0) {
    throw new TypeError('security info needs an endpoint name')
  }
  if (info.mode === 'psk' && (typeof info.identity !== 'string' || info.identity.length === 0)) {
    throw new TypeError(`security info of ${info.endpoint}: empty PSK identity`)
  }
  if (info.mode === 'rpk' && !(info.publicKey instanceof Uint8Array && info.publicKey.length > 0)) {
    throw new TypeError(`security info of ${info.endpoint}: no public key`)
  }
  if (
    info.mode === 'x509' &&
    info.certificate !== undefined &&
    !(info.certificate instanceof Uint8Array && info.certificate.length > 0)
  ) {
    throw new TypeError(`security info of ${info.endpoint}: empty pinned certificate`)
  }
}

/** The default {@link SecurityStore}, in memory, indexed by endpoint name and by identity. */
export function createMemorySecurityStore(infos: Iterable<SecurityInfo> = []): MemorySecurityStore {
  const byEndpoint = new Map<string, SecurityInfo>()
  const byIdentity = new Map<string, SecurityInfo>()
  const store: MemorySecurityStore = {
    getByEndpoint: (endpoint) => byEndpoint.get(endpoint),
    getByIdentity(identity) {
      if (identity.mode === 'x509') {
        const pinned = byIdentity.get(certificateKey(identity.certificate))
        if (pinned !== undefined) return pinned
        const exact = byIdentity.get(identityKey(identity))
        if (exact !== undefined && exact.mode === 'x509' && exact.certificate === undefined) return exact
        const cn = commonName(identity.subject)
        const byName = cn === undefined ? undefined : byEndpoint.get(cn)
        return byName?.mode === 'x509' && byName.subject === undefined && byName.certificate === undefined
          ? byName
          : undefined
      }
      return byIdentity.get(identityKey(identity))
    },
    pskKey(identity) {
      const info = byIdentity.get(identityKey({ mode: 'psk', identity }))
      return info?.mode === 'psk' ? info.key : undefined
    },
    set(info) {
      checkInfo(info)
      const key = infoKey(info)
      if (key !== undefined) {
        const holder = byIdentity.get(key)
        if (holder !== undefined && holder.endpoint !== info.endpoint) {
          throw new TypeError(`this identity already belongs to endpoint ${holder.endpoint}`)
        }
      }
      store.delete(info.endpoint)
      byEndpoint.set(info.endpoint, info)
      if (key !== undefined) byIdentity.set(key, info)
    },
    delete(endpoint) {
      const old = byEndpoint.get(endpoint)
      if (old === undefined) return false
      byEndpoint.delete(endpoint)
      const key = infoKey(old)
      if (key !== undefined && byIdentity.get(key) === old) byIdentity.delete(key)
      return true
    },
    values: () => byEndpoint.values(),
    get size() {
      return byEndpoint.size
    },
  }
  for (const info of infos) store.set(info)
  return store
}
