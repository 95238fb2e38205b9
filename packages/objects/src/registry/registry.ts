import type { AnnouncedObject, ModelLookup, ObjectModel } from '@lwm2m/core'
import { ObjectsError } from '../errors.js'
import { defaultObjectVersion } from './default-versions.js'
import { compareVersions, parseVersion } from './version.js'

/**
 * An object a client announced at registration: `</3>;ver=1.1` is `{ objectId: 3, version: '1.1' }`;
 * the `objects` of @lwm2m/core's `parseRegistrationLinks` are such values. An absent
 * version means the default of the client's LwM2M version (Core TS 1.1 section 6.2.2).
 */
export type AnnouncedVersion = Pick<AnnouncedObject, 'objectId' | 'version'>

/** How one object's model was chosen for a client. */
export interface ModelResolution {
  readonly objectId: number
  /** The version the client announced, or the default its LwM2M version implies. */
  readonly requested: string
  /** The model chosen, undefined when no registered version has the same major version. */
  readonly model: ObjectModel | undefined
  /** True when `model.version` is the requested version itself. */
  readonly exact: boolean
}

/** The models for one registered client: what codecs get as their {@link ModelLookup}. */
export interface ClientModels extends ModelLookup {
  /** The client's LwM2M version ("1.0", "1.1", "1.2"). */
  readonly lwm2mVersion: string
  /** The model for `objectId`: the announced version's, else the default for the client's LwM2M version. */
  getObjectModel(objectId: number): ObjectModel | undefined
  /** Per announced object, how its model was chosen (look here for versions resolved inexactly or not at all). */
  readonly resolutions: ReadonlyMap<number, ModelResolution>
}

/** Options of {@link createModelRegistry}. */
export interface ModelRegistryOptions {
  /** What a second model with the same id and version does: throw (default) or replace the first. */
  readonly onConflict?: 'error' | 'replace'
  /** How many distinct client model sets {@link ModelRegistry.forClient} keeps (default 256). */
  readonly clientCacheSize?: number
}

/**
 * Object models keyed by object id and object version. As a {@link ModelLookup} it
 * answers with the latest version of each object.
 */
export interface ModelRegistry extends ModelLookup {
  /** The model of `objectId` at exactly `version`, or the latest one when `version` is undefined. */
  get(objectId: number, version?: string): ObjectModel | undefined
  /** The latest version of `objectId`. */
  latest(objectId: number): ObjectModel | undefined
  /** The latest version of `objectId` (the {@link ModelLookup} contract). */
  getObjectModel(objectId: number): ObjectModel | undefined
  /** The versions registered for `objectId`, oldest first. */
  versions(objectId: number): readonly string[]
  /** The object ids registered, ascending. */
  objectIds(): readonly number[]
  /** Every model, by id then version. */
  models(): readonly ObjectModel[]
  /**
   * The best model for `version` of `objectId`: that version if registered, else the
   * oldest registered version above it with the same major version (a superset of what
   * the client has, since minor versions only add), else the newest below it with the
   * same major version, else undefined (a different major version is incompatible).
   */
  resolve(objectId: number, version: string): ModelResolution
  /**
   * The model set for one registered client from the objects it announced and its LwM2M
   * version: `</3>;ver=1.1` picks Device 1.1 (or the nearest compatible version); objects
   * announced without `ver` get the version the client's LwM2M version implies. Cached.
   */
  forClient(announced: Iterable<AnnouncedVersion>, options?: { readonly lwm2mVersion?: string }): ClientModels
  /** A new registry with these models added (replacing same id and version). */
  with(models: Iterable<ObjectModel>): ModelRegistry
}

/**
 * Creates a model registry, for instance of the generated OMA models:
 * `createModelRegistry(standardModels)`, or of those plus models loaded at run time
 * with `loadDdfFile`. Throws ObjectsError `OBJECTS_MODEL_CONFLICT` for two models with
 * the same id and version unless `onConflict: 'replace'`.
 */
