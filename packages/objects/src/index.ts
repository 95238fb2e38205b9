/**
 * @packageDocumentation
 * OMA LwM2M objects: a parser for DDF object definitions, a model registry keyed by
 * object id and version, the OMA core and IPSO models generated from the registry,
 * the object-implementation contract the LwM2M Client role dispatches to, a helper to
 * write implementations, and ready client-side implementations of the standard objects.
 * The compliance suite for implementations is in `@lwm2m/objects/testing`.
 */
export { type Clock, type Logger, silentLogger, systemClock, type TimerHandle } from '@lwm2m/coap'
export * from './codegen/generate.js'
export * from './codegen/render.js'
export * from './ddf/load.js'
export * from './ddf/parse.js'
export * from './ddf/write.js'
export * from './errors.js'
export * from './generated/index.js'
export * from './model/create-object-model.js'
export * from './object/define-object.js'
export * from './object/result.js'
export * from './object/secret.js'
export * from './object/types.js'
export * from './object/value.js'
export * from './registry/default-versions.js'
export * from './registry/registry.js'
export * from './standard/access-control.js'
export * from './standard/connectivity-monitoring.js'
export * from './standard/connectivity-statistics.js'
export * from './standard/device.js'
export * from './standard/events.js'
export * from './standard/firmware-update.js'
export * from './standard/ipso-sensor.js'
export * from './standard/location.js'
export * from './standard/security.js'
export * from './standard/server.js'
export * from './standard/value-source.js'
