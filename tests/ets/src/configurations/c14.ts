import {
  type AccessControlObject,
  createAccessControlObject,
  createSecurityObject,
  createServerObject,
  type DeviceObject,
  SecurityMode,
  type SecurityObject,
  type ServerObject,
} from '@lwm2m/objects'
import type { BenchConfiguration, BenchContext } from '../harness-b.js'
import { deviceObject, SRV_PLUS } from './shorthands.js'

/** Access rights: Read (Read, Observe, Write-Attributes), Write, Execute, Delete (Object 2, ACL). */
const RWED = 15
/** The owner of an Access Control instance made during bootstrap (Object 2, resource 3: MAX_ID). */
const BOOTSTRAP_OWNER = 65535
/**
 * The Bootstrap-Server account of C.14 (BS-ACC). The bench has no Bootstrap-Server and the
 * client is never asked to bootstrap: the URI is a TEST-NET-1 address (RFC 5737) never contacted.
 */
export const C14_BOOTSTRAP_URI = 'coap://192.0.2.1:5683'

/**
 * C.14, two servers and access control: a Bootstrap-Server account in /0/1 (BS-ACC);
 * server #1 with its account in /0/0 (SSID 1) and /1/0 = SRV+; server #2 with its account in
 * /0/2 (SSID 2) and /1/1 = {0: 2, 1: 86400, 2: 1, 3: 10, 5: 86400, 6: false, 7: "U"}; and DEV.
 *
 * Access Control: /2/0 for /1/0 (owner 1, ACL[1] = 15), /2/1 for /1/1 (owner 2, ACL[2] = 15),
 * /2/2 for /3/0 (owner 65535, ACL[2] = 15). ETS erratum (inventory 10.1): the ETS writes all
 * three to /2/0; they are three instances. And, a superset of C.14: /2/2 also grants server #1
 * Read (ACL[1] = 1). As printed, C.14 gives server #1 no right at all on /3/0 (no ACL entry,
 * not the owner, no default entry 0), while int-951 has server #1 write attributes on /3/0
 * and expects 2.04; Write-Attributes needs the Read right (Object 2, ACL bit 0: "R(Read,
 * Observe, Write-Attributes)"), so a client that enforces access control must refuse it with
 * 4.01 under the configuration as printed.
 */
export interface C14 extends BenchConfiguration {
  readonly security: SecurityObject
  readonly server: ServerObject
  readonly accessControl: AccessControlObject
  readonly device: DeviceObject
}

export function c14(ctx: BenchContext): C14 {
  const [uri1, uri2] = ctx.serverUris
  if (uri1 === undefined || uri2 === undefined) throw new Error('C.14 needs two LwM2M Servers')
  const security = createSecurityObject({
    accounts: {
      0: { serverUri: uri1, bootstrapServer: false, securityMode: SecurityMode.NoSec, shortServerId: 1 },
      1: { serverUri: C14_BOOTSTRAP_URI, bootstrapServer: true, securityMode: SecurityMode.NoSec },
      2: { serverUri: uri2, bootstrapServer: false, securityMode: SecurityMode.NoSec, shortServerId: 2 },
    },
  })
  const server = createServerObject({
    servers: {
      0: SRV_PLUS,
      1: {
        shortServerId: 2,
        lifetime: 86400,
        defaultMinPeriod: 1,
        defaultMaxPeriod: 10,
        disableTimeout: 86400,
        notificationStoring: false,
        binding: 'U',
      },
    },
  })
  const accessControl = createAccessControlObject({
    entries: [
      { objectId: 1, instanceId: 0, acl: { 1: RWED }, owner: 1 },
      { objectId: 1, instanceId: 1, acl: { 2: RWED }, owner: 2 },
      { objectId: 3, instanceId: 0, acl: { 1: 1, 2: RWED }, owner: BOOTSTRAP_OWNER },
    ],
  })
  const device = deviceObject(ctx)
  return {
    id: 'C.14',
    objects: [security, server, accessControl, device],
    security,
    server,
    accessControl,
    device,
  }
}
