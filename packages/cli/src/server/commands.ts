import { formatCode } from '@lwm2m/coap'
import {
  type AttributeChanges,
  type Lwm2mPath,
  type ModelLookup,
  type NotificationAttributes,
  parseAttributeQuery,
  responseStatus,
} from '@lwm2m/core'
import {
  type CompositeNotification,
  type NodeNotification,
  type Notification,
  type Registration,
  ServerError,
  type Subscription,
} from '@lwm2m/server'
import {
  type CommandCall,
  type CommandResult,
  type CommandSpec,
  CommandTable,
  type OptionSpec,
} from '../console/command.js'
import { helpCommand, quitCommand } from '../console/common-commands.js'
import { CliError } from '../errors.js'
import { annotateError } from '../output/errors.js'
import { registrationDetails, registrationJson, registrationLine } from '../render/registration.js'
import { formatRows, nodeRows, nodesRows, rowJson } from '../render/rows.js'
import { isMeasuredValue, SENSOR_UNITS } from '../render/sensor-units.js'
import {
  parseCompositeValues,
  parseInstanceValues,
  parsePath,
  parseResourceValue,
} from '../values/assignments.js'
import { formatDuration, parseDuration } from '../values/duration.js'
import { parseExecuteWords } from '../values/execute-arguments.js'
import { formatName, parseFormat } from '../values/formats.js'
import { modelsFor, notificationRows, pathOf, type ServerContext } from './context.js'

const TIMEOUT: Readonly<Record<string, OptionSpec>> = {
  timeout: {
    value: true,
    placeholder: 'T',
    description: 'how long to wait for the answer: 10s, 500ms, 2m (default: the --timeout of lwm2m server)',
  },
}
const FORMAT: OptionSpec = {
  value: true,
  placeholder: 'F',
  description: 'content format: tlv, senml-cbor, senml-json, lwm2m-cbor, json, text, opaque, or a number',
}

/** "2.05 Content" */
export function codeText(code: number): string {
  const words = responseStatus(code)
    .toLowerCase()
    .split('_')
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join(' ')
  return `${formatCode(code)} ${words}`
}

function formatOf(call: CommandCall, name = 'format'): number | undefined {
  const text = call.options.get(name)
  return typeof text === 'string' ? parseFormat(text) : undefined
}

function timeoutOf(ctx: ServerContext, call: CommandCall): number {
  const text = call.options.get('timeout')
  return typeof text === 'string' ? parseDuration(text, '--timeout') : ctx.timeout
}

async function registrationOf(ctx: ServerContext, endpoint: string): Promise<Registration> {
  const reg = await ctx.server.getRegistration(endpoint)
  if (reg === undefined) {
    throw new ServerError('UNKNOWN_ENDPOINT', `${endpoint} is not registered`, { endpoint })
  }
  return reg
}

/**
 * Runs one operation on `endpoint` with the call's timeout and signal; tells first when the
 * client sleeps (queue mode) so that the request waits, and says so if it then fails.
 */
async function perform<T>(
  ctx: ServerContext,
  call: CommandCall,
  endpoint: string,
  op: (options: { readonly timeout: number; readonly signal: AbortSignal }) => Promise<T>,
): Promise<T> {
  const timeout = timeoutOf(ctx, call)
  const queued = ctx.server.isAwake(endpoint) === false
  if (queued) {
    ctx.output.event(
      { type: 'queued', id: call.id, endpoint, timeout },
      `${endpoint} is asleep (queue mode): the request waits until it wakes up (at most ${formatDuration(timeout)})`,
    )
  }
  try {
    return await op({ timeout, signal: call.signal })
  } catch (err) {
    throw annotateError(err, { endpoint, queued, timeout })
  }
}

interface Target {
  readonly endpoint: string
  readonly path: Lwm2mPath
  readonly reg: Registration
  readonly models: ModelLookup
}

async function target(ctx: ServerContext, call: CommandCall): Promise<Target> {
  const [endpoint, pathText] = call.args as [string, string]
  const path = parsePath(pathText)
  const reg = await registrationOf(ctx, endpoint)
  return { endpoint, path, reg, models: modelsFor(ctx.server, reg) }
}

