import { Lwm2mError } from '../errors.js'
import type { ObjectLink } from '../node/types.js'
import { MAX_ID } from '../path/path.js'

/** The null Object Link (65535:65535), meaning "no link" (Core TS, Objlnk). */
export const NULL_OBJECT_LINK: ObjectLink = Object.freeze({ objectId: MAX_ID, instanceId: MAX_ID })

/** Builds an Object Link, checking both ids are 0..65535. */
export function objectLink(objectId: number, instanceId: number): ObjectLink {
  if (!isObjectLink({ objectId, instanceId })) {
    throw new Lwm2mError('LWM2M_INVALID_VALUE', `invalid object link ${objectId}:${instanceId}`)
  }
  return { objectId, instanceId }
}

/** True for an {@link ObjectLink} with both ids in 0..65535. */
export function isObjectLink(value: unknown): value is ObjectLink {
  if (typeof value !== 'object' || value === null) return false
  const { objectId, instanceId } = value as Partial<ObjectLink>
  return isId(objectId) && isId(instanceId)
}

function isId(id: unknown): id is number {
  return typeof id === 'number' && Number.isInteger(id) && id >= 0 && id <= MAX_ID
}

/** "3:0" (decimal ids, as SenML "vlo", OMA JSON "ov", text/plain and CBOR carry them). */
export function formatObjectLink(link: ObjectLink): string {
  return `${link.objectId}:${link.instanceId}`
}

const LINK = /^(0|[1-9][0-9]{0,4}):(0|[1-9][0-9]{0,4})$/
// The SenML JSON example of the spec writes the null link in hex ("FFFF:FFFF"); accept that spelling too.
const HEX_NULL = /^ffff:ffff$/i

/** Parses "oid:iid"; undefined if the text is not an object link. */
export function parseObjectLink(text: string): ObjectLink | undefined {
  const m = LINK.exec(text)
  if (m === null) return HEX_NULL.test(text) ? NULL_OBJECT_LINK : undefined
  const objectId = Number(m[1])
  const instanceId = Number(m[2])
  return objectId <= MAX_ID && instanceId <= MAX_ID ? { objectId, instanceId } : undefined
}
