// Our server: @lwm2m/coap's createEndpoint over its UDP transport, one GET handler.
// Reports itself unavailable (and the harness says so) while the package has no endpoint.
import { PAYLOAD } from './payload.mjs'

function unavailable(reason) {
  process.stdout.write(`${JSON.stringify({ unavailable: reason })}\n`)
  process.exit(0)
}

let coap
try {
  coap = await import('@lwm2m/coap')
} catch (e) {
  unavailable(`cannot import @lwm2m/coap (${e.message}); run pnpm build`)
}
if (typeof coap.createEndpoint !== 'function' || typeof coap.udp !== 'function') {
  unavailable('@lwm2m/coap exports no createEndpoint/udp yet')
}

const handler = (request) =>
  request.method === 'GET' ? { code: 0x45, payload: PAYLOAD, contentFormat: 0 } : { code: 0x85 }
const endpoint = await coap.createEndpoint({ transport: coap.udp({ host: '127.0.0.1', port: 0 }), handler })
if (typeof endpoint.setHandler === 'function') endpoint.setHandler(handler)
process.stdout.write(`${JSON.stringify({ ready: true, port: endpoint.address().port })}\n`)
process.on('SIGTERM', () => {
  endpoint.close().then(
    () => process.exit(0),
    () => process.exit(1),
  )
})
