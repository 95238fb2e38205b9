import { Lwm2mError, Lwm2mPath, type ModelLookup, type ResourceModel, type ResourceValue } from '@lwm2m/core'
import { CliError } from '../errors.js'
import { parseValueText } from './parse-value.js'

/** A resource's value: one value, or a multiple-instance resource's values by instance id. */
export type PlainResourceValue = ResourceValue | ReadonlyMap<number, ResourceValue>

/** The values of an object instance by resource id, as the server's write and create take them. */
export type PlainInstanceValues = ReadonlyMap<number, PlainResourceValue>

/** A path typed at the prompt; CliError CLI_INVALID_PATH with the reason otherwise. */
export function parsePath(text: string): Lwm2mPath {
  try {
    return Lwm2mPath.parse(text)
  } catch (err) {
    if (!Lwm2mError.isInstance(err)) throw err
    throw new CliError('CLI_INVALID_PATH', `${err.message} (paths look like /3/0/1)`, { cause: err })
  }
}

/** The model of the resource at `objectId`/`resourceId`, if the models know it. */
export function resourceModel(
  models: ModelLookup,
  objectId: number,
  resourceId: number,
): ResourceModel | undefined {
  return models.getObjectModel(objectId)?.resources.get(resourceId)
}

const INDEXED = /^(0|[1-9][0-9]{0,4})=/
const RESOURCE_ASSIGNMENT = /^(0|[1-9][0-9]{0,4})(?:\/(0|[1-9][0-9]{0,4}))?=/

function checkId(id: number, where: string): number {
  if (id > 65535) throw new CliError('CLI_INVALID_PATH', `${where}: id ${id} is out of 0..65535`)
  return id
}

/**
 * The instances of a multiple-instance resource from words: `value` (instance ids 0, 1, ...
 * in order) or `ri=value` (that instance id). `base` is the resource path for messages.
 */
export function parseMultipleValues(
  words: readonly string[],
  model: ResourceModel | undefined,
  base: string,
  now?: () => number,
): Map<number, ResourceValue> {
  const out = new Map<number, ResourceValue>()
  let next = 0
  for (const word of words) {
    const m = INDEXED.exec(word)
    const ri = m === null ? next : checkId(Number(m[1]), base)
    if (out.has(ri)) throw new CliError('CLI_USAGE', `${base}/${ri} is given twice`)
    out.set(ri, parseValueText(m === null ? word : word.slice(m[0].length), model, `${base}/${ri}`, now))
    next = Math.max(next, ri + 1)
  }
  return out
}

/**
 * The value to write at a resource or resource instance path from the words after the path:
 * one value for a single-instance resource or a resource instance; for a multiple-instance
 * resource, its instances (see {@link parseMultipleValues}). Without a model, one plain word
 * is a single value, several words (or `ri=value` words) a multiple-instance resource.
 */
export function parseResourceValue(
  path: Lwm2mPath,
  words: readonly string[],
  models: ModelLookup,
  now?: () => number,
): PlainResourceValue {
  const where = path.toString()
  if (!path.isResource() && !path.isResourceInstance()) {
    throw new CliError('CLI_INVALID_PATH', `${where} is not a resource: give /o/i/r or /o/i/r/ri`)
  }
  const model = resourceModel(models, path.objectId!, path.resourceId!)
  if (words.length === 0) throw new CliError('CLI_USAGE', `give the value to write at ${where}`)
  if (path.isResourceInstance()) {
    if (model !== undefined && !model.multiple) {
      throw new CliError('CLI_INVALID_PATH', `${where}: ${model.name} is a single-instance resource`)
    }
    if (words.length > 1) {
      throw new CliError('CLI_USAGE', `${where} takes one value (quote values that contain blanks)`)
    }
    return parseValueText(words[0]!, model, where, now)
  }
  const multiple = model?.multiple ?? (words.length > 1 || words.some((w) => INDEXED.test(w)))
  if (multiple) return parseMultipleValues(words, model, where, now)
  if (words.length > 1) {
    throw new CliError('CLI_USAGE', `${where} takes one value (quote values that contain blanks)`)
  }
  return parseValueText(words[0]!, model, where, now)
}

