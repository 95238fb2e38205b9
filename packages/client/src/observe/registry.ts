import type { ResponseInit, ServerObservation } from '@lwm2m/coap'
import type { ResourceValue } from '@lwm2m/core'
import {
  buildResponse,
  changeConditionMet,
  effectivePmax,
  errorResponse,
  evaluateNotification,
  type Lwm2mNode,
  type Lwm2mPath,
  type NotificationAttributes,
  type ObservedValue,
  type ServerAttributeDefaults,
} from '@lwm2m/core'
import { failureCoapCode, type Result, valuesEqual } from '@lwm2m/objects'
import type { ClientContext } from '../client/context.js'
import type { TreeEvent } from '../client/object-tree.js'
import { Timer } from '../time/timer.js'
import { Observation, type ObservationKind } from './observation.js'

/** What the observations need from the rest of the client. */
export interface ObservationHost {
  /** Reads `path` for server `ssid` as a Read would (access control included). */
  read(ssid: number, path: Lwm2mPath): Promise<Result<Lwm2mNode>>
  /** Reads `paths` for server `ssid` as a Read-Composite would (what cannot be read is left out). */
  readComposite(ssid: number, paths: readonly Lwm2mPath[]): Promise<Map<string, Lwm2mNode>>
  /** The server's defaults: /1/x/2, /1/x/3 and /1/x/26 (true: CON). */
  defaults(ssid: number): ServerAttributeDefaults & { readonly confirmable?: boolean | undefined }
  /** Hands a notification to the server's connection (sent, stored or dropped there). */
  deliver(observation: Observation, response: ResponseInit, confirmable: boolean): void
}

/** A new observation, as the dispatcher describes it once the Observe was answered. */
export interface ObservationInit {
  readonly shortServerId: number
  readonly kind: ObservationKind
  readonly paths: readonly Lwm2mPath[]
  readonly format: number
  readonly requestFormat?: number
  readonly attributes?: NotificationAttributes | undefined
  readonly relation: ServerObservation
  /** What the answer carried. */
  readonly nodes: ReadonlyMap<string, Lwm2mNode>
}

const SINGLE_KINDS = new Set(['resource', 'resourceInstance'])

/** The single values of an answer, by path text, for comparing the next one. */
function valuesOf(nodes: ReadonlyMap<string, Lwm2mNode>): Map<string, ObservedValue> {
  const out = new Map<string, ObservedValue>()
  for (const [key, node] of nodes) {
    if (node.kind === 'resource' || node.kind === 'resourceInstance') out.set(key, node.value)
  }
  return out
}

function same(a: ObservedValue, b: ObservedValue): boolean {
  if (a === undefined || b === undefined) return a === b
  return valuesEqual(a as ResourceValue, b as ResourceValue)
}

/**
 * Every observation of the client, indexed by object, driven by the objects' change events
 * and by one timer each in the client's deadline queue (pmin, pmax, epmin, epmax). Each
 * evaluation reads the current state and asks core's `evaluateNotification` (Core TS 1.2
 * section 7.3.2): notify now, or when to look again.
 */
export class ObserverRegistry {
  readonly #all = new Set<Observation>()
  readonly #byObject = new Map<number, Set<Observation>>()
  /** Observe-Composite of the root path: every change concerns them. */
  readonly #root = new Set<Observation>()
  readonly #dirty = new Set<Observation>()
  #flushScheduled = false

  constructor(
    private readonly ctx: ClientContext,
    private readonly host: ObservationHost,
  ) {}

  get size(): number {
    return this.#all.size
  }