function withFormat<T extends object>(options: T, format: number | undefined): T & { format?: number } {
  return format === undefined ? options : { ...options, format }
}

function done(endpoint: string, path: string, code: number, verb: string): CommandResult {
  return {
    value: { endpoint, path, code: formatCode(code) },
    text: [`${verb} ${path} on ${endpoint} (${codeText(code)})`],
  }
}

function samePaths(a: readonly Lwm2mPath[], b: readonly Lwm2mPath[]): boolean {
  const set = new Set(a.map(String))
  return a.length === b.length && b.every((p) => set.has(p.toString()))
}

/**
 * Before observing IPSO sensor values whose model has no unit, reads the sensor's own Sensor
 * Units (5701) once, so that the notifications print with their unit. Best effort: a failure
 * (or a sleeping client) only leaves the unit out.
 */
async function learnSensorUnits(
  ctx: ServerContext,
  endpoint: string,
  paths: readonly Lwm2mPath[],
  models: ModelLookup,
): Promise<void> {
  if (ctx.server.isAwake(endpoint) === false) return
  for (const p of paths) {
    if (!p.isResource()) continue
    const model = models.getObjectModel(p.objectId!)
    const hasUnits = model?.resources.get(SENSOR_UNITS) !== undefined
    const instance = `/${p.objectId}/${p.instanceId}`
    if (!isMeasuredValue(p.objectId!, p.resourceId!, hasUnits) || model?.resources.get(p.resourceId!)?.units)
      continue
    if (ctx.units.knows(endpoint, instance)) continue
    try {
      const r = await ctx.server.read(endpoint, `${instance}/${SENSOR_UNITS}`, {
        timeout: Math.min(ctx.timeout, 5000),
      })
      if (r.node.kind === 'resource' && typeof r.node.value === 'string' && r.node.value !== '') {
        ctx.units.learn(endpoint, instance, r.node.value)
      }
    } catch {
      // No unit then.
    }
  }
}

const list: CommandSpec<ServerContext> = {
  name: 'list',
  aliases: ['ls'],
  args: '[endpoint]',
  summary: 'list the registered clients, or the objects and observations of one',
  minArgs: 0,
  maxArgs: 1,
  async run(ctx, call) {
    const endpoint = call.args[0]
    if (endpoint === undefined) {
      const regs: Registration[] = []
      for await (const reg of ctx.server.registrations()) regs.push(reg)
      regs.sort((a, b) => a.endpoint.localeCompare(b.endpoint))
      return {
        value: { registrations: regs.map((r) => registrationJson(r, modelsFor(ctx.server, r))) },
        text:
          regs.length === 0
            ? ['no client is registered']
            : regs.map((r) => registrationLine(r, ctx.server.isAwake(r.endpoint) === false)),
      }
    }
    const reg = await registrationOf(ctx, endpoint)
    const models = modelsFor(ctx.server, reg)
    const observations = [...ctx.observations.values()].filter((s) => s.endpoint === endpoint)
    const text = registrationDetails(reg, models)
    const awake = ctx.server.isAwake(endpoint)
    if (awake !== undefined) {
      const queued = ctx.server.queuedRequests(endpoint)
      text.push(`  ${awake ? 'awake' : 'asleep'}, ${queued} request${queued === 1 ? '' : 's'} waiting`)
    }
    for (const s of observations) text.push(`  observing ${s.paths.join(' ')} (observation ${s.id})`)
    return {
      value: {
        registration: registrationJson(reg, models),
        awake: awake ?? null,
        observations: observations.map((s) => ({ observation: s.id, paths: s.paths.map(String) })),
      },
      text,
    }
  },
}

