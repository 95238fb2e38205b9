import type {
  Lwm2mServer,
  Notification,
  Registration,
  RegistrationUpdate,
  SendEvent,
  ServerEvents,
} from '@lwm2m/server'
import type { Output } from '../output/output.js'
import { objectsText, peerText, registrationJson, updateParamsJson } from '../render/registration.js'
import { formatRows, nodesRows, rowJson, timestampedJson, type ValueRow } from '../render/rows.js'
import type { SensorUnits } from '../render/sensor-units.js'
import { modelsFor, notificationRows, pathOf } from './context.js'

/** One line for one value, the header and rows for several. */
function rowsText(head: string, rows: readonly ValueRow[]): string[] {
  const [only] = rows
  if (rows.length === 1 && only !== undefined) return [`${head} ${formatRows([only], '').join('')}`]
  return [`${head}`, ...formatRows(rows)]
}

/**
 * Prints the server's events as they come: registrations (registered, updated,
 * deregistered, expired), queue mode (awake, sleeping), notifications (the initial one is
 * the `observe` command's result and is not repeated) and Send. Returns the function that
 * stops printing them.
 */
export function printServerEvents(server: Lwm2mServer, output: Output, units: SensorUnits): () => void {
  const registered = (reg: Registration, replaced: Registration | undefined) => {
    units.forget(reg.endpoint)
    output.event(
      {
        type: 'registered',
        endpoint: reg.endpoint,
        replaced: replaced !== undefined,
        registration: registrationJson(reg, modelsFor(server, reg)),
      },
      `registered: ${reg.endpoint} (LwM2M ${reg.version}, ${peerText(reg)}, lifetime ${reg.lifetime} s${reg.queueMode ? ', queue mode' : ''}, objects ${objectsText(reg)})${replaced === undefined ? '' : ' again'}`,
    )
  }
  const updated = (u: RegistrationUpdate) => {
    const params = updateParamsJson(u.params, u.registration.version)
    const changes = Object.entries(params).map(([k, v]) => `${k} ${String(v)}`)
    if (u.objectLinksChanged) changes.push(`objects ${objectsText(u.registration)}`)
    output.event(
      {
        type: 'updated',
        endpoint: u.registration.endpoint,
        params,
        objectLinksChanged: u.objectLinksChanged,
        registration: registrationJson(u.registration, modelsFor(server, u.registration)),
      },
      `updated: ${u.registration.endpoint}${changes.length === 0 ? '' : ` (${changes.join(', ')})`}`,
    )
  }
  const deregistered = (reg: Registration) => {
    units.forget(reg.endpoint)
    output.event({ type: 'deregistered', endpoint: reg.endpoint }, `deregistered: ${reg.endpoint}`)
  }
  const expired = (reg: Registration) => {
    units.forget(reg.endpoint)
    output.event(
      { type: 'expired', endpoint: reg.endpoint },
      `expired: ${reg.endpoint} (no Update within its lifetime of ${reg.lifetime} s)`,
    )
  }
  const awake = (reg: Registration) =>
    output.event({ type: 'awake', endpoint: reg.endpoint }, `${reg.endpoint} is awake (queue mode)`)
  const sleeping = (reg: Registration) =>
    output.event(
      { type: 'sleeping', endpoint: reg.endpoint },
      `${reg.endpoint} is asleep (queue mode): requests wait until it wakes up`,
    )
  const notification = (n: Notification) => {
    if (n.initial) return
    void server.getRegistration(n.endpoint).then((reg) => {
      const models = modelsFor(server, reg)
      const rows = units.apply(n.endpoint, notificationRows(n, models))
      const paths = n.kind === 'observe' ? [n.path.toString()] : n.paths.map(String)
      output.event(
        {
          type: 'notification',
          endpoint: n.endpoint,
          observation: n.subscription,
          paths,
          values: rows.map(rowJson),
          ...(n.timestamped === undefined
            ? {}
            : {
                timestamped: timestampedJson(n.timestamped, pathOf, models, (r) =>
                  units.apply(n.endpoint, r),
                ),
              }),
        },
        () => rowsText(`notification ${n.endpoint}:`, rows),
      )
    })
  }
  const send = (e: SendEvent) => {
    const models = modelsFor(server, e.registration)
    const rows = units.apply(
      e.endpoint,
      e.data.flatMap((g) => nodesRows(g.nodes, pathOf, models)),
    )
    output.event(
      {
        type: 'send',
        endpoint: e.endpoint,
        values: rows.map(rowJson),
        data: timestampedJson(e.data, pathOf, models, (r) => units.apply(e.endpoint, r)),
      },
      () => rowsText(`send from ${e.endpoint}:`, rows),
    )
  }
  const listeners: { readonly [E in keyof ServerEvents]: (...args: ServerEvents[E]) => void } = {
    registered,
    updated,
    deregistered,
    expired,
    awake,
    sleeping,
    notification,
    send,
  }
  const names = Object.keys(listeners) as (keyof ServerEvents)[]
  for (const name of names) server.on(name, listeners[name] as (...args: unknown[]) => void)
  return () => {
    for (const name of names) server.off(name, listeners[name] as (...args: unknown[]) => void)
  }
}
