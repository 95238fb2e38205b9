/**
 * @packageDocumentation
 * CoAP for Node.js, written to the RFCs: the message codec (RFC 7252), the message
 * layer with retransmission and deduplication, Observe (RFC 7641), block-wise
 * transfers (RFC 7959), link-format (RFC 6690), over a pluggable `Transport`.
 *
 * ```ts
 * import { createEndpoint, udp } from '@lwm2m/coap'
 *
 * const server = await createEndpoint({
 *   transport: udp({ port: 5683 }),
 *   handler: (req) => ({ code: '2.05', payload: `hello ${req.path.join('/')}` }),
 * })
 * const client = await createEndpoint({ transport: udp() })
 * const res = await client.request('coap://127.0.0.1:5683/world', { method: 'GET' })
 * ```
 *
 * Transports: `udp()`, `createMemoryNetwork()` (tests and simulations without sockets)
 * and `faulty()` (seeded loss, duplication, delay and reordering). Compliance suites for
 * other implementations are in `@lwm2m/coap/testing`.
 */

export {
  createEndpoint,
  type EndpointOptions,
  type EndpointStats,
  type HostResolver,
  type LocalEndpoint,
  tokenKeyOf,
} from './endpoint/endpoint.js'
export * from './endpoint/limits.js'
export * from './endpoint/parameters.js'
export * from './endpoint/types.js'
export * from './errors.js'
export * from './link-format/attributes.js'
export * from './link-format/format.js'
export * from './link-format/parse.js'
export * from './link-format/types.js'
export * from './log.js'
export * from './message/block.js'
export * from './message/codec.js'
export * from './message/codes.js'
export * from './message/content-format.js'
export * from './message/options.js'
export * from './message/types.js'
export * from './observe/freshness.js'
export * from './random.js'
export * from './time/clock.js'
export * from './time/deadline-queue.js'
export * from './time/fake-clock.js'
export * from './transport/faulty.js'
export * from './transport/memory.js'
export * from './transport/types.js'
export * from './transport/udp.js'
export * from './uri.js'
