/**
 * Test harness: a scripted LwM2M Server made of a plain CoAP endpoint and @lwm2m/core's
 * mapping (classifyRequest on the server side, buildRequest / parseResponse for the
 * operations it sends), on the in-memory network with a FakeClock. No @lwm2m/server.
 */
import {
  type Clock,
  type CoapEndpoint,
  type CoapResponse,
  Code,
  createEndpoint,
  createMemoryNetwork,
  FakeClock,
  type IncomingRequest,
  type MemoryNetwork,
  type Observation,
  type Peer,
  type RequestOptions,
  type ResponseInit,
  seededRandom,
  type Transport,
} from '@lwm2m/coap'
import {
  buildRequest,
  buildResponse,
  classifyRequest,
  createCodecRegistry,
  defaultCodecs,
  errorResponse,
  type Lwm2mOperation,
  type Lwm2mOperationKind,
  type ObjectModel,
  type OperationContext,
  type OperationOf,
  parseRegistrationLinks,
  parseResponse,
  type RegistrationLinks,
  type ResultOf,
} from '@lwm2m/core'
import {
  createDeviceObject,
  createModelRegistry,
  createSecurityObject,
  createServerObject,
  type DeviceObjectOptions,
  deviceModelV1_0,
  type ObjectImplementation,
  type SecurityAccountInit,
  type ServerAccountInit,
  securityModelV1_0,
  serverModelV1_0,
  standardModels,
} from '@lwm2m/objects'
import { type ClientOptions, createClient, type Lwm2mClient } from '../src/index.js'
import { type GatedTransport, gateTransport } from '../src/transport/gate.js'

export let models = createModelRegistry(standardModels)

/** Teaches the scripted servers object models beyond the standard ones. */
export function learnModels(extra: readonly ObjectModel[]): void {
  models = models.with(extra)
}
export const codecs = createCodecRegistry(defaultCodecs())

/** What the scripted server received. */
export interface Received {
  readonly op: Lwm2mOperation
  readonly at: number
  readonly peer: Peer
}

/** A registration the scripted server holds. */
export interface HeldRegistration {
  readonly location: string
  readonly op: OperationOf<'register'>
  links: RegistrationLinks
  peer: Peer
  updates: number
}

/** Answers a request itself; undefined lets the default answer go. */
export type Script = (op: Lwm2mOperation) => ResponseInit | undefined

/** A scripted LwM2M Server on a memory network. */
export class ScriptedServer {
  readonly received: Received[] = []
  readonly registrations = new Map<string, HeldRegistration>()
  script: Script | undefined
  #next = 0
  #waiters: { kind: Lwm2mOperationKind; from: number; resolve: (r: Received) => void }[] = []
  #consumed = new Map<Lwm2mOperationKind, number>()

  private constructor(
    readonly endpoint: CoapEndpoint,
    readonly gate: GatedTransport,
    readonly clock: Clock,
  ) {}

  static create(network: MemoryNetwork, clock: Clock, seed = 7): Promise<ScriptedServer> {
    return ScriptedServer.over(network.transport(), clock, seed)
  }

  /** A scripted server on any transport (UDP for the real-socket test). */
  static async over(transport: Transport, clock: Clock, seed = 7): Promise<ScriptedServer> {
    const gate = gateTransport(transport)
    const endpoint = await createEndpoint({ transport: gate, clock, random: seededRandom(seed) })
    const server = new ScriptedServer(endpoint, gate, clock)
    endpoint.setHandler((req) => server.#handle(req))
    return server
  }

  get uri(): string {
    const a = this.endpoint.address()
    return `coap://${a.address}:${a.port}`
  }

  /** Stops answering (datagrams lost both ways) or answers again. */
  reachable(on: boolean): void {
    this.gate.setPassing(on)
  }

  /** What the server knows of the client: its models (by the announced versions) and its root path. */
  #ctxFor(reg: HeldRegistration | undefined): OperationContext {
    if (reg === undefined) return { codecs, models }
    return {
      codecs,
      models: models.forClient(reg.links.objects.values(), { lwm2mVersion: reg.op.version ?? '1.0' }),
      rootPath: reg.links.rootPath,
    }
  }

