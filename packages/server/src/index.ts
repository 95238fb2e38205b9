/**
 * @packageDocumentation
 * The LwM2M Server role (OMA LwM2M 1.0, 1.1, 1.2): the Registration interface with lifetime
 * expiry, a typed API for every Device Management and Information Reporting operation,
 * observations as async iterators, Send, queue mode, registration and observation stores
 * behind interfaces, and the security check of endpoint names.
 */
export * from './errors.js'
export * from './observe/notification.js'
export * from './observe/subscription.js'
export * from './operations/options.js'
export { type InstanceValues, inferType, isNode, toNode, type WriteValue } from './operations/values.js'
export * from './registration/registration.js'
export * from './security/authorizer.js'
export * from './security/check.js'
export * from './security/dtls-credentials.js'
export { describeIdentity, identityKey, sameIdentity } from './security/identity.js'
export * from './security/security-store.js'
export * from './server/events.js'
export * from './server/options.js'
export { createServer, Lwm2mServer } from './server/server.js'
export * from './store/memory-observation-store.js'
export * from './store/memory-registration-store.js'
export * from './store/observation-store.js'
export * from './store/registration-store.js'
