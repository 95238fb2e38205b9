import type { Lwm2mClient } from '@lwm2m/client'
import { Lwm2mPath, type ModelLookup, type ObjectModel } from '@lwm2m/core'
import { type ObjectImplementation, SECURITY_SECRET_RESOURCES } from '@lwm2m/objects'
import { toNode } from '@lwm2m/server'
import { type CommandResult, type CommandSpec, CommandTable } from '../console/command.js'
import { helpCommand, quitCommand } from '../console/common-commands.js'
import { CliError } from '../errors.js'
import type { Output } from '../output/output.js'
import { formatRows, nodeRows, rowJson, type ValueRow } from '../render/rows.js'
import { SENSOR_UNITS, SensorUnits } from '../render/sensor-units.js'
import { formatValueWithUnit } from '../render/value.js'
import { parseInstanceValues, parsePath, parseResourceValue } from '../values/assignments.js'
import type { SimulatedDevice } from './device.js'

/** What the client prompt's commands work on. */
export interface ClientContext {
  readonly client: Lwm2mClient
  readonly device: SimulatedDevice
  readonly output: Output
  /** How long `send` and `update` wait for a registration still in progress, ms. */
  readonly timeout: number
  /** De-registers and stops (the `quit` command). */
  quit(): Promise<void>
  now(): number
}

/** Every object the client hosts, in id order. */
function hosted(ctx: ClientContext): ObjectImplementation[] {
  const out: ObjectImplementation[] = []
  for (const id of [0, 1, 2, 3, 4, 5, 6, 7, ...ctx.device.objects.map((o) => o.model.id)]) {
    const o = ctx.client.object(id)
    if (o !== undefined && !out.includes(o)) out.push(o)
  }
  return out.sort((a, b) => a.model.id - b.model.id)
}

/** The models of the objects the client hosts. */
function modelsOf(ctx: ClientContext): ModelLookup {
  return { getObjectModel: (id) => ctx.client.object(id)?.model }
}

function describeObject(model: ObjectModel): string {
  return `/${model.id} ${model.name} ${model.version}`
}

async function readRows(
  object: ObjectImplementation,
  path: Lwm2mPath,
  models: ModelLookup,
): Promise<ValueRow[]> {
  const r = await object.read(path, { origin: 'internal' })
  if (!r.ok)
    throw new CliError(r.code === 'NOT_FOUND' ? 'CLI_NOT_FOUND' : 'CLI_INVALID_PATH', `${path}: ${r.message}`)
  const rows = nodeRows(r.value, path, models)
  // The keys of the Security object never print.
  if (object.model.id === 0) {
    return rows.filter((row) => !SECURITY_SECRET_RESOURCES.includes(Number(row.path.split('/')[3])))
  }
  if (!object.model.resources.has(SENSOR_UNITS)) return rows
  // IPSO values carry their unit in the instance's Sensor Units (5701).
  const units = new SensorUnits()
  for (const iid of new Set(rows.map((row) => Number(row.path.split('/')[2])))) {
    const u = await object.read(Lwm2mPath.of(object.model.id, iid, SENSOR_UNITS), { origin: 'internal' })
    if (u.ok && u.value.kind === 'resource' && typeof u.value.value === 'string') {
      units.learn('', `/${object.model.id}/${iid}`, u.value.value)
    }
  }
  return units.apply('', rows)
}

const list: CommandSpec<ClientContext> = {
  name: 'list',
  aliases: ['ls'],
  args: '[path]',
  summary: 'list the objects, instances and values of the device (or those under a path)',
  minArgs: 0,
  maxArgs: 1,
  async run(ctx, call) {
    const models = modelsOf(ctx)
    const at = call.args[0] === undefined ? undefined : parsePath(call.args[0])
    if (at?.isRoot() === true)
      throw new CliError('CLI_INVALID_PATH', 'give an object, instance or resource path, or none')
    const objects = at === undefined ? hosted(ctx) : [ctx.client.object(at.objectId!) ?? notHosted(at)]
    const value: unknown[] = []
    const text: string[] = []
    for (const object of objects) {
      const path = at ?? Lwm2mPath.of(object.model.id)
      const rows = await readRows(object, path, models)
      value.push({
        id: object.model.id,
        name: object.model.name,
        version: object.model.version,
        instances: object.instances(),
        values: rows.map(rowJson),
      })
      text.push(describeObject(object.model), ...formatRows(rows))
    }
    return { value: { objects: value }, text }
  },
}

function notHosted(path: Lwm2mPath): never {
  throw new CliError('CLI_NOT_FOUND', `the device has no object ${path.objectId} (list shows what it has)`)
}

