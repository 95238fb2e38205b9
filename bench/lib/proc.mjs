import { spawn } from 'node:child_process'
import { createSocket } from 'node:dgram'
import { accessSync, constants, readFileSync } from 'node:fs'
import { createInterface } from 'node:readline'

/** VmRSS and VmHWM (peak RSS) of a process in kB, from /proc (Linux); undefined elsewhere or once it exited. */
export function memoryOf(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8')
    const read = (key) => {
      const m = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)
      return m ? Number(m[1]) : undefined
    }
    return { rssKb: read('VmRSS'), hwmKb: read('VmHWM') }
  } catch {
    return { rssKb: undefined, hwmKb: undefined }
  }
}

/**
 * CPU time (user + system) a process has used so far, µs, from /proc/<pid>/stat (clock ticks of
 * 10 ms: over runs of seconds it is exact to a fraction of a percent); undefined off Linux.
 */
export function cpuOf(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // Fields after the command name (which may hold spaces) in parentheses: utime is the 14th
    // field of the line, stime the 15th (proc(5)).
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return (Number(rest[11]) + Number(rest[12])) * 10_000
  } catch {
    return undefined
  }
}

/** Samples VmRSS every `intervalMs`; `stop()` returns the largest sample, the last one and VmHWM. */
export function sampleMemory(pid, intervalMs = 250) {
  let maxRssKb = 0
  let lastRssKb
  const take = () => {
    const { rssKb } = memoryOf(pid)
    if (rssKb !== undefined) {
      lastRssKb = rssKb
      if (rssKb > maxRssKb) maxRssKb = rssKb
    }
  }
  take()
  const timer = setInterval(take, intervalMs)
  return {
    stop() {
      take()
      clearInterval(timer)
      const { hwmKb } = memoryOf(pid)
      return { maxRssKb: maxRssKb || undefined, lastRssKb, hwmKb }
    },
  }
}

/** A UDP port that was free a moment ago on `host` (bind port 0, read it, close). */
export function freeUdpPort(host = '127.0.0.1') {
  return new Promise((resolve, reject) => {
    const s = createSocket('udp4')
    s.once('error', reject)
    s.bind(0, host, () => {
      const { port } = s.address()
      s.close(() => resolve(port))
    })
  })
}

/**
 * Starts a server process that prints one JSON line when ready: `{"ready":true,"port":N}`,
 * or `{"unavailable":"why"}` when it cannot run here. Resolves with the child and that line.
 */
export function startJsonServer(command, args, { timeoutMs = 15_000, env } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env: env ?? process.env })
    let stderr = ''
    child.stderr.on('data', (d) => {
      if (stderr.length < 4000) stderr += d
    })
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`${command} ${args.join(' ')} did not report ready in ${timeoutMs} ms: ${stderr}`))
    }, timeoutMs)
    const lines = createInterface({ input: child.stdout })
    lines.on('line', (line) => {
      let msg
      try {
        msg = JSON.parse(line)
      } catch {
        return
      }
      if (msg.ready || msg.unavailable) {
        clearTimeout(timer)
        lines.removeAllListeners('line')
        child.stdout.resume()
        resolve({ child, ...msg })
      }
    })
    child.once('error', (err) => {
      clearTimeout(timer)
      reject(err)
    })
    child.once('exit', (code, signal) => {
      clearTimeout(timer)
      reject(new Error(`${command} exited (${code ?? signal}) before it was ready: ${stderr.trim()}`))
    })
  })
}

/** Ends a child: SIGTERM, then SIGKILL after `graceMs`. Resolves once it exited. */
export function stopChild(child, graceMs = 2000) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), graceMs)
    child.once('exit', () => {
      clearTimeout(kill)
      resolve()
    })
    child.kill('SIGTERM')
  })
}

/** Runs a node script to completion and parses the last JSON line it printed. */
export function runJsonScript(script, args, { timeoutMs } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    let err = ''
    child.stdout.on('data', (d) => (out += d))
    child.stderr.on('data', (d) => {
      if (err.length < 4000) err += d
    })
    const timer = timeoutMs ? setTimeout(() => child.kill('SIGKILL'), timeoutMs) : undefined
    child.once('error', reject)
    child.once('exit', (code) => {
      if (timer) clearTimeout(timer)
      const last = out.trim().split('\n').pop()
      try {
        if (code !== 0) throw new Error(`exit ${code}`)
        resolve(JSON.parse(last))
      } catch (e) {
        reject(new Error(`${script} failed (${e.message}): ${err.trim() || out.trim()}`))
      }
    })
  })
}

/** Is an executable on PATH? */
export function onPath(command) {
  const dirs = (process.env.PATH ?? '').split(':')
  for (const d of dirs) {
    try {
      accessSync(`${d}/${command}`, constants.X_OK)
      return true
    } catch {}
  }
  return false
}
