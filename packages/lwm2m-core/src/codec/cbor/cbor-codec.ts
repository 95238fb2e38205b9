import type { Lwm2mNode } from '../../node/types.js'
import type { Lwm2mPath } from '../../path/path.js'
import { checkValue } from '../../value/check.js'
import { fitsPath, isSingleValue, unsupported } from '../models.js'
import { singleValueNode, singleValueTarget } from '../single/single-value.js'
import type { ModelLookup, NodeCodec } from '../types.js'
import { cborDecode, cborEncode } from './cbor.js'
import { cborToValue, valueToCbor } from './cbor-values.js'

const FORMAT = 60

/**
 * application/cbor (content format 60, LwM2M 1.1+, Core TS section 7.4.5): one value of
 * a single resource or resource instance as one CBOR data item. Decoding types
 * the item by the model (an integer item for a Float resource is a float); without a
 * model the item's own type decides (text: String, integer: Integer, or Unsigned
 * beyond 2^63, float: Float, bytes: Opaque, tag 1: Time).
 */
export function cborCodec(): NodeCodec {
  return {
    format: FORMAT,
    canEncode(node: Lwm2mNode, path: Lwm2mPath): boolean {
      return isSingleValue(node) && fitsPath(node, path)
    },
    encode(node: Lwm2mNode, path: Lwm2mPath): Uint8Array {
      if (!isSingleValue(node) || !fitsPath(node, path)) unsupported(FORMAT, `a ${node.kind} node`, path)
      return cborEncode(valueToCbor(node.type, checkValue(node.type, node.value, path.toString())))
    },
    decode(payload: Uint8Array, path: Lwm2mPath, models: ModelLookup): Lwm2mNode {
      const model = singleValueTarget(FORMAT, path, models)
      const item = cborDecode(FORMAT, payload)
      const { type, value } = cborToValue(FORMAT, item, model?.type, path.toString())
      return singleValueNode(path, type, value)
    },
  }
}
