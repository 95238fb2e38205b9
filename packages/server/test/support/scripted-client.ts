import {
  type CoapResponse,
  createEndpoint,
  type EndpointOptions,
  type FakeClock,
  formatCode,
  type IncomingRequest,
  type LocalEndpoint,
  type MemoryNetwork,
  type Peer,
  type ResponseInit,
  type ServerObservation,
  type Transport,
  transportSymbol,
} from '@lwm2m/coap'
import {
  buildRequest,
  buildResponse,
  classifyRequest,
  createCodecRegistry,
  defaultCodecs,
  errorResponse,
  type Lwm2mOperation,
  type Lwm2mVersion,
  type ModelLookup,
  type OperationReply,
  type RegisterParams,
  type TimestampedNodes,
  type UpdateParams,
} from '@lwm2m/core'
import { createModelRegistry, standardModels } from '@lwm2m/objects'

export const codecs = createCodecRegistry(defaultCodecs())

/** Logs the code of every message a transport receives ("2.04", "0.01"; "0.00" for ACK/RST). */
function tap(inner: Transport, log: string[]): Transport {
  return {
    ...inner,
    [transportSymbol]: true,
    open: (handler) =>
      inner.open((data, peer) => {
        if (data.length >= 2) log.push(formatCode(data[1]!))
        handler(data, peer)
      }),
    send: (d, p, cb) => inner.send(d, p, cb),
    address: () => inner.address(),
    close: () => inner.close(),
  }
}
export const models: ModelLookup = createModelRegistry(standardModels)

/** What the scripted client answers a request with: a reply for `buildResponse`, or a raw answer. */
export type Answer = OperationReply | { readonly raw: ResponseInit }

/** One request the client received, classified by @lwm2m/core. */
export interface Received {
  readonly op: Lwm2mOperation
  readonly request: IncomingRequest
}

/** An observation the server made on this client, with the operation that made it. */
export interface HeldObservation {
  readonly op: Lwm2mOperation
  readonly observation: ServerObservation
  /** Sends a notification built by @lwm2m/core's `buildResponse` from a reply. */
  notify(reply: OperationReply, options?: { readonly confirmable?: boolean }): Promise<void>
}

/**
 * A minimal LwM2M client for tests, made of a plain CoapEndpoint and @lwm2m/core's mapping:
 * `buildRequest` for Register/Update/De-register/Send, `classifyRequest` + `buildResponse` to
 * answer the server's requests with what the test scripts (`answer`).
 */
export class ScriptedClient {
  readonly endpoint: LocalEndpoint
  readonly server: Peer
  readonly name: string
  version: Lwm2mVersion
  rootPath: string
  location: readonly string[] | undefined
  readonly received: Received[] = []
  readonly observations: HeldObservation[] = []
  /** The answer to each request; default 4.04 Not Found. */
  answer: (op: Lwm2mOperation, request: IncomingRequest) => Answer | Promise<Answer> = () => ({
    raw: { code: 0x84 },
  })
  /** When false the client answers nothing at all (it sleeps): requests time out. */
  listening = true
  /** The codes of the messages this client received, in arrival order ("2.04", "0.01", ...). */
  readonly wire: string[]

  private constructor(
    wire: string[],
    endpoint: LocalEndpoint,
    server: Peer,
    name: string,
    version: Lwm2mVersion,
    rootPath: string,
  ) {
    this.wire = wire
    this.endpoint = endpoint
    this.server = server
    this.name = name
    this.version = version
    this.rootPath = rootPath
  }

