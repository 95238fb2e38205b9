// libcoap's example server (`coap-server-notls` from Debian's libcoap3-bin), started on a
// port picked free a moment before; ready once it answers a GET on /time.
import { spawn } from 'node:child_process'
import { createSocket } from 'node:dgram'
import { freeUdpPort, onPath, stopChild } from '../../lib/proc.mjs'

export const LIBCOAP_SERVER = 'coap-server-notls'

/** Sends CON GET /time until an answer comes back or `timeoutMs` passes. */
function probe(port, timeoutMs) {
  return new Promise((resolve) => {
    const sock = createSocket('udp4')
    let mid = 1
    const deadline = Date.now() + timeoutMs
    const finish = (ok) => {
      clearInterval(timer)
      sock.close()
      resolve(ok)
    }
    const send = () => {
      if (Date.now() > deadline) return finish(false)
      mid++
      const get = Buffer.from([0x40, 0x01, mid >> 8, mid & 0xff, 0xb4, ...Buffer.from('time')])
      sock.send(get, port, '127.0.0.1')
    }
    sock.on('message', (msg) => {
      if (msg.length >= 4 && ((msg[2] << 8) | msg[3]) === mid) finish(true)
    })
    sock.on('error', () => {})
    const timer = setInterval(send, 100)
    send()
  })
}

/** Starts the server, retrying on another port if the one picked was taken meanwhile. */
export async function startLibcoap({ attempts = 5 } = {}) {
  if (!onPath(LIBCOAP_SERVER)) {
    return { unavailable: `${LIBCOAP_SERVER} not installed (apt-get install -y libcoap3-bin)` }
  }
  let lastError = ''
  for (let i = 0; i < attempts; i++) {
    const port = await freeUdpPort()
    const child = spawn(LIBCOAP_SERVER, ['-A', '127.0.0.1', '-p', String(port), '-v', '0'], {
      stdio: ['ignore', 'ignore', 'pipe'],
    })
    let stderr = ''
    child.stderr.on('data', (d) => {
      if (stderr.length < 2000) stderr += d
    })
    const exited = new Promise((resolve) => child.once('exit', () => resolve(false)))
    const ok = await Promise.race([probe(port, 3000), exited])
    if (ok) return { child, port }
    lastError = stderr.trim() || 'no answer to GET /time'
    await stopChild(child, 500)
  }
  throw new Error(`${LIBCOAP_SERVER} did not start: ${lastError}`)
}
