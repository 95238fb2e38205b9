import { type Lwm2mNode, type Lwm2mPath, type TimestampedNodes, toPath } from '@lwm2m/core'
import type { ObjectTree } from '../client/object-tree.js'
import { ClientError } from '../errors.js'

const INTERNAL = { origin: 'internal' } as const
const NEVER_REPORTED: readonly number[] = [0, 21, 23]

/**
 * Reads the current values of `paths` from the client's own objects for a Send (Core TS
 * 1.1 section 6.4.6): objects, instances, resources or resource instances of the objects
 * the client hosts, never the Security, OSCORE or COSE objects. Throws ClientError
 * CLIENT_READ_FAILED naming the path that could not be read.
 */
export async function readValues(
  tree: ObjectTree,
  paths: readonly (string | Lwm2mPath)[],
): Promise<Map<string, Lwm2mNode>> {
  if (paths.length === 0) throw new ClientError('CLIENT_READ_FAILED', 'Send needs at least one path')
  const out = new Map<string, Lwm2mNode>()
  for (const p of paths) {
    let path: Lwm2mPath
    try {
      path = toPath(p)
    } catch (error) {
      throw new ClientError('CLIENT_READ_FAILED', `"${String(p)}" is not an LwM2M path`, { cause: error })
    }
    if (path.isRoot() || NEVER_REPORTED.includes(path.objectId!)) {
      throw new ClientError('CLIENT_READ_FAILED', `${path} cannot be sent`)
    }
    const result = await tree.read(path, INTERNAL)
    if (!result.ok) {
      throw new ClientError('CLIENT_READ_FAILED', `cannot read ${path}: ${result.message}`)
    }
    out.set(String(path), result.value)
  }
  return out
}

/**
 * Values collected for a later Send, each group with the time it was read (seconds since
 * the epoch): at most `max` groups, the oldest dropped first.
 */
export class Collector {
  readonly #samples: TimestampedNodes[] = []

  constructor(private readonly max: number) {}

  get size(): number {
    return this.#samples.length
  }

  push(sample: TimestampedNodes): void {
    while (this.#samples.length >= this.max) this.#samples.shift()
    this.#samples.push(sample)
  }

  /** The samples, oldest first (not removed: see {@link Collector.drop}). */
  peek(): readonly TimestampedNodes[] {
    return this.#samples.slice()
  }

  /** Removes the first `count` samples (those a successful Send carried). */
  drop(count: number): void {
    this.#samples.splice(0, count)
  }
}
