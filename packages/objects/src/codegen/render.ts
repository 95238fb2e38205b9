import type { ObjectModel, ResourceModel } from '@lwm2m/core'

/** One model to render and the name of the constant that will hold it. */
export interface RenderedModel {
  readonly model: ObjectModel
  readonly exportName: string
}

/** Options of {@link renderModelModule}. */
export interface RenderModelModuleOptions {
  /** Where `createObjectModel` comes from; default `'@lwm2m/objects'`. */
  readonly importFrom?: string
  /** Comment lines put at the top (without the `//`). */
  readonly header?: readonly string[]
  /** Extra `export const alias: ObjectModel = target` lines, in order. */
  readonly aliases?: readonly { readonly exportName: string; readonly target: string; readonly doc: string }[]
}

/**
 * The camel-case identifier a model's name suggests: "LwM2M Server" gives "server",
 * "Connectivity Monitoring" "connectivityMonitoring", "On/Off switch" "onOffSwitch"
 * (a leading "LwM2M"/"LWM2M" word is dropped; a name with no letters gives "object{id}").
 */
export function modelIdentifier(model: Pick<ObjectModel, 'id' | 'name'>): string {
  const words = model.name
    .split(/[^A-Za-z0-9]+/)
    .filter((w) => w !== '')
    .filter((w, i) => !(i === 0 && /^lwm2m$/i.test(w)))
  if (words.length === 0) return `object${model.id}`
  const ident = words
    .map((w, i) => {
      const lower = w === w.toUpperCase() ? w.toLowerCase() : w
      return i === 0
        ? lower.charAt(0).toLowerCase() + lower.slice(1)
        : lower.charAt(0).toUpperCase() + lower.slice(1)
    })
    .join('')
  return /^[0-9]/.test(ident) ? `object${ident}` : ident
}

/** "1.2" to "V1_2", for export names such as `deviceModelV1_2`. */
export function versionSuffix(version: string): string {
  return `V${version.replace(/\./g, '_')}`
}

const str = (s: string): string => JSON.stringify(s)

function renderResource(r: ResourceModel): string {
  const parts = [
    `id: ${r.id}`,
    `name: ${str(r.name)}`,
    `operations: ${str(r.operations)}`,
    `type: ${str(r.type)}`,
  ]
  if (r.multiple) parts.push('multiple: true')
  if (r.mandatory) parts.push('mandatory: true')
  if (r.rangeEnumeration !== '') parts.push(`rangeEnumeration: ${str(r.rangeEnumeration)}`)
  if (r.units !== '') parts.push(`units: ${str(r.units)}`)
  if (r.description !== '') parts.push(`description: ${str(r.description)}`)
  return `    { ${parts.join(', ')} },`
}

function renderModel({ model, exportName }: RenderedModel): string {
  const lines = [
    `/** ${model.name} (${model.id}), version ${model.version}, defined for LwM2M ${model.lwm2mVersion}. */`,
    `export const ${exportName}: ObjectModel = /* @__PURE__ */ createObjectModel({`,
    `  id: ${model.id},`,
    `  name: ${str(model.name)},`,
    `  version: ${str(model.version)},`,
    `  lwm2mVersion: ${str(model.lwm2mVersion)},`,
    `  urn: ${str(model.urn)},`,
    `  multiple: ${model.multiple},`,
    `  mandatory: ${model.mandatory},`,
    `  description: ${str(model.description)},`,
    '  resources: [',
    ...[...model.resources.values()].map(renderResource),
    '  ],',
    '})',
  ]
  return lines.join('\n')
}

/**
 * Renders object models as a TypeScript module of `export const` declarations built
 * with `createObjectModel` (marked pure, so bundlers drop the ones not imported).
 * `parseDdf` + this function is how @lwm2m/objects generates its OMA models, and how an
 * object package can commit its own models so that it reads no XML at run time.
 * The output is deterministic: the same models give the same text.
 */
export function renderModelModule(
  models: readonly RenderedModel[],
  options: RenderModelModuleOptions = {},
): string {
  const out: string[] = []
  for (const line of options.header ?? []) out.push(line === '' ? '//' : `// ${line}`)
  out.push("import type { ObjectModel } from '@lwm2m/core'")
  out.push(`import { createObjectModel } from '${options.importFrom ?? '@lwm2m/objects'}'`)
  for (const m of models) out.push('', renderModel(m))
  for (const a of options.aliases ?? [])
    out.push('', `/** ${a.doc} */`, `export const ${a.exportName}: ObjectModel = ${a.target}`)
  return `${out.join('\n')}\n`
}
