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
//   {"cmd":"deregister","window":64}   De-register every registered client, K in flight
//   {"cmd":"warmup","window":64,"seconds":1}   with --warm=M: M other clients (warm-<first+i>)
//                                    register and de-register for `seconds` (at least once), then
//                                    close: the server and this process run compiled code when
//                                    the measured burst starts
//   {"cmd":"stats"}                  requests answered, observations held
//   {"cmd":"exit"}
//
// Usage: node simulator.mjs --port=N --clients=N [--host=127.0.0.1] [--bind=127.0.0.1] [--first=0]
//   [--prefix=sim] [--warm=0]
//   --bind: the local address of the sockets; --first: index of the first client; --prefix: of
//   the endpoint names (<prefix>-<i>)

import { createSocket } from 'node:dgram'
import { readFileSync } from 'node:fs'
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
const prefix = args.prefix ?? 'sim'
const WARM = Number(args.warm ?? 0)
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
function registerRequest(i, name = prefix) {
  return message(
    0,
    0x02,
    [
      [11, str('rd')],
      [12, uint(40)],
      [15, str(`ep=${name}-${first + i}`)],
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
let warmClients = []
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

// A request's answer depends on its type, code, options and payload, never on its token or
// Message ID: the answer to a request without Observe is made once per kind of request (the
// bytes after its token) and copied with the token and Message ID of each (bounded table).
const answers = new Map()

function answerRequest(c, msg, rinfo) {
  const tkl = msg[0] & 0x0f
  const key = msg.latin1Slice(0, 2) + msg.latin1Slice(4 + tkl)
  const known = answers.get(key)
  if (known !== undefined) {
    const out = Buffer.allocUnsafe(4 + tkl + known.tail.length)
    out[0] = known.head | tkl
    out[1] = known.code
    if (known.head === 0x60) {
      out[2] = msg[2]
      out[3] = msg[3]
    } else {
      const mid = c.nextMid++ & 0xffff
      out[2] = mid >> 8
      out[3] = mid & 0xff
    }
    msg.copy(out, 4, 4, 4 + tkl)
    known.tail.copy(out, 4 + tkl)
    answered++
    c.sock.send(out, rinfo.port, rinfo.address)
    return
  }
  const out = makeAnswer(c, msg, rinfo)
  // Answers to Observe requests change the client's state: those are made each time.
  if (!out.stateful && answers.size < 256) {
    answers.set(key, {
      head: out.bytes[0] & 0xf0,
      code: out.bytes[1],
      tail: Buffer.from(out.bytes.subarray(4 + tkl)),
    })
  }
  answered++
  c.sock.send(out.bytes, rinfo.port, rinfo.address)
}

function makeAnswer(c, msg, rinfo) {
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
  return { bytes: out, stateful: observe !== undefined }
}

/** The Location-Path (8) segments of a response: where a Register put the registration. */
function locationOf(msg) {
  return parseOptions(msg)
    .opts.filter((o) => o[0] === 8)
    .map((o) => o[1].toString())
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
      if (code === 0x41) c.location = locationOf(msg)
      p.done(type === 2 ? code : RESET)
    } else strays++
  } else if (code >= 0x40 && p?.waiting && msg[4 + (msg[0] & 0x0f) - 1] === (p.mid & 0xff)) {
    if (type === 0) c.sock.send(Buffer.from([0x60, 0, msg[2], msg[3]]), rinfo.port, rinfo.address)
    c.pending = undefined
    if (code === 0x41) c.location = locationOf(msg)
    p.done(code)
  } else if (type === 0 && code === 0) {
    c.sock.send(Buffer.from([0x70, 0, msg[2], msg[3]]), rinfo.port, rinfo.address) // RST a CoAP ping
  } else strays++
}

async function openClients(list, count) {
  const opening = []
  for (let i = 0; i < count; i++) {
    const sock = createSocket('udp4')
    const c = {
      i,
      sock,
      nextMid: (i * 7919) & 0xffff,
      pending: undefined,
      observation: undefined,
      location: undefined,
    }
    list[i] = c
    sock.on('message', (msg, rinfo) => onMessage(c, msg, rinfo))
    sock.on('error', () => {})
    opening.push(new Promise((resolve) => sock.bind(0, bind, resolve)))
    if (opening.length >= 1000) await Promise.all(opening.splice(0))
  }
  await Promise.all(opening)
}

/**
 * A confirmable message of a client awaiting its answer. Every one waits TIMEOUT_MS, so they
 * expire in the order sent: one interval timer checks the oldest (no timer per exchange).
 */
class Pending {
  constructor(c, mid, separate, resolve) {
    this.c = c
    this.mid = mid
    this.separate = separate
    this.waiting = false
    this.settled = false
    this.resolve = resolve
    this.deadline = performance.now() + TIMEOUT_MS
  }
  done(code) {
    if (this.settled) return
    this.settled = true
    this.resolve(code)
  }
}

const expiring = []
let expiringHead = 0
let sweeper

function track(p) {
  p.c.pending = p
  expiring.push(p)
  sweeper ??= setInterval(sweepExpired, 50)
}

function sweepExpired() {
  const now = performance.now()
  while (expiringHead < expiring.length && expiring[expiringHead].deadline <= now) {
    const p = expiring[expiringHead]
    expiring[expiringHead++] = undefined
    if (p.settled) continue
    if (p.c.pending === p) p.c.pending = undefined
    p.done(TIMEOUT)
  }
  if (expiringHead === expiring.length) {
    expiring.length = 0
    expiringHead = 0
    clearInterval(sweeper)
    sweeper = undefined
  } else if (expiringHead > 4096 && expiringHead * 2 > expiring.length) {
    expiring.splice(0, expiringHead)
    expiringHead = 0
  }
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
    track(new Pending(c, mid, true, resolve))
    c.sock.send(datagram, target.port, target.address)
  })
}

