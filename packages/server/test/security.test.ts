import { Code, type PeerIdentity, peerKey } from '@lwm2m/coap'
import { singleResource } from '@lwm2m/core'
import { afterEach, describe, expect, it } from 'vitest'
import { type AuthorizationRequest, createMemorySecurityStore, type SecurityInfo } from '../src/index.js'
import type { ScriptedClient } from './support/scripted-client.js'
import { DEVICE_LINKS, settle, type TestBed, testBed } from './support/setup.js'

const text = (b: Uint8Array) => new TextDecoder().decode(b)
const psk = (identity: string): PeerIdentity => ({ mode: 'psk', identity })
const KEY_A = Uint8Array.from({ length: 91 }, (_, i) => i)
const KEY_B = Uint8Array.from({ length: 91 }, (_, i) => 255 - i)

const INFOS: SecurityInfo[] = [
  { endpoint: 'psk-node', mode: 'psk', identity: 'id-1', key: Uint8Array.of(1, 2, 3) },
  { endpoint: 'rpk-node', mode: 'rpk', publicKey: KEY_A },
  { endpoint: 'x509-node', mode: 'x509' },
  { endpoint: 'x509-exact', mode: 'x509', subject: 'CN=device-7,O=ACME' },
]

let bed: TestBed | undefined
afterEach(async () => {
  await bed?.close()
  bed = undefined
})

async function client(
  name: string,
  identity?: PeerIdentity,
  version: '1.0' | '1.1' = '1.1',
): Promise<ScriptedClient> {
  const c = await bed!.client(name, { version })
  if (identity !== undefined) bed!.identities.set(peerKey(c.peer), identity)
  return c
}

