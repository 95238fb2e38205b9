import { Code } from '@lwm2m/coap'
import { instance, isResponseError, Lwm2mPath, multipleResource, singleResource } from '@lwm2m/core'
import { AccessRight, createAccessControlObject, defineObject, portfolioModel } from '@lwm2m/objects'
import { afterEach, describe, expect, it } from 'vitest'
import type { Lwm2mClient } from '../src/index.js'
import { type Bench, bench, ScriptedServer } from './harness.js'

const P = (t: string) => Lwm2mPath.parse(t)
const ALL = AccessRight.Read | AccessRight.Write | AccessRight.Execute | AccessRight.Delete
let b: Bench
let s2: ScriptedServer | undefined
afterEach(async () => {
  await b?.close()
  await s2?.close()
  s2 = undefined
})

/**
 * Configuration C.14 of the ETS (two servers and access control), with the ACL entries in
 * /2/0, /2/1 and /2/2 as the erratum says, plus read rights on /3/0 for server 1 and the
 * right for server 2 to create Portfolio instances.
 */
async function twoServers(
  acl = true,
): Promise<{ client: Lwm2mClient; s1: ScriptedServer; s2: ScriptedServer }> {
  b = await bench()
  s2 = await ScriptedServer.create(b.network, b.clock, 21)
  const entries = [
    { objectId: 1, instanceId: 0, owner: 1, acl: { 1: ALL } },
    { objectId: 1, instanceId: 1, owner: 2, acl: { 2: ALL } },
    { objectId: 3, instanceId: 0, owner: 65535, acl: { 1: AccessRight.Read, 2: ALL } },
    { objectId: 16, instanceId: 65535, owner: 65535, acl: { 2: AccessRight.Create } },
  ]
  const client = b.client({
    accounts: [
      { serverUri: b.server.uri, shortServerId: 1 },
      { serverUri: s2.uri, shortServerId: 2 },
    ],
    servers: [
      { shortServerId: 1, lifetime: 86400, defaultMinPeriod: 1, defaultMaxPeriod: 10, disableTimeout: 86400 },
      { shortServerId: 2, lifetime: 86400, defaultMinPeriod: 1, defaultMaxPeriod: 10, disableTimeout: 86400 },
    ],
    objects: [...(acl ? [createAccessControlObject({ entries })] : []), defineObject(portfolioModel)],
  })
  await client.start()
  await b.until(b.server.take('register'))
  await b.until(s2.take('register'))
  return { client, s1: b.server, s2 }
}

async function codeOf(p: Promise<unknown>): Promise<number> {
  try {
    return ((await b.until(p)) as { code: number }).code
  } catch (error) {
    if (isResponseError(error)) return error.coapCode
    throw error
  }
}

describe('several LwM2M Servers (ETS LwM2M-1.1-int-950, int-951)', () => {
  it('registers with each server for its own account', async () => {
    const { client, s1, s2 } = await twoServers()
    expect(s1.registration().op.params.endpoint).toBe('node-1')
    expect(s2.registration().op.params.endpoint).toBe('node-1')
    expect(client.servers().map((s) => [s.shortServerId, s.state])).toEqual([
      [1, 'registered'],
      [2, 'registered'],
    ])
  })

  it('keeps the attributes of each server apart (int-951)', async () => {
    const { s1, s2 } = await twoServers()
    expect(
      await codeOf(s1.dm({ kind: 'writeAttributes', path: P('/3/0'), attributes: { pmin: 2, pmax: 10 } })),
    ).toBe(Code.Changed)
    expect(
      await codeOf(s2.dm({ kind: 'writeAttributes', path: P('/3/0'), attributes: { pmin: 15, pmax: 50 } })),
    ).toBe(Code.Changed)
    const d1 = await b.until(s1.dm({ kind: 'discover', path: P('/3/0') }))
    const d2 = await b.until(s2.dm({ kind: 'discover', path: P('/3/0') }))
    expect(d1.links.startsWith('</3/0>;pmin=2;pmax=10,</3/0/0>')).toBe(true)
    expect(d2.links.startsWith('</3/0>;pmin=15;pmax=50,</3/0/0>')).toBe(true)
  })

  it('sends the Update of a Registration Update Trigger to the server of that instance only', async () => {
    const { s1, s2 } = await twoServers()
    expect(await codeOf(s2.dm({ kind: 'execute', path: P('/1/1/8') }))).toBe(Code.Changed)
    await b.until(s2.take('update'))
    expect(s1.all('update')).toHaveLength(0)
  })
})

