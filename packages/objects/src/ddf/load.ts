import { readdir, readFile, stat } from 'node:fs/promises'
import { basename, join } from 'node:path'
import type { ObjectModel } from '@lwm2m/core'
import { DdfError, ObjectsError } from '../errors.js'
import { DEFAULT_MAX_DDF_LENGTH, type ParseDdfOptions, parseDdf } from './parse.js'

/**
 * Reads and parses one DDF file (see {@link parseDdf}); the file name appears in every
 * error. Throws {@link DdfError}, or ObjectsError `OBJECTS_FILE` when the file cannot be read.
 */
export async function loadDdfFile(
  path: string,
  options: Omit<ParseDdfOptions, 'file'> = {},
): Promise<ObjectModel[]> {
  const maxLength = options.maxLength ?? DEFAULT_MAX_DDF_LENGTH
  let bytes: Uint8Array
  try {
    const info = await stat(path)
    if (!info.isFile()) throw new ObjectsError('OBJECTS_FILE', `${path} is not a file`)
    if (info.size > maxLength) {
      throw new DdfError(
        'OBJECTS_DDF_TOO_LARGE',
        `the file has ${info.size} bytes, more than the limit of ${maxLength}`,
        {
          element: '(document)',
          file: path,
        },
      )
    }
    bytes = await readFile(path)
  } catch (cause) {
    if (ObjectsError.isInstance(cause)) throw cause
    throw new ObjectsError('OBJECTS_FILE', `cannot read DDF file ${path}: ${(cause as Error).message}`, {
      cause,
    })
  }
  return parseDdf(bytes, { ...options, file: path })
}

/**
 * Parses every `*.xml` file of a folder (not its sub-folders), in file-name order.
 * All or nothing: the first bad file throws.
 */
export async function loadDdfDirectory(
  dir: string,
  options: Omit<ParseDdfOptions, 'file'> = {},
): Promise<ObjectModel[]> {
  let names: string[]
  try {
    names = (await readdir(dir, { withFileTypes: true }))
      .filter((e) => e.isFile() && e.name.toLowerCase().endsWith('.xml'))
      .map((e) => e.name)
      .sort(compareFileNames)
  } catch (cause) {
    throw new ObjectsError('OBJECTS_FILE', `cannot list DDF folder ${dir}: ${(cause as Error).message}`, {
      cause,
    })
  }
  const models: ObjectModel[] = []
  for (const name of names) models.push(...(await loadDdfFile(join(dir, basename(name)), options)))
  return models
}

/** "3.xml" before "10.xml": numeric runs compare as numbers. */
function compareFileNames(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true })
}
