#!/usr/bin/env node
// The LwM2M client simulator: a process of its own, raw node:dgram, no CoAP or LwM2M library,
// so that it is never the bottleneck. Each simulated client is one UDP socket (its own
// address:port, as a device would be); requests are pre-encoded (only Message ID and token
// bytes change) and the server's requests get canned answers.
//
// Driven by JSON lines on stdin, answering one JSON line each on stdout:
//   {"cmd":"register","window":64}   Register every client (LwM2M 1.0, lifetime 86400), K in flight;
//                                    the rate overall and per tenth of the clients
//   {"cmd":"notify","seconds":2,"window":64}   confirmable notifications of the observations the
//                                    server made, K unacknowledged at a time, round robin over clients
//   {"cmd":"stats"}                  requests answered, observations held
//   {"cmd":"exit"}
//
// Usage: node simulator.mjs --port=N --clients=N [--host=127.0.0.1] [--bind=127.0.0.1] [--first=0]
//   --bind: the local address of the sockets; --first: index of the first client (names sim-<i>)

import { createSocket } from 'node:dgram'
import { performance } from 'node:perf_hooks'
import { createInterface } from 'node:readline'

const args = Object.fromEntries(
  process.argv.slice(2).map((a) => {
    const m = /^--([a-z]+)=(.*)$/.exec(a)
    if (!m) throw new Error(`bad argument ${a}`)
    return [m[1], m[2]]
  }),
)
const host = args.host ?? '127.0.0.1'
const port = Number(args.port)
const N = Number(args.clients)
const bind = args.bind ?? '127.0.0.1'
const first = Number(args.first ?? 0)
const TIMEOUT_MS = 2000
/** What an exchange resolves with besides an answer code: the peer reset it, or nothing came. */
const RESET = -2
const TIMEOUT = -1

// ---- CoAP encoding (RFC 7252 section 3) --------------------------------------------------

function option(previous, number, value) {
  const delta = number - previous
  const bytes = []
  const nib = (n) => (n < 13 ? n : n < 269 ? 13 : 14)
  const ext = (n) => (n < 13 ? [] : n < 269 ? [n - 13] : [(n - 269) >> 8, (n - 269) & 0xff])
  bytes.push((nib(delta) << 4) | nib(value.length), ...ext(delta), ...ext(value.length), ...value)
  return bytes
}
const str = (s) => [...Buffer.from(s)]
const uint = (n) =>
  n === 0 ? [] : n < 256 ? [n] : n < 65536 ? [n >> 8, n & 0xff] : [n >> 16, (n >> 8) & 0xff, n & 0xff]

function message(type, code, options, payload) {
  const bytes = [0x40 | (type << 4) | 4, code, 0, 0, 0, 0, 0, 0]
  let previous = 0
  for (const [number, value] of options.sort((a, b) => a[0] - b[0])) {
    bytes.push(...option(previous, number, value))
    previous = number
  }
  if (payload && payload.length > 0) bytes.push(0xff, ...payload)
  return Buffer.from(bytes)
}

const LINKS = str('</1/0>,</3/0>,</4/0>,</3303/0>')
function registerRequest(i) {
  return message(
    0,
    0x02,
    [
      [11, str('rd')],
      [12, uint(40)],
      [15, str(`ep=sim-${first + i}`)],
      [15, str('lt=86400')],
      [15, str('lwm2m=1.0')],
      [15, str('b=U')],
    ],
    LINKS,
  )
}

// Canned answers. TLV (OMA-TS-LightweightM2M 1.0 section 6.4.3): type byte 0b11 (resource
// with value), 8-bit id, 3-bit length.
const tlvRes = (id, value) => [0xc0 | value.length, id, ...value]
const DEVICE_TLV = Buffer.from([...tlvRes(0, str('ACME')), ...tlvRes(1, str('SIM-1')), ...tlvRes(9, [80])])
const TEXT = { 0: Buffer.from('ACME'), 1: Buffer.from('SIM-1'), 9: Buffer.from('80') }

// ---- clients --------------------------------------------------------------------------

const clients = new Array(N)
let answered = 0
let strays = 0

function parseOptions(msg) {
  const tkl = msg[0] & 0x0f
  let i = 4 + tkl
  let number = 0
  const opts = []
  while (i < msg.length && msg[i] !== 0xff) {
    let delta = msg[i] >> 4
    let len = msg[i] & 0x0f
    i++
    if (delta === 13) delta = msg[i++] + 13
    else if (delta === 14) {
      delta = ((msg[i] << 8) | msg[i + 1]) + 269
      i += 2
    }
    if (len === 13) len = msg[i++] + 13
    else if (len === 14) {
      len = ((msg[i] << 8) | msg[i + 1]) + 269
      i += 2
    }
    number += delta
    opts.push([number, msg.subarray(i, i + len)])
    i += len
  }
  return { opts, payloadAt: i < msg.length ? i + 1 : msg.length }
}