describe('the security of endpoint names (DESIGN.md; Core TS 1.2 section 7.1): 4.03 Forbidden when refused', () => {
  it('accepts the identity the security store expects, and records it with the registration', async () => {
    bed = await testBed({ security: { store: createMemorySecurityStore(INFOS) } })
    const cases: [string, PeerIdentity][] = [
      ['psk-node', psk('id-1')],
      ['rpk-node', { mode: 'rpk', publicKey: KEY_A }],
      ['x509-node', { mode: 'x509', certificate: Uint8Array.of(0x30), subject: 'C=FR, CN=x509-node' }],
      ['x509-exact', { mode: 'x509', certificate: Uint8Array.of(0x30), subject: 'CN=device-7,O=ACME' }],
    ]
    for (const [name, identity] of cases) {
      const c = await client(name, identity)
      const res = await c.register(DEVICE_LINKS)
      expect(res.code, name).toBe(Code.Created)
      expect((await bed.server.getRegistration(name))!.peer.identity).toEqual(identity)
    }
  })

  it('refuses a plain-CoAP registration for an endpoint that has security configured', async () => {
    bed = await testBed({ security: { store: createMemorySecurityStore(INFOS) } })
    const c = await client('psk-node')
    const res = await c.register(DEVICE_LINKS)
    expect(res.code).toBe(Code.Forbidden)
    expect(text(res.payload)).toMatch(/must use a secure connection/)
    expect(await bed.server.getRegistration('psk-node')).toBeUndefined()
  })

  it('refuses an identity that is not the one of the endpoint', async () => {
    bed = await testBed({ security: { store: createMemorySecurityStore(INFOS) } })
    const cases: [string, PeerIdentity][] = [
      ['psk-node', psk('id-2')],
      ['psk-node', { mode: 'rpk', publicKey: KEY_A }],
      ['rpk-node', { mode: 'rpk', publicKey: KEY_B }],
      ['x509-node', { mode: 'x509', certificate: Uint8Array.of(0x30), subject: 'CN=other' }],
      ['x509-exact', { mode: 'x509', certificate: Uint8Array.of(0x30), subject: 'CN=device-7' }],
    ]
    for (const [name, identity] of cases) {
      const c = await client(name, identity)
      const res = await c.register(DEVICE_LINKS)
      expect(res.code, `${name} ${JSON.stringify(identity)}`).toBe(Code.Forbidden)
      expect(text(res.payload)).toMatch(/may not use endpoint/)
    }
    expect(await bed.server.registrationStore.size()).toBe(0)
  })

  it('refuses an authenticated client whose name has no security info; plain CoAP without info is allowed by default', async () => {
    bed = await testBed({ security: { store: createMemorySecurityStore(INFOS) } })
    const stranger = await client('stranger', psk('id-1'))
    expect((await stranger.register(DEVICE_LINKS)).code).toBe(Code.Forbidden)
    const plain = await client('plain')
    expect((await plain.register(DEVICE_LINKS)).code).toBe(Code.Created)
  })

  it('allowUnsecured: false refuses plain CoAP registrations', async () => {
    bed = await testBed({ security: { allowUnsecured: false } })
    const plain = await client('plain')
    const res = await plain.register(DEVICE_LINKS)
    expect(res.code).toBe(Code.Forbidden)
    expect(text(res.payload)).toMatch(/plain CoAP is not allowed/)
  })

  it('takes the endpoint name from the identity when a 1.1 Register has no ep', async () => {
    bed = await testBed({ security: { store: createMemorySecurityStore(INFOS) } })
    const c = await client('psk-node', psk('id-1'))
    const res = await c.register(DEVICE_LINKS, { endpoint: undefined })
    expect(res.code).toBe(Code.Created)
    expect((await bed.server.getRegistration('psk-node'))!.endpoint).toBe('psk-node')
    const anonymous = await client('anon')
    const res2 = await anonymous.register(DEVICE_LINKS, { endpoint: undefined })
    expect(res2.code).toBe(Code.BadRequest)
    expect(text(res2.payload)).toMatch(/ep/)
  })

  it('Update, De-register and Send must come with the identity of the registration', async () => {
    bed = await testBed({ security: { store: createMemorySecurityStore(INFOS) } })
    const c = await client('psk-node', psk('id-1'))
    await c.register(DEVICE_LINKS)
    const reg = (await bed.server.getRegistration('psk-node'))!
    // Another peer that knows the location: plain, or with another identity.
    for (const identity of [undefined, psk('id-2')]) {
      const spoof = await client('spoof', identity)
      spoof.location = c.location
      const up = await spoof.update({ lifetime: 5 })
      expect(up.code).toBe(Code.Forbidden)
      expect((await spoof.deregister()).code).toBe(Code.Forbidden)
    }
    expect(await bed.server.getRegistration('psk-node')).toBe(reg)
    // The same identity from another port (a new DTLS session after NAT rebinding) may Update and Send.
    const moved = await client('psk-node', psk('id-1'))
    moved.location = c.location
    expect((await moved.update()).code).toBe(Code.Changed)
    const nodes = new Map([['/3/0/9', singleResource(9, 'integer', 1)]])
    expect((await moved.send([{ timestamp: undefined, nodes }])).code).toBe(Code.Changed)
    expect((await moved.deregister()).code).toBe(Code.Deleted)
  })

  it('the authorize hook decides after the security check: false answers 4.03, a throw 5.00', async () => {
    const asked: AuthorizationRequest[] = []
    let verdict: boolean | 'throw' = true
    bed = await testBed({
      security: {
        authorize: async (request) => {
          asked.push(request)
          if (verdict === 'throw') throw new Error('policy store down')
          return verdict
        },
      },
    })
    const c = await client('node-1')
    expect((await c.register(DEVICE_LINKS)).code).toBe(Code.Created)
    await c.update()
    const nodes = new Map([['/3/0/9', singleResource(9, 'integer', 1)]])
    await c.send([{ timestamp: undefined, nodes }])
    expect(asked.map((a) => a.operation)).toEqual(['register', 'update', 'send'])
    expect(asked[0]).toMatchObject({
      endpoint: 'node-1',
      peer: { port: c.peer.port },
      registration: undefined,
    })
    expect(asked[1]!.registration?.endpoint).toBe('node-1')
    verdict = false
    const refused = await c.update()
    expect(refused.code).toBe(Code.Forbidden)
    expect(text(refused.payload)).toMatch(/not authorized/)
    expect((await c.register(DEVICE_LINKS)).code).toBe(Code.Forbidden)
    verdict = 'throw'
    expect((await c.update()).code).toBe(Code.InternalServerError)
    verdict = true
    expect((await c.deregister()).code).toBe(Code.Deleted)
    expect(asked.at(-1)!.operation).toBe('deregister')
  })

  it('asks the store again on every Update and Send: removed or changed credentials take effect at once', async () => {
    const store = createMemorySecurityStore(INFOS)
    bed = await testBed({ security: { store } })
    const c = await client('psk-node', psk('id-1'))
    expect((await c.register(DEVICE_LINKS)).code).toBe(Code.Created)
    expect((await c.update()).code).toBe(Code.Changed)
    // The operator gives the endpoint another identity: the old one may no longer speak for it.
    store.set({ endpoint: 'psk-node', mode: 'psk', identity: 'id-rotated' })
    const up = await c.update()
    expect(up.code).toBe(Code.Forbidden)
    expect(text(up.payload)).toMatch(/may not use endpoint psk-node/)
    const nodes = new Map([['/3/0/9', singleResource(9, 'integer', 1)]])
    expect((await c.send([{ timestamp: undefined, nodes }])).code).toBe(Code.Forbidden)
    // Removed altogether: an authenticated identity without security info is refused too.
    store.delete('psk-node')
    expect((await c.update()).code).toBe(Code.Forbidden)
    // De-register stays possible for the client that registered.
    expect((await c.deregister()).code).toBe(Code.Deleted)
  })

  it('a Send from the same identity at a new address moves the registration there (NAT rebinding, RFC 9146)', async () => {
    bed = await testBed({ security: { store: createMemorySecurityStore(INFOS) } })
    const c = await client('psk-node', psk('id-1'))
    await c.register(DEVICE_LINKS)
    const moved = await client('psk-node', psk('id-1'))
    moved.location = c.location
    const nodes = new Map([['/3/0/9', singleResource(9, 'integer', 1)]])
    expect((await moved.send([{ timestamp: undefined, nodes }])).code).toBe(Code.Changed)
    const reg = (await bed.server.getRegistration('psk-node'))!
    expect(reg.peer.port).toBe(moved.peer.port)
    expect(reg.peer.identity).toEqual(psk('id-1'))
    moved.answer = () => ({ node: singleResource(9, 'integer', 77) })
    expect((await bed.server.read('psk-node', '/3/0/9')).node).toEqual(singleResource(9, 'integer', 77))
  })

  it('refusals of one client do not disturb another', async () => {
    bed = await testBed({ security: { store: createMemorySecurityStore(INFOS) } })
    const good = await client('psk-node', psk('id-1'))
    const bad = await client('psk-node', psk('id-9'))
    const [g, b] = await Promise.all([good.register(DEVICE_LINKS), bad.register(DEVICE_LINKS)])
    expect(g.code).toBe(Code.Created)
    expect(b.code).toBe(Code.Forbidden)
    await settle()
    expect((await bed.server.getRegistration('psk-node'))!.peer.port).toBe(good.peer.port)
  })
})