  /** The observations of one server (all when `ssid` is undefined). */
  list(ssid?: number): Observation[] {
    return [...this.#all].filter((o) => ssid === undefined || o.shortServerId === ssid)
  }

  /** Records an observation whose answer is about to go out; call {@link activate} once it went. */
  create(init: ObservationInit): Observation {
    const obs = new Observation(
      init.shortServerId,
      init.kind,
      init.paths,
      init.format,
      init.requestFormat ?? init.format,
      init.attributes,
      init.relation,
      this.ctx.clock.now(),
      valuesOf(init.nodes),
    )
    obs.timer = new Timer(this.ctx.scheduler, () => void this.evaluate(obs))
    this.#all.add(obs)
    for (const p of obs.paths) {
      if (p.isRoot()) this.#root.add(obs)
      else {
        let set = this.#byObject.get(p.objectId!)
        if (set === undefined) this.#byObject.set(p.objectId!, (set = new Set()))
        set.add(obs)
      }
    }
    const relation = init.relation
    const onEnd = (): void => this.#remove(obs, String((relation.signal.reason as Error)?.message ?? 'ended'))
    if (relation.signal.aborted) queueMicrotask(onEnd)
    else relation.signal.addEventListener('abort', onEnd, { once: true })
    this.ctx.emitter.emit('observationStarted', { shortServerId: obs.shortServerId, paths: obs.pathTexts })
    return obs
  }

  /** The Observe answer went out: from now on the criteria run. */
  activate(obs: Observation): void {
    if (obs.ended) return
    obs.ready = true
    this.#schedule(obs, this.ctx.clock.now())
    if (obs.changed.size > 0) this.#markDirty(obs)
  }

  #remove(obs: Observation, reason: string): void {
    if (obs.ended) return
    obs.ended = true
    obs.timer?.cancel()
    this.#all.delete(obs)
    this.#root.delete(obs)
    this.#dirty.delete(obs)
    for (const p of obs.paths) {
      if (p.isRoot()) continue
      const set = this.#byObject.get(p.objectId!)
      set?.delete(obs)
      if (set?.size === 0) this.#byObject.delete(p.objectId!)
    }
    this.ctx.emitter.emit('observationEnded', {
      shortServerId: obs.shortServerId,
      paths: obs.pathTexts,
      reason,
    })
  }

  /**
   * Ends every observation of server `ssid` without a final notification: the server
   * registered anew, was disabled or removed, or the client stops (the server forgets
   * its observations on a new registration and must observe again).
   */
  endServer(ssid: number): void {
    for (const obs of this.list(ssid)) {
      obs.relation.end()
      this.#remove(obs, 'registration ended')
    }
  }

