import { Lwm2mPath, type ModelLookup } from '@lwm2m/core'
import type { ModelRegistry } from '@lwm2m/objects'
import type { Lwm2mServer, Notification, Registration, Subscription } from '@lwm2m/server'
import type { Output } from '../output/output.js'
import { nodeRows, nodesRows, type ValueRow } from '../render/rows.js'
import type { SensorUnits } from '../render/sensor-units.js'

/** What the server prompt's commands work on. */
export interface ServerContext {
  readonly server: Lwm2mServer
  readonly output: Output
  /** The deadline of each request unless a command gives `--timeout`, ms. */
  readonly timeout: number
  /** The observations started at this prompt, by subscription id. */
  readonly observations: Map<string, Subscription<Notification>>
  /** The units IPSO sensors gave (Sensor Units, 5701), for values whose model has none. */
  readonly units: SensorUnits
  /** Stops the server (the `quit` command). */
  quit(): Promise<void>
  /** The clock, for values such as `now`. */
  now(): number
}

function isModelRegistry(models: ModelLookup): models is ModelRegistry {
  return typeof (models as Partial<ModelRegistry>).forClient === 'function'
}

/** The models of the object versions `reg` announced: names, types and units of its resources. */
export function modelsFor(server: Lwm2mServer, reg: Registration | undefined): ModelLookup {
  const models = server.models
  if (reg === undefined || !isModelRegistry(models)) return models
  return models.forClient(reg.objectLinks.values(), { lwm2mVersion: reg.version })
}

/** Path text of a notification or Send key back to a path, tolerant of what the server gives. */
export function pathOf(text: string): Lwm2mPath {
  return Lwm2mPath.parse(text)
}

/** The value rows of a notification: of its one node (Observe) or of its nodes (Observe-Composite). */
export function notificationRows(n: Notification, models: ModelLookup): ValueRow[] {
  return n.kind === 'observe' ? nodeRows(n.node, n.path, models) : nodesRows(n.nodes, pathOf, models)
}
