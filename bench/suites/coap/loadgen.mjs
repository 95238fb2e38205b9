#!/usr/bin/env node
// The CoAP load generator: a process of its own, raw node:dgram, no CoAP library.
// Keeps K confirmable GETs in flight against one server, each answer triggering the
// next request, for a warm-up and then a measured duration; prints one JSON line.
//
// Requests are pre-encoded: each of the K slots owns a datagram built once, and only its
// Message ID and token bytes are rewritten before each send. Answers are matched by
// Message ID (a table per socket) and checked against the slot's token. A Message ID is
// never reused on a socket: after 65536 requests the generator moves to a fresh socket
// (a new source port), so servers never see a duplicate and answer from a deduplication
// cache (RFC 7252 section 4.5) instead of their handler.
//
// Usage: node loadgen.mjs --port=N [--host=127.0.0.1] [--k=16] [--duration=4]
//        [--warmup=1] [--path=bench] [--mode=coap|echo] [--timeout=1000]

import { createSocket } from 'node:dgram'
import { performance } from 'node:perf_hooks'

const args = Object.fromEntries(
  process.argv.slice(2).map((a) => {
    const m = /^--([a-z]+)=(.*)$/.exec(a)
    if (!m) throw new Error(`bad argument ${a}`)
    return [m[1], m[2]]
  }),
)
const host = args.host ?? '127.0.0.1'
const port = Number(args.port)
const K = Number(args.k ?? 16)
const durationMs = Number(args.duration ?? 4) * 1000
const warmupMs = Number(args.warmup ?? 1) * 1000
const timeoutMs = Number(args.timeout ?? 1000)
const mode = args.mode ?? 'coap'
const path = (args.path ?? 'bench').split('/').filter(Boolean)
if (!Number.isInteger(port) || port <= 0) throw new Error('--port is required')

// CON GET, token length 4, then one Uri-Path option per segment (RFC 7252 section 3).
function template() {
  const bytes = [0x44, 0x01, 0, 0, 0, 0, 0, 0]
  let previous = 0
  for (const segment of path) {
    const value = Buffer.from(segment)
    if (value.length > 12) throw new Error('path segments of at most 12 bytes')
    bytes.push(((11 - previous) << 4) | value.length, ...value)
    previous = 11
  }
  return Buffer.from(bytes)
}

const TEMPLATE = template()
const RECV_BUFFER = Math.max(1 << 20, K * 4096)
const HIST_BUCKET_US = 20
const HIST_BUCKETS = 10_000 // 20 us steps up to 200 ms; slower answers land in the last bucket
const histogram = new Uint32Array(HIST_BUCKETS)

let measuring = false
let stopping = false
let completed = 0 // answers inside the measured window
let lost = 0
let errors = 0
let stray = 0
let sent = 0

// ---- sockets: each with its own Message ID space ---------------------------------
// Sockets are connected to the server (no address lookup per send). One spare socket is
// always being connected, so that moving on after 65536 Message IDs never waits.

const sockets = []
let current
let spare

function openSocket() {
  const sock = createSocket('udp4')
  const s = {
    sock,
    nextMid: 0,
    byMid: new Int32Array(65536),
    inflight: 0,
    ready: false,
    queued: [],
    closed: false,
  }
  sock.on('message', (msg) => onAnswer(s, msg))
  sock.on('error', () => errors++)
  sock.connect(port, host, () => {
    // Room for K answers arriving at once (the default buffer holds ~200 small datagrams),
    // so that what is lost is lost by the server, not here. Capped by net.core.rmem_max.
    try {
      sock.setRecvBufferSize(RECV_BUFFER)
    } catch {}
    s.ready = true
    for (const b of s.queued) sock.send(b)
    s.queued = []
  })
  sockets.push(s)
  return s
}

function nextSocket() {
  const previous = current
  current = spare ?? openSocket()
  spare = openSocket()
  if (previous !== undefined) retire(previous)
}

function retire(s) {
  if (s !== current && s !== spare && s.inflight === 0 && !s.closed) {
    s.closed = true
    s.byMid = undefined
    s.sock.close()
  }
}

