/**
 * The download host of the pull cases (756, 771, 773-778): a CoAP server of ours that
 * serves firmware images by path, block-wise (RFC 7959 Block2: the endpoint slices the
 * body), over a link with a fixed latency (a download takes time on the fake clock, as on a
 * real network) that can be cut mid-transfer (775). Every message of the host is tapped.
 */
import { type CoapEndpoint, Code, ContentFormat, faulty } from '@lwm2m/coap'
import { type Bench, type BenchConfiguration, type CuttableTransport, cuttable } from '../harness-b.js'
import { tapTransport, type WireTap } from '../wire.js'

export interface DownloadHost {
  readonly endpoint: CoapEndpoint
  /** The host's link: `cut()` loses every datagram from then on. */
  readonly link: CuttableTransport
  /** What the host sent and received. */
  readonly wire: WireTap
  /** Serves `bytes` at `path` ("fw/app.bin"); returns its URI, for /5/0/1. */
  publish(path: string, bytes: Uint8Array): string
  /** A URI on this host (serving nothing unless published). */
  uri(path: string): string
}

export interface DownloadHostOptions {
  /** Latency of each datagram the host sends, ms of the bench clock. Default 20. */
  readonly latency?: number
}

export async function createDownloadHost<C extends BenchConfiguration>(
  bench: Bench<C>,
  options: DownloadHostOptions = {},
): Promise<DownloadHost> {
  const files = new Map<string, Uint8Array>()
  let link: CuttableTransport | undefined
  let wire: WireTap | undefined
  const endpoint = await bench.endpointOnNetwork(
    (request) => {
      if (request.method !== 'GET') return { code: Code.MethodNotAllowed }
      const file = files.get(request.path.join('/'))
      if (file === undefined) return { code: Code.NotFound }
      return { code: Code.Content, contentFormat: ContentFormat.OCTET_STREAM, payload: file }
    },
    (t) => {
      link = cuttable(t)
      wire = tapTransport(link, bench.clock)
      return faulty(wire.transport, {
        seed: 1,
        delay: options.latency ?? 20,
        clock: bench.clock,
        direction: 'send',
      })
    },
  )
  const uri = (path: string) => {
    const a = endpoint.address()
    return `coap://${a.address}:${a.port}/${path}`
  }
  return {
    endpoint,
    link: link!,
    wire: wire!,
    publish(path, bytes) {
      files.set(path, bytes)
      return uri(path)
    },
    uri,
  }
}
