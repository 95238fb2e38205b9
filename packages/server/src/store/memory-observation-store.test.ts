import { describe, expect, it } from 'vitest'
import { createMemoryObservationStore } from './memory-observation-store.js'
import type { ObservationRecord } from './observation-store.js'

const record = (id: string, registrationId: string): ObservationRecord => ({
  id,
  registrationId,
  endpoint: `ep-${registrationId}`,
  paths: ['/3/0'],
  composite: false,
  accept: undefined,
  attributes: undefined,
  createdAt: 0,
})

describe('createMemoryObservationStore', () => {
  it('indexes by id and by registration; removes one or all of a registration', () => {
    const s = createMemoryObservationStore()
    s.add(record('o1', 'r1'))
    s.add(record('o2', 'r1'))
    s.add(record('o3', 'r2'))
    expect(s.size()).toBe(3)
    expect(s.countByRegistration('r1')).toBe(2)
    expect(s.countByRegistration('r9')).toBe(0)
    expect((s.byRegistration('r1') as ObservationRecord[]).map((r) => r.id)).toEqual(['o1', 'o2'])
    expect(s.get('o3')?.registrationId).toBe('r2')
    expect(s.remove('o1')?.id).toBe('o1')
    expect(s.remove('o1')).toBeUndefined()
    expect(s.countByRegistration('r1')).toBe(1)
    expect((s.removeByRegistration('r1') as ObservationRecord[]).map((r) => r.id)).toEqual(['o2'])
    expect(s.removeByRegistration('r1')).toEqual([])
    expect(s.size()).toBe(1)
    expect(s.remove('o3')?.id).toBe('o3')
    expect(s.countByRegistration('r2')).toBe(0)
  })
})
