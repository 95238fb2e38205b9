import type { Transport } from '@lwm2m/coap'
import { transportSymbol } from '@lwm2m/coap'
import {
  type ConnectivityStatisticsObject,
  createConnectivityStatisticsObject,
  type DeviceObject,
  type SecurityObject,
  type ServerObject,
} from '@lwm2m/objects'
import type { BenchConfiguration } from '../harness-b.js'
import type { ConfigurationContext } from './context.js'
import { deviceObject, SRV_PLUS, securityObject, serverObject } from './shorthands.js'

/** Bytes of the IPv4 and UDP headers around each datagram: the statistics count IP messages. */
export const IPV4_UDP_OVERHEAD = 28

/**
 * C.9, C.1 + Connectivity Statistics: PSK-ACC + SRV+ + DEV + EXE + /7/0/0..5 = 0,
 * /7/0/8 = 0 (Collection Period), with the executables Start (/7/0/6) and Stop (/7/0/7).
 * The device counts its real traffic: every datagram the client sends or receives on its
 * server connections is recorded, as an IP message of the datagram plus the IPv4 and UDP
 * headers (/7/0/2, /7/0/3 in kilobytes, /7/0/4 and /7/0/5 in bytes). The device has no SMS.
 */
export interface C9 extends BenchConfiguration {
  readonly security: SecurityObject
  readonly server: ServerObject
  readonly device: DeviceObject
  readonly statistics: ConnectivityStatisticsObject
}

export function c9(ctx: ConfigurationContext): C9 {
  const security = securityObject(ctx)
  const server = serverObject(SRV_PLUS)
  const device = deviceObject(ctx)
  const statistics = createConnectivityStatisticsObject({ clock: ctx.clock, collectionPeriod: 0 })
  const ip = (datagram: Uint8Array) => datagram.length + IPV4_UDP_OVERHEAD
  const wrapTransport = (inner: Transport): Transport => ({
    [transportSymbol]: true,
    scheme: inner.scheme,
    ...(inner.maxDatagramSize === undefined ? {} : { maxDatagramSize: inner.maxDatagramSize }),
    open: (handler) =>
      inner.open((datagram, peer) => {
        statistics.record({ rxBytes: ip(datagram), messageSizes: [ip(datagram)] })
        handler(datagram, peer)
      }),
    send: (datagram, peer, callback) => {
      statistics.record({ txBytes: ip(datagram), messageSizes: [ip(datagram)] })
      inner.send(datagram, peer, callback)
    },
    address: () => inner.address(),
    close: () => inner.close(),
  })
  return {
    id: 'C.9',
    objects: [security, server, device, statistics],
    security,
    server,
    device,
    statistics,
    wrapTransport,
  }
}