const read: CommandSpec<ServerContext> = {
  name: 'read',
  args: '<endpoint> <path>',
  summary: 'read an object, instance, resource or resource instance',
  help: ['examples: read ep1 /3/0    read ep1 /3303/0/5700 --format text'],
  options: { format: FORMAT, ...TIMEOUT },
  minArgs: 2,
  maxArgs: 2,
  async run(ctx, call) {
    const t = await target(ctx, call)
    const format = formatOf(call)
    const r = await perform(ctx, call, t.endpoint, (o) =>
      ctx.server.read(t.endpoint, t.path, withFormat(o, format)),
    )
    const rows = ctx.units.apply(t.endpoint, nodeRows(r.node, t.path, t.models))
    return {
      value: {
        endpoint: t.endpoint,
        path: t.path.toString(),
        code: formatCode(r.code),
        format: formatName(r.contentFormat),
        values: rows.map(rowJson),
      },
      text: formatRows(rows),
    }
  },
}

const write: CommandSpec<ServerContext> = {
  name: 'write',
  args: '<endpoint> <path> <value...>',
  summary: 'write a resource (one value), a multiple resource (several) or an instance (rid=value...)',
  help: [
    'A resource takes one value: write ep1 /3/0/14 +02:00',
    'A multiple-instance resource takes its values (instances 0, 1, ...) or ri=value words:',
    '  write ep1 /3/0/7 3800 5000      write ep1 /3/0/7/1 5000',
    'An instance takes rid=value words (rid/ri=value for one instance of a multiple resource):',
    '  write ep1 /3303/0 5750=kitchen 5701=Cel --partial',
    "Values are read by the resource type of the client's model: numbers, true/false,",
    'time as seconds, an ISO date or now, opaque as 0x.. hex or base64, object links as 3:0.',
    'Quote values that contain blanks: write ep1 /3/0/15 "Europe/Berlin".',
  ],
  options: {
    format: FORMAT,
    partial: { value: false, description: 'partial update (POST) instead of replace (PUT)' },
    ...TIMEOUT,
  },
  minArgs: 3,
  async run(ctx, call) {
    const t = await target(ctx, call)
    const words = call.args.slice(2)
    let value: Parameters<typeof ctx.server.write>[2]
    if (t.path.isInstance()) {
      value = parseInstanceValues(t.path.objectId!, t.path.instanceId!, words, t.models, ctx.now)
    } else if (t.path.isResource() || t.path.isResourceInstance()) {
      value = parseResourceValue(t.path, words, t.models, ctx.now)
    } else {
      throw new CliError(
        'CLI_INVALID_PATH',
        `write takes an instance, a resource or a resource instance, not ${t.path}`,
      )
    }
    const mode: 'partialUpdate' | 'replace' = call.options.has('partial') ? 'partialUpdate' : 'replace'
    const format = formatOf(call)
    const r = await perform(ctx, call, t.endpoint, (o) =>
      ctx.server.write(t.endpoint, t.path, value, withFormat({ ...o, mode }, format)),
    )
    return done(t.endpoint, t.path.toString(), r.code, 'wrote')
  },
}

const exec: CommandSpec<ServerContext> = {
  name: 'exec',
  aliases: ['execute'],
  args: '<endpoint> <path> [argument...]',
  summary: 'execute a resource, with optional arguments (0, 1=value, ...)',
  help: ['examples: exec ep1 /3/0/4    exec ep1 /5/0/2    exec ep1 /1/0/8 0=x 1'],
  options: TIMEOUT,
  minArgs: 2,
  async run(ctx, call) {
    const t = await target(ctx, call)
    if (!t.path.isResource())
      throw new CliError('CLI_INVALID_PATH', `exec takes a resource (/o/i/r), not ${t.path}`)
    const args = parseExecuteWords(call.args.slice(2))
    const r = await perform(ctx, call, t.endpoint, (o) =>
      ctx.server.execute(t.endpoint, t.path, args.length === 0 ? o : { ...o, arguments: args }),
    )
    return done(t.endpoint, t.path.toString(), r.code, 'executed')
  },
}

