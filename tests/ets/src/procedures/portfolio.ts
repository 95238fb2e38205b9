import { ContentFormat } from '@lwm2m/coap'
import { expect } from 'vitest'
import type { C12 } from '../configurations/c12.js'
import { C12_IDENTITIES } from '../configurations/c12.js'
import { ENDPOINT, type Ets } from '../harness.js'
import { flatValues } from '../values.js'
import { codeOf, contentFormatOf, hex, locationPath, text } from '../wire.js'

const TLV = ContentFormat.LWM2M_TLV
const ascii = (s: string) => Buffer.from(s, 'latin1').toString('hex')

/**
 * The TLV of int-1630's Create: instance 1 (`08 01 2E`, 46 bytes) holding Identity (resource 0)
 * as a multiple resource (43 bytes) with two resource instances. The ETS prints the multiple
 * resource's header `80 00 2B`; with an 8-bit length field it is `88 00 2B` (inventory 10.2:
 * type 10, 8-bit id, 8-bit length: 0b10_0_01_000).
 */
export const INT_1630_TLV = [
  '08012e',
  '88002b',
  `480011${ascii('Host Device ID #2')}`,
  `480114${ascii('Host Device Model #2')}`,
].join('')

/** Discover of `path`: 2.05 and the link-format text. */
async function discover(ets: Ets<C12>, path: string): Promise<string> {
  const since = ets.wire.mark()
  const result = await ets.until(ets.server.discover(ENDPOINT, path))
  const e = ets.wire.last({ dir: 'out', method: 'GET', path, since })
  expect(codeOf(e)).toBe('2.05')
  expect(contentFormatOf(e.response!.message)).toBe(ContentFormat.LINK_FORMAT)
  expect(result.links).toBe(text(e.response!.message))
  return result.links
}

/** int-1630 (and int-270, whose result it is): Create a Portfolio instance. */
export async function createPortfolioInstance(ets: Ets<C12>): Promise<void> {
  // Discover /16/0: the ETS prints </16/0/0/>;dim=4 with a trailing slash; the link of a
  // resource is </16/0/0> (Core TS 1.2 section 6.3.2), listed after its instance.
  expect(await discover(ets, '/16/0')).toBe('</16/0>,</16/0/0>;dim=4')
  // POST /16 with the TLV of the ETS (corrected header of the multiple resource).
  const since = ets.wire.mark()
  const created = await ets.until(
    ets.server.create(
      ENDPOINT,
      '/16/1',
      { 0: ['Host Device ID #2', 'Host Device Model #2'] },
      { format: TLV },
    ),
  )
  const post = ets.wire.last({ dir: 'out', method: 'POST', path: '/16', since })
  expect(contentFormatOf(post.request.message)).toBe(TLV)
  expect(hex(post.request.message.payload)).toBe(INT_1630_TLV)
  // 2.01 Created, the new instance /16/1.
  expect(codeOf(post)).toBe('2.01')
  expect(created.instance?.toString()).toBe('/16/1')
  expect(['/', '/16/1']).toContain(locationPath(post.response!.message))
  expect(await discover(ets, '/16/1')).toBe('</16/1>,</16/1/0>;dim=2')
  // GET /16 in TLV: instance 0 with its four identities (C.12), instance 1 with two.
  const read = await ets.until(ets.server.read(ENDPOINT, '/16', { format: TLV }))
  const get = ets.wire.last({ dir: 'out', method: 'GET', path: '/16', since })
  expect(codeOf(get)).toBe('2.05')
  expect(contentFormatOf(get.response!.message)).toBe(TLV)
  expect(flatValues(read.node, '/16')).toEqual({
    '/16/0/0/0': C12_IDENTITIES[0],
    '/16/0/0/1': C12_IDENTITIES[1],
    '/16/0/0/2': C12_IDENTITIES[2],
    '/16/0/0/3': C12_IDENTITIES[3],
    '/16/1/0/0': 'Host Device ID #2',
    '/16/1/0/1': 'Host Device Model #2',
  })
}

/** int-1635 (and int-290, whose result it is): Delete every Portfolio instance. */
export async function deleteAllPortfolioInstances(ets: Ets<C12>): Promise<void> {
  expect(await discover(ets, '/16/0')).toBe('</16/0>,</16/0/0>;dim=4')
  for (const iid of ets.config.portfolio.instances()) {
    const since = ets.wire.mark()
    expect((await ets.until(ets.server.delete(ENDPOINT, `/16/${iid}`))).code).toBe(0x42)
    // 2.02 Deleted (the ETS writes "2.04 Deleted"; CoAP's Deleted is 2.02: inventory 10.1).
    expect(codeOf(ets.wire.last({ dir: 'out', method: 'DELETE', path: `/16/${iid}`, since }))).toBe('2.02')
  }
  // The object remains, without instances.
  expect(await discover(ets, '/16')).toBe('</16>')
}
