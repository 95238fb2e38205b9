import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process'
import { createSocket } from 'node:dgram'

/** A running openssl s_server / s_client with its output collected. */
export class OpensslProcess {
  readonly child: ChildProcessWithoutNullStreams
  out = ''

  constructor(args: string[]) {
    this.child = spawn('openssl', args, { stdio: ['pipe', 'pipe', 'pipe'] })
    this.child.stdout.on('data', (d: Buffer) => {
      this.out += d.toString('latin1')
    })
    this.child.stderr.on('data', (d: Buffer) => {
      this.out += d.toString('latin1')
    })
    this.child.on('error', (e) => {
      this.out += `\nspawn error: ${e.message}`
    })
  }

  /** Resolves once the output contains `text`; rejects with the output so far after `ms`. */
  async waitFor(text: string | RegExp, ms = 10_000): Promise<void> {
    const end = Date.now() + ms
    const has = (): boolean => (typeof text === 'string' ? this.out.includes(text) : text.test(this.out))
    while (!has()) {
      if (Date.now() > end) throw new Error(`openssl did not print ${String(text)}; output:\n${this.out}`)
      if (this.child.exitCode !== null) {
        await new Promise((r) => setTimeout(r, 50))
        if (has()) return
        throw new Error(
          `openssl exited (${this.child.exitCode}) before printing ${String(text)}; output:\n${this.out}`,
        )
      }
      await new Promise((r) => setTimeout(r, 10))
    }
  }

  write(text: string): void {
    this.child.stdin.write(text)
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return
    const done = new Promise<void>((r) => this.child.once('exit', () => r()))
    this.child.kill('SIGTERM')
    await done
  }
}

/** A UDP port that was free a moment ago (openssl needs a number up front). */
export async function freeUdpPort(): Promise<number> {
  const s = createSocket('udp4')
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()))
  const port = s.address().port
  await new Promise<void>((r) => s.close(() => r()))
  return port
}