const discover: CommandSpec<ServerContext> = {
  name: 'discover',
  args: '<endpoint> <path>',
  summary: 'list what the client has under a path, with the attributes attached',
  help: ['examples: discover ep1 /3    discover ep1 /3303/0 --depth 3'],
  options: {
    depth: { value: true, placeholder: 'N', description: 'how deep to list, 0-3 (LwM2M 1.2 clients)' },
    ...TIMEOUT,
  },
  minArgs: 2,
  maxArgs: 2,
  async run(ctx, call) {
    const t = await target(ctx, call)
    const depthText = call.options.get('depth')
    let depth: number | undefined
    if (typeof depthText === 'string') {
      if (!/^[0-3]$/.test(depthText))
        throw new CliError('CLI_USAGE', `--depth is 0, 1, 2 or 3, not "${depthText.slice(0, 20)}"`)
      depth = Number(depthText)
    }
    const r = await perform(ctx, call, t.endpoint, (o) =>
      ctx.server.discover(t.endpoint, t.path, depth === undefined ? o : { ...o, depth }),
    )
    const named = r.entries.map((e) => {
      const object = t.models.getObjectModel(e.path.objectId ?? -1)
      const name = e.path.isObject()
        ? object?.name
        : e.path.isResource() || e.path.isResourceInstance()
          ? object?.resources.get(e.path.resourceId!)?.name
          : undefined
      const attrs = [
        ...Object.entries(e.properties).map(([k, v]) => `${k}=${v}`),
        ...Object.entries(e.attributes).map(([k, v]) => `${k}=${v}`),
      ]
      return { entry: e, name, attrs }
    })
    const pathWidth = Math.max(0, ...named.map((n) => n.entry.path.toString().length))
    const nameWidth = Math.max(0, ...named.map((n) => (n.name ?? '').length))
    return {
      value: {
        endpoint: t.endpoint,
        path: t.path.toString(),
        code: formatCode(r.code),
        links: named.map((n) => ({
          path: n.entry.path.toString(),
          name: n.name ?? null,
          attributes: { ...n.entry.attributes },
          properties: { ...n.entry.properties },
        })),
        text: r.links,
      },
      text:
        named.length === 0
          ? ['  (nothing)']
          : named.map((n) =>
              `  ${n.entry.path.toString().padEnd(pathWidth)}  ${(n.name ?? '').padEnd(nameWidth)}  ${n.attrs.join(' ')}`.trimEnd(),
            ),
    }
  },
}

const attr: CommandSpec<ServerContext> = {
  name: 'attr',
  aliases: ['write-attributes'],
  args: '<endpoint> <path> <name=value...>',
  summary:
    'write notification attributes (pmin, pmax, gt, lt, st, epmin, epmax, edge, con); a name alone unsets it',
  help: ['examples: attr ep1 /3303/0/5700 pmin=1 pmax=10 st=0.5    attr ep1 /3303/0/5700 st'],
  options: TIMEOUT,
  minArgs: 3,
  async run(ctx, call) {
    const t = await target(ctx, call)
    const attributes: AttributeChanges = parseAttributeQuery(call.args.slice(2), { allowUnset: true })
    const r = await perform(ctx, call, t.endpoint, (o) =>
      ctx.server.writeAttributes(t.endpoint, t.path, attributes, o),
    )
    return {
      value: {
        endpoint: t.endpoint,
        path: t.path.toString(),
        code: formatCode(r.code),
        attributes: { ...attributes },
      },
      text: [
        `wrote attributes ${call.args.slice(2).join(' ')} of ${t.path} on ${t.endpoint} (${codeText(r.code)})`,
      ],
    }
  },
}