const change: CommandSpec<ClientContext> = {
  name: 'change',
  aliases: ['set'],
  args: '<path> <value...>',
  summary: 'change a value on the device, as its sensors or its user would (observers are told)',
  help: [
    'examples: change /3303/0/5700 30.5    change /3/0/9 42    change /6/0 0=43.6 1=3.9',
    "Values are read by the resource type, as the server prompt's write reads them.",
  ],
  minArgs: 2,
  async run(ctx, call) {
    const models = modelsOf(ctx)
    const path = parsePath(call.args[0]!)
    const words = call.args.slice(1)
    const object = ctx.client.object(path.objectId ?? -1) ?? notHosted(path)
    let value: ReturnType<typeof parseResourceValue> | ReturnType<typeof parseInstanceValues>
    if (path.isInstance())
      value = parseInstanceValues(path.objectId!, path.instanceId!, words, models, ctx.now)
    else if (path.isResource() || path.isResourceInstance())
      value = parseResourceValue(path, words, models, ctx.now)
    else
      throw new CliError(
        'CLI_INVALID_PATH',
        `change takes an instance, a resource or a resource instance, not ${path}`,
      )
    const temperature = ctx.device.temperature
    if (
      object === temperature &&
      path.isResource() &&
      path.resourceId === 5700 &&
      typeof value === 'number'
    ) {
      // A measurement: min and max follow, as they do for the random walk.
      if (!temperature.hasInstance(path.instanceId!)) notHosted(path)
      temperature.record(path.instanceId!, value)
    } else {
      const node = toNode(path, value, models)
      const r = await object.write(path, node, path.isInstance() ? 'partialUpdate' : 'replace', {
        origin: 'internal',
      })
      if (!r.ok) {
        const message = r.message.includes(path.toString()) ? r.message : `${path}: ${r.message}`
        throw new CliError(r.code === 'NOT_FOUND' ? 'CLI_NOT_FOUND' : 'CLI_INVALID_VALUE', message)
      }
    }
    const rows = await readRows(object, path, models)
    const [only] = rows
    return {
      value: { path: path.toString(), values: rows.map(rowJson) },
      text:
        rows.length === 1 && only !== undefined
          ? [`changed ${path} to ${formatValueWithUnit(only.value, only.unit)}`]
          : [`changed ${path}:`, ...formatRows(rows)],
    }
  },
}

function statusJson(ctx: ClientContext): unknown[] {
  return ctx.client.servers().map((s) => ({
    shortServerId: s.shortServerId,
    serverUri: s.serverUri,
    state: s.state,
    location: s.location === undefined ? null : `/${s.location.join('/')}`,
    lifetime: s.lifetime ?? null,
    queueMode: s.queueMode,
    awake: s.awake,
    reachable: s.reachable,
    nextUpdateAt: s.nextUpdateAt === undefined ? null : new Date(s.nextUpdateAt).toISOString(),
  }))
}

function statusText(ctx: ClientContext): string[] {
  const servers = ctx.client.servers()
  if (servers.length === 0) return ['no server account']
  return servers.map((s) => {
    const where = s.location === undefined ? '' : ` at /${s.location.join('/')}`
    const next = s.nextUpdateAt === undefined ? '' : `, next Update ${new Date(s.nextUpdateAt).toISOString()}`
    const queue = s.queueMode ? (s.awake ? ', queue mode, awake' : ', queue mode, asleep') : ''
    return `${s.serverUri}: ${s.state}${where}${s.lifetime === undefined ? '' : `, lifetime ${s.lifetime} s`}${queue}${next}`
  })
}

const status: CommandSpec<ClientContext> = {
  name: 'status',
  args: '',
  summary: 'show the registration with each server',
  minArgs: 0,
  maxArgs: 0,
  async run(ctx) {
    return { value: { servers: statusJson(ctx) }, text: statusText(ctx) }
  },
}

/**
 * Waits (at most the timeout) for a registration that is being made, so that a script's
 * `send` right after start goes once the client is registered. Returns at once when one is.
 */
async function registered(ctx: ClientContext, signal: AbortSignal): Promise<void> {
  const servers = ctx.client.servers()
  if (servers.some((s) => s.state === 'registered')) return
  if (!servers.some((s) => s.state === 'registering' || s.state === 'waiting' || s.state === 'idle')) return
  let timer: NodeJS.Timeout | undefined
  let onAbort: (() => void) | undefined
  try {
    await Promise.race([
      ctx.client.once('registered'),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, ctx.timeout)
        onAbort = resolve
        signal.addEventListener('abort', onAbort, { once: true })
      }),
    ])
  } finally {
    clearTimeout(timer)
    if (onAbort !== undefined) signal.removeEventListener('abort', onAbort)
  }
}

const update: CommandSpec<ClientContext> = {
  name: 'update',
  args: '',
  summary: 'send a registration Update now',
  minArgs: 0,
  maxArgs: 0,
  async run(ctx, call) {
    await registered(ctx, call.signal)
    await ctx.client.update()
    return { value: { servers: statusJson(ctx) }, text: ['Update sent', ...statusText(ctx)] }
  },
}

const send: CommandSpec<ClientContext> = {
  name: 'send',
  args: '<path...>',
  summary: 'send the current values of paths to the server (Send, LwM2M 1.1+)',
  help: ['example: send /3303/0/5700 /3/0/9'],
  minArgs: 1,
  async run(ctx, call): Promise<CommandResult> {
    const paths = call.args.map(parsePath)
    await registered(ctx, call.signal)
    await ctx.client.send(paths)
    return { value: { paths: paths.map(String) }, text: [`sent ${paths.join(' ')}`] }
  },
}

/** The commands of the client prompt. */
export function clientCommands(): CommandTable<ClientContext> {
  const table: CommandTable<ClientContext> = new CommandTable<ClientContext>([
    list,
    change,
    status,
    update,
    send,
    helpCommand(() => table),
    quitCommand('de-register and leave', (ctx) => ctx.quit()),
  ])
  return table
}