  endAll(): void {
    for (const obs of [...this.#all]) {
      obs.relation.end()
      this.#remove(obs, 'client stopped')
    }
  }

  /** A change in the objects: the observations it concerns evaluate their criteria soon. */
  onTreeEvent(event: TreeEvent): void {
    if (this.#all.size === 0) return
    if (!('path' in event)) {
      for (const obs of [...(this.#byObject.get(event.objectId) ?? []), ...this.#root]) {
        for (const p of obs.paths) if (p.isRoot() || p.objectId === event.objectId) obs.changed.add(String(p))
        this.#markDirty(obs)
      }
      return
    }
    const path = event.path
    const candidates = this.#byObject.get(path.objectId!)
    const visit = (obs: Observation): void => {
      let hit = false
      for (const p of obs.paths) {
        if (p.isPrefixOf(path) || path.isPrefixOf(p)) {
          obs.changed.add(String(p))
          hit = true
        }
      }
      if (hit) this.#markDirty(obs)
    }
    if (candidates !== undefined) for (const obs of candidates) visit(obs)
    for (const obs of this.#root) visit(obs)
  }

  /** Attributes changed at `path` for `ssid`: the observations below or above it re-plan now. */
  attributesChanged(ssid: number, path: Lwm2mPath): void {
    for (const obs of this.list(ssid)) {
      if (obs.paths.some((p) => p.isPrefixOf(path) || path.isPrefixOf(p))) this.#markDirty(obs)
    }
  }

  /** Every observation of `ssid` evaluates again (the server's defaults changed). */
  reevaluate(ssid: number): void {
    for (const obs of this.list(ssid)) this.#markDirty(obs)
  }

  #markDirty(obs: Observation): void {
    if (!obs.ready || obs.ended) return
    this.#dirty.add(obs)
    if (this.#flushScheduled) return
    this.#flushScheduled = true
    // Changes are events, not time: they are evaluated in the next turn of the event loop,
    // all the changes of one turn together.
    setImmediate(() => {
      this.#flushScheduled = false
      const batch = [...this.#dirty]
      this.#dirty.clear()
      for (const o of batch) void this.evaluate(o)
    })
  }

  #schedule(obs: Observation, now: number): void {
    const next = this.#nextCheck(obs, now)
    if (next === undefined) obs.timer?.cancel()
    else obs.timer?.at(next)
  }

  /** The effective attributes of an observation for its server (Core TS 1.2 section 7.3). */
  attributesOf(obs: Observation): { combined: NotificationAttributes; perPath: NotificationAttributes[] } {
    const defaults = this.host.defaults(obs.shortServerId)
    const d: ServerAttributeDefaults = {
      ...(defaults.defaultPmin === undefined ? {} : { defaultPmin: defaults.defaultPmin }),
      ...(defaults.defaultPmax === undefined ? {} : { defaultPmax: defaults.defaultPmax }),
    }
    const perPath = obs.paths.map((p) =>
      p.isRoot()
        ? { pmin: d.defaultPmin ?? 0, ...(d.defaultPmax === undefined ? {} : { pmax: d.defaultPmax }) }
        : this.ctx.attributes.effective(obs.shortServerId, p, d),
    )
    let combined: NotificationAttributes
    if (obs.kind === 'single') combined = perPath[0]!
    else {
      // Observe-Composite: one notification for all paths, within the tightest window:
      // the largest pmin and epmin, the smallest active pmax and epmax.
      const out: Record<string, number> = {}
      const max = (name: 'pmin' | 'epmin', v: number | undefined) => {
        if (v !== undefined) out[name] = Math.max(out[name] ?? 0, v)
      }
      const min = (name: 'pmax' | 'epmax', v: number | undefined) => {
        if (v !== undefined && v > 0) out[name] = Math.min(out[name] ?? Number.POSITIVE_INFINITY, v)
      }
      for (const a of perPath) {
        max('pmin', a.pmin)
        min('pmax', effectivePmax(a))
        max('epmin', a.epmin)
        min('epmax', a.epmax)
        if (a.con !== undefined && out.con === undefined) out.con = a.con
      }
      combined = out as NotificationAttributes
    }
    if (obs.requestAttributes !== undefined) combined = { ...combined, ...obs.requestAttributes }
    return { combined, perPath }
  }

  #nextCheck(obs: Observation, now: number): number | undefined {
    let { combined } = this.attributesOf(obs)
    // epmin only delays the evaluation of a change the client knows of; without one, a
    // value that changes silently (a getter) is evaluated at epmax, not every epmin.
    if (obs.changed.size === 0 && !obs.pending) combined = withoutEpmin(combined)
    const d = evaluateNotification({
      attributes: obs.kind === 'single' ? combined : withoutConditions(combined),
      now,
      lastNotifiedAt: obs.lastNotifiedAt,
      changed: false,
      pending: obs.pending,
      lastEvaluatedAt: obs.lastEvaluatedAt,
    })
    return d.notify ? now : d.nextCheckAt
  }

  /** Evaluates the criteria now (serialised per observation). */
  async evaluate(obs: Observation): Promise<void> {
    if (obs.ended || !obs.ready) return
    if (obs.running) {
      obs.again = true
      return
    }
    obs.running = true
    try {
      do {
        obs.again = false
        await this.#evaluateOnce(obs)
      } while (obs.again && !obs.ended)
    } catch (error) {
      this.ctx.emitter.emit('error', {
        error,
        context: `evaluating the observation of ${obs.pathTexts.join(', ')}`,
        shortServerId: obs.shortServerId,
      })
    } finally {
      obs.running = false
    }
  }

  async #evaluateOnce(obs: Observation): Promise<void> {
    const changedPaths = new Set(obs.changed)
    let nodes: Map<string, Lwm2mNode>
    if (obs.kind === 'single') {
      const read = await this.host.read(obs.shortServerId, obs.paths[0]!)
      if (obs.ended) return
      if (!read.ok) {
        // RFC 7641 section 4.2 / Core TS: the observed node is gone or no longer readable:
        // an error notification ends the observation.
        this.host.deliver(
          obs,
          { code: failureCoapCode(read.code), payload: read.message.slice(0, 128) },
          true,
        )
        return
      }
      nodes = new Map([[String(obs.paths[0]), read.value]])
    } else {
      nodes = await this.host.readComposite(obs.shortServerId, obs.paths)
      if (obs.ended) return
    }
    const now = this.ctx.clock.now()
    const { combined, perPath } = this.attributesOf(obs)
    const current = valuesOf(nodes)
    let decisionAttributes = combined
    let lastValue: ObservedValue
    let currentValue: ObservedValue
    let changed: boolean
    const single = obs.kind === 'single' ? nodes.get(String(obs.paths[0])) : undefined
    if (single !== undefined && SINGLE_KINDS.has(single.kind)) {
      const key = String(obs.paths[0])
      lastValue = obs.lastValues.get(key)
      currentValue = current.get(key)
      changed = !same(lastValue, currentValue)
    } else if (obs.kind === 'single') {
      changed = changedPaths.size > 0
    } else {
      // Observe-Composite: any path whose own change conditions are met.
      decisionAttributes = withoutConditions(combined)
      changed = obs.paths.some((p, i) => {
        const key = String(p)
        const node = nodes.get(key)
        const before = obs.lastValues.get(key)
        if (node !== undefined && SINGLE_KINDS.has(node.kind)) {
          const value = current.get(key)
          return changeConditionMet(perPath[i]!, before, value, !same(before, value))
        }
        return changedPaths.has(key)
      })
    }
    const decision = evaluateNotification({
      attributes: decisionAttributes,
      now,
      lastNotifiedAt: obs.lastNotifiedAt,
      lastNotifiedValue: lastValue,
      currentValue,
      changed,
      pending: obs.pending,
      lastEvaluatedAt: obs.lastEvaluatedAt,
    })
    if (decision.notify) {
      const response = this.#encode(obs, nodes)
      const defaults = this.host.defaults(obs.shortServerId)
      const confirmable =
        decision.confirmable ?? defaults.confirmable ?? this.ctx.options.confirmableByDefault
      obs.lastNotifiedAt = now
      obs.lastEvaluatedAt = now
      obs.lastValues = current
      obs.pending = false
      for (const k of changedPaths) obs.changed.delete(k)
      this.host.deliver(obs, response, confirmable)
    } else {
      obs.pending = decision.pending
      if (decision.evaluated) {
        obs.lastEvaluatedAt = now
        if (!decision.pending) for (const k of changedPaths) obs.changed.delete(k)
      }
    }
    if (!obs.ended) this.#schedule(obs, now)
  }

  #encode(obs: Observation, nodes: Map<string, Lwm2mNode>): ResponseInit {
    try {
      if (obs.kind === 'single') {
        const path = obs.paths[0]!
        return buildResponse(
          { kind: 'observe', path, accept: obs.format },
          { node: nodes.get(String(path))! },
          this.ctx.operations,
        )
      }
      return buildResponse(
        { kind: 'observeComposite', paths: obs.paths, contentFormat: obs.requestFormat, accept: obs.format },
        { nodes },
        this.ctx.operations,
      )
    } catch (error) {
      return errorResponse(error)
    }
  }
}

function withoutEpmin(a: NotificationAttributes): NotificationAttributes {
  const { epmin: _epmin, ...rest } = a
  return rest
}

/** The attributes without the change value conditions, which a composite evaluates per path. */
function withoutConditions(a: NotificationAttributes): NotificationAttributes {
  const { gt: _gt, lt: _lt, st: _st, edge: _edge, ...rest } = a
  return rest
}
