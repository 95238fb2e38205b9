#!/usr/bin/env node
// Regenerates src/generated/ from the OMA registry's DDF files. Run it through
// `pnpm --filter @lwm2m/objects generate` (which builds first: the generator is the
// package's own parseDdf + generateModelModules from dist/). Options:
//   --registry <dir>   the registry folder (default: $LWM2M_REGISTRY_DIR, else ../shared/lwm2m-registry)
//   --check            write nothing; exit 1 if the committed files differ from a fresh generation
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { findRegistryDir, generateOptions, packageDir, readRegistrySources } from './registry.mjs'

const { generateModelModules } = await import('../dist/index.js')

const dir = findRegistryDir({ argv: process.argv.slice(2), env: process.env })
if (dir === undefined) {
  console.error('The OMA registry folder was not found: pass --registry <dir> or set LWM2M_REGISTRY_DIR.')
  process.exit(2)
}
const sources = readRegistrySources(dir)
const files = generateModelModules(sources, generateOptions)
const out = join(packageDir, 'src', 'generated')
const check = process.argv.includes('--check')

const existing = existsSync(out)
  ? readdirSync(out).filter((n) => n.endsWith('.ts') && !n.endsWith('.test.ts'))
  : []
const stale = existing.filter((n) => !files.has(n))
const changed = [...files].filter(
  ([name, text]) => !existsSync(join(out, name)) || readFileSync(join(out, name), 'utf8') !== text,
)

if (check) {
  for (const n of stale) console.error(`stale: src/generated/${n}`)
  for (const [n] of changed) console.error(`differs: src/generated/${n}`)
  if (stale.length + changed.length > 0) process.exit(1)
  console.log(`src/generated/ matches ${sources.length} DDF files in ${dir}`)
} else {
  mkdirSync(out, { recursive: true })
  for (const n of stale) rmSync(join(out, n))
  for (const [name, text] of changed) writeFileSync(join(out, name), text)
  const bytes = [...files.values()].reduce((n, t) => n + Buffer.byteLength(t), 0)
  console.log(
    `${sources.length} DDF files from ${dir}: ${files.size} modules (${changed.length} written, ${stale.length} removed), ${bytes} bytes`,
  )
}
