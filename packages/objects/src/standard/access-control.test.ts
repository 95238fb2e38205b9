import { Lwm2mPath } from '@lwm2m/core'
import { describe, expect, it } from 'vitest'
import { accessControlModelV1_0 } from '../generated/object-2.js'
import { objectCompliance } from '../testing/compliance.js'
import { AccessRight, createAccessControlObject } from './access-control.js'

const entries = () => [
  {
    objectId: 3,
    instanceId: 0,
    acl: { 0: AccessRight.Read, 101: AccessRight.Read | AccessRight.Write | AccessRight.Execute },
    owner: 101,
  },
  { objectId: 3303, instanceId: 65535, acl: new Map([[102, AccessRight.Create]]), owner: 102 },
]

objectCompliance({
  name: 'Access Control (2)',
  create: () => createAccessControlObject({ entries: entries() }),
  writeValues: { 0: 5, 1: 1 },
})
objectCompliance({
  name: 'Access Control (2) 1.0',
  create: () => createAccessControlObject({ entries: entries(), model: accessControlModelV1_0 }),
  writeValues: { 0: 5, 1: 1 },
})

describe('Access Control object (Core TS 1.1 E.3, 8.2.2)', () => {
  it('answers the rights of a server, falling back to the default ACL (instance 0)', () => {
    const acl = createAccessControlObject({ entries: entries() })
    expect(acl.rights(3, 0, 101)).toBe(7)
    expect(acl.rights(3, 0, 999)).toBe(AccessRight.Read)
    expect(acl.rights(3303, 65535, 102)).toBe(AccessRight.Create)
    expect(acl.rights(3303, 65535, 101)).toBeUndefined()
    expect(acl.rights(4, 0, 101)).toBeUndefined()
    expect(acl.entry(3, 0)).toMatchObject({ owner: 101, instanceIdOfEntry: 0 })
  })

  it('grants and revokes entries for the instances the client creates and deletes', () => {
    const acl = createAccessControlObject({ entries: entries() })
    const iid = acl.grant({ objectId: 3303, instanceId: 4, acl: new Map([[101, 31]]), owner: 101 })
    expect(acl.rights(3303, 4, 101)).toBe(31)
    expect(acl.grant({ objectId: 3303, instanceId: 4, owner: 102 })).toBe(iid)
    expect(acl.rights(3303, 4, 101)).toBeUndefined()
    expect(acl.revoke(3303, 4)).toBe(true)
    expect(acl.revoke(3303, 4)).toBe(false)
    expect(acl.entries()).toHaveLength(2)
  })

  it('keeps ACL values in 0..31 and Object ID read-only for servers', async () => {
    const acl = createAccessControlObject({ entries: entries() })
    const server = { origin: 'server' as const, shortServerId: 101 }
    const ri = { kind: 'resourceInstance' as const, id: 101, type: 'integer' as const, value: 64 }
    expect(await acl.write(Lwm2mPath.parse('/2/0/2/101'), ri, 'partialUpdate', server)).toMatchObject({
      code: 'BAD_REQUEST',
    })
    const id = { kind: 'resource' as const, id: 0, type: 'integer' as const, value: 4 }
    expect(await acl.write(Lwm2mPath.parse('/2/0/0'), id, 'replace', server)).toMatchObject({
      code: 'METHOD_NOT_ALLOWED',
    })
  })
})