function transmit(s, b) {
  if (s.ready) s.sock.send(b)
  else s.queued.push(b)
}

// ---- slots ---------------------------------------------------------------------

const slots = Array.from({ length: K }, (_, i) => ({
  index: i,
  buf: Buffer.from(TEMPLATE),
  socket: undefined,
  mid: -1,
  sentAt: 0,
  seq: 0,
}))

function send(slot) {
  if (stopping) {
    slot.socket = undefined
    return
  }
  if (current.nextMid > 0xffff) nextSocket()
  const s = current
  const mid = s.nextMid++
  slot.seq = (slot.seq + 1) & 0xffff
  const b = slot.buf
  b[2] = mid >>> 8
  b[3] = mid & 0xff
  b[4] = slot.index >>> 8
  b[5] = slot.index & 0xff
  b[6] = slot.seq >>> 8
  b[7] = slot.seq & 0xff
  s.byMid[mid] = slot.index + 1
  s.inflight++
  slot.socket = s
  slot.mid = mid
  slot.sentAt = performance.now()
  sent++
  transmit(s, b)
}

function onAnswer(s, msg) {
  if (msg.length < 8) {
    stray++
    return
  }
  const mid = (msg[2] << 8) | msg[3]
  if (s.closed) return
  const index = s.byMid[mid] - 1
  if (index < 0) {
    stray++ // late answer to a request already counted as lost, or a duplicate
    return
  }
  const slot = slots[index]
  const b = slot.buf
  if ((msg[0] & 0x0f) !== 4 || msg[4] !== b[4] || msg[5] !== b[5] || msg[6] !== b[6] || msg[7] !== b[7]) {
    stray++
    return
  }
  s.byMid[mid] = 0
  s.inflight--
  if (s !== current) retire(s)
  // coap: a piggybacked ACK 2.05; echo: our own datagram back
  const ok = mode === 'echo' ? msg[1] === 0x01 : (msg[0] & 0x30) === 0x20 && msg[1] === 0x45
  if (measuring) {
    if (ok) {
      completed++
      const us = (performance.now() - slot.sentAt) * 1000
      histogram[Math.min(HIST_BUCKETS - 1, Math.floor(us / HIST_BUCKET_US))]++
    } else errors++
  }
  send(slot)
}

// One sweep for lost requests instead of a timer per request.
const sweep = setInterval(
  () => {
    const now = performance.now()
    for (const slot of slots) {
      if (slot.socket !== undefined && now - slot.sentAt > timeoutMs) {
        const s = slot.socket
        s.byMid[slot.mid] = 0
        s.inflight--
        if (s !== current) retire(s)
        if (measuring) lost++
        send(slot)
      }
    }
  },
  Math.max(10, Math.min(100, timeoutMs / 4)),
)

function percentile(p) {
  let total = 0
  for (const n of histogram) total += n
  if (total === 0) return undefined
  const want = Math.ceil((p / 100) * total)
  let seen = 0
  for (let i = 0; i < HIST_BUCKETS; i++) {
    seen += histogram[i]
    if (seen >= want) return ((i + 0.5) * HIST_BUCKET_US) / 1000
  }
  return undefined
}

nextSocket()
for (const slot of slots) send(slot)

setTimeout(() => {
  measuring = true
  const t0 = performance.now()
  const sent0 = sent
  setTimeout(() => {
    const elapsed = performance.now() - t0
    measuring = false
    stopping = true
    clearInterval(sweep)
    const result = {
      mode,
      k: K,
      durationMs: Math.round(elapsed),
      completed,
      rps: (completed * 1000) / elapsed,
      sent: sent - sent0,
      sentInAll: sent,
      lost,
      errors,
      stray,
      p50Ms: percentile(50),
      p99Ms: percentile(99),
      sockets: sockets.length,
    }
    // Let answers in flight drain, then close.
    setTimeout(() => {
      for (const s of sockets) if (!s.closed) s.sock.close()
      process.stdout.write(`${JSON.stringify(result)}\n`)
    }, 50)
  }, durationMs)
}, warmupMs)