// ---- commands ----------------------------------------------------------------------------

/** CPU time of this process so far (user + system), µs. */
function ownCpu() {
  const u = process.cpuUsage()
  return u.user + u.system
}

/** Run time of the main thread of process `pid` so far, µs, from /proc/<pid>/schedstat (ns resolution); undefined if unreadable. */
function cpuOfPid(pid) {
  if (!pid) return undefined
  try {
    return Number(readFileSync(`/proc/${pid}/schedstat`, 'latin1').split(' ')[0]) / 1000
  } catch {
    return undefined
  }
}

async function register({ window = 64, serverPid = 0 }, list = clients, name = prefix) {
  const n = list.length
  const target = { address: host, port }
  const requests = list.map((c) => registerRequest(c.i, name))
  const tenth = Math.max(1, Math.floor(n / 10))
  const deciles = []
  // Per tenth: this simulator's CPU µs per Register, and the server's (main thread), when given its pid.
  const simCpu = []
  const serverCpu = []
  let sim0 = ownCpu()
  let srv0 = cpuOfPid(serverPid)
  let next = 0
  let ok = 0
  let failed = 0
  let decileStart = performance.now()
  let decileDone = 0
  const t0 = performance.now()
  const worker = async () => {
    while (next < n) {
      const i = next++
      let code = TIMEOUT
      for (let attempt = 0; attempt < 3 && code === TIMEOUT; attempt++)
        code = await exchange(list[i], requests[i], target)
      if (code === 0x41) ok++
      else failed++
      decileDone++
      if (decileDone === tenth) {
        const now = performance.now()
        deciles.push(Math.round((tenth * 1000) / (now - decileStart)))
        decileStart = now
        const sim1 = ownCpu()
        simCpu.push(Math.round((sim1 - sim0) / tenth))
        sim0 = sim1
        const srv1 = cpuOfPid(serverPid)
        if (srv1 !== undefined && srv0 !== undefined) serverCpu.push(Math.round((srv1 - srv0) / tenth))
        srv0 = srv1
        decileDone = 0
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(window, n) }, worker))
  const seconds = (performance.now() - t0) / 1000
  return { registered: ok, failed, seconds, rate: ok / seconds, deciles, simCpu, serverCpu }
}

/**
 * A confirmable 2.05 notification of observation `o` (RFC 7641 section 4.2): its token
 * (section 3.2), Observe = its sequence number, Content-Format, the payload.
 */