const observe: CommandSpec<ServerContext> = {
  name: 'observe',
  args: '<endpoint> <path...> [name=value...]',
  summary: 'observe one path, or several at once (Observe-Composite); notifications print as they come',
  help: [
    'Attributes given after the paths go with the observation (pmin=1 pmax=10 ...).',
    'examples: observe ep1 /3303/0/5700 pmin=1    observe ep1 /3/0/9 /3303/0/5700',
    'cancel <endpoint> [path...] ends it.',
  ],
  options: {
    format: FORMAT,
    ...TIMEOUT,
  },
  minArgs: 2,
  async run(ctx, call) {
    const [endpoint, ...rest] = call.args as [string, ...string[]]
    const paths = rest.filter((w) => w.startsWith('/')).map(parsePath)
    const items = rest.filter((w) => !w.startsWith('/'))
    if (paths.length === 0) throw new CliError('CLI_USAGE', 'observe needs at least one path')
    const attributes = parseAttributeQuery(items, { allowUnset: false }) as NotificationAttributes
    const reg = await registrationOf(ctx, endpoint)
    const models = modelsFor(ctx.server, reg)
    const format = formatOf(call)
    await learnSensorUnits(ctx, endpoint, paths, models)
    const sub = await perform(ctx, call, endpoint, async (o) => {
      const options = withFormat(
        { ...o, bufferSize: 1, ...(items.length === 0 ? {} : { attributes }) },
        format,
      )
      const s: Subscription<NodeNotification> | Subscription<CompositeNotification> =
        paths.length === 1
          ? ctx.server.observe(endpoint, paths[0]!, options)
          : ctx.server.observeComposite(endpoint, paths, options)
      ctx.observations.set(s.id, s as Subscription<Notification>)
      s.on('end', (end) => {
        ctx.observations.delete(s.id)
        if (end.reason === 'cancelled' || end.reason === 'stopped' || s.registrationId === undefined) return
        ctx.output.event(
          {
            type: 'observationEnded',
            endpoint,
            observation: s.id,
            paths: s.paths.map(String),
            reason: end.reason,
            ...(end.error === undefined ? {} : { error: end.error.message }),
          },
          `observation ${s.id} of ${s.paths.join(' ')} on ${endpoint} ended: ${end.reason}${end.error === undefined ? '' : ` (${end.error.message})`}`,
        )
      })
      try {
        await (s.ready as Promise<Notification>)
      } catch (err) {
        ctx.observations.delete(s.id)
        throw err
      }
      return s as Subscription<Notification>
    })
    const first = await sub.ready
    const rows = ctx.units.apply(endpoint, notificationRows(first, models))
    return {
      value: {
        endpoint,
        observation: sub.id,
        paths: sub.paths.map(String),
        format: formatName(first.contentFormat),
        values: rows.map(rowJson),
      },
      text: [`observing ${sub.paths.join(' ')} on ${endpoint} (observation ${sub.id})`, ...formatRows(rows)],
    }
  },
}

const cancel: CommandSpec<ServerContext> = {
  name: 'cancel',
  args: '<endpoint> [path...]',
  summary: 'cancel the observations of a client (of these paths, or all)',
  options: {
    passive: {
      value: false,
      description: 'forget it here only; the client is told by RST on its next notification',
    },
  },
  minArgs: 1,
  async run(ctx, call) {
    const [endpoint, ...rest] = call.args as [string, ...string[]]
    const paths = rest.map(parsePath)
    const matching = [...ctx.observations.values()].filter(
      (s) => s.endpoint === endpoint && (paths.length === 0 || samePaths(s.paths, paths)),
    )
    if (matching.length === 0) {
      throw new CliError(
        'CLI_NOT_FOUND',
        `no observation of ${endpoint}${paths.length === 0 ? '' : ` ${paths.join(' ')}`} (list ${endpoint} shows them)`,
      )
    }
    const passive = call.options.has('passive')
    await Promise.all(matching.map((s) => s.cancel({ passive })))
    return {
      value: {
        endpoint,
        cancelled: matching.map((s) => ({ observation: s.id, paths: s.paths.map(String) })),
      },
      text: matching.map((s) => `cancelled observation ${s.id} of ${s.paths.join(' ')} on ${endpoint}`),
    }
  },
}

const create: CommandSpec<ServerContext> = {
  name: 'create',
  args: '<endpoint> </o or /o/i> [rid=value...]',
  summary: 'create an object instance (the client picks the id for /o)',
  help: ['examples: create ep1 /3303 5700=20.5 5701=Cel    create ep1 /3303/7 5700=0'],
  options: { format: FORMAT, ...TIMEOUT },
  minArgs: 2,
  async run(ctx, call) {
    const t = await target(ctx, call)
    if (!t.path.isObject() && !t.path.isInstance()) {
      throw new CliError(
        'CLI_INVALID_PATH',
        `create takes an object (/o) or a new instance (/o/i), not ${t.path}`,
      )
    }
    const values = parseInstanceValues(
      t.path.objectId!,
      t.path.instanceId,
      call.args.slice(2),
      t.models,
      ctx.now,
    )
    const format = formatOf(call)
    const r = await perform(ctx, call, t.endpoint, (o) =>
      ctx.server.create(t.endpoint, t.path, values, withFormat(o, format)),
    )
    const created = r.instance?.toString() ?? (t.path.isInstance() ? t.path.toString() : null)
    return {
      value: { endpoint: t.endpoint, path: created, code: formatCode(r.code) },
      text: [`created ${created ?? `an instance of ${t.path}`} on ${t.endpoint} (${codeText(r.code)})`],
    }
  },
}

