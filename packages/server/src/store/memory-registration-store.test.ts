import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { Registration } from '../registration/registration.js'
import { createMemoryRegistrationStore } from './memory-registration-store.js'

function reg(
  id: string,
  endpoint: string,
  expiresAt: number,
  over: Partial<Registration> = {},
): Registration {
  return {
    id,
    endpoint,
    peer: { address: '10.0.0.1', port: Number.parseInt(id.replace(/\D/g, '') || '1', 10) + 1000 },
    transport: 0,
    scheme: 'coap',
    version: '1.1',
    lifetime: 60,
    binding: { transports: ['U'], queueMode: false },
    queueMode: false,
    smsNumber: undefined,
    profileIds: undefined,
    additional: undefined,
    rootPath: '/',
    supportedFormats: [],
    objectLinks: new Map(),
    registeredAt: 0,
    updatedAt: 0,
    expiresAt,
    ...over,
  }
}

describe('createMemoryRegistrationStore', () => {
  it('indexes by id, endpoint and peer; a second registration of an endpoint replaces the first', () => {
    const s = createMemoryRegistrationStore()
    const a = reg('a1', 'node-a', 100)
    expect(s.add(a)).toBeUndefined()
    expect(s.getById('a1')).toBe(a)
    expect(s.getByEndpoint('node-a')).toBe(a)
    expect(s.getByPeer(0, a.peer)).toBe(a)
    expect(s.getByPeer(1, a.peer)).toBeUndefined()
    const a2 = reg('a2', 'node-a', 200, { peer: { address: '10.0.0.2', port: 5683 } })
    expect(s.add(a2)).toBe(a)
    expect(s.size()).toBe(1)
    expect(s.getById('a1')).toBeUndefined()
    expect(s.getByPeer(0, a.peer)).toBeUndefined()
    expect(s.getByPeer(0, a2.peer)).toBe(a2)
    expect([...s.values()]).toEqual([a2])
  })

  it('indexes secure peers by identity, whatever their address', () => {
    const s = createMemoryRegistrationStore()
    const identity = { mode: 'psk' as const, identity: 'id-1' }
    const r = reg('r1', 'node', 100, { peer: { address: '10.0.0.1', port: 1, identity } })
    s.add(r)
    expect(s.getByPeer(0, { address: '10.9.9.9', port: 9, identity })).toBe(r)
    expect(s.getByPeer(0, { address: '10.0.0.1', port: 1 })).toBeUndefined()
  })

  it('update re-indexes the peer and the expiry; returns undefined for a registration that is gone', () => {
    const s = createMemoryRegistrationStore()
    const r = reg('r1', 'node', 100)
    s.add(r)
    const moved = { ...r, peer: { address: '10.0.0.9', port: 7 }, expiresAt: 500 }
    expect(s.update(moved)).toBe(r)
    expect(s.getByPeer(0, r.peer)).toBeUndefined()
    expect(s.getByPeer(0, moved.peer)).toBe(moved)
    expect(s.nextExpiry()).toBe(500)
    expect(s.update(reg('zz', 'other', 1))).toBeUndefined()
    expect(s.size()).toBe(1)
  })

  it('remove with expiredBy leaves a registration that an Update pushed back', () => {
    const s = createMemoryRegistrationStore()
    s.add(reg('r1', 'node', 100))
    s.update(reg('r1', 'node', 300))
    expect(s.remove('r1', { expiredBy: 200 })).toBeUndefined()
    expect(s.remove('r1', { expiredBy: 300 })?.id).toBe('r1')
    expect(s.remove('r1')).toBeUndefined()
    expect(s.nextExpiry()).toBeUndefined()
  })

  it('never expires lifetime 0 (Infinity)', () => {
    const s = createMemoryRegistrationStore()
    s.add(reg('r1', 'a', Number.POSITIVE_INFINITY))
    expect(s.nextExpiry()).toBeUndefined()
    expect(s.expired(Number.MAX_SAFE_INTEGER, 10)).toEqual([])
    s.update(reg('r1', 'a', 50))
    expect(s.nextExpiry()).toBe(50)
    s.update(reg('r1', 'a', Number.POSITIVE_INFINITY))
    expect(s.nextExpiry()).toBeUndefined()
  })

  it('lists expired registrations earliest first, bounded, matching a plain model under random operations', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.record({
              op: fc.constant('add' as const),
              ep: fc.integer({ min: 0, max: 15 }),
              at: fc.integer({ min: 0, max: 1000 }),
            }),
            fc.record({
              op: fc.constant('update' as const),
              ep: fc.integer({ min: 0, max: 15 }),
              at: fc.integer({ min: 0, max: 1000 }),
            }),
            fc.record({
              op: fc.constant('remove' as const),
              ep: fc.integer({ min: 0, max: 15 }),
              at: fc.constant(0),
            }),
          ),
          { maxLength: 80 },
        ),
        fc.integer({ min: 0, max: 1000 }),
        fc.integer({ min: 1, max: 20 }),
        (ops, now, limit) => {
          const s = createMemoryRegistrationStore()
          const model = new Map<string, Registration>()
          let n = 0
          for (const { op, ep, at } of ops) {
            const name = `ep${ep}`
            const current = model.get(name)
            if (op === 'add') {
              const r = reg(`id${n++}`, name, at)
              s.add(r)
              model.set(name, r)
            } else if (op === 'update' && current) {
              const r = { ...current, expiresAt: at }
              s.update(r)
              model.set(name, r)
            } else if (op === 'remove' && current) {
              s.remove(current.id)
              model.delete(name)
            }
          }
          const sorted = [...model.values()].sort((a, b) => a.expiresAt - b.expiresAt)
          expect(s.size()).toBe(model.size)
          expect(s.nextExpiry()).toBe(sorted[0]?.expiresAt)
          const due = s.expired(now, limit)
          const expected = sorted.filter((r) => r.expiresAt <= now).slice(0, limit)
          expect(due.map((r) => r.expiresAt)).toEqual(expected.map((r) => r.expiresAt))
          for (const r of due) expect(r.expiresAt).toBeLessThanOrEqual(now)
          for (const r of model.values()) expect(s.getByEndpoint(r.endpoint)).toBe(r)
        },
      ),
      { numRuns: 300 },
    )
  })
})
