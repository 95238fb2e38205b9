/**
 * What the part-B cases (Information Reporting, the object cases, multi-server) need beyond
 * `harness.ts`: several LwM2M Servers at once (C.14), configurations that open transports of
 * their own on the bench's network (the download interface of C.8) or wrap the client's
 * (the traffic counters of C.9), links that can be cut, and a clock that moves timer by
 * timer with the network running in between, so that a notification is received at the
 * instant it was sent and pmin/pmax windows can be checked to the millisecond.
 */
import { type ClientOptions, createClient, type Lwm2mClient } from '@lwm2m/client'
import {
  type CoapEndpoint,
  type CoapMessage,
  createEndpoint,
  createMemoryNetwork,
  FakeClock,
  getOption,
  type IncomingRequest,
  type MemoryNetwork,
  OptionNumber,
  type RandomSource,
  type ResponseInit,
  seededRandom,
  type Transport,
  transportSymbol,
} from '@lwm2m/coap'
import type { Lwm2mNode, Lwm2mVersion, ResourceValue } from '@lwm2m/core'
import type { Lwm2mServer, Notification, Registration, ServerOptions, Subscription } from '@lwm2m/server'
import type { ClientConfiguration, ConfigurationContext } from './configurations/context.js'
import { advanceClock, untilSettled } from './fake-time.js'
import { ENDPOINT, START } from './harness.js'
import type { ServerEventLog } from './server-events.js'
import { startTappedServer } from './tapped-server.js'
import type { WireTap } from './wire.js'

export { answerCode } from './answer-code.js'

/** What a part-B configuration is built from: the context of `harness.ts`, and the bench. */
export interface BenchContext extends ConfigurationContext {
  /** The Server URI of every LwM2M Server of the bench (C.14: two); `serverUri` is the first. */
  readonly serverUris: readonly string[]
  /** A new transport on the bench's network, for an interface of the device's own. */
  transport(): Transport
  /** A seeded random source for an endpoint of the configuration's own. */
  random(): RandomSource
}

/** A configuration that may open things of its own (closed with the bench) or wrap the client's transport. */
export interface BenchConfiguration extends ClientConfiguration {
  /** Wraps the transport of each server connection of the client (traffic counters, ...). */
  readonly wrapTransport?: (transport: Transport) => Transport
  /** Releases what the configuration opened (a download endpoint, ...). */
  readonly close?: () => Promise<void>
}

export interface BenchOptions<C extends BenchConfiguration> {
  readonly configuration: (context: BenchContext) => C | Promise<C>
  /** LwM2M Servers to start. Default 1. */
  readonly servers?: number
  /** The client's LwM2M version; default 1.2 as in `harness.ts`. */
  readonly version?: Lwm2mVersion
  /** Start the client and wait until every server registered it (default true). */
  readonly start?: boolean
  readonly client?: Partial<Omit<ClientOptions, 'objects' | 'endpoint' | 'clock' | 'transports'>>
  readonly server?: Partial<Omit<ServerOptions, 'endpoints' | 'clock'>>
}

/** Servers and the client under test on one in-memory network with one FakeClock. */
export class Bench<C extends BenchConfiguration> {
  readonly #endpoints: CoapEndpoint[] = []
  #client!: Lwm2mClient
  #seed: number

  private constructor(
    readonly clock: FakeClock,
    readonly network: MemoryNetwork,
    readonly servers: readonly Lwm2mServer[],
    /** The wire of each server (every message its transport carried). */
    readonly wires: readonly WireTap[],
    readonly events: readonly ServerEventLog[],
    readonly serverUris: readonly string[],
    readonly config: C,
    seed: number,
  ) {
    this.#seed = seed
  }

