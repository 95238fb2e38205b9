import type { ModelLookup, NodeCodec } from '../codec/types.js'
import { Lwm2mError } from '../errors.js'

/**
 * Where the operation mapping finds a codec by content-format number. The codec registry
 * of this package (`createCodecRegistry`) satisfies it, as does any `Map<number, NodeCodec>`.
 */
export interface CodecLookup {
  get(format: number): NodeCodec | undefined
}

/** What building and reading LwM2M messages needs. */
export interface OperationContext {
  readonly codecs: CodecLookup
  readonly models: ModelLookup
  /**
   * The client's alternate path ("/lwm2m", announced as `</lwm2m>;rt="oma.lwm2m"` on
   * Register, Transport TS section 6.4.1): prefixed to Device Management and Information
   * Reporting paths, never to Bootstrap ones. Undefined or "/" for none.
   */
  readonly rootPath?: string
}

/** The Uri-Path segments of a root path ("/lwm2m" gives ["lwm2m"]). */
export function rootSegments(rootPath: string | undefined): string[] {
  if (rootPath === undefined) return []
  return rootPath.split('/').filter((s) => s.length > 0)
}

/** The codec of `format`, or LWM2M_UNSUPPORTED_FORMAT. */
export function codecFor(codecs: CodecLookup, format: number): NodeCodec {
  const codec = codecs.get(format)
  if (!codec) throw new Lwm2mError('LWM2M_UNSUPPORTED_FORMAT', `no codec for content format ${format}`)
  return codec
}
