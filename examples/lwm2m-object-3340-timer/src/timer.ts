import {
  type Clock,
  type DefinedObject,
  defineObject,
  fail,
  type InstanceValues,
  type Logger,
  ObjectsError,
  systemClock,
  type TimerHandle,
  timerModel,
} from '@lwm2m/objects'

/** The resources of the IPSO Timer (3340), by name. */
export const TimerResource = {
  DelayDuration: 5521,
  RemainingTime: 5538,
  MinimumOffTime: 5525,
  Trigger: 5523,
  OnOff: 5850,
  DigitalInputCounter: 5501,
  CumulativeTime: 5544,
  DigitalState: 5543,
  Counter: 5534,
  TimerMode: 5526,
  ApplicationType: 5750,
} as const

/** Timer Mode (5526): the patterns of industrial timers the object describes. */
export const TimerMode = {
  /** The timer is off: the output follows the input with no delay. */
  Disabled: 0,
  /** A start turns the output on for Delay Duration; starts while it runs are ignored. */
  OneShot: 1,
  /** On-time (interval): like one-shot, but a start while it runs restarts the interval. */
  Interval: 2,
  /** Time delay on pick-up: the output turns on once the input has been on for Delay Duration. */
  DelayOnPickUp: 3,
  /** Time delay on drop-out: the output follows the input on, and turns off Delay Duration after the input went off. */
  DelayOnDropOut: 4,
} as const

/** One timer (an instance). */
export interface TimerInit {
  readonly id?: number
  /** Delay Duration in seconds (default 10). */
  readonly delay?: number
  /** Timer Mode (default one-shot). */
  readonly mode?: number
  /** Minimum Off-time in seconds: how long a one-shot timer cannot be started again after a cycle (default 0). */
  readonly minimumOffTime?: number
  readonly applicationType?: string
}

export interface TimerObjectOptions {
  /** The timers: a count (ids 0..n-1, defaults) or their settings. Default one timer. */
  readonly timers?: number | readonly TimerInit[]
  /** Called with the instance id and the new output state each time an output changes. */
  readonly onOutput?: (instanceId: number, on: boolean) => void
  readonly clock?: Clock
  readonly logger?: Logger
}

export interface TimerObject extends DefinedObject {
  /** What Trigger (5523) does: a start of the timing operation, as an input pulse. */
  trigger(instanceId: number): void
  /** Sets the input (what a write of On/Off, 5850, does). */
  setInput(instanceId: number, on: boolean): void
  /** The output (Digital State, 5543). */
  output(instanceId: number): boolean
}

interface TimerState {
  input: boolean
  inputSince: number
  cumulative: number
  /** When the running delay ends (ms since the epoch), if one runs. */
  endsAt: number | undefined
  handle: TimerHandle | undefined
  /** No one-shot start before this time (Minimum Off-time). */
  inhibitUntil: number
}

/**
 * The IPSO Timer (3340): Delay Duration, the five Timer Modes, Trigger, the On/Off
 * input, Digital State output, counters of input and output activations, Cumulative
 * Time the input was on and Remaining Time, timed with an injected clock. Writing 0
 * to Counter or Cumulative Time resets them (the object's description).
 */
