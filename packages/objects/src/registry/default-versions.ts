import { parseVersion } from './version.js'

/**
 * The object versions a client of each LwM2M version implies when it announces an
 * object without `ver` (Core TS 1.1 section 6.2.2, Core TS 1.2 Appendix E table E-1).
 * Objects not listed default to 1.0. The LwM2M 1.1 row follows 1.1.1 where 1.1 and
 * 1.1.1 differ (Device 1.1, Connectivity Monitoring 1.2), as Leshan does.
 */
const CORE_OBJECT_VERSIONS: ReadonlyMap<string, ReadonlyMap<number, string>> = new Map([
  [
    '1.1',
    new Map([
      [0, '1.1'],
      [1, '1.1'],
      [2, '1.0'],
      [3, '1.1'],
      [4, '1.2'],
      [5, '1.0'],
      [6, '1.0'],
      [7, '1.0'],
      [21, '1.0'],
    ]),
  ],
  [
    '1.2',
    new Map([
      [0, '1.2'],
      [1, '1.2'],
      [2, '1.1'],
      [3, '1.2'],
      [4, '1.3'],
      [5, '1.1'],
      [6, '1.0'],
      [7, '1.0'],
      [21, '2.0'],
      [23, '1.0'],
      [24, '1.0'],
      [25, '1.0'],
      [26, '1.0'],
      [27, '1.0'],
    ]),
  ],
])

/**
 * The version of `objectId` that a client of LwM2M `lwm2mVersion` ("1.0", "1.1", "1.2",
 * "1.2.1"...) implies by announcing it without `ver`: for the core objects the version
 * its specification defines, "1.0" for every other object and for LwM2M 1.0 clients.
 */
export function defaultObjectVersion(objectId: number, lwm2mVersion: string): string {
  const v = parseVersion(lwm2mVersion)
  if (v === undefined) return '1.0'
  return CORE_OBJECT_VERSIONS.get(`${v.major}.${v.minor}`)?.get(objectId) ?? '1.0'
}
