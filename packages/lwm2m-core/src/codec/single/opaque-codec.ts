import type { Lwm2mNode } from '../../node/types.js'
import type { Lwm2mPath } from '../../path/path.js'
import { checkValue } from '../../value/check.js'
import { fitsPath, isSingleValue, unsupported } from '../models.js'
import type { ModelLookup, NodeCodec } from '../types.js'
import { singleValueNode, singleValueTarget } from './single-value.js'

const FORMAT = 42

/**
 * application/octet-stream (content format 42, Core TS section 7.4.2): the raw bytes
 * of one Opaque resource or resource instance. Decoding copies the bytes (the payload
 * may be a view over a reused datagram buffer). A resource the model types otherwise
 * cannot be carried (LWM2M_UNSUPPORTED_FORMAT).
 */
export function opaqueCodec(): NodeCodec {
  return {
    format: FORMAT,
    canEncode(node: Lwm2mNode, path: Lwm2mPath): boolean {
      return isSingleValue(node) && node.type === 'opaque' && fitsPath(node, path)
    },
    encode(node: Lwm2mNode, path: Lwm2mPath): Uint8Array {
      if (!isSingleValue(node) || node.type !== 'opaque' || !fitsPath(node, path)) {
        unsupported(FORMAT, `a ${node.kind} node${'type' in node ? ` of type ${node.type}` : ''}`, path)
      }
      return checkValue('opaque', node.value, path.toString()) as Uint8Array
    },
    decode(payload: Uint8Array, path: Lwm2mPath, models: ModelLookup): Lwm2mNode {
      const model = singleValueTarget(FORMAT, path, models)
      if (model !== undefined && model.type !== 'opaque')
        unsupported(FORMAT, `a ${model.type} resource`, path)
      return singleValueNode(path, 'opaque', payload.slice())
    },
  }
}
