import { type Clock, type Logger, systemClock, type TimerHandle } from '@lwm2m/coap'
import type { ObjectModel } from '@lwm2m/core'
import { ObjectsError } from '../errors.js'
import { connectivityStatisticsModel } from '../generated/object-7.js'
import { type DefinedObject, defineObject } from '../object/define-object.js'
import { fail } from '../object/result.js'

/** Traffic to count: what the application or the client role saw go out and come in. */
export interface TrafficSample {
  readonly smsTx?: number
  readonly smsRx?: number
  /** IP bytes sent (counted in kilobytes on /7/0/2, as the object defines Tx Data). */
  readonly txBytes?: number
  /** IP bytes received (/7/0/3). */
  readonly rxBytes?: number
  /** Sizes in bytes of the messages, for Max and Average Message Size (/7/0/4, /7/0/5). */
  readonly messageSizes?: readonly number[]
}

export interface ConnectivityStatisticsObjectOptions {
  /** Collect from the start (default false: a server executes Start, /7/0/6). */
  readonly collecting?: boolean
  /** Collection Period in seconds (/7/0/8): collection stops by itself after it; 0 (default) means no limit. */
  readonly collectionPeriod?: number
  readonly clock?: Clock
  readonly model?: ObjectModel
  readonly logger?: Logger
}

export interface ConnectivityStatisticsObject extends DefinedObject {
  /** Adds traffic to the counters while collecting; ignored otherwise. */
  record(sample: TrafficSample): void
  /** True between Start and Stop (or the end of the collection period). */
  collecting(): boolean
  /** What Start (/7/0/6) does: resets the counters and starts collecting. */
  start(): void
  /** What Stop (/7/0/7) does: stops collecting, keeping the counters. */
  stop(): void
  /** Resets the counters without changing whether it collects. */
  reset(): void
}

/**
 * The LwM2M Connectivity Statistics object (7): SMS and IP traffic counters between
 * Start (/7/0/6, which resets them) and Stop (/7/0/7), or until the Collection Period
 * (/7/0/8, seconds) runs out, timed with the injected clock.
 */
export function createConnectivityStatisticsObject(
  options: ConnectivityStatisticsObjectOptions = {},
): ConnectivityStatisticsObject {
  const model = options.model ?? connectivityStatisticsModel
  if (model.id !== 7)
    throw new ObjectsError('OBJECTS_INVALID_ARGUMENT', `this object takes an object 7 model, not ${model.id}`)
  const clock = options.clock ?? systemClock
  let collecting = false
  let timer: TimerHandle | undefined
  let txBytes = 0
  let rxBytes = 0
  let messages = 0
  let messageBytes = 0

  const counters = () => ({ 0: 0, 1: 0, 2: 0, 3: 0, 4: 0, 5: 0 })
  const base = defineObject(model, {
    instances: { 0: { ...counters(), 8: options.collectionPeriod ?? 0 } },
    write: {
      8: (value) =>
        typeof value === 'number' && value < 0
          ? fail('BAD_REQUEST', 'Collection Period cannot be negative')
          : undefined,
    },
    execute: {
      6: () => void object.start(),
      7: () => void object.stop(),
    },
    close: () => {
      if (timer !== undefined) clock.clearTimeout(timer)
      timer = undefined
    },
    ...(options.logger !== undefined ? { logger: options.logger } : {}),
  })
  const add = (id: number, n: number) => {
    if (n !== 0) base.set(0, id, Number(base.get(0, id) ?? 0) + n)
  }

  const object = base as ConnectivityStatisticsObject
  object.collecting = () => collecting
  object.reset = () => {
    txBytes = rxBytes = messages = messageBytes = 0
    for (const [id, v] of Object.entries(counters())) base.set(0, Number(id), v)
  }
  object.start = () => {
    object.reset()
    collecting = true
    if (timer !== undefined) clock.clearTimeout(timer)
    timer = undefined
    const period = Number(base.get(0, 8) ?? 0)
    if (period > 0) {
      timer = clock.setTimeout(() => {
        timer = undefined
        collecting = false
      }, period * 1000)
    }
  }
  object.stop = () => {
    collecting = false
    if (timer !== undefined) clock.clearTimeout(timer)
    timer = undefined
  }
  object.record = (sample) => {
    if (!collecting) return
    add(0, sample.smsTx ?? 0)
    add(1, sample.smsRx ?? 0)
    const kb = (bytes: number) => Math.floor(bytes / 1024)
    const tx = kb(txBytes + (sample.txBytes ?? 0)) - kb(txBytes)
    const rx = kb(rxBytes + (sample.rxBytes ?? 0)) - kb(rxBytes)
    txBytes += sample.txBytes ?? 0
    rxBytes += sample.rxBytes ?? 0
    add(2, tx)
    add(3, rx)
    for (const size of sample.messageSizes ?? []) {
      messages++
      messageBytes += size
      if (size > Number(base.get(0, 4) ?? 0)) base.set(0, 4, size)
    }
    if (messages > 0) base.set(0, 5, Math.round(messageBytes / messages))
  }
  if (options.collecting === true) object.start()
  return object
}
