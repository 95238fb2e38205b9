// The ceiling: a raw Node UDP socket that sends every datagram straight back.
import { createSocket } from 'node:dgram'

const sock = createSocket('udp4')
sock.on('message', (msg, rinfo) => sock.send(msg, rinfo.port, rinfo.address))
sock.bind(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ ready: true, port: sock.address().port })}\n`)
})
process.on('SIGTERM', () => sock.close(() => process.exit(0)))
