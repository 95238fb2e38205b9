// node-coap (npm `coap`) as the server, answering GET with the same payload as ours.
import { createSocket } from 'node:dgram'
import coap from 'coap'
import { PAYLOAD } from './payload.mjs'

const sock = createSocket('udp4')
sock.bind(0, '127.0.0.1', () => {
  const server = coap.createServer((req, res) => {
    if (req.method !== 'GET') {
      res.code = '4.05'
      res.end()
      return
    }
    res.setOption('Content-Format', 'text/plain')
    res.end(PAYLOAD)
  })
  server.listen(sock, () => {
    process.stdout.write(`${JSON.stringify({ ready: true, port: sock.address().port })}\n`)
  })
  process.on('SIGTERM', () => server.close(() => process.exit(0)))
})
