// The raw LwM2M responder: the second reference of the lwm2m suite. Plain node:dgram, no CoAP or
// LwM2M library, in a process of its own with the same command loop (protocol.mjs) as the real
// servers. It does the least an LwM2M server must do under the suite's load: a Register gets a
// piggybacked 2.01 Created with a Location-Path (/rd/<id>), a De-register (DELETE /rd/<id>) a
// 2.02 Deleted, server-initiated reads are pre-encoded confirmable GETs of /3/0 (Accept TLV)
// matched by token, whose TLV answer is walked (record headers only), and each confirmable
// notification gets an empty ACK. No deduplication, no lifetimes, no link-format parsing, no
// retransmission: what it costs shows what the simulator and the kernel's many-socket sends
// allow on this machine, a ceiling a real server can approach but not pass.
import { createSocket } from 'node:dgram'
import { performance } from 'node:perf_hooks'
import { serve } from './protocol.mjs'

const TLV = 11542
const TIMEOUT_MS = 5000

const sock = createSocket('udp4')
await new Promise((resolve) => sock.bind(0, '127.0.0.1', resolve))

/** endpoint name -> { address, port, id } */
const byName = new Map()
/** registration id -> endpoint name */
const byId = new Map()
let nextId = 1
let nextMid = 1
let nextToken = 1
/** token (uint32) -> { resolve, reject, deadline, observe } */
const pending = new Map()
let notifications = 0
let decoded = 0

/** The options of a CoAP message (RFC 7252 section 3.1): calls `each(number, start, end)`; returns the payload's offset or -1 if malformed. */
function walkOptions(msg, each) {
  let i = 4 + (msg[0] & 0x0f)
  let number = 0
  while (i < msg.length) {
    const b = msg[i++]
    if (b === 0xff) return i
    let delta = b >> 4
    let len = b & 0x0f
    if (delta === 13) delta = msg[i++] + 13
    else if (delta === 14) {
      delta = ((msg[i] << 8) | msg[i + 1]) + 269
      i += 2
    } else if (delta === 15) return -1
    if (len === 13) len = msg[i++] + 13
    else if (len === 14) {
      len = ((msg[i] << 8) | msg[i + 1]) + 269
      i += 2
    } else if (len === 15) return -1
    number += delta
    if (i + len > msg.length) return -1
    each(number, i, i + len)
    i += len
  }
  return msg.length
}

function reply(msg, code, extra, rinfo) {
  const tkl = msg[0] & 0x0f
  const out = Buffer.allocUnsafe(4 + tkl + extra.length)
  out[0] = 0x60 | tkl // ACK, piggybacked
  out[1] = code
  out[2] = msg[2]
  out[3] = msg[3]
  msg.copy(out, 4, 4, 4 + tkl)
  if (extra.length > 0) extra.copy(out, 4 + tkl)
  sock.send(out, rinfo.port, rinfo.address)
}

const EMPTY = Buffer.alloc(0)

function onRequest(msg, rinfo) {
  const code = msg[1]
  let ep
  let uriPath = ''
  let segments = 0
  const payloadAt = walkOptions(msg, (number, start, end) => {
    if (number === 11) {
      uriPath += `/${msg.latin1Slice(start, end)}`
      segments++
    } else if (
      number === 15 &&
      end - start > 3 &&
      msg[start] === 0x65 &&
      msg[start + 1] === 0x70 &&
      msg[start + 2] === 0x3d
    )
      ep = msg.latin1Slice(start + 3, end) // ep=
  })
  if (payloadAt < 0) return reply(msg, 0x80, EMPTY, rinfo) // 4.00
  if (code === 0x02 && uriPath === '/rd' && ep !== undefined) {
    let entry = byName.get(ep)
    if (entry === undefined) {
      entry = { address: rinfo.address, port: rinfo.port, id: String(nextId++) }
      byName.set(ep, entry)
      byId.set(entry.id, ep)
    } else {
      entry.address = rinfo.address
      entry.port = rinfo.port
    }
    // Location-Path (8) "rd", then the id (delta 0).
    const id = Buffer.from(entry.id, 'latin1')
    const loc = Buffer.concat([Buffer.from([0x82, 0x72, 0x64, id.length]), id])
    return reply(msg, 0x41, loc, rinfo)
  }
  if (code === 0x04 && segments === 2 && uriPath.startsWith('/rd/')) {
    const name = byId.get(uriPath.slice(4))
    if (name === undefined) return reply(msg, 0x84, EMPTY, rinfo)
    byId.delete(uriPath.slice(4))
    byName.delete(name)
    return reply(msg, 0x42, EMPTY, rinfo)
  }
  reply(msg, 0x84, EMPTY, rinfo)
}

