// Helpers for interoperability tests against programs no one here wrote: libcoap's
// command-line tools (Debian libcoap3-bin) and node-coap (npm `coap`).
//
// A missing peer skips its tests with a message on a developer's machine, and FAILS them
// when CI=true: CI installs every peer (.ci/run), so a missing one there is a broken setup.
import { type ChildProcess, execFile, spawn } from 'node:child_process'
import { createSocket } from 'node:dgram'
import { accessSync, constants } from 'node:fs'
import { delimiter, join } from 'node:path'
import { it } from 'vitest'

export const LIBCOAP_INSTALL = 'apt-get install -y libcoap3-bin'

/** True if `program` is an executable on PATH. */
export function onPath(program: string): boolean {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    try {
      accessSync(join(dir, program), constants.X_OK)
      return true
    } catch {}
  }
  return false
}

type TestFn = () => Promise<void> | void
type ItLike = (name: string, fn: TestFn, timeout?: number) => void

/**
 * `it` when the peer is there; otherwise, in CI, a test that fails saying what is missing,
 * and elsewhere a skipped test (with one warning) — the only skip these tests allow.
 */
export function itWithPeer(available: boolean, peer: string, install: string): ItLike {
  if (available) return it
  if (process.env.CI === 'true') {
    return (name) =>
      it(name, () => {
        throw new Error(`${peer} is not installed, and CI must run this interop test (${install})`)
      })
  }
  console.warn(`interop: ${peer} is not installed; its tests are skipped (${install})`)
  return (name, fn, timeout) => it.skipIf(true)(`${name} [needs ${peer}]`, fn, timeout)
}

// ---- libcoap client -------------------------------------------------------------

/** One message as `coap-client -v 6` logs it: `v:1 t:ACK c:2.05 i:1a2b {01} [ Observe:3 ] :: 'x'`. */
export interface LoggedPdu {
  readonly type: 'CON' | 'NON' | 'ACK' | 'RST'
  readonly code: string
  readonly messageId: number
  readonly token: string
  /** "Name:value" items as printed, e.g. "Observe:3", "Block2:1/M/64", "Location-Path:items". */
  readonly options: readonly string[]
  readonly payload: string | undefined
}

const PDU = /v:1 t:(CON|NON|ACK|RST) c:(\S+) i:([0-9a-f]+) \{([0-9a-f]*)\} \[ ?(.*?) ?\](?: :: '(.*)')?$/

export function parsePdus(log: string): LoggedPdu[] {
  const out: LoggedPdu[] = []
  for (const line of log.split('\n')) {
    const m = PDU.exec(line)
    if (!m) continue
    out.push({
      type: m[1] as LoggedPdu['type'],
      code: m[2]!,
      messageId: Number.parseInt(m[3]!, 16),
      token: m[4]!,
      options: m[5] ? m[5].split(', ') : [],
      payload: m[6],
    })
  }
  return out
}

export interface ClientRun {
  readonly stdout: string
  readonly stderr: string
  /** The messages the client sent and received, in order (from `-v 6`). */
  readonly pdus: LoggedPdu[]
  /** The messages it received (ACK, and CON/NON from the server). */
  readonly received: LoggedPdu[]
}

/**
 * Runs `coap-client-notls -v 6 -B <wait> ...args`. libcoap's tools exit 0 even when the
 * exchange failed, so callers check the logged messages, never the exit code alone.
 */
export function coapClient(
  args: readonly string[],
  { waitS = 5, timeoutMs = 15_000 } = {},
): Promise<ClientRun> {
  return new Promise((resolve, reject) => {
    execFile(
      'coap-client-notls',
      ['-v', '6', '-B', String(waitS), ...args],
      { timeout: timeoutMs, maxBuffer: 16 << 20 },
      (error, stdout, stderr) => {
        if (error && (error as { killed?: boolean }).killed) {
          reject(new Error(`coap-client-notls ${args.join(' ')} timed out: ${stdout}${stderr}`))
          return
        }
        const pdus = parsePdus(stdout)
        // The client's own requests carry method codes; everything else was received.
        const received = pdus.filter((p) => /^\d\.\d\d$/.test(p.code) || p.type === 'ACK' || p.type === 'RST')
        resolve({ stdout, stderr, pdus, received })
      },
    )
  })
}

// ---- libcoap server -------------------------------------------------------------

/** A UDP port that was free a moment ago (bind port 0, read it, close). */
export function freeUdpPort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createSocket('udp4')
    s.once('error', reject)
    s.bind(0, host, () => {
      const { port } = s.address()
      s.close(() => resolve(port))
    })
  })
}

/** Sends a raw CON GET /time every 100 ms until any answer arrives or the deadline passes. */
function probe(port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = createSocket('udp4')
    let mid = 0
    const deadline = Date.now() + timeoutMs
    const finish = (ok: boolean): void => {
      clearInterval(timer)
      sock.close()
      resolve(ok)
    }
    const send = (): void => {
      if (Date.now() > deadline) {
        finish(false)
        return
      }
      mid++
      sock.send(
        Uint8Array.of(0x40, 0x01, mid >> 8, mid & 0xff, 0xb4, 0x74, 0x69, 0x6d, 0x65),
        port,
        '127.0.0.1',
      )
    }
    sock.on('message', (msg) => {
      if (msg.length >= 4 && ((msg[2]! << 8) | msg[3]!) === mid) finish(true)
    })
    sock.on('error', () => {})
    const timer = setInterval(send, 100)
    send()
  })
}

export interface LibcoapServer {
  readonly port: number
  readonly process: ChildProcess
  stop(): Promise<void>
}

/**
 * Starts `coap-server-notls -A 127.0.0.1 -p <port> ...args` on a port picked free just
 * before; if another process took it meanwhile (the server exits or never answers), tries
 * again on another port.
 */
export async function startLibcoapServer(args: readonly string[] = [], attempts = 5): Promise<LibcoapServer> {
  let last = ''
  for (let i = 0; i < attempts; i++) {
    const port = await freeUdpPort()
    const child = spawn('coap-server-notls', ['-A', '127.0.0.1', '-p', String(port), '-v', '0', ...args], {
      stdio: ['ignore', 'ignore', 'pipe'],
    })
    let stderr = ''
    child.stderr?.on('data', (d: Buffer) => {
      if (stderr.length < 2000) stderr += d
    })
    const exited = new Promise<boolean>((resolve) => child.once('exit', () => resolve(false)))
    const stop = (): Promise<void> =>
      child.exitCode !== null || child.signalCode !== null
        ? Promise.resolve()
        : new Promise<void>((resolve) => {
            const kill = setTimeout(() => child.kill('SIGKILL'), 2000)
            child.once('exit', () => {
              clearTimeout(kill)
              resolve()
            })
            child.kill('SIGTERM')
          })
    if (await Promise.race([probe(port, 3000), exited])) return { port, process: child, stop }
    last = stderr.trim() || 'no answer'
    await stop()
  }
  throw new Error(`coap-server-notls did not start: ${last}`)
}

// ---- payloads -------------------------------------------------------------------

/** A deterministic text body of `size` bytes that shows where a block went missing. */
export function body(size: number, seed = 'b'): string {
  let out = ''
  for (let i = 0; out.length < size; i++) out += `${seed}${i.toString().padStart(5, '0')};`
  return out.slice(0, size)
}
