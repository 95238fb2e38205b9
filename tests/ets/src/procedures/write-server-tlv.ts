import { ContentFormat } from '@lwm2m/coap'
import { serverModel } from '@lwm2m/objects'
import { expect } from 'vitest'
import type { C3 } from '../configurations/c03.js'
import { C3_SERVER_VALUES } from '../configurations/c03.js'
import { ENDPOINT, type Ets } from '../harness.js'
import { flatValues, writablePart } from '../values.js'
import { codeOf, contentFormatOf, hex } from '../wire.js'

/**
 * The TLV the ETS prints for int-215: /1/0/2 = 101, /1/0/3 = 1010, /1/0/5 = 2000, /1/0/6 =
 * true, /1/0/7 = "U", each a resource with value (type 11, 8-bit id, length in the type byte).
 */
export const INT_215_TLV = 'c10265' + 'c20303f2' + 'c20507d0' + 'c10601' + 'c10755'

/**
 * int-215 (and int-551, whose result it is): a partial-update Write of the Server instance in
 * TLV, read back, then the saved instance written back (Replace) and read back. The ETS's pass
 * criteria cite "steps 4 and 6" of this four-step case (inventory 10.1): step 2 and step 4 are
 * the reads meant.
 */
export async function writeServerInstanceInTlv(ets: Ets<C3>): Promise<void> {
  const TLV = ContentFormat.LWM2M_TLV
  // The server saves /1/0.
  const saved = await ets.until(ets.server.read(ENDPOINT, '/1/0', { format: TLV }))
  expect(flatValues(saved.node, '/1/0')).toMatchObject(C3_SERVER_VALUES)
  // Step 1: POST /1/0 with the TLV of the ETS.
  let since = ets.wire.mark()
  const written = await ets.until(
    ets.server.write(
      ENDPOINT,
      '/1/0',
      { 2: 101, 3: 1010, 5: 2000, 6: true, 7: 'U' },
      {
        mode: 'partialUpdate',
        format: TLV,
      },
    ),
  )
  expect(written.code).toBe(0x44)
  const post = ets.wire.last({ dir: 'out', method: 'POST', path: '/1/0', since })
  expect(contentFormatOf(post.request.message)).toBe(TLV)
  expect(hex(post.request.message.payload)).toBe(INT_215_TLV)
  expect(codeOf(post)).toBe('2.04')
  // Step 2: the read equals the written set.
  since = ets.wire.mark()
  const after = await ets.until(ets.server.read(ENDPOINT, '/1/0', { format: TLV }))
  expect(codeOf(ets.wire.last({ dir: 'out', method: 'GET', path: '/1/0', since }))).toBe('2.05')
  expect(flatValues(after.node, '/1/0')).toMatchObject({
    '/1/0/2': 101,
    '/1/0/3': 1010,
    '/1/0/5': 2000,
    '/1/0/6': true,
    '/1/0/7': 'U',
  })
  // Step 3: PUT /1/0 with the saved values.
  since = ets.wire.mark()
  const restored = await ets.until(
    ets.server.write(ENDPOINT, '/1/0', writablePart(saved.node, serverModel), { format: TLV }),
  )
  expect(restored.code).toBe(0x44)
  const put = ets.wire.last({ dir: 'out', method: 'PUT', path: '/1/0', since })
  expect(contentFormatOf(put.request.message)).toBe(TLV)
  expect(codeOf(put)).toBe('2.04')
  // Step 4: the read equals C.3 again.
  const final = await ets.until(ets.server.read(ENDPOINT, '/1/0', { format: TLV }))
  expect(flatValues(final.node, '/1/0')).toEqual(flatValues(saved.node, '/1/0'))
  expect(flatValues(final.node, '/1/0')).toMatchObject(C3_SERVER_VALUES)
}