export function createModelRegistry(
  models: Iterable<ObjectModel>,
  options: ModelRegistryOptions = {},
): ModelRegistry {
  const byId = new Map<number, ObjectModel[]>()
  for (const model of models) {
    if (
      typeof model !== 'object' ||
      model === null ||
      !(model.resources instanceof Map) ||
      typeof model.id !== 'number'
    ) {
      throw new ObjectsError('OBJECTS_INVALID_ARGUMENT', 'createModelRegistry takes ObjectModel values')
    }
    const list = byId.get(model.id) ?? []
    const at = list.findIndex((m) => m.version === model.version)
    if (at >= 0) {
      if (options.onConflict !== 'replace') {
        throw new ObjectsError(
          'OBJECTS_MODEL_CONFLICT',
          `two models of object ${model.id} version ${model.version}`,
        )
      }
      list[at] = model
    } else list.push(model)
    byId.set(model.id, list)
  }
  for (const list of byId.values()) list.sort((a, b) => compareVersions(a.version, b.version))
  const ids = Object.freeze([...byId.keys()].sort((a, b) => a - b))
  const all = Object.freeze(ids.flatMap((id) => byId.get(id)!))
  const cacheSize = options.clientCacheSize ?? 256
  const cache = new Map<string, ClientModels>()

  const latest = (objectId: number): ObjectModel | undefined => {
    const list = byId.get(objectId)
    return list === undefined ? undefined : list[list.length - 1]
  }

  const resolve = (objectId: number, version: string): ModelResolution => {
    const list = byId.get(objectId) ?? []
    const exact = list.find((m) => m.version === version)
    if (exact !== undefined) return { objectId, requested: version, model: exact, exact: true }
    const want = parseVersion(version)
    let above: ObjectModel | undefined
    let below: ObjectModel | undefined
    if (want !== undefined) {
      for (const m of list) {
        const v = parseVersion(m.version)
        if (v === undefined || v.major !== want.major) continue
        if (v.minor > want.minor && above === undefined) above = m
        if (v.minor < want.minor) below = m
      }
    }
    return { objectId, requested: version, model: above ?? below, exact: false }
  }

  const registry: ModelRegistry = {
    get(objectId, version) {
      if (version === undefined) return latest(objectId)
      return byId.get(objectId)?.find((m) => m.version === version)
    },
    latest,
    getObjectModel: latest,
    versions: (objectId) => (byId.get(objectId) ?? []).map((m) => m.version),
    objectIds: () => ids,
    models: () => all,
    resolve,
    forClient(announced, opts = {}) {
      const lwm2mVersion = opts.lwm2mVersion ?? '1.0'
      const asked = new Map<number, string>()
      for (const a of announced) {
        // A repeated object keeps the first version given; an instance link adds nothing.
        if (!asked.has(a.objectId) || (a.version !== undefined && asked.get(a.objectId) === '')) {
          asked.set(a.objectId, a.version ?? '')
        }
      }
      const key = `${lwm2mVersion}|${[...asked]
        .sort((a, b) => a[0] - b[0])
        .map(([id, v]) => `${id}@${v}`)
        .join(',')}`
      const hit = cache.get(key)
      if (hit !== undefined) {
        cache.delete(key)
        cache.set(key, hit)
        return hit
      }
      const resolutions = new Map<number, ModelResolution>()
      for (const [id, v] of asked)
        resolutions.set(id, resolve(id, v !== '' ? v : defaultObjectVersion(id, lwm2mVersion)))
      const fallback = new Map<number, ObjectModel | undefined>()
      const models: ClientModels = {
        lwm2mVersion,
        resolutions,
        getObjectModel(objectId) {
          const r = resolutions.get(objectId)
          if (r !== undefined) return r.model
          if (fallback.has(objectId)) return fallback.get(objectId)
          // Not announced (a server may still address it): the version its LwM2M version implies.
          const model =
            resolve(objectId, defaultObjectVersion(objectId, lwm2mVersion)).model ?? latest(objectId)
          if (byId.has(objectId)) fallback.set(objectId, model)
          return model
        },
      }
      cache.set(key, models)
      if (cache.size > cacheSize) cache.delete(cache.keys().next().value!)
      return models
    },
    with(more) {
      return createModelRegistry([...all, ...more], { ...options, onConflict: 'replace' })
    },
  }
  return registry
}
