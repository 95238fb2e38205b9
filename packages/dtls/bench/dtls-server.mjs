// The server side of the DTLS benchmark, in its own process (pinned to one core by the
// driver with BENCH_PIN=1): DTLS echo servers for PSK, raw public keys and X.509, a plain
// UDP echo, and CoAP endpoints of @lwm2m/coap over UDP and over DTLS-PSK answering every GET
// with 2.05. Prints its ports as one JSON line; then answers each "cpu" line on stdin with its
// CPU time used so far (µs), so that the driver can tell the server's CPU cost per handshake.

import { createSocket } from 'node:dgram'
import { readFileSync } from 'node:fs'
import { createInterface } from 'node:readline'
import { createEndpoint, udp } from '@lwm2m/coap'
import { dtlsServer } from '../dist/index.js'

const config = JSON.parse(process.argv[2])
const PSK = Buffer.from(config.psk, 'hex')
const pskOpts = { psk: { key: () => PSK } }
const host = '127.0.0.1'

async function echo(opts) {
  const server = dtlsServer({
    host,
    port: 0,
    ...opts,
    limits: { maxHandshakes: 10_000, maxSessions: 100_000 },
  })
  await server.open((d, p) => server.send(d, p))
  return server
}

const servers = {
  psk: await echo(pskOpts),
  rpk: await echo({ rpk: { privateKey: config.rpkKey, verifyPeer: () => true } }),
}
if (config.x509 !== undefined) {
  servers.x509 = await echo({
    x509: {
      privateKey: readFileSync(config.x509.key, 'utf8'),
      certificateChain: [readFileSync(config.x509.cert, 'utf8')],
      trustAnchors: [readFileSync(config.x509.ca, 'utf8')],
    },
  })
}
const plain = createSocket('udp4')
await new Promise((r) => plain.bind(0, host, r))
plain.on('message', (m, rinfo) => plain.send(m, rinfo.port, rinfo.address))

const handler = () => ({ code: '2.05', payload: 'ok' })
const coap = await createEndpoint({ transport: udp({ host, port: 0 }), handler })
const coaps = await createEndpoint({ transport: dtlsServer({ host, port: 0, ...pskOpts }), handler })

const ports = { udp: plain.address().port, coap: coap.address().port, coaps: coaps.address().port }
for (const [k, s] of Object.entries(servers)) ports[k] = s.address().port
process.stdout.write(`${JSON.stringify(ports)}\n`)

const lines = createInterface({ input: process.stdin })
lines.on('line', (line) => {
  if (line === 'cpu') {
    const u = process.cpuUsage()
    process.stdout.write(`${JSON.stringify({ cpu: u.user + u.system })}\n`)
  }
})
lines.on('close', () => process.exit(0))
