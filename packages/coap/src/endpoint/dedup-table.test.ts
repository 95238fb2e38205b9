import { describe, expect, it } from 'vitest'
import { DeadlineQueue } from '../time/deadline-queue.js'
import { FakeClock } from '../time/fake-clock.js'
import { DedupTable } from './dedup-table.js'
import { PeerState } from './peer.js'

function table(capacity: number, arena?: number) {
  const clock = new FakeClock(0)
  const queue = new DeadlineQueue(clock)
  const t = new DedupTable({ schedule: (item, at) => queue.schedule(item, at) }, capacity, arena)
  const peer = (port: number) => new PeerState('127.0.0.1', port, { address: '127.0.0.1', port })
  return { clock, t, peer }
}

describe('DedupTable (RFC 7252 section 4.5)', () => {
  it('finds entries by Message ID, code and token, each until its own expiry', () => {
    const { clock, t, peer } = table(16)
    const a = peer(1)
    t.add(a, 10, 1, 111, 247_000, 100) // CON lifetime
    t.add(a, 11, 1, 222, 145_000, 100) // NON lifetime, behind the CON one in the ring
    expect(t.find(a, 10, 1, 111, 0)).toBeGreaterThanOrEqual(0)
    expect(t.find(a, 10, 2, 111, 0)).toBe(-1) // another code
    expect(t.find(a, 10, 1, 999, 0)).toBe(-1) // another token
    expect(t.find(a, 11, 1, 222, 144_999)).toBeGreaterThanOrEqual(0)
    expect(t.find(a, 11, 1, 222, 145_000)).toBe(-1)
    clock.advance(247_000)
    expect(t.size).toBe(0)
    expect(a.dedup.size).toBe(0)
  })

  it('keeps replies in its arena and stops returning one once overwritten', () => {
    const { t, peer } = table(8, 4096)
    const a = peer(1)
    const s1 = t.add(a, 1, 1, 1, 1e9, 100)
    t.setReply(s1, t.idOf(s1), Uint8Array.of(1, 2, 3))
    expect([...(t.reply(s1) ?? [])]).toEqual([1, 2, 3])
    expect(t.pending(s1)).toBe(false)
    for (let i = 2; i < 8; i++) {
      const s = t.add(a, i, 1, i, 1e9, 100)
      t.setReply(s, t.idOf(s), new Uint8Array(1000).fill(i))
    }
    expect(t.reply(s1)).toBeUndefined()
  })

  it("drops the oldest entry beyond its capacity and a peer's oldest beyond the per-peer bound", () => {
    const { t, peer } = table(4)
    const a = peer(1)
    const b = peer(2)
    for (let i = 0; i < 6; i++) t.add(a, i, 1, i, 1e9, 3)
    expect(a.dedup.size).toBe(3)
    expect([...a.dedup.keys()].sort()).toEqual([3, 4, 5])
    t.add(b, 1, 1, 1, 1e9, 3)
    t.add(b, 2, 1, 2, 1e9, 3)
    expect(t.size).toBeLessThanOrEqual(4)
    expect(b.dedup.size).toBe(2)
  })

  it('ignores a reply for a slot reused by a newer entry', () => {
    const { t, peer } = table(1)
    const a = peer(1)
    const s = t.add(a, 1, 1, 1, 1e9, 10)
    const id = t.idOf(s)
    t.add(a, 2, 1, 2, 1e9, 10) // capacity 1: slot reused
    t.setReply(s, id, Uint8Array.of(9))
    expect(t.pending(s)).toBe(true)
  })
})
