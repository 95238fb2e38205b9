import { CoapError } from '../errors.js'
import { SeededRandom } from '../random.js'
import { type Clock, systemClock } from '../time/clock.js'
import {
  type DatagramHandler,
  type Peer,
  type SendCallback,
  type Transport,
  type TransportEvents,
  transportSymbol,
} from './types.js'

/** Options of {@link faulty}: probabilities are per datagram, in [0, 1]. */
export interface FaultOptions {
  /** Seed of the generator that decides each fault: the same seed gives the same faults. */
  readonly seed: number
  /** Probability that a datagram is lost. */
  readonly drop?: number
  /** Probability that a datagram is delivered twice. */
  readonly duplicate?: number
  /** Extra delay in ms: a fixed number, or [min, max] drawn uniformly. */
  readonly delay?: number | readonly [number, number]
  /** Probability that a datagram is held back and delivered after the next one (or after `delay` max). */
  readonly reorder?: number
  /**
   * Probability that a send fails as a socket or a secure session may fail it (no route, a
   * failed handshake): the datagram is not sent and its callback gets a CoapError
   * `COAP_TRANSPORT`. Unlike the other faults the sender sees this one. Only for sends.
   */
  readonly sendError?: number
  /** Which direction to disturb; default both. */
  readonly direction?: 'both' | 'send' | 'receive'
  /** Clock for delays (inject a FakeClock in tests). */
  readonly clock?: Clock
}

/** Counters of what a {@link faulty} transport did. */
export interface FaultStats {
  sent: number
  received: number
  dropped: number
  duplicated: number
  delayed: number
  reordered: number
  /** Sends failed on purpose ({@link FaultOptions.sendError}). */
  sendErrors: number
}

/** A Transport with {@link FaultStats}. */
export interface FaultyTransport extends Transport {
  readonly stats: FaultStats
}

/**
 * Wraps a transport with deterministic network faults (seeded): datagrams in either
 * direction are dropped, duplicated, delayed and reordered with the given
 * probabilities. For tests that show that nothing is lost and no exchange leaks.
 */
export function faulty(inner: Transport, options: FaultOptions): FaultyTransport {
  const rng = new SeededRandom(options.seed)
  const clock = options.clock ?? systemClock
  const dir = options.direction ?? 'both'
  const stats: FaultStats = {
    sent: 0,
    received: 0,
    dropped: 0,
    duplicated: 0,
    delayed: 0,
    reordered: 0,
    sendErrors: 0,
  }
  const sendError = options.sendError ?? 0
  const timers = new Set<unknown>()
  let closed = false
  let opened = false

  const delayOf = (): number => {
    const d = options.delay
    if (d === undefined) return 0
    if (typeof d === 'number') return d
    return d[0] + rng.next() * (d[1] - d[0])
  }

  // One "lane" per direction: a held-back datagram is released after the next one passes.
  function lane(deliver: (data: Uint8Array, peer: Peer) => void) {
    let held: { data: Uint8Array; peer: Peer; timer: unknown } | undefined
    const later = (fn: () => void, ms: number): void => {
      const t = clock.setTimeout(() => {
        timers.delete(t)
        if (!closed) fn()
      }, ms)
      timers.add(t)
    }
    const emit = (data: Uint8Array, peer: Peer): void => {
      const ms = delayOf()
      if (ms > 0) {
        stats.delayed++
        later(() => deliver(data, peer), ms)
      } else deliver(data, peer)
    }
    return (data: Uint8Array, peer: Peer): void => {
      if (closed) return
      if (rng.next() < (options.drop ?? 0)) {
        stats.dropped++
        return
      }
      const copies = rng.next() < (options.duplicate ?? 0) ? 2 : 1
      if (copies === 2) stats.duplicated++
      for (let i = 0; i < copies; i++) {
        if (held === undefined && rng.next() < (options.reorder ?? 0)) {
          stats.reordered++
          const h = { data, peer, timer: undefined as unknown }
          held = h
          // Released after the next datagram, or on its own after a while.
          const max = typeof options.delay === 'object' ? options.delay[1] : (options.delay ?? 0)
          h.timer = clock.setTimeout(() => {
            timers.delete(h.timer)
            if (held === h) {
              held = undefined
              if (!closed) deliver(h.data, h.peer)
            }
          }, max + 50)
          timers.add(h.timer)
          continue
        }
        emit(data, peer)
        const h = held
        if (h !== undefined) {
          held = undefined
          clock.clearTimeout(h.timer)
          timers.delete(h.timer)
          emit(h.data, h.peer)
        }
      }
    }
  }

  const sendLane = lane((data, peer) => {
    stats.sent++
    inner.send(data, peer)
  })

  const transport: FaultyTransport = {
    [transportSymbol]: true,
    scheme: inner.scheme,
    ...(inner.maxDatagramSize !== undefined ? { maxDatagramSize: inner.maxDatagramSize } : {}),
    stats,
    open(handler: DatagramHandler, events?: TransportEvents) {
      const receiveLane = lane((data, peer) => {
        stats.received++
        handler(data, peer)
      })
      const r = inner.open(dir === 'send' ? handler : (data, peer) => receiveLane(data.slice(), peer), events)
      return r.then(() => {
        opened = true
      })
    },
    send(datagram: Uint8Array, peer: Peer, callback?: SendCallback) {
      // Drawn only when asked for, so that the other faults of a seed stay as they were.
      if (sendError > 0 && opened && !closed && rng.next() < sendError) {
        stats.sendErrors++
        callback?.(new CoapError('COAP_TRANSPORT', `injected send failure to ${peer.address}:${peer.port}`))
        return
      }
      if (dir === 'receive' || !opened || closed) {
        inner.send(datagram, peer, callback)
        return
      }
      // Faults are invisible to the sender, as on a real network.
      sendLane(datagram.slice(), peer)
      callback?.()
    },
    address: () => inner.address(),
    async close() {
      if (closed) return
      closed = true
      for (const t of timers) clock.clearTimeout(t)
      timers.clear()
      await inner.close()
    },
  }
  return transport
}
