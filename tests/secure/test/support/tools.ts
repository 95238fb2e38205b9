import { execFileSync } from 'node:child_process'

/** True when `command` runs (`args` chosen so that it exits at once). */
export function available(command: string, args: readonly string[] = ['-h']): boolean {
  try {
    execFileSync(command, args, { stdio: 'pipe', timeout: 10_000 })
    return true
  } catch (e) {
    // libcoap's tools exit non-zero on -h; a missing program is ENOENT.
    return (e as NodeJS.ErrnoException).code !== 'ENOENT'
  }
}

/**
 * Whether to skip the tests that need a program no one here wrote: only when it is missing
 * and this is not CI (under CI=true a missing peer fails the test instead of skipping it).
 */
export function skipWithout(command: string, args?: readonly string[]): boolean {
  const there = available(command, args)
  if (!there && process.env.CI !== 'true') {
    console.warn(
      `${command} is not installed: its tests are skipped (apt-get install -y libcoap3-bin openssl)`,
    )
  }
  return !there && process.env.CI !== 'true'
}

/** Waits for a promise, but at most `ms` of real time. */
export function within<T>(promise: Promise<T>, ms = 10_000, what = 'result'): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no ${what} within ${ms} ms`)), ms)
      timer.unref()
    }),
  ])
}

/** Polls `cond` every few ms until it holds; rejects after `ms`. */
export async function until(
  cond: () => boolean | Promise<boolean>,
  ms = 10_000,
  what = 'condition',
): Promise<void> {
  const end = Date.now() + ms
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 5))
  }
}