function answerRequest(c, msg, rinfo) {
  const type = (msg[0] >> 4) & 3
  const tkl = msg[0] & 0x0f
  const token = [...msg.subarray(4, 4 + tkl)]
  const { opts } = parseOptions(msg)
  const path = opts.filter((o) => o[0] === 11 && o[1].length > 0).map((o) => o[1].toString())
  const accept = opts.find((o) => o[0] === 17)
  const acceptFormat = accept === undefined ? undefined : accept[1].reduce((a, b) => (a << 8) | b, 0)
  const observe = opts.find((o) => o[0] === 6)
  const observeValue = observe === undefined ? undefined : observe[1].reduce((a, b) => (a << 8) | b, 0)
  let code = 0x84 // 4.04
  let payload
  let format
  if (msg[1] === 0x01 && path[0] === '3' && path[1] === '0') {
    code = 0x45
    // TLV under its IANA number, or the pre-IANA 1542 of LwM2M 1.0 servers, as asked.
    const tlv = acceptFormat === 1542 ? 1542 : 11542
    if (path.length === 2 && acceptFormat !== 0) {
      payload = DEVICE_TLV
      format = tlv
    } else if (path.length === 3 && TEXT[path[2]] !== undefined) {
      if (acceptFormat === 11542 || acceptFormat === 1542) {
        payload = Buffer.from(tlvRes(Number(path[2]), path[2] === '9' ? [80] : [...TEXT[path[2]]]))
        format = tlv
      } else {
        payload = TEXT[path[2]]
        format = 0
      }
    } else code = acceptFormat === undefined ? 0x84 : 0x86
  }
  const options = []
  if (code === 0x45 && observeValue === 0) {
    c.observation = {
      token,
      address: rinfo.address,
      port: rinfo.port,
      format,
      resource: path.length === 3 ? Number(path[2]) : undefined,
      seq: 2,
    }
    options.push([6, uint(1)])
  } else if (observeValue === 1) c.observation = undefined
  if (format !== undefined) options.push([12, uint(format)])
  const reply = message(type === 0 ? 2 : 1, code, options, payload)
  reply[0] = (reply[0] & 0xf0) | tkl
  const out = Buffer.concat([reply.subarray(0, 4), Buffer.from(token), reply.subarray(8)])
  if (type === 0) {
    out[2] = msg[2]
    out[3] = msg[3]
  } else {
    const mid = c.nextMid++ & 0xffff
    out[2] = mid >> 8
    out[3] = mid & 0xff
  }
  answered++
  c.sock.send(out, rinfo.port, rinfo.address)
}

function onMessage(c, msg, rinfo) {
  if (msg.length < 4) return
  const type = (msg[0] >> 4) & 3
  const code = msg[1]
  if (code >= 0x01 && code <= 0x1f) {
    answerRequest(c, msg, rinfo)
    return
  }
  // An answer: to our Register (piggybacked or separate), or the ACK of a notification.
  const mid = (msg[2] << 8) | msg[3]
  const p = c.pending
  if (type === 2 || type === 3) {
    if (p !== undefined && p.mid === mid) {
      if (type === 2 && code === 0 && p.separate) {
        p.waiting = true // an empty ACK: the response follows on its own (RFC 7252 section 5.2.2)
        return
      }
      c.pending = undefined
      p.done(type === 2 ? code : RESET)
    } else strays++
  } else if (code >= 0x40 && p?.waiting && msg[4 + (msg[0] & 0x0f) - 1] === (p.mid & 0xff)) {
    if (type === 0) c.sock.send(Buffer.from([0x60, 0, msg[2], msg[3]]), rinfo.port, rinfo.address)
    c.pending = undefined
    p.done(code)
  } else if (type === 0 && code === 0) {
    c.sock.send(Buffer.from([0x70, 0, msg[2], msg[3]]), rinfo.port, rinfo.address) // RST a CoAP ping
  } else strays++
}

async function openClients() {
  const opening = []
  for (let i = 0; i < N; i++) {
    const sock = createSocket('udp4')
    const c = { i, sock, nextMid: (i * 7919) & 0xffff, pending: undefined, observation: undefined }
    clients[i] = c
    sock.on('message', (msg, rinfo) => onMessage(c, msg, rinfo))
    sock.on('error', () => {})
    opening.push(new Promise((resolve) => sock.bind(0, bind, resolve)))
    if (opening.length >= 1000) await Promise.all(opening.splice(0))
  }
  await Promise.all(opening)
}

