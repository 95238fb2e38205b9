import { inspect } from 'node:util'
import { Lwm2mPath } from '@lwm2m/core'
import { describe, expect, it } from 'vitest'
import { securityModelV1_0 } from '../generated/object-0.js'
import { isSecretBytes } from '../object/secret.js'
import { objectCompliance } from '../testing/compliance.js'
import { createSecurityObject, SecurityMode } from './security.js'

const PSK = Uint8Array.from(Buffer.from('000102030405060708090a0b0c0d0e0f', 'hex'))
const accounts = () => [
  {
    serverUri: 'coaps://bootstrap.example:5684',
    bootstrapServer: true,
    securityMode: SecurityMode.PreSharedKey,
    publicKeyOrIdentity: 'node-1',
    secretKey: PSK,
    bootstrapServerAccountTimeout: 0,
  },
  {
    serverUri: 'coaps://dm.example:5684',
    securityMode: SecurityMode.PreSharedKey,
    publicKeyOrIdentity: 'node-1',
    secretKey: PSK,
    shortServerId: 101,
    clientHoldOffTime: 5,
  },
]

objectCompliance({
  name: 'Security (0)',
  create: () => createSecurityObject({ accounts: accounts() }),
  creatable: false,
  secrets: [5],
})
objectCompliance({
  name: 'Security (0) 1.0',
  create: () => createSecurityObject({ accounts: accounts(), model: securityModelV1_0 }),
  creatable: false,
  secrets: [5],
})

describe('Security object (Core TS 1.1 E.1)', () => {
  const p = Lwm2mPath.parse
  it('is not accessible to LwM2M Servers: every operation is UNAUTHORIZED', async () => {
    const s = createSecurityObject({ accounts: accounts() })
    const server = { origin: 'server' as const, shortServerId: 101 }
    expect(await s.read(p('/0/1'), server)).toMatchObject({ code: 'UNAUTHORIZED' })
    expect(
      await s.write(p('/0/1/0'), { kind: 'resource', id: 0, type: 'string', value: 'x' }, 'replace', server),
    ).toMatchObject({ code: 'UNAUTHORIZED' })
    expect(await s.delete(p('/0/1'), server)).toMatchObject({ code: 'UNAUTHORIZED' })
    expect(await s.create({ resources: new Map() }, server)).toMatchObject({ code: 'UNAUTHORIZED' })
    expect(await s.execute(p('/0/1/0'), '', server)).toMatchObject({ code: 'UNAUTHORIZED' })
  })

  it('is written by the bootstrap server, which may create accounts (Core TS 5.2.7.4 Bootstrap-Write)', async () => {
    const s = createSecurityObject()
    const bs = { origin: 'bootstrap' as const }
    const instance = {
      kind: 'instance' as const,
      id: 4,
      resources: new Map([
        [0, { kind: 'resource' as const, id: 0, type: 'string' as const, value: 'coap://new.example' }],
        [1, { kind: 'resource' as const, id: 1, type: 'boolean' as const, value: false }],
        [2, { kind: 'resource' as const, id: 2, type: 'integer' as const, value: 3 }],
        [10, { kind: 'resource' as const, id: 10, type: 'integer' as const, value: 7 }],
      ]),
    }
    expect(await s.write(p('/0/4'), instance, 'replace', bs)).toMatchObject({ ok: true })
    expect(s.serverAccount(7)).toMatchObject({
      instanceId: 4,
      serverUri: 'coap://new.example',
      securityMode: 3,
    })
    const badMode = { kind: 'resource' as const, id: 2, type: 'integer' as const, value: 9 }
    expect(await s.write(p('/0/4/2'), badMode, 'replace', bs)).toMatchObject({ code: 'BAD_REQUEST' })
    expect(await s.delete(p('/0/4'), bs)).toMatchObject({ ok: true })
  })

  it('gives the client role typed accounts with the key as SecretBytes', () => {
    const s = createSecurityObject({ accounts: accounts() })
    expect(s.bootstrapAccount()).toMatchObject({
      instanceId: 0,
      serverUri: 'coaps://bootstrap.example:5684',
      bootstrapServer: true,
    })
    const dm = s.serverAccount(101)!
    expect(dm).toMatchObject({ instanceId: 1, securityMode: 0, shortServerId: 101, clientHoldOffTime: 5 })
    expect(new TextDecoder().decode(dm.publicKeyOrIdentity)).toBe('node-1')
    expect(isSecretBytes(dm.secretKey)).toBe(true)
    expect([...dm.secretKey.reveal()]).toEqual([...PSK])
    expect(s.serverAccount(999)).toBeUndefined()
  })

  it('prints no secret: toString, JSON, inspect of the object, its accounts and its nodes', async () => {
    const s = createSecurityObject({ accounts: accounts() })
    const hex = Buffer.from(PSK).toString('hex')
    const read = await s.read(p('/0/1'), { origin: 'internal' })
    const prints = [
      String(s),
      JSON.stringify(s),
      inspect(s, { depth: 10 }),
      inspect(s.accounts(), { depth: 10 }),
      JSON.stringify(s.accounts()),
      inspect(read, { depth: 10 }),
    ]
    for (const print of prints) {
      expect(print).not.toContain(hex)
      expect(print).not.toContain([...PSK].join(', '))
      expect(print).not.toContain(Buffer.from(PSK).toString('base64'))
    }
    expect(JSON.stringify(s.accounts())).toContain('[redacted]')
  })

  it('logs no secret, whatever fails', async () => {
    const lines: string[] = []
    const log = (message: string, data?: Record<string, unknown>) =>
      void lines.push(inspect([message, data], { depth: 10 }))
    const s = createSecurityObject({
      accounts: accounts(),
      logger: { debug: log, info: log, warn: log, error: log },
    })
    const bs = { origin: 'bootstrap' as const }
    const key = { kind: 'resource' as const, id: 5, type: 'opaque' as const, value: PSK }
    await s.write(p('/0/1/5'), key, 'replace', bs)
    await s.write(p('/0/1/2'), { kind: 'resource', id: 2, type: 'integer', value: 99 }, 'replace', bs)
    await s.write(
      p('/0/1'),
      {
        kind: 'instance',
        id: 1,
        resources: new Map([
          [5, key],
          [99, key],
        ]),
      },
      'replace',
      bs,
    )
    s.onChange(() => {
      throw new Error('listener failed')
    })
    s.set(1, 5, Uint8Array.of(9, 9, 9, 9, 9, 9))
    expect(lines.length).toBeGreaterThan(0)
    for (const line of lines) {
      expect(line).not.toContain(Buffer.from(PSK).toString('hex'))
      expect(line).not.toContain('9, 9, 9')
    }
  })
})
