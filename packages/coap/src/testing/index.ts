/**
 * @packageDocumentation
 * Compliance suites for the contracts @lwm2m/coap defines, on vitest: run
 * `transportCompliance` against any {@link Transport} and `endpointCompliance` against
 * any {@link CoapEndpoint} implementation, in the implementation's own tests.
 */

export { FakeClock } from '../time/fake-clock.js'
export * from './endpoint-compliance.js'
export * from './transport-compliance.js'
