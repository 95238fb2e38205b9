import type { ObservationRecord, ObservationStore } from './observation-store.js'

/** The in-memory observation store, synchronous underneath. */
export interface MemoryObservationStore extends ObservationStore {
  add(record: ObservationRecord): void
  get(id: string): ObservationRecord | undefined
  remove(id: string): ObservationRecord | undefined
  byRegistration(registrationId: string): readonly ObservationRecord[]
  countByRegistration(registrationId: string): number
  removeByRegistration(registrationId: string): readonly ObservationRecord[]
  size(): number
}

/** The default {@link ObservationStore}: Maps by id and by registration id. */
export function createMemoryObservationStore(): MemoryObservationStore {
  const byId = new Map<string, ObservationRecord>()
  const byRegistration = new Map<string, Map<string, ObservationRecord>>()
  return {
    add(record) {
      byId.set(record.id, record)
      let set = byRegistration.get(record.registrationId)
      if (set === undefined) byRegistration.set(record.registrationId, (set = new Map()))
      set.set(record.id, record)
    },
    get: (id) => byId.get(id),
    remove(id) {
      const record = byId.get(id)
      if (record === undefined) return undefined
      byId.delete(id)
      const set = byRegistration.get(record.registrationId)
      if (set !== undefined) {
        set.delete(id)
        if (set.size === 0) byRegistration.delete(record.registrationId)
      }
      return record
    },
    byRegistration: (registrationId) => [...(byRegistration.get(registrationId)?.values() ?? [])],
    countByRegistration: (registrationId) => byRegistration.get(registrationId)?.size ?? 0,
    removeByRegistration(registrationId) {
      const set = byRegistration.get(registrationId)
      if (set === undefined) return []
      byRegistration.delete(registrationId)
      for (const id of set.keys()) byId.delete(id)
      return [...set.values()]
    },
    size: () => byId.size,
  }
}
