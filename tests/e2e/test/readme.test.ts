import { spawnSync } from 'node:child_process'
import { readFileSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

// The root README's example is code users copy: it runs here as written, against the built
// packages, so that the README stays true.
const here = dirname(fileURLToPath(import.meta.url))
const root = join(here, '..', '..', '..')

function readmeExample(): string {
  const readme = readFileSync(join(root, 'README.md'), 'utf8')
  const section = readme.slice(readme.indexOf('## Example'))
  const match = /```js\n([\s\S]*?)```/.exec(section)
  if (match?.[1] === undefined) throw new Error('README.md has no ```js block under "## Example"')
  return match[1]
}

describe('the README example', () => {
  it('registers a device, reads it and observes its temperature', () => {
    // Written beside this package, so that its imports resolve to the workspace's packages.
    const file = join(here, '..', `.readme-example-${process.pid}.mjs`)
    writeFileSync(file, readmeExample())
    try {
      const run = spawnSync(process.execPath, [file], { encoding: 'utf8', timeout: 30_000 })
      expect(run.stderr).toBe('')
      expect(run.status).toBe(0)
      expect(run.stdout.trim().split('\n')).toEqual([
        'registered thermo-1 1.2',
        'manufacturer ACME',
        'temperature 21.5',
        'temperature 22.25',
      ])
    } finally {
      rmSync(file, { force: true })
    }
  })
})