  #handle(req: IncomingRequest): ResponseInit {
    let op: Lwm2mOperation
    try {
      op = classifyRequest(req, {
        codecs,
        models,
        side: 'server',
        registrationVersion: (loc) => this.registrations.get(loc.join('/'))?.op.version,
      })
    } catch (error) {
      return errorResponse(error)
    }
    const received = { op, at: this.clock.now(), peer: req.peer }
    this.received.push(received)
    for (const w of [...this.#waiters]) {
      if (w.kind === op.kind) {
        this.#waiters.splice(this.#waiters.indexOf(w), 1)
        this.#consumed.set(op.kind, this.received.length)
        w.resolve(received)
        break
      }
    }
    const scripted = this.script?.(op)
    if (scripted !== undefined) return scripted
    const ctx = this.#ctxFor(undefined)
    switch (op.kind) {
      case 'register': {
        const location = ['rd', String(++this.#next)]
        this.registrations.set(location.join('/'), {
          location: location.join('/'),
          op,
          links: parseRegistrationLinks(op.links ?? ''),
          peer: req.peer,
          updates: 0,
        })
        return buildResponse(op, { location }, ctx)
      }
      case 'update': {
        const reg = this.registrations.get(op.location.join('/'))
        if (reg === undefined) return { code: Code.NotFound }
        reg.updates++
        reg.peer = req.peer
        if (op.links !== undefined) reg.links = parseRegistrationLinks(op.links)
        return buildResponse(op, {}, ctx)
      }
      case 'deregister':
        return this.registrations.delete(op.location.join('/'))
          ? buildResponse(op, {}, ctx)
          : { code: Code.NotFound }
      case 'send':
        return buildResponse(op, {}, ctx)
      default:
        return { code: Code.MethodNotAllowed }
    }
  }

  /** Requests of `kind` received so far. */
  all<K extends Lwm2mOperationKind>(kind: K): (Received & { op: OperationOf<K> })[] {
    return this.received.filter((r) => r.op.kind === kind) as (Received & { op: OperationOf<K> })[]
  }

  /** The next request of `kind` not yet taken with `take` (waits for it). */
  take<K extends Lwm2mOperationKind>(kind: K): Promise<Received & { op: OperationOf<K> }> {
    const from = this.#consumed.get(kind) ?? 0
    const found = this.received.slice(from).find((r) => r.op.kind === kind)
    if (found !== undefined) {
      this.#consumed.set(kind, this.received.indexOf(found) + 1)
      return Promise.resolve(found as Received & { op: OperationOf<K> })
    }
    return new Promise((resolve) =>
      this.#waiters.push({ kind, from, resolve: resolve as (r: Received) => void }),
    )
  }

  /** The one registration held (throws unless exactly one). */
  registration(): HeldRegistration {
    const regs = [...this.registrations.values()]
    if (regs.length !== 1) throw new Error(`expected one registration, have ${regs.length}`)
    return regs[0]!
  }

  /** The client's peer, from its registration. */
  get clientPeer(): Peer {
    return this.registration().peer
  }

  /** Sends a raw CoAP request to the registered client. */
  raw(options: RequestOptions): Promise<CoapResponse> {
    return this.endpoint.request(this.clientPeer, options)
  }

  /** Sends an LwM2M operation to the registered client and reads its answer (throws Lwm2mResponseError on 4.xx/5.xx). */
  async dm<K extends Lwm2mOperationKind>(op: OperationOf<K>): Promise<ResultOf<K>> {
    const ctx = this.#ctxFor(this.registration())
    const response = await this.endpoint.request(this.clientPeer, buildRequest(op, ctx))
    return parseResponse(op, response, ctx)
  }

  /** The CoAP code of an operation's answer (no exception for errors). */
  async code(op: Lwm2mOperation): Promise<number> {
    const response = await this.endpoint.request(
      this.clientPeer,
      buildRequest(op, this.#ctxFor(this.registration())),
    )
    return response.code
  }

  /** Observes with an LwM2M Observe or Observe-Composite; notifications are collected. */
  async observe(
    op: OperationOf<'observe'> | OperationOf<'observeComposite'>,
  ): Promise<{ observation: Observation; notifications: { at: number; response: CoapResponse }[] }> {
    const ctx = this.#ctxFor(this.registration())
    const notifications: { at: number; response: CoapResponse }[] = []
    const observation = await this.endpoint.observe(this.clientPeer, buildRequest(op, ctx), (n) =>
      notifications.push({ at: this.clock.now(), response: n }),
    )
    return { observation, notifications }
  }

  /** Decodes a notification of `op`. */
  decode<K extends 'observe' | 'observeComposite'>(op: OperationOf<K>, response: CoapResponse): ResultOf<K> {
    return parseResponse(op, response, this.#ctxFor(this.registration()))
  }

  close(): Promise<void> {
    return this.endpoint.close()
  }
}

/** A test bench: network, clock, server(s) and a client factory. */
export interface Bench {
  readonly network: MemoryNetwork
  readonly clock: FakeClock
  readonly server: ScriptedServer
  client(
    options?: Partial<ClientOptions> & {
      servers?: ServerAccountInit[]
      accounts?: SecurityAccountInit[]
      device?: DeviceObjectOptions
    },
  ): Lwm2mClient
  /** Advances the fake clock from timer to timer until `promise` settles (at most `limit` ms). */
  until<T>(promise: Promise<T>, limit?: number): Promise<T>
  close(): Promise<void>
}

export async function bench(start = 1_700_000_000_000): Promise<Bench> {
  const network = createMemoryNetwork()
  const clock = new FakeClock(start)
  const server = await ScriptedServer.create(network, clock)
  const clients: Lwm2mClient[] = []
  let seed = 100
  return {
    network,
    clock,
    server,
    client(options = {}) {
      const { servers, accounts, objects, device: deviceOptions, ...rest } = options
      // A 1.0 client hosts the 1.0 versions of the core objects.
      const v10 = rest.version === '1.0'
      const security = createSecurityObject({
        accounts: accounts ?? [{ serverUri: server.uri, shortServerId: 1 }],
        ...(v10 ? { model: securityModelV1_0 } : {}),
      })
      const serverObject = createServerObject({
        servers: servers ?? [{ shortServerId: 1, lifetime: 300, ...(v10 ? {} : { muteSend: false }) }],
        ...(v10 ? { model: serverModelV1_0 } : {}),
      })
      const device = createDeviceObject({
        manufacturer: 'ACME',
        clock,
        ...(v10 ? { model: deviceModelV1_0 } : {}),
        ...deviceOptions,
      })
      const c = createClient({
        endpoint: 'node-1',
        objects: [security, serverObject, device, ...(objects ?? [])],
        clock,
        random: seededRandom(seed++),
        transports: { coap: () => network.transport() },
        ...rest,
      })
      clients.push(c)
      return c
    },
    async until<T>(promise: Promise<T>, limit = 30 * 24 * 3600_000): Promise<T> {
      let settled = false
      let value: T | undefined
      let failure: unknown
      let failed = false
      promise.then(
        (v) => {
          settled = true
          value = v
        },
        (e) => {
          settled = true
          failed = true
          failure = e
        },
      )
      const end = clock.now() + limit
      await clock.advanceAsync(0)
      // Jump from timer to timer: the promise settles at the earliest moment it can.
      while (!settled) {
        const next = clock.nextDue()
        if (next === undefined || next > end)
          throw new Error(`nothing happened within ${limit} ms of fake time`)
        await clock.advanceAsync(Math.max(0, next - clock.now()))
      }
      if (failed) throw failure
      return value as T
    },
    async close() {
      for (const c of clients) await c.stop({ deregister: false })
      await server.close()
    },
  }
}

/** The objects of a plain client, for tests that build their own. */
export function baseObjects(serverUri: string, clock: FakeClock): ObjectImplementation[] {
  return [
    createSecurityObject({ accounts: [{ serverUri, shortServerId: 1 }] }),
    createServerObject({ servers: [{ shortServerId: 1, lifetime: 300, muteSend: false }] }),
    createDeviceObject({ manufacturer: 'ACME', clock }),
  ]
}
