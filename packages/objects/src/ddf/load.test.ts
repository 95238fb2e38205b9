import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { DdfError, ObjectsError } from '../errors.js'
import { deviceModel, temperatureModel } from '../generated/index.js'
import { loadDdfDirectory, loadDdfFile } from './load.js'
import { writeDdf } from './write.js'

const dir = mkdtempSync(join(tmpdir(), 'lwm2m-ddf-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('loading DDF files at run time', () => {
  writeFileSync(join(dir, '3.xml'), writeDdf([deviceModel]))
  writeFileSync(join(dir, '3303.xml'), writeDdf([temperatureModel]))
  writeFileSync(join(dir, 'notes.txt'), 'not a DDF')
  mkdirSync(join(dir, 'sub'))
  writeFileSync(join(dir, 'sub', 'bad.xml'), '<LWM2M>')

  it('loads a file', async () => {
    expect(await loadDdfFile(join(dir, '3.xml'))).toEqual([deviceModel])
  })

  it('loads the .xml files of a folder in file-name order, not its sub-folders', async () => {
    expect((await loadDdfDirectory(dir)).map((m) => m.id)).toEqual([3, 3303])
  })

  it('names the file in a DdfError', async () => {
    const error = await loadDdfFile(join(dir, 'sub', 'bad.xml')).catch((e: unknown) => e)
    expect(DdfError.isInstance(error) && error.file).toBe(join(dir, 'sub', 'bad.xml'))
  })

  it('refuses a file over the limit without reading it, and answers OBJECTS_FILE for what cannot be read', async () => {
    await expect(loadDdfFile(join(dir, '3.xml'), { maxLength: 10 })).rejects.toMatchObject({
      code: 'OBJECTS_DDF_TOO_LARGE',
    })
    const missing = await loadDdfFile(join(dir, 'nope.xml')).catch((e: unknown) => e)
    expect(ObjectsError.isInstance(missing) && missing.code).toBe('OBJECTS_FILE')
    await expect(loadDdfFile(join(dir, 'sub'))).rejects.toMatchObject({ code: 'OBJECTS_FILE' })
    await expect(loadDdfDirectory(join(dir, 'nope'))).rejects.toMatchObject({ code: 'OBJECTS_FILE' })
  })
})