  static async start<C extends BenchConfiguration>(options: BenchOptions<C>): Promise<Bench<C>> {
    const clock = new FakeClock(START)
    const network = createMemoryNetwork()
    const servers: Lwm2mServer[] = []
    const wires: WireTap[] = []
    const events: ServerEventLog[] = []
    const uris: string[] = []
    for (let i = 0; i < (options.servers ?? 1); i++) {
      const s = await startTappedServer(
        network.transport({ address: '127.0.0.1' }),
        clock,
        1 + i,
        options.server,
      )
      wires.push(s.wire)
      servers.push(s.server)
      events.push(s.events)
      uris.push(`coap://127.0.0.1:${s.port}`)
    }
    let seed = 1000
    const context: BenchContext = {
      serverUri: uris[0]!,
      serverUris: uris,
      security: { mode: 'nosec' },
      clock,
      version: options.version ?? '1.2',
      transport: () => network.transport(),
      random: () => seededRandom(seed++),
    }
    const config = await options.configuration(context)
    const bench = new Bench(clock, network, servers, wires, events, uris, config, 5000)
    const wrap = config.wrapTransport ?? ((t: Transport) => t)
    bench.#client = createClient({
      endpoint: ENDPOINT,
      version: context.version,
      clock,
      random: seededRandom(bench.#seed++),
      objects: config.objects,
      transports: { coap: () => wrap(network.transport()) },
      ...options.client,
    })
    if (options.start !== false) await bench.register()
    return bench
  }

  get client(): Lwm2mClient {
    return this.#client
  }

  get endpoint(): string {
    return ENDPOINT
  }

  /** The first (or only) server. */
  get server(): Lwm2mServer {
    return this.servers[0]!
  }

  /** The wire of the first server. */
  get wire(): WireTap {
    return this.wires[0]!
  }

  /** Starts the client and waits until every server registered it. */
  async register(): Promise<Registration[]> {
    const registered = this.events.map((e) => e.next('registered'))
    await this.#client.start()
    const all = await this.until(Promise.all(registered))
    return all.map((e) => e.args[0])
  }

  /** A plain CoAP endpoint on the network (a download host, ...), closed with the bench. */
  async endpointOnNetwork(
    handler?: (request: IncomingRequest) => ResponseInit | Promise<ResponseInit>,
    wrap: (t: Transport) => Transport = (t) => t,
  ): Promise<CoapEndpoint> {
    const ep = await createEndpoint({
      transport: wrap(this.network.transport()),
      clock: this.clock,
      random: seededRandom(this.#seed++),
      ...(handler === undefined ? {} : { handler }),
    })
    this.#endpoints.push(ep)
    return ep
  }

  /** See {@link untilSettled}. */
  until<T>(promise: Promise<T>, limit?: number): Promise<T> {
    return untilSettled(this.clock, promise, { limit })
  }

  /** See {@link advanceClock}. */
  advance(ms: number): Promise<void> {
    return advanceClock(this.clock, ms)
  }

  async close(): Promise<void> {
    await this.#client.stop({ deregister: false }).catch(() => {})
    for (const s of this.servers) await s.stop()
    for (const e of this.#endpoints) await e.close()
    await this.config.close?.()
  }
}

/** A link that can be cut: datagrams in both directions are lost from `cut()` on (until `restore()`). */
export interface CuttableTransport extends Transport {
  cut(): void
  restore(): void
}

export function cuttable(inner: Transport): CuttableTransport {
  let up = true
  return {
    [transportSymbol]: true,
    scheme: inner.scheme,
    ...(inner.maxDatagramSize === undefined ? {} : { maxDatagramSize: inner.maxDatagramSize }),
    cut: () => {
      up = false
    },
    restore: () => {
      up = true
    },
    open: (handler) =>
      inner.open((data, peer) => {
        if (up) handler(data, peer)
      }),
    send: (data, peer, callback) => {
      // Lost on the way, as on a real network: the sender is not told.
      if (up) inner.send(data, peer, callback)
      else callback?.()
    },
    address: () => inner.address(),
    close: () => inner.close(),
  }
}

/** The block option (RFC 7959 section 2.2) of a message, decoded. */
export function blockOf(
  message: CoapMessage,
  which: 'block1' | 'block2',
): { num: number; more: boolean; szx: number } | undefined {
  const raw = getOption(message.options, which === 'block1' ? OptionNumber.Block1 : OptionNumber.Block2)
  if (raw === undefined) return undefined
  let v = 0
  for (const b of raw) v = v * 256 + b
  return { num: Math.floor(v / 16), more: (v & 8) !== 0, szx: v & 7 }
}

/** Keeps every notification of a subscription (the answer to the Observe first) as it arrives. */
export function collect<N extends Notification>(subscription: Subscription<N>): N[] {
  const out: N[] = []
  subscription.on('notification', (n) => out.push(n))
  return out
}

/** A plain value of a resource: the value, or the instances by id for a multiple resource. */
export type PlainResource = ResourceValue | Record<number, ResourceValue>

/** A resource or resource instance as a plain value. */
export function plainResource(node: Lwm2mNode | null | undefined): PlainResource {
  if (node?.kind === 'resource' || node?.kind === 'resourceInstance') return node.value
  if (node?.kind === 'multipleResource') return Object.fromEntries(node.instances)
  throw new Error(`expected a resource, got ${node?.kind}`)
}

/** An object instance's resources as plain values by resource id. */
export function plainInstance(node: Lwm2mNode | null | undefined): Record<number, PlainResource> {
  if (node?.kind !== 'instance') throw new Error(`expected an object instance, got ${node?.kind}`)
  const out: Record<number, PlainResource> = {}
  for (const [id, r] of node.resources) out[id] = plainResource(r)
  return out
}
