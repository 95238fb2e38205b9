import type { Peer } from '@lwm2m/coap'
import type { Registration } from '../registration/registration.js'
import type { Awaitable } from '../store/registration-store.js'
import type { SecurityStore } from './security-store.js'

/** What a client asks to do that the server authorizes. */
export type AuthorizedOperation = 'register' | 'update' | 'deregister' | 'send'

/** What {@link ServerSecurityOptions.authorize} is asked. */
export interface AuthorizationRequest {
  /** The endpoint name the client uses. */
  readonly endpoint: string
  /** Where the request came from, with the identity a secure transport authenticated. */
  readonly peer: Peer
  readonly operation: AuthorizedOperation
  /** The current registration (Update, De-register, Send); undefined for Register. */
  readonly registration: Registration | undefined
}

/** Security options of the server. */
export interface ServerSecurityOptions {
  /** Endpoint names and the identities that may use them; default: an empty in-memory store. */
  readonly store?: SecurityStore
  /**
   * May a client without security info register over plain CoAP? Default true. An endpoint
   * with security info is always refused over plain CoAP.
   */
  readonly allowUnsecured?: boolean
  /**
   * Called after the security check passed, for every Register, Update, De-register and Send:
   * false refuses the request with 4.03 Forbidden. A thrown error refuses it with 5.00.
   */
  readonly authorize?: (request: AuthorizationRequest) => Awaitable<boolean>
}