/**
 * The resource values of an object instance from `rid=value` words (`rid/ri=value` for one
 * instance of a multiple-instance resource; `rid=value` repeated adds instances 0, 1, ...).
 */
export function parseInstanceValues(
  objectId: number,
  instanceId: number | undefined,
  words: readonly string[],
  models: ModelLookup,
  now?: () => number,
): PlainInstanceValues {
  const base = instanceId === undefined ? `/${objectId}/<new>` : `/${objectId}/${instanceId}`
  const singles = new Map<number, ResourceValue>()
  const multiples = new Map<number, Map<number, ResourceValue>>()
  for (const word of words) {
    const m = RESOURCE_ASSIGNMENT.exec(word)
    if (m === null) {
      throw new CliError(
        'CLI_USAGE',
        `"${word.slice(0, 40)}" is not a resource value: write rid=value (or rid/ri=value), such as 5750=kitchen`,
      )
    }
    const rid = checkId(Number(m[1]), base)
    const text = word.slice(m[0].length)
    const model = resourceModel(models, objectId, rid)
    const where = `${base}/${rid}`
    const multiple = model?.multiple ?? (m[2] !== undefined || multiples.has(rid))
    if (!multiple) {
      if (m[2] !== undefined) {
        throw new CliError(
          'CLI_INVALID_PATH',
          `${where}: ${model?.name ?? rid} is a single-instance resource`,
        )
      }
      if (singles.has(rid)) throw new CliError('CLI_USAGE', `${where} is given twice`)
      singles.set(rid, parseValueText(text, model, where, now))
      continue
    }
    if (singles.has(rid)) {
      // Without a model a second value of the same resource makes it a multiple one.
      multiples.set(rid, new Map([[0, singles.get(rid)!]]))
      singles.delete(rid)
    }
    let instances = multiples.get(rid)
    if (instances === undefined) multiples.set(rid, (instances = new Map()))
    const ri = m[2] === undefined ? instances.size : checkId(Number(m[2]), where)
    if (instances.has(ri)) throw new CliError('CLI_USAGE', `${where}/${ri} is given twice`)
    instances.set(ri, parseValueText(text, model, `${where}/${ri}`, now))
  }
  const out = new Map<number, PlainResourceValue>()
  for (const [rid, v] of singles) out.set(rid, v)
  for (const [rid, v] of multiples) out.set(rid, v)
  return new Map([...out].sort((a, b) => a[0] - b[0]))
}

/**
 * The values of a Write-Composite from `/path=value` words: each path a resource or a
 * resource instance (a multiple-instance resource's path repeated adds instances 0, 1, ...).
 */
export function parseCompositeValues(
  words: readonly string[],
  models: ModelLookup,
  now?: () => number,
): Map<string, PlainResourceValue> {
  const out = new Map<string, PlainResourceValue>()
  for (const word of words) {
    const eq = word.indexOf('=')
    if (!word.startsWith('/') || eq < 0) {
      throw new CliError(
        'CLI_USAGE',
        `"${word.slice(0, 40)}" is not a path=value pair, such as /3/0/14=+02:00`,
      )
    }
    const path = parsePath(word.slice(0, eq))
    const text = word.slice(eq + 1)
    const key = path.toString()
    if (!path.isResource() && !path.isResourceInstance()) {
      throw new CliError('CLI_INVALID_PATH', `${key}: write-composite takes resources and resource instances`)
    }
    const model = resourceModel(models, path.objectId!, path.resourceId!)
    if (path.isResource() && model?.multiple === true) {
      const before = out.get(key)
      const instances = before instanceof Map ? new Map(before) : new Map<number, ResourceValue>()
      instances.set(instances.size, parseValueText(text, model, `${key}/${instances.size}`, now))
      out.set(key, instances)
      continue
    }
    if (out.has(key)) throw new CliError('CLI_USAGE', `${key} is given twice`)
    out.set(key, parseResourceValue(path, [text], models, now))
  }
  return out
}