function notification(o, mid, payload) {
  const seq = o.seq
  const seqLen = seq === 0 ? 0 : seq < 0x100 ? 1 : seq < 0x10000 ? 2 : 3
  const format = o.format ?? 0
  const formatLen = format === 0 ? 0 : format < 0x100 ? 1 : 2
  const tkl = o.token.length
  const out = Buffer.allocUnsafe(4 + tkl + 1 + seqLen + 1 + formatLen + 1 + payload.length)
  out[0] = 0x40 | tkl
  out[1] = 0x45
  out[2] = mid >> 8
  out[3] = mid & 0xff
  for (let k = 0; k < tkl; k++) out[4 + k] = o.token[k]
  let i = 4 + tkl
  out[i++] = (6 << 4) | seqLen // Observe (6)
  for (let k = seqLen - 1; k >= 0; k--) out[i++] = (seq >> (8 * k)) & 0xff
  out[i++] = (6 << 4) | formatLen // Content-Format (12 = 6 + 6)
  for (let k = formatLen - 1; k >= 0; k--) out[i++] = (format >> (8 * k)) & 0xff
  out[i++] = 0xff
  payload.copy(out, i)
  return out
}

/** De-registers every registered client (DELETE of its location, Core TS 1.2 section 6.2.3), K in flight. */
async function deregister({ window = 64 }, list = clients) {
  const target = { address: host, port }
  const registered = list.filter((c) => c.location !== undefined)
  let next = 0
  let ok = 0
  let failed = 0
  const t0 = performance.now()
  const worker = async () => {
    while (next < registered.length) {
      const c = registered[next++]
      const request = message(
        0,
        0x04,
        c.location.map((segment) => [11, str(segment)]),
        undefined,
      )
      let code = TIMEOUT
      for (let attempt = 0; attempt < 3 && code === TIMEOUT; attempt++)
        code = await exchange(c, request, target)
      if (code === 0x42) {
        ok++
        c.location = undefined
      } else failed++
    }
  }
  await Promise.all(Array.from({ length: Math.min(window, registered.length) }, worker))
  return { deregistered: ok, failed, seconds: (performance.now() - t0) / 1000 }
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
      const mid = c.nextMid++ & 0xffff
      const withToken = notification(o, mid, payload)
      const code = await new Promise((resolve) => {
        track(new Pending(c, mid, false, resolve))
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

await openClients(clients, N)
if (WARM > 0) {
  warmClients = new Array(WARM)
  await openClients(warmClients, WARM)
}

/** Registers and de-registers the warm-up clients for `seconds` (at least once), then closes them. */
async function warmup({ window = 64, seconds = 0 }) {
  const until = performance.now() + seconds * 1000
  let registered = 0
  let deregistered = 0
  let failed = 0
  do {
    const reg = await register({ window }, warmClients, 'warm')
    const dereg = await deregister({ window }, warmClients)
    registered += reg.registered
    deregistered += dereg.deregistered
    failed += reg.failed + dereg.failed
  } while (performance.now() < until && failed === 0)
  // Closed before the answer, so that the sockets' close callbacks do not run in the measured burst.
  await Promise.all(warmClients.map((c) => new Promise((resolve) => c.sock.close(resolve))))
  warmClients = []
  return { registered, failed, deregistered }
}
process.stdout.write(`${JSON.stringify({ ready: true, clients: N })}\n`)
const lines = createInterface({ input: process.stdin })
for await (const line of lines) {
  const msg = JSON.parse(line)
  let out
  if (msg.cmd === 'register') out = await register(msg)
  else if (msg.cmd === 'notify') out = await notify(msg)
  else if (msg.cmd === 'deregister') out = await deregister(msg)
  else if (msg.cmd === 'warmup') out = await warmup(msg)
  else if (msg.cmd === 'stats')
    out = { answered, strays, observed: clients.filter((c) => c.observation).length }
  else if (msg.cmd === 'exit') break
  else out = { error: `unknown command ${msg.cmd}` }
  process.stdout.write(`${JSON.stringify(out)}\n`)
}
for (const c of clients) c.sock.close()
process.exit(0)