const del: CommandSpec<ServerContext> = {
  name: 'delete',
  aliases: ['rm'],
  args: '<endpoint> <path>',
  summary: 'delete an object instance (or a resource instance, LwM2M 1.2)',
  options: TIMEOUT,
  minArgs: 2,
  maxArgs: 2,
  async run(ctx, call) {
    const t = await target(ctx, call)
    const r = await perform(ctx, call, t.endpoint, (o) => ctx.server.delete(t.endpoint, t.path, o))
    return done(t.endpoint, t.path.toString(), r.code, 'deleted')
  },
}

const readComposite: CommandSpec<ServerContext> = {
  name: 'read-composite',
  args: '<endpoint> <path...>',
  summary: 'read several paths in one request (LwM2M 1.1+)',
  help: ['example: read-composite ep1 /3/0/0 /3/0/9 /3303/0/5700'],
  options: {
    format: FORMAT,
    'request-format': {
      value: true,
      placeholder: 'F',
      description: 'format of the list of paths (senml-cbor, senml-json)',
    },
    ...TIMEOUT,
  },
  minArgs: 2,
  async run(ctx, call) {
    const [endpoint, ...rest] = call.args as [string, ...string[]]
    const paths = rest.map(parsePath)
    const reg = await registrationOf(ctx, endpoint)
    const models = modelsFor(ctx.server, reg)
    const format = formatOf(call)
    const requestFormat = formatOf(call, 'request-format')
    const r = await perform(ctx, call, endpoint, (o) =>
      ctx.server.readComposite(
        endpoint,
        paths,
        withFormat(requestFormat === undefined ? o : { ...o, requestFormat }, format),
      ),
    )
    const rows = ctx.units.apply(endpoint, nodesRows(r.nodes, pathOf, models))
    const missing = [...r.nodes].filter(([, n]) => n === null).map(([p]) => p)
    return {
      value: {
        endpoint,
        code: formatCode(r.code),
        format: formatName(r.contentFormat),
        values: rows.map(rowJson),
        missing,
      },
      text: [...formatRows(rows), ...missing.map((p) => `  ${p}  (no value)`)],
    }
  },
}

const writeComposite: CommandSpec<ServerContext> = {
  name: 'write-composite',
  args: '<endpoint> </path=value...>',
  summary: 'write several resources in one request (LwM2M 1.1+)',
  help: ['example: write-composite ep1 /3/0/14=+01:00 /3/0/15=Europe/Paris'],
  options: { format: FORMAT, ...TIMEOUT },
  minArgs: 2,
  async run(ctx, call) {
    const [endpoint, ...rest] = call.args as [string, ...string[]]
    const reg = await registrationOf(ctx, endpoint)
    const values = parseCompositeValues(rest, modelsFor(ctx.server, reg), ctx.now)
    const format = formatOf(call)
    const r = await perform(ctx, call, endpoint, (o) =>
      ctx.server.writeComposite(endpoint, values, withFormat(o, format)),
    )
    const paths = [...values.keys()]
    return {
      value: { endpoint, paths, code: formatCode(r.code) },
      text: [`wrote ${paths.join(' ')} on ${endpoint} (${codeText(r.code)})`],
    }
  },
}

/** The commands of the server prompt. */
export function serverCommands(): CommandTable<ServerContext> {
  const table: CommandTable<ServerContext> = new CommandTable<ServerContext>([
    list,
    read,
    write,
    exec,
    discover,
    attr,
    observe,
    cancel,
    create,
    del,
    readComposite,
    writeComposite,
    helpCommand(() => table),
    quitCommand('stop the server and leave', (ctx) => ctx.quit()),
  ])
  return table
}
