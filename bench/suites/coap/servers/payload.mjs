// The answer body of the CoAP servers under test: 15 bytes, the size of what libcoap's
// example server answers on /time ("Nov 25 19:35:22").
export const PAYLOAD = 'bench-payload-1'
