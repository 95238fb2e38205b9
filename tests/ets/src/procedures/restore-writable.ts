import type { Lwm2mNode, ObjectModel, ResourceValue } from '@lwm2m/core'
import { expect } from 'vitest'
import type { ClientConfiguration } from '../configurations/context.js'
import { ENDPOINT, type Ets } from '../harness.js'
import { flatValues, writablePart } from '../values.js'
import { codeOf } from '../wire.js'

/**
 * The closing steps of int-204 and int-222: PUT the writable resources of an instance read
 * earlier (`saved`) back to `path` in `format`, 2.04 (checked at the API and on the wire), and
 * read the instance again in that format. Resolves with the values of that last read by full
 * path, for the case to compare with what it expects restored.
 */
export async function restoreWritable<C extends ClientConfiguration>(
  ets: Ets<C>,
  path: string,
  saved: Lwm2mNode,
  model: ObjectModel,
  format: number,
): Promise<Record<string, ResourceValue>> {
  const since = ets.wire.mark()
  const written = await ets.until(ets.server.write(ENDPOINT, path, writablePart(saved, model), { format }))
  expect(written.code).toBe(0x44)
  expect(codeOf(ets.wire.last({ dir: 'out', method: 'PUT', path, since }))).toBe('2.04')
  const final = await ets.until(ets.server.read(ENDPOINT, path, { format }))
  return flatValues(final.node, path)
}
