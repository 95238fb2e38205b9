import { Lwm2mCodecError, Lwm2mError } from '../../errors.js'
import type { Lwm2mNode } from '../../node/types.js'
import type { Lwm2mPath } from '../../path/path.js'
import { checkValue } from '../../value/check.js'
import { textToValue, valueToText } from '../../value/text.js'
import { utf8ErrorOffset } from '../../value/utf8.js'
import { fitsPath, isSingleValue, unsupported } from '../models.js'
import type { ModelLookup, NodeCodec } from '../types.js'
import { singleValueNode, singleValueTarget } from './single-value.js'

const FORMAT = 0
const utf8Encoder = new TextEncoder()
const utf8Decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

/**
 * text/plain (content format 0, Core TS section 7.4.1): one value of a single resource
 * or resource instance, in the text forms of {@link valueToText}; Opaque in base64
 * (LwM2M 1.1+). Decoding types the text by the model; without a model it is a String.
 */
export function textCodec(): NodeCodec {
  return {
    format: FORMAT,
    canEncode(node: Lwm2mNode, path: Lwm2mPath): boolean {
      return isSingleValue(node) && fitsPath(node, path)
    },
    encode(node: Lwm2mNode, path: Lwm2mPath): Uint8Array {
      if (!isSingleValue(node) || !fitsPath(node, path)) unsupported(FORMAT, `a ${node.kind} node`, path)
      const value = checkValue(node.type, node.value, path.toString())
      return utf8Encoder.encode(valueToText(node.type, value))
    },
    decode(payload: Uint8Array, path: Lwm2mPath, models: ModelLookup): Lwm2mNode {
      const model = singleValueTarget(FORMAT, path, models)
      let text: string
      try {
        text = utf8Decoder.decode(payload)
      } catch {
        throw new Lwm2mCodecError(FORMAT, 'not valid UTF-8', { offset: utf8ErrorOffset(payload) })
      }
      const type = model?.type ?? 'string'
      try {
        return singleValueNode(path, type, textToValue(type, text, path.toString()))
      } catch (e) {
        if (Lwm2mError.isInstance(e) && e.code === 'LWM2M_INVALID_VALUE') {
          throw new Lwm2mCodecError(FORMAT, e.message, { path: path.toString() })
        }
        throw e
      }
    },
  }
}