describe('access control (Core TS 1.1 section 7.3.1, appendix E.3)', () => {
  it('reads, writes and executes only what the ACL allows (4.01 otherwise)', async () => {
    const { s1, s2 } = await twoServers()
    expect(await codeOf(s1.dm({ kind: 'read', path: P('/3/0/0') }))).toBe(Code.Content)
    expect(await codeOf(s1.dm({ kind: 'execute', path: P('/3/0/4') }))).toBe(Code.Unauthorized)
    expect(await codeOf(s2.dm({ kind: 'read', path: P('/1/0') }))).toBe(Code.Unauthorized)
    expect(await codeOf(s1.dm({ kind: 'read', path: P('/1/0/1') }))).toBe(Code.Content)
    const write = s1.dm({
      kind: 'write',
      path: P('/1/1/1'),
      mode: 'replace',
      node: singleResource(1, 'integer', 60),
      contentFormat: 0,
    })
    expect(await codeOf(write)).toBe(Code.Unauthorized)
    expect(await codeOf(s1.dm({ kind: 'observe', path: P('/1/1/1') }))).toBe(Code.Unauthorized)
  })

  it('lists only the instances a server may read in a Read of an object', async () => {
    const { s1 } = await twoServers()
    const r = await b.until(s1.dm({ kind: 'read', path: P('/1') }))
    expect(r.node.kind === 'object' && [...r.node.instances.keys()]).toEqual([0])
  })

  it('needs the Create right on /o/65535; the creator owns the new instance, others have no right on it', async () => {
    const { client, s1, s2 } = await twoServers()
    const create = (server: ScriptedServer) =>
      server.dm({
        kind: 'create',
        path: P('/16'),
        instances: [instance(0, [multipleResource(0, 'string', ['by two'])])],
        contentFormat: 11542,
      })
    expect(await codeOf(create(s1))).toBe(Code.Unauthorized)
    expect(await codeOf(create(s2))).toBe(Code.Created)
    // The new Access Control instance: object 16, instance 0, owner 2.
    const acl = await client.object(2)!.read(P('/2'), { origin: 'internal' })
    const entries = acl.ok && acl.value.kind === 'object' ? [...acl.value.instances.values()] : []
    const mine = entries.find(
      (e) =>
        (e.resources.get(0) as { value: number }).value === 16 &&
        (e.resources.get(1) as { value: number }).value === 0,
    )
    expect((mine?.resources.get(3) as { value: number } | undefined)?.value).toBe(2)
    expect(await codeOf(s2.dm({ kind: 'read', path: P('/16/0') }))).toBe(Code.Content)
    expect(await codeOf(s1.dm({ kind: 'read', path: P('/16/0') }))).toBe(Code.Unauthorized)
    // Deleting the instance takes its Access Control instance away.
    expect(await codeOf(s2.dm({ kind: 'delete', path: P('/16/0') }))).toBe(Code.Deleted)
    const after = await client.object(2)!.read(P('/2'), { origin: 'internal' })
    expect(after.ok && after.value.kind === 'object' && after.value.instances.size).toBe(4)
  })

  it('lets only the owner of an Access Control instance change it', async () => {
    const { s1, s2 } = await twoServers()
    const grant = (server: ScriptedServer, iid: number) =>
      server.dm({
        kind: 'write',
        path: P(`/2/${iid}/2`),
        mode: 'replace',
        node: multipleResource(2, 'integer', [AccessRight.Read]),
        contentFormat: 11542,
      })
    expect(await codeOf(grant(s1, 1))).toBe(Code.Unauthorized)
    expect(await codeOf(grant(s2, 1))).toBe(Code.Changed)
    expect(await codeOf(s1.dm({ kind: 'read', path: P('/2/1') }))).toBe(Code.Content)
  })

  it('gives every right to a single server, whatever the Access Control object says', async () => {
    b = await bench()
    const client = b.client({
      objects: [
        createAccessControlObject({ entries: [{ objectId: 3, instanceId: 0, owner: 65535, acl: { 9: 1 } }] }),
      ],
    })
    await client.start()
    await b.until(b.server.take('register'))
    expect(await codeOf(b.server.dm({ kind: 'read', path: P('/3/0/0') }))).toBe(Code.Content)
    expect(await codeOf(b.server.dm({ kind: 'execute', path: P('/3/0/4') }))).toBe(Code.Changed)
  })

  it('gives every right when the client has no Access Control object', async () => {
    const { s1 } = await twoServers(false)
    expect(await codeOf(s1.dm({ kind: 'read', path: P('/1/1') }))).toBe(Code.Content)
  })
})