export function createTimerObject(options: TimerObjectOptions = {}): TimerObject {
  const R = TimerResource
  const clock = options.clock ?? systemClock
  const list: readonly TimerInit[] =
    typeof options.timers === 'number'
      ? Array.from({ length: options.timers }, (): TimerInit => ({}))
      : (options.timers ?? [{}])
  const states = new Map<number, TimerState>()
  const instances = new Map<number, InstanceValues>()
  list.forEach((t, i) => {
    const id = t.id ?? i
    const values: Record<number, number | boolean | string> = {
      [R.DelayDuration]: t.delay ?? 10,
      [R.MinimumOffTime]: t.minimumOffTime ?? 0,
      [R.OnOff]: false,
      [R.DigitalInputCounter]: 0,
      [R.DigitalState]: false,
      [R.Counter]: 0,
      [R.TimerMode]: t.mode ?? TimerMode.OneShot,
    }
    if (t.applicationType !== undefined) values[R.ApplicationType] = t.applicationType
    instances.set(id, values)
    states.set(id, {
      input: false,
      inputSince: clock.now(),
      cumulative: 0,
      endsAt: undefined,
      handle: undefined,
      inhibitUntil: 0,
    })
  })

  const state = (iid: number): TimerState => {
    const s = states.get(iid)
    if (s === undefined) throw new ObjectsError('OBJECTS_INVALID_ARGUMENT', `no timer ${iid}`)
    return s
  }
  const seconds = (iid: number, rid: number) => Number(object.get(iid, rid) ?? 0)
  const mode = (iid: number) => seconds(iid, R.TimerMode)

  const setOutput = (iid: number, on: boolean) => {
    if (object.get(iid, R.DigitalState) === on) return
    object.set(iid, R.DigitalState, on)
    if (on) object.set(iid, R.Counter, seconds(iid, R.Counter) + 1)
    options.onOutput?.(iid, on)
  }
  const stopDelay = (iid: number) => {
    const s = state(iid)
    if (s.handle !== undefined) clock.clearTimeout(s.handle)
    s.handle = undefined
    if (s.endsAt !== undefined) {
      s.endsAt = undefined
      object.changed(iid, R.RemainingTime)
    }
  }
  const startDelay = (iid: number, done: () => void) => {
    stopDelay(iid)
    const s = state(iid)
    const ms = Math.max(0, seconds(iid, R.DelayDuration) * 1000)
    s.endsAt = clock.now() + ms
    s.handle = clock.setTimeout(() => {
      s.handle = undefined
      s.endsAt = undefined
      object.changed(iid, R.RemainingTime)
      done()
    }, ms)
    object.changed(iid, R.RemainingTime)
  }
  const endCycle = (iid: number) => {
    setOutput(iid, false)
    state(iid).inhibitUntil = clock.now() + seconds(iid, R.MinimumOffTime) * 1000
  }

  /** A rising (true) or falling (false) edge of the input: counted, then acted on. */
  const edge = (iid: number, rising: boolean) => {
    const s = state(iid)
    const now = clock.now()
    if (rising) {
      s.inputSince = now
      object.set(iid, R.DigitalInputCounter, seconds(iid, R.DigitalInputCounter) + 1)
    } else {
      s.cumulative += (now - s.inputSince) / 1000
    }
    react(iid, rising)
  }

  /** What the current Timer Mode does on a start (rising) or a release (falling) of the input. */
  const react = (iid: number, rising: boolean) => {
    const s = state(iid)
    const now = clock.now()
    switch (mode(iid)) {
      case TimerMode.Disabled:
        stopDelay(iid)
        setOutput(iid, rising)
        break
      case TimerMode.OneShot:
        if (rising && s.endsAt === undefined && now >= s.inhibitUntil) {
          setOutput(iid, true)
          startDelay(iid, () => endCycle(iid))
        }
        break
      case TimerMode.Interval:
        if (rising) {
          setOutput(iid, true)
          startDelay(iid, () => endCycle(iid))
        }
        break
      case TimerMode.DelayOnPickUp:
        if (rising) startDelay(iid, () => setOutput(iid, s.input))
        else {
          stopDelay(iid)
          setOutput(iid, false)
        }
        break
      case TimerMode.DelayOnDropOut:
        if (rising) {
          stopDelay(iid)
          setOutput(iid, true)
        } else startDelay(iid, () => setOutput(iid, false))
        break
    }
  }

  const setInput = (iid: number, on: boolean) => {
    const s = state(iid)
    if (s.input === on) return
    s.input = on
    edge(iid, on)
  }

  const object = defineObject(timerModel, {
    instances,
    read: {
      [R.RemainingTime]: ({ instanceId }) => {
        const endsAt = state(instanceId).endsAt
        return endsAt === undefined ? 0 : Math.max(0, (endsAt - clock.now()) / 1000)
      },
      [R.CumulativeTime]: ({ instanceId }) => {
        const s = state(instanceId)
        return s.cumulative + (s.input ? (clock.now() - s.inputSince) / 1000 : 0)
      },
    },
    write: {
      [R.OnOff]: (value, { instanceId }) => setInput(instanceId, value === true),
      [R.CumulativeTime]: (value, { instanceId }) => {
        const s = state(instanceId)
        if (typeof value !== 'number' || value < 0)
          return fail('BAD_REQUEST', 'Cumulative Time takes seconds >= 0')
        s.cumulative = value
        s.inputSince = clock.now()
        return undefined
      },
      [R.Counter]: (value) =>
        typeof value === 'number' && value < 0
          ? fail('BAD_REQUEST', 'Counter cannot be negative')
          : undefined,
      [R.DelayDuration]: (value) =>
        typeof value === 'number' && value < 0
          ? fail('BAD_REQUEST', 'Delay Duration cannot be negative')
          : undefined,
      [R.MinimumOffTime]: (value) =>
        typeof value === 'number' && value < 0
          ? fail('BAD_REQUEST', 'Minimum Off-time cannot be negative')
          : undefined,
      [R.TimerMode]: (_value, { instanceId }) => {
        // A new pattern starts from rest: no delay running, the output off.
        stopDelay(instanceId)
        setOutput(instanceId, false)
      },
    },
    execute: {
      [R.Trigger]: (_args, { instanceId }) => {
        timer.trigger(instanceId)
      },
    },
    create: false,
    delete: false,
    close: () => {
      for (const iid of states.keys()) stopDelay(iid)
    },
    ...(options.logger !== undefined ? { logger: options.logger } : {}),
  })

  const timer = object as TimerObject
  timer.setInput = (iid, on) => {
    object.set(iid, R.OnOff, on)
    setInput(iid, on)
  }
  timer.trigger = (iid) => {
    // A pulse of the input: on, then off (for the delay modes, as a momentary contact).
    if (!state(iid).input) {
      setInput(iid, true)
      setInput(iid, false)
    } else react(iid, true)
  }
  timer.output = (iid) => object.get(iid, R.DigitalState) === true
  return timer
}
