/**
 * @packageDocumentation
 * The OMA LwM2M Client role (Core TS 1.0, 1.1 and 1.2): `createClient` registers with
 * every LwM2M Server account of its Security and Server objects (lifetime, updates, the
 * registration retry procedure, several servers, queue mode), answers their device
 * management operations through the object implementations of @lwm2m/objects with the
 * specification's checks and access control, and reports through observations and Send.
 */
export {
  type SecurityInstance,
  type ServerAccount,
  type ServerInstance,
  securityInstance,
  serverInstance,
} from './accounts/accounts.js'
export * from './client/client.js'
export type {
  BootstrapReason,
  ClientEventName,
  ClientEventSource,
  ClientEvents,
  ClientListener,
  DeregistrationReason,
} from './client/events.js'
export * from './client/formats.js'
export * from './client/options.js'
export * from './errors.js'
export {
  defaultUpdateMargin,
  nextRetry,
  type RetrySettings,
  type RetryStep,
  SEQUENCE_DELAY_MAX,
} from './registration/retry.js'
export type { ServerStatus, SessionState } from './registration/session.js'
export * from './security/credentials.js'
export * from './transport/factories.js'
export * from './transport/secure.js'
