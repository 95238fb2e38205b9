import type { ObjectModel } from '@lwm2m/core'
import { type ParseDdfOptions, parseDdf } from '../ddf/parse.js'
import { ObjectsError } from '../errors.js'
import { compareVersions } from '../registry/version.js'
import { modelIdentifier, type RenderedModel, renderModelModule, versionSuffix } from './render.js'

/** One DDF document to generate from: its path (for comments and errors) and its content. */
export interface DdfSource {
  readonly path: string
  readonly content: string | Uint8Array
}

/** Options of {@link generateModelModules}. */
export interface GenerateModelModulesOptions {
  /** Where the modules import `createObjectModel` from; default `'@lwm2m/objects'`. */
  readonly importFrom?: string
  /** Comment lines at the top of every module. */
  readonly header?: readonly string[]
  /** Name of the array of every model that `index.ts` exports; default `'models'`. */
  readonly listName?: string
  /** Parser mode; default strict. */
  readonly mode?: ParseDdfOptions['mode']
}

/**
 * Turns DDF documents into TypeScript modules: one `object-{id}.ts` per object id
 * with a constant per version (`deviceModelV1_0`, `deviceModelV1_2`) and one for the
 * latest (`deviceModel`), and an `index.ts` that re-exports them and lists them all.
 * Names come from {@link modelIdentifier}; a name taken by a lower object id gets the
 * id appended (`location3336Model`). Pure: the caller reads and writes the files.
 * Throws DdfError for a bad document, ObjectsError for two documents defining the same
 * object version.
 */
export function generateModelModules(
  sources: readonly DdfSource[],
  options: GenerateModelModulesOptions = {},
): Map<string, string> {
  const byId = new Map<number, { model: ObjectModel; path: string }[]>()
  for (const source of sources) {
    for (const model of parseDdf(source.content, { file: source.path, mode: options.mode ?? 'strict' })) {
      const list = byId.get(model.id) ?? []
      const clash = list.find((e) => e.model.version === model.version)
      if (clash !== undefined) {
        throw new ObjectsError(
          'OBJECTS_MODEL_CONFLICT',
          `object ${model.id} version ${model.version} is defined by both ${clash.path} and ${source.path}`,
        )
      }
      list.push({ model, path: source.path })
      byId.set(model.id, list)
    }
  }
  const ids = [...byId.keys()].sort((a, b) => a - b)
  const taken = new Set<string>()
  const files = new Map<string, string>()
  const all: string[] = []
  const namesById = new Map<number, string[]>()
  const importFrom = options.importFrom ?? '@lwm2m/objects'
  for (const id of ids) {
    const entries = byId.get(id)!.sort((a, b) => compareVersions(a.model.version, b.model.version))
    const first = entries[0]!.model
    let base = modelIdentifier(first)
    if (taken.has(base)) base = `${base}${id}`
    taken.add(base)
    const rendered: RenderedModel[] = entries.map((e) => ({
      model: e.model,
      exportName: `${base}Model${versionSuffix(e.model.version)}`,
    }))
    const latest = rendered[rendered.length - 1]!
    all.push(...rendered.map((r) => r.exportName))
    namesById.set(
      id,
      rendered.map((r) => r.exportName),
    )
    const header = [
      ...(options.header ?? []),
      `Object ${id} (${first.name}) from ${entries.map((e) => e.path).join(', ')}.`,
    ]
    files.set(
      `object-${id}.ts`,
      renderModelModule(rendered, {
        importFrom,
        header,
        aliases: [
          {
            exportName: `${base}Model`,
            target: latest.exportName,
            doc: `${latest.model.name} (${id}), the latest version here (${latest.model.version}).`,
          },
        ],
      }),
    )
  }
  const index: string[] = (options.header ?? []).map((l) => (l === '' ? '//' : `// ${l}`))
  index.push("import type { ObjectModel } from '@lwm2m/core'")
  for (const id of ids) {
    index.push(`import { ${namesById.get(id)!.join(', ')} } from './object-${id}.js'`)
  }
  index.push('')
  for (const id of ids) index.push(`export * from './object-${id}.js'`)
  index.push('')
  index.push('/** Every model of this folder, by object id then version. */')
  index.push(`export const ${options.listName ?? 'models'}: readonly ObjectModel[] = [`)
  for (const n of all) index.push(`  ${n},`)
  index.push(']')
  files.set('index.ts', `${index.join('\n')}\n`)
  return files
}
