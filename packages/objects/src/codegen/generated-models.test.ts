import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
// @ts-expect-error: a plain ES module of the package's scripts, without type declarations
import { findRegistryDir, generateOptions, packageDir, readRegistrySources } from '../../scripts/registry.mjs'
import * as generated from '../generated/index.js'
import { standardModels } from '../generated/index.js'
import { generateModelModules } from './generate.js'

const registry: string | undefined = findRegistryDir({ env: process.env })
const inCi = process.env.CI === 'true'
const skipped =
  registry === undefined
    ? ' [skipped: no ../shared/lwm2m-registry beside the repository and no LWM2M_REGISTRY_DIR]'
    : ''

describe('the committed models (src/generated/)', () => {
  it('are there when the registry folder is not (the check below needs it)', () => {
    // In CI the folder is beside the repository: its absence there is a failure, not a skip.
    if (inCi)
      expect(registry, 'the OMA registry folder ../shared/lwm2m-registry is missing in CI').toBeDefined()
    expect(standardModels.length).toBeGreaterThan(0)
  })

  it.skipIf(registry === undefined)(`equal a fresh generation from the registry DDF files${skipped}`, () => {
    const files: Map<string, string> = generateModelModules(readRegistrySources(registry!), generateOptions)
    const dir = join(packageDir as string, 'src', 'generated')
    const committed = readdirSync(dir).filter((n) => n.endsWith('.ts') && !n.endsWith('.test.ts'))
    expect(committed.sort()).toEqual([...files.keys()].sort())
    for (const [name, text] of files) {
      expect(
        readFileSync(join(dir, name), 'utf8'),
        `src/generated/${name} is stale: run pnpm --filter @lwm2m/objects generate`,
      ).toBe(text)
    }
  })

  it.skipIf(registry === undefined)(
    `have the resource counts INDEX.md of the registry gives${skipped}`,
    () => {
      const index = readFileSync(join(registry!, 'INDEX.md'), 'utf8')
      let rows = 0
      for (const line of index.split('\n')) {
        // | `3.xml` | 3 | Device | 1.2 | 1.1 | Single | Mandatory | 23 | `urn:oma:lwm2m:oma:3:1.2` | 15397 |
        const cells = line.split('|').map((c) => c.trim())
        if (!/^`.*\.xml`$/.test(cells[1] ?? '')) continue
        const id = Number(cells[2])
        const version = /^\d+\.\d+$/.test(cells[4] ?? '') ? cells[4] : '1.0'
        const model = standardModels.find((m) => m.id === id && m.version === version)
        expect(model, `object ${id} version ${version}`).toBeDefined()
        expect(model!.resources.size).toBe(Number(cells[8]))
        expect(model!.multiple).toBe(cells[6] === 'Multiple')
        expect(model!.mandatory).toBe(cells[7] === 'Mandatory')
        rows++
      }
      expect(rows).toBe(standardModels.length)
    },
  )
})

describe('standardModels', () => {
  it('holds the core objects 0-16, 19-21 and IPSO 3300-3350 with every version of the registry', () => {
    const versions = new Map<number, string[]>()
    for (const m of standardModels) versions.set(m.id, [...(versions.get(m.id) ?? []), m.version])
    expect(versions.get(0)).toEqual(['1.0', '1.2'])
    expect(versions.get(1)).toEqual(['1.0', '1.2'])
    expect(versions.get(2)).toEqual(['1.0', '1.1'])
    expect(versions.get(3)).toEqual(['1.0', '1.2'])
    expect(versions.get(4)).toEqual(['1.0', '1.3'])
    expect(versions.get(5)).toEqual(['1.0', '1.2'])
    for (const id of [6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 19, 20, 21])
      expect(versions.get(id)).toHaveLength(1)
    const ipso = [...versions.keys()].filter((id) => id >= 3300)
    expect(ipso).toHaveLength(49)
    expect(ipso).not.toContain(3307)
    expect(ipso).not.toContain(3309)
    expect(standardModels).toHaveLength(75)
  })

  it('exports each version and the latest under readable names', () => {
    expect(generated.deviceModel).toBe(generated.deviceModelV1_2)
    expect(generated.deviceModelV1_0.version).toBe('1.0')
    expect(generated.temperatureModel.id).toBe(3303)
    expect(generated.locationModel.id).toBe(6)
    expect(generated.location3336Model.id).toBe(3336)
    expect(generated.firmwareUpdateModel.resources.get(5)?.rangeEnumeration).toBe('0..11')
    expect(generated.serverModel.resources.get(18)).toMatchObject({
      name: 'Communication Retry Timer',
      type: 'unsigned',
      units: 's',
    })
  })

  it('are frozen', () => {
    expect(Object.isFrozen(generated.deviceModel)).toBe(true)
    expect(Object.isFrozen(generated.deviceModel.resources.get(0))).toBe(true)
  })
})
