import {
  type ClientOptions,
  createClient,
  type Lwm2mClient,
  type SecureTransportOptions,
  secureTransport,
} from '@lwm2m/client'
import { type Logger, udp } from '@lwm2m/coap'
import { type DtlsServerOptions, type DtlsTransport, dtlsServer } from '@lwm2m/dtls'
import {
  createDeviceObject,
  createSecurityObject,
  createServerObject,
  createTemperatureObject,
  type IpsoSensorObject,
  type SecurityAccountInit,
} from '@lwm2m/objects'
import {
  createMemorySecurityStore,
  createServer,
  dtlsServerCredentials,
  type Lwm2mServer,
  type MemorySecurityStore,
  type SecurityInfo,
  type ServerDtlsIdentity,
} from '@lwm2m/server'
import { within } from './tools.js'

/** An LwM2M Server on 127.0.0.1 with a plain CoAP endpoint and a DTLS endpoint, both on OS-chosen ports. */
export interface SecureBed {
  readonly server: Lwm2mServer
  readonly store: MemorySecurityStore
  readonly dtls: DtlsTransport
  readonly coapPort: number
  readonly coapsPort: number
  /** Every `session` event of the DTLS transport (one per full or resumed handshake). */
  readonly sessions: number
  close(): Promise<void>
}

/** Every log line, all levels, as text: to check that no secret is ever logged. */
export function recordingLogger(): Logger & { readonly lines: string[] } {
  const lines: string[] = []
  const rec = (level: string) => (message: string, data?: Record<string, unknown>) =>
    lines.push(
      `${level} ${message} ${data === undefined ? '' : JSON.stringify(data, (_, v) => (typeof v === 'bigint' ? String(v) : v))}`,
    )
  return { lines, debug: rec('debug'), info: rec('info'), warn: rec('warn'), error: rec('error') }
}

export async function secureBed(
  infos: readonly SecurityInfo[],
  own: ServerDtlsIdentity = {},
  dtlsOptions: Partial<DtlsServerOptions> = {},
  logger?: Logger,
): Promise<SecureBed> {
  const store = createMemorySecurityStore(infos)
  const dtls = dtlsServer({
    host: '127.0.0.1',
    port: 0,
    ...dtlsServerCredentials(store, own),
    ...dtlsOptions,
    ...(logger === undefined ? {} : { logger }),
  })
  let sessions = 0
  dtls.on('session', () => sessions++)
  const server = await createServer({
    endpoints: [udp({ host: '127.0.0.1', port: 0 }), dtls],
    security: { store },
    ...(logger === undefined ? {} : { logger }),
  })
  return {
    server,
    store,
    dtls,
    coapPort: server.endpoints[0]!.address().port,
    coapsPort: server.endpoints[1]!.address().port,
    get sessions() {
      return sessions
    },
    close: () => server.stop(),
  }
}

export interface TestClient {
  readonly client: Lwm2mClient
  readonly sensor: IpsoSensorObject
}

/** A client with a Device, a temperature sensor and one server account. */
export function testClient(
  endpoint: string,
  account: SecurityAccountInit,
  extra: Partial<ClientOptions> & { secure?: SecureTransportOptions } = {},
): TestClient {
  const sensor = createTemperatureObject({ sensors: [{ value: 20 }] })
  const { secure, ...options } = extra
  const client = createClient({
    endpoint,
    objects: [
      createSecurityObject({ accounts: [{ shortServerId: 1, ...account }] }),
      createServerObject({ servers: [{ shortServerId: 1, lifetime: 300, muteSend: false }] }),
      createDeviceObject({ manufacturer: 'ACME', modelNumber: 'secure-1', utcOffset: '+01:00' }),
      sensor,
    ],
    coap: { requestTimeout: 3000 },
    ...(secure === undefined ? {} : { transports: { coaps: secureTransport(secure) } }),
    ...options,
  })
  return { client, sensor }
}

/** Starts the client and waits (at most 10 s) until it has registered. */
export async function startRegistered(c: TestClient): Promise<void> {
  const registered = c.client.once('registered')
  await c.client.start()
  await within(registered, 10_000, 'registration')
}