/** Walks a TLV payload's record headers (OMA-TS-LightweightM2M 1.0 section 6.4.3): true if they fit it exactly. */
function tlvWellFormed(msg, at) {
  let i = at
  while (i < msg.length) {
    const t = msg[i++]
    i += t & 0x20 ? 2 : 1 // identifier: 16 or 8 bits
    const lenType = (t >> 3) & 3
    let len = t & 7
    if (lenType > 0) {
      len = 0
      for (let k = 0; k < lenType; k++) len = (len << 8) | msg[i++]
    }
    i += len
  }
  return i === msg.length
}

function onResponse(msg) {
  const tkl = msg[0] & 0x0f
  if (tkl !== 4) return
  const token = msg.readUInt32BE(4)
  const p = pending.get(token)
  if (p === undefined) return
  pending.delete(token)
  if (msg[1] !== 0x45)
    return p.reject(new Error(`answer ${msg[1] >> 5}.${String(msg[1] & 0x1f).padStart(2, '0')}`))
  const payloadAt = walkOptions(msg, () => {})
  if (payloadAt < 0 || !tlvWellFormed(msg, payloadAt)) return p.reject(new Error('bad TLV'))
  if (p.observe) observing.set(token, true)
  p.resolve(msg.length - payloadAt)
}

/** Observations by token: their confirmable notifications get an empty ACK. */
const observing = new Map()

sock.on('message', (msg, rinfo) => {
  if (msg.length < 4 || msg[0] >> 6 !== 1) return
  const type = (msg[0] >> 4) & 3
  const code = msg[1]
  if (code >= 0x01 && code <= 0x1f) return onRequest(msg, rinfo)
  if (code === 0) return // empty ACK or RST
  // A notification (a response with our token, CON or NON) or the piggybacked answer to a read.
  const tkl = msg[0] & 0x0f
  if (tkl === 4 && type !== 2 && observing.has(msg.readUInt32BE(4))) {
    const payloadAt = walkOptions(msg, () => {})
    if (type === 0) sock.send(Buffer.from([0x60, 0, msg[2], msg[3]]), rinfo.port, rinfo.address)
    notifications++
    if (payloadAt >= 0 && payloadAt < msg.length) decoded++
    return
  }
  if (type === 2) onResponse(msg)
})

/** A confirmable GET of `path` (Accept TLV, Observe 0 if asked) for one client; resolves with the payload size. */
function get(ep, path, observe) {
  const entry = byName.get(ep)
  if (entry === undefined) return Promise.reject(new Error(`${ep} is not registered`))
  return new Promise((resolve, reject) => {
    const token = nextToken++ >>> 0
    const mid = nextMid++ & 0xffff
    const parts = path.split('/').filter(Boolean)
    const bytes = [
      0x44,
      0x01,
      mid >> 8,
      mid & 0xff,
      token >>> 24,
      (token >> 16) & 0xff,
      (token >> 8) & 0xff,
      token & 0xff,
    ]
    let last = 0
    if (observe) {
      bytes.push(0x60) // Observe (6) = 0
      last = 6
    }
    for (const seg of parts) {
      bytes.push(((11 - last) << 4) | seg.length, ...Buffer.from(seg))
      last = 11
    }
    bytes.push(((17 - last) << 4) | 2, TLV >> 8, TLV & 0xff) // Accept (17)
    pending.set(token, { resolve, reject, deadline: performance.now() + TIMEOUT_MS, observe })
    sock.send(Buffer.from(bytes), entry.port, entry.address)
  })
}

// Unanswered requests fail after TIMEOUT_MS (one sweep a second, no timer per request).
const sweeper = setInterval(() => {
  const now = performance.now()
  for (const [token, p] of pending) {
    if (p.deadline > now) break // Map order is send order
    pending.delete(token)
    p.reject(new Error('timeout'))
  }
}, 1000)

serve({
  port: sock.address().port,
  async count() {
    return byName.size
  },
  async endpoints() {
    return [...byName.keys()]
  },
  read: (ep, path) => get(ep, path, false),
  observe: (ep, path) => get(ep, path, true),
  takeNotifications() {
    const out = { notifications, decoded }
    notifications = 0
    decoded = 0
    return out
  },
  async stop() {
    clearInterval(sweeper)
    sock.close()
  },
})
