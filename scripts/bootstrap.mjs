#!/usr/bin/env node
// Entry point of `npm start` and `npm test` on a fresh clone: needs only Node.js >= 20 and npm.
// Finds pnpm (on PATH, or installs it locally with npm), installs dependencies from the
// lockfile when they are missing or stale, builds, and runs the requested job (`test`: type check
// of every package's sources and tests, then one vitest run).
import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync, statSync } from 'node:fs'
import { delimiter, dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))
const pinned = pkg.packageManager.replace(/^pnpm@/, '').split('+')[0]
const env = { ...process.env, TURBO_TELEMETRY_DISABLED: '1', COREPACK_ENABLE_STRICT: '0' }

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env, ...opts })
  if (r.error) throw r.error
  return r.status ?? 1
}

function works(cmd) {
  const r = spawnSync(cmd, ['--version'], {
    cwd: root,
    env,
    encoding: 'utf8',
    shell: process.platform === 'win32',
  })
  return r.status === 0 && /^10\./.test(r.stdout.trim())
}

// pnpm 10 from PATH, or else a copy installed by npm into .tools/ (no global install).
// Its folder goes first on PATH so that turbo and scripts find the same pnpm.
function findPnpm() {
  if (works('pnpm')) return 'pnpm'
  const tools = join(root, '.tools')
  const bin = join(tools, 'node_modules', '.bin')
  const local = join(bin, process.platform === 'win32' ? 'pnpm.cmd' : 'pnpm')
  if (!existsSync(local)) {
    console.log(`Installing pnpm ${pinned} into .tools/ with npm ...`)
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm'
    const status = run(
      npm,
      ['install', '--prefix', tools, '--no-save', '--no-audit', '--no-fund', `pnpm@${pinned}`],
      {
        shell: process.platform === 'win32',
      },
    )
    if (status !== 0) process.exit(status)
  }
  if (!works(local)) {
    console.error('Could not run pnpm 10; install it with `npm i -g pnpm@10` and try again.')
    process.exit(1)
  }
  env.PATH = `${bin}${delimiter}${env.PATH ?? ''}`
  return local
}

const pnpmCmd = findPnpm()
const pnpm = (...args) => run(pnpmCmd, args, { shell: process.platform === 'win32' })

const marker = join(root, 'node_modules', '.pnpm', 'lock.yaml')
const lock = join(root, 'pnpm-lock.yaml')
if (!existsSync(marker) || statSync(marker).mtimeMs < statSync(lock).mtimeMs) {
  const status = pnpm('install', '--frozen-lockfile')
  if (status !== 0) process.exit(status)
}

const job = process.argv[2] ?? 'test'
const rest = process.argv.slice(3)
let status = pnpm('run', 'build')
if (status !== 0) process.exit(status)
if (job === 'start') status = pnpm('run', 'demo', ...rest)
else if (job === 'test') {
  // Type errors in tests fail the run before vitest (which does not type-check) starts.
  status = pnpm('run', 'typecheck')
  if (status === 0) status = pnpm('run', 'test:all', ...rest)
} else {
  console.error(`unknown job ${job}`)
  status = 2
}
process.exit(status)