describe('the in-memory security store', () => {
  it('finds infos by endpoint and identity, gives PSK keys, refuses an identity used twice', () => {
    const store = createMemorySecurityStore(INFOS)
    expect(store.size).toBe(4)
    expect(store.getByEndpoint('psk-node')?.mode).toBe('psk')
    expect(store.getByIdentity(psk('id-1'))?.endpoint).toBe('psk-node')
    expect(store.getByIdentity({ mode: 'rpk', publicKey: KEY_A })?.endpoint).toBe('rpk-node')
    expect(store.getByIdentity({ mode: 'rpk', publicKey: KEY_B })).toBeUndefined()
    expect(
      store.getByIdentity({ mode: 'x509', certificate: new Uint8Array(0), subject: 'O=ACME, CN=x509-node' })
        ?.endpoint,
    ).toBe('x509-node')
    expect(
      store.getByIdentity({ mode: 'x509', certificate: new Uint8Array(0), subject: 'CN=device-7,O=ACME' })
        ?.endpoint,
    ).toBe('x509-exact')
    expect(store.pskKey('id-1')).toEqual(Uint8Array.of(1, 2, 3))
    expect(store.pskKey('nope')).toBeUndefined()
    expect(() => store.set({ endpoint: 'other', mode: 'psk', identity: 'id-1' })).toThrow(/already belongs/)
    store.set({ endpoint: 'psk-node', mode: 'psk', identity: 'id-new' })
    expect(store.getByIdentity(psk('id-1'))).toBeUndefined()
    expect(store.getByIdentity(psk('id-new'))?.endpoint).toBe('psk-node')
    expect(store.delete('psk-node')).toBe(true)
    expect(store.getByIdentity(psk('id-new'))).toBeUndefined()
    expect(store.delete('psk-node')).toBe(false)
    expect(() => store.set({ endpoint: '', mode: 'psk', identity: 'x' })).toThrow(TypeError)
    expect(() => store.set({ endpoint: 'e', mode: 'psk', identity: '' })).toThrow(TypeError)
  })

  it('pins X.509 certificates: the exact certificate is needed, found by its bytes', () => {
    const cert = Uint8Array.of(0x30, 0x03, 1, 2, 3)
    const store = createMemorySecurityStore([
      { endpoint: 'pinned', mode: 'x509', certificate: cert },
      { endpoint: 'pinned-subject', mode: 'x509', certificate: Uint8Array.of(0x30, 9), subject: 'CN=a' },
    ])
    const id = (certificate: Uint8Array, subject: string): PeerIdentity => ({
      mode: 'x509',
      certificate,
      subject,
    })
    expect(store.getByIdentity(id(cert, 'CN=whatever'))?.endpoint).toBe('pinned')
    expect(store.getByIdentity(id(Uint8Array.of(0x30, 0x03, 1, 2, 4), 'CN=pinned'))).toBeUndefined()
    expect(store.getByIdentity(id(Uint8Array.of(0x30, 9), 'CN=a'))?.endpoint).toBe('pinned-subject')
    expect(() => store.set({ endpoint: 'e', mode: 'x509', certificate: new Uint8Array(0) })).toThrow(
      TypeError,
    )
    expect(() => store.set({ endpoint: 'thief', mode: 'x509', certificate: cert })).toThrow(/already belongs/)
  })
})