/** Sends `datagram` from client `c` as a confirmable exchange; resolves with the answer code, RESET or TIMEOUT. */
function exchange(c, datagram, target) {
  return new Promise((resolve) => {
    const mid = c.nextMid++ & 0xffff
    datagram[2] = mid >> 8
    datagram[3] = mid & 0xff
    datagram[4] = (c.i >> 24) & 0xff
    datagram[5] = (c.i >> 16) & 0xff
    datagram[6] = (c.i >> 8) & 0xff
    datagram[7] = mid & 0xff
    const timer = setTimeout(() => {
      if (c.pending?.mid === mid) c.pending = undefined
      resolve(TIMEOUT)
    }, TIMEOUT_MS)
    c.pending = {
      mid,
      separate: true,
      waiting: false,
      done: (code) => {
        clearTimeout(timer)
        resolve(code)
      },
    }
    c.sock.send(datagram, target.port, target.address)
  })
}

// ---- commands ----------------------------------------------------------------------------

async function register({ window = 64 }) {
  const target = { address: host, port }
  const requests = clients.map((c) => registerRequest(c.i))
  const tenth = Math.max(1, Math.floor(N / 10))
  const deciles = []
  let next = 0
  let ok = 0
  let failed = 0
  let decileStart = performance.now()
  let decileDone = 0
  const t0 = performance.now()
  const worker = async () => {
    while (next < N) {
      const i = next++
      let code = TIMEOUT
      for (let attempt = 0; attempt < 3 && code === TIMEOUT; attempt++)
        code = await exchange(clients[i], requests[i], target)
      if (code === 0x41) ok++
      else failed++
      decileDone++
      if (decileDone === tenth) {
        const now = performance.now()
        deciles.push(Math.round((tenth * 1000) / (now - decileStart)))
        decileStart = now
        decileDone = 0
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(window, N) }, worker))
  const seconds = (performance.now() - t0) / 1000
  return { registered: ok, failed, seconds, rate: ok / seconds, deciles }
}

async function notify({ seconds = 2, window = 64 }) {
  const observed = clients.filter((c) => c.observation !== undefined)
  if (observed.length === 0) return { sent: 0, acked: 0, rate: 0, observed: 0 }
  let acked = 0
  let lost = 0
  let reset = 0
  let cursor = 0
  const deadline = performance.now() + seconds * 1000
  const t0 = performance.now()
  const worker = async () => {
    while (performance.now() < deadline) {
      const c = observed[cursor++ % observed.length]
      if (c.pending !== undefined || c.observation === undefined) {
        await new Promise((r) => setImmediate(r))
        continue
      }
      const o = c.observation
      const value = 20 + (o.seq % 60)
      const payload =
        o.format === 11542 || o.format === 1542
          ? o.resource === undefined
            ? DEVICE_TLV
            : Buffer.from(tlvRes(o.resource, [value]))
          : Buffer.from(String(value))
      o.seq = (o.seq + 1) & 0xffffff
      const msg = message(
        0,
        0x45,
        [
          [6, uint(o.seq)],
          [12, uint(o.format ?? 0)],
        ],
        payload,
      )
      // The notification carries the observation's token (RFC 7641 section 3.2), not one of ours.
      const withToken = Buffer.concat([
        Buffer.from([(msg[0] & 0xf0) | o.token.length, 0x45, 0, 0]),
        Buffer.from(o.token),
        msg.subarray(8),
      ])
      const mid = c.nextMid++ & 0xffff
      withToken[2] = mid >> 8
      withToken[3] = mid & 0xff
      const code = await new Promise((resolve) => {
        const timer = setTimeout(() => {
          if (c.pending?.mid === mid) c.pending = undefined
          resolve(TIMEOUT)
        }, TIMEOUT_MS)
        c.pending = {
          mid,
          done: (code) => {
            clearTimeout(timer)
            resolve(code)
          },
        }
        c.sock.send(withToken, o.port, o.address)
      })
      if (code === RESET) {
        reset++
        c.observation = undefined
      } else if (code === TIMEOUT) lost++
      else acked++
    }
  }
  await Promise.all(Array.from({ length: Math.min(window, observed.length) }, worker))
  const elapsed = (performance.now() - t0) / 1000
  return { acked, lost, reset, observed: observed.length, seconds: elapsed, rate: acked / elapsed }
}

await openClients()
process.stdout.write(`${JSON.stringify({ ready: true, clients: N })}\n`)
const lines = createInterface({ input: process.stdin })
for await (const line of lines) {
  const msg = JSON.parse(line)
  let out
  if (msg.cmd === 'register') out = await register(msg)
  else if (msg.cmd === 'notify') out = await notify(msg)
  else if (msg.cmd === 'stats')
    out = { answered, strays, observed: clients.filter((c) => c.observation).length }
  else if (msg.cmd === 'exit') break
  else out = { error: `unknown command ${msg.cmd}` }
  process.stdout.write(`${JSON.stringify(out)}\n`)
}
for (const c of clients) c.sock.close()
process.exit(0)
