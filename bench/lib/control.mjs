import { spawn } from 'node:child_process'
import { createInterface } from 'node:readline'

/**
 * A child process driven by JSON lines: it prints `{"ready":true,...}` (or
 * `{"unavailable":"why"}`) when started, then answers each command line with one JSON line.
 * Resolves with `{ child, ready, send(cmd) -> Promise<answer>, stop() }`.
 */
export function startControlled(script, args = [], { nodeArgs = [], timeoutMs = 120_000, env } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...nodeArgs, script, ...args], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: env ?? process.env,
    })
    let stderr = ''
    child.stderr.on('data', (d) => {
      if (stderr.length < 8000) stderr += d
    })
    const waiting = []
    let ready
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`${script} did not report ready in ${timeoutMs} ms: ${stderr}`))
    }, timeoutMs)
    const lines = createInterface({ input: child.stdout })
    lines.on('line', (line) => {
      let msg
      try {
        msg = JSON.parse(line)
      } catch {
        return
      }
      if (ready === undefined) {
        if (!msg.ready && !msg.unavailable) return
        clearTimeout(timer)
        ready = msg
        resolve({
          child,
          ready: msg,
          send(cmd, commandTimeoutMs = 600_000) {
            return new Promise((res, rej) => {
              const t = setTimeout(
                () => rej(new Error(`${script}: no answer to ${cmd.cmd} in ${commandTimeoutMs} ms`)),
                commandTimeoutMs,
              )
              waiting.push({
                res: (v) => {
                  clearTimeout(t)
                  res(v)
                },
                rej: (e) => {
                  clearTimeout(t)
                  rej(e)
                },
              })
              child.stdin.write(`${JSON.stringify(cmd)}\n`)
            })
          },
          stop() {
            return new Promise((res) => {
              if (child.exitCode !== null || child.signalCode !== null) return res()
              const kill = setTimeout(() => child.kill('SIGKILL'), 5000)
              child.once('exit', () => {
                clearTimeout(kill)
                res()
              })
              child.stdin.end(`${JSON.stringify({ cmd: 'exit' })}\n`)
            })
          },
          stderr: () => stderr,
        })
        return
      }
      waiting.shift()?.res(msg)
    })
    child.once('error', (err) => {
      clearTimeout(timer)
      reject(err)
    })
    child.once('exit', (code, signal) => {
      clearTimeout(timer)
      const err = new Error(`${script} exited (${code ?? signal}): ${stderr.trim()}`)
      for (const w of waiting.splice(0)) w.rej(err)
      if (ready === undefined) reject(err)
    })
  })
}