  static async create(init: {
    readonly transport: Transport
    readonly clock: FakeClock
    readonly server: Peer
    readonly name: string
    readonly version?: Lwm2mVersion
    readonly rootPath?: string
    readonly coap?: Omit<EndpointOptions, 'transport' | 'clock'>
  }): Promise<ScriptedClient> {
    const wire: string[] = []
    const endpoint = await createEndpoint({
      ...init.coap,
      transport: tap(init.transport, wire),
      clock: init.clock,
    })
    const c = new ScriptedClient(
      wire,
      endpoint,
      init.server,
      init.name,
      init.version ?? '1.1',
      init.rootPath ?? '/',
    )
    endpoint.setHandler((req, rctx) => c.#handle(req, rctx.observe.bind(rctx)))
    return c
  }

  static inMemory(
    net: MemoryNetwork,
    clock: FakeClock,
    server: Peer,
    name: string,
    options: { version?: Lwm2mVersion; rootPath?: string; port?: number } = {},
  ): Promise<ScriptedClient> {
    return ScriptedClient.create({
      transport: net.transport(options.port === undefined ? {} : { port: options.port }),
      clock,
      server,
      name,
      ...(options.version === undefined ? {} : { version: options.version }),
      ...(options.rootPath === undefined ? {} : { rootPath: options.rootPath }),
    })
  }

  /** This client's address as the server sees it. */
  get peer(): Peer {
    const a = this.endpoint.address()
    return { address: a.address, port: a.port }
  }

  get ctx() {
    return { codecs, models, rootPath: this.rootPath }
  }

  async #handle(req: IncomingRequest, observe: () => ServerObservation | undefined): Promise<ResponseInit> {
    if (!this.listening) return new Promise<ResponseInit>(() => {})
    const cctx = { ...this.ctx, side: 'client' as const, version: this.version }
    let op: Lwm2mOperation
    try {
      op = classifyRequest(req, cctx)
    } catch (err) {
      return errorResponse(err)
    }
    this.received.push({ op, request: req })
    try {
      const answer = await this.answer(op, req)
      if ('raw' in answer) return answer.raw
      if ((op.kind === 'observe' || op.kind === 'observeComposite') && req.observe === 0) {
        const observation = observe()
        if (observation !== undefined) {
          const ctx = this.ctx
          this.observations.push({
            op,
            observation,
            notify: (reply, options) => observation.notify(buildResponse(op, reply, ctx), options),
          })
        }
      }
      return buildResponse(op, answer, this.ctx)
    } catch (err) {
      return errorResponse(err)
    }
  }

  /** The received operations of one kind. */
  ops<K extends Lwm2mOperation['kind']>(kind: K): Extract<Lwm2mOperation, { kind: K }>[] {
    return this.received.filter((r) => r.op.kind === kind).map((r) => r.op) as Extract<
      Lwm2mOperation,
      { kind: K }
    >[]
  }

  /** Register (Core TS 1.2 section 6.2.1), built by @lwm2m/core. Keeps the location of a 2.01. */
  async register(
    links: string,
    params: { readonly [K in keyof RegisterParams]?: RegisterParams[K] | undefined } = {},
    options: { timeout?: number } = {},
  ): Promise<CoapResponse> {
    const all = {
      endpoint: this.name,
      lifetime: 300,
      ...(this.version === '1.0' ? {} : { version: this.version }),
      queueMode: false,
      ...params,
    }
    // An explicit `endpoint: undefined` leaves ep out (LwM2M 1.1: the identity names the client).
    const defined = Object.fromEntries(
      Object.entries(all).filter(([, v]) => v !== undefined),
    ) as unknown as RegisterParams
    const req = buildRequest({ kind: 'register', params: defined, links }, this.ctx)
    const res = await this.endpoint.request(this.server, { ...req, ...options })
    if (res.code === 0x41) this.location = res.locationPath
    return res
  }

  /** Update (section 6.2.2). */
  update(params: UpdateParams = {}, links?: string): Promise<CoapResponse> {
    const location = this.#location()
    return this.endpoint.request(
      this.server,
      buildRequest({ kind: 'update', location, params, ...(links === undefined ? {} : { links }) }, this.ctx),
    )
  }

  /** De-register (section 6.2.3). */
  deregister(): Promise<CoapResponse> {
    return this.endpoint.request(
      this.server,
      buildRequest({ kind: 'deregister', location: this.#location() }, this.ctx),
    )
  }

  /** Send (section 6.4.6). */
  send(data: readonly TimestampedNodes[], contentFormat = 112): Promise<CoapResponse> {
    return this.endpoint.request(this.server, buildRequest({ kind: 'send', data, contentFormat }, this.ctx))
  }

  #location(): readonly string[] {
    if (this.location === undefined) throw new Error(`${this.name} is not registered`)
    return this.location
  }

  close(): Promise<void> {
    return this.endpoint.close()
  }
}
