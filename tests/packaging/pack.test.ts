import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { publint } from 'publint'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { smoke } from './smoke.js'

const root = resolve(import.meta.dirname, '../..')
const packagesDir = join(root, 'packages')

interface Pkg {
  name: string
  dir: string
  deps: string[]
}

const pkgs: Pkg[] = readdirSync(packagesDir, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => join(packagesDir, d.name))
  .filter((dir) => {
    try {
      readFileSync(join(dir, 'package.json'))
      return true
    } catch {
      return false
    }
  })
  .map((dir) => {
    const pj = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'))
    // Optional peers (@lwm2m/dtls for the client's coaps servers) stay out: the package must work without them.
    const optional = new Set(
      Object.entries((pj.peerDependenciesMeta ?? {}) as Record<string, { optional?: boolean }>)
        .filter(([, meta]) => meta.optional === true)
        .map(([n]) => n),
    )
    const deps = Object.keys({ ...pj.dependencies, ...pj.peerDependencies }).filter(
      (n) => n.startsWith('@lwm2m/') && !optional.has(n),
    )
    return { name: pj.name as string, dir, deps }
  })

const byName = new Map(pkgs.map((p) => [p.name, p]))
const work = mkdtempSync(join(tmpdir(), 'lwm2m-pack-'))
const tarballs = new Map<string, string>()

function closure(name: string, seen = new Set<string>()): Set<string> {
  if (seen.has(name)) return seen
  seen.add(name)
  for (const d of byName.get(name)?.deps ?? []) closure(d, seen)
  return seen
}

const pnpm = process.env.npm_execpath?.includes('pnpm') ? process.env.npm_execpath : 'pnpm'

beforeAll(() => {
  const dest = join(work, 'tarballs')
  mkdirSync(dest)
  for (const p of pkgs) {
    const before = new Set(readdirSync(dest))
    const cmd = pnpm.endsWith('.cjs') || pnpm.endsWith('.js') ? process.execPath : pnpm
    const args =
      cmd === process.execPath
        ? [pnpm, 'pack', '--pack-destination', dest]
        : ['pack', '--pack-destination', dest]
    execFileSync(cmd, args, { cwd: p.dir, stdio: 'pipe' })
    const made = readdirSync(dest).filter((f) => !before.has(f))
    expect(made).toHaveLength(1)
    tarballs.set(p.name, join(dest, made[0]!))
  }
})

afterAll(() => rmSync(work, { recursive: true, force: true }))

describe('pick-and-mix: each package installs and works alone outside the workspace', () => {
  it('covers every package with a smoke snippet', () => {
    expect(pkgs.map((p) => p.name).filter((n) => !(n in smoke))).toEqual([])
  })

  it.each(pkgs.map((p) => [p.name]))('%s: packed tarball installs alone and is usable', (name) => {
    const project = join(work, name.replace('/', '__'))
    mkdirSync(project)
    writeFileSync(
      join(project, 'package.json'),
      JSON.stringify({ name: 'consumer', private: true, type: 'module' }),
    )
    const needed = [...closure(name)].map((n) => tarballs.get(n)!)
    execFileSync(
      'npm',
      ['install', '--no-audit', '--no-fund', '--no-package-lock', '--loglevel=error', ...needed],
      {
        cwd: project,
        stdio: 'pipe',
      },
    )
    // Only our own tarballs and their declared dependencies are there: no workspace hoisting to lean on.
    const installed = readdirSync(join(project, 'node_modules', '@lwm2m'))
    expect(installed.sort()).toEqual([...closure(name)].map((n) => n.slice('@lwm2m/'.length)).sort())
    writeFileSync(join(project, 'smoke.mjs'), smoke[name] ?? '')
    execFileSync(process.execPath, ['smoke.mjs'], { cwd: project, stdio: 'pipe' })
  })
})

describe('publint', () => {
  it.each(pkgs.map((p) => [p.name, p.dir]))('%s is publint-clean', async (_name, dir) => {
    const { messages } = await publint({ pkgDir: dir as string, strict: true, level: 'suggestion' })
    expect(messages.map((m) => `${m.type} ${m.code} ${m.path.join('.')}`)).toEqual([])
  })
})

describe('changesets', () => {
  it('every changeset file parses (front matter intact) and names only workspace packages', () => {
    const dir = join(root, '.changeset')
    const names = new Set(pkgs.map((p) => p.name))
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.md') && f !== 'README.md')) {
      const text = readFileSync(join(dir, file), 'utf8')
      const m = /^---\n([\s\S]*?)\n---\n/.exec(text)
      expect(m, `${file} has front matter`).not.toBeNull()
      for (const line of m![1]!.split('\n').filter((l) => l.trim() !== '')) {
        const entry = /^"(@lwm2m\/[a-z0-9-]+)": (major|minor|patch)$/.exec(line.trim())
        expect(entry, `${file}: ${line}`).not.toBeNull()
        expect(names.has(entry![1]!), `${file} names ${entry![1]}`).toBe(true)
      }
    }
  })
})
