import { Lwm2mCodecError, Lwm2mError } from '../../errors.js'
import type { ResourceModel } from '../../model/types.js'
import type {
  Lwm2mNode,
  MultipleResource,
  ObjectInstance,
  ObjectNode,
  Resource,
  ResourceValue,
} from '../../node/types.js'
import { type Lwm2mPath, MAX_ID } from '../../path/path.js'
import { fitsPath, resourceModelOf, unsupported } from '../models.js'
import type { ModelLookup, NodeCodec } from '../types.js'
import { tlvValue, tlvValueBytes } from './tlv-values.js'

const FORMAT = 11542

/** TLV identifier types (bits 7-6 of the type byte, Core TS section 7.4.3). */
export const TlvType = {
  OBJECT_INSTANCE: 0,
  RESOURCE_INSTANCE: 1,
  MULTIPLE_RESOURCE: 2,
  RESOURCE: 3,
} as const

/** The largest value a TLV length field can state (24 bits). */
export const MAX_TLV_LENGTH = 0xffffff

/** One TLV as read: its type, id, and where its header and value lie in the input. */
interface Tlv {
  readonly type: number
  readonly id: number
  readonly offset: number
  readonly start: number
  readonly end: number
}

/** Reads the TLVs that fill `bytes[start, end)`, checking every length against the input. */
function readTlvs(bytes: Uint8Array, start: number, end: number): Tlv[] {
  const out: Tlv[] = []
  let pos = start
  while (pos < end) {
    const offset = pos
    const t = bytes[pos++]!
    const idLen = t & 0x20 ? 2 : 1
    const lenType = (t >> 3) & 0x03
    if (pos + idLen + lenType > end)
      throw new Lwm2mCodecError(FORMAT, 'TLV header runs past the end', { offset })
    let id = bytes[pos++]!
    if (idLen === 2) id = (id << 8) | bytes[pos++]!
    let len = t & 0x07
    if (lenType > 0) {
      len = 0
      for (let i = 0; i < lenType; i++) len = (len << 8) | bytes[pos++]!
    }
    if (len > end - pos) {
      throw new Lwm2mCodecError(FORMAT, `TLV claims ${len} bytes, ${end - pos} left`, { offset })
    }
    out.push({ type: t >> 6, id, offset, start: pos, end: pos + len })
    pos += len
  }
  return out
}

function headerSize(id: number, len: number): number {
  return 1 + (id > 0xff ? 2 : 1) + (len < 8 ? 0 : len <= 0xff ? 1 : len <= 0xffff ? 2 : 3)
}

/** A TLV tree ready to write: sizes known before the single allocation. */
interface Out {
  readonly type: number
  readonly id: number
  readonly value: Uint8Array | undefined
  readonly children: Out[] | undefined
  readonly length: number
}

function leaf(type: number, id: number, value: Uint8Array, where: string): Out {
  if (value.length > MAX_TLV_LENGTH) {
    throw new Lwm2mError(
      'LWM2M_INVALID_VALUE',
      `${where}: ${value.length} bytes do not fit a TLV (max ${MAX_TLV_LENGTH})`,
    )
  }
  return { type, id, value, children: undefined, length: value.length }
}

function parent(type: number, id: number, children: Out[], where: string): Out {
  let length = 0
  for (const c of children) length += headerSize(c.id, c.length) + c.length
  if (length > MAX_TLV_LENGTH) {
    throw new Lwm2mError(
      'LWM2M_INVALID_VALUE',
      `${where}: ${length} bytes do not fit a TLV (max ${MAX_TLV_LENGTH})`,
    )
  }
  return { type, id, value: undefined, children, length }
}

function resourceOut(res: Resource, where: string): Out {
  if (res.kind === 'resource')
    return leaf(TlvType.RESOURCE, res.id, tlvValueBytes(res.type, res.value, where), where)
  const kids: Out[] = []
  for (const [ri, v] of res.instances) {
    const w = `${where}/${ri}`
    kids.push(leaf(TlvType.RESOURCE_INSTANCE, ri, tlvValueBytes(res.type, v, w), w))
  }
  return parent(TlvType.MULTIPLE_RESOURCE, res.id, kids, where)
}

function instanceChildren(inst: ObjectInstance, where: string): Out[] {
  const kids: Out[] = []
  for (const res of inst.resources.values()) kids.push(resourceOut(res, `${where}/${res.id}`))
  return kids
}

function write(items: readonly Out[], buf: Uint8Array, pos: number): number {
  for (const it of items) {
    const { id, length } = it
    const lenType = length < 8 ? 0 : length <= 0xff ? 1 : length <= 0xffff ? 2 : 3
    buf[pos++] = (it.type << 6) | (id > 0xff ? 0x20 : 0) | (lenType << 3) | (lenType === 0 ? length : 0)
    if (id > 0xff) buf[pos++] = id >> 8
    buf[pos++] = id & 0xff
    for (let i = lenType - 1; i >= 0; i--) buf[pos++] = (length >> (8 * i)) & 0xff
    if (it.value !== undefined) {
      buf.set(it.value, pos)
      pos += it.value.length
    } else pos = write(it.children!, buf, pos)
  }
  return pos
}

function serialize(items: readonly Out[]): Uint8Array {
  let size = 0
  for (const it of items) size += headerSize(it.id, it.length) + it.length
  const buf = new Uint8Array(size)
  write(items, buf, 0)
  return buf
}

/**
 * True for the instance a Create sends without an id (Core TS 1.2 section 6.3.6: "When
 * there is no reference to Object Instance in the TLV ... payload", the client assigns the
 * id): an instance node with id MAX_ID (65535, reserved) at an object path.
 */
function isInstanceWithoutId(node: Lwm2mNode, path: Lwm2mPath): boolean {
  return node.kind === 'instance' && node.id === MAX_ID && path.level === 'object'
}

/**
 * OMA TLV (application/vnd.oma.lwm2m+tlv, content format 11542; the pre-IANA number
 * 1542 is accepted, Core TS section 7.4.3). Encodes objects as Object Instance TLVs,
 * instances as their resource TLVs, multiple resources as a Multiple Resource TLV of
 * Resource Instance TLVs, and an instance with id MAX_ID at an object path (the instance
 * of a Create without id) as its resource TLVs without the Object Instance TLV. Decoding
 * types values by the model; without one, values are Opaque (TLV does not carry types).
 * It accepts the shapes peers send: an instance wrapped in its Object Instance TLV, a
 * multiple resource given as bare Resource Instance TLVs, and resource TLVs without
 * wrapper at an object path: instance 0 of a single-instance object (or of an object
 * without model), and in a multiple-instance object the instance without id of a Create,
 * given id MAX_ID.
 */
export function tlvCodec(): NodeCodec {
  return {
    format: FORMAT,
    aliases: [1542],
    canEncode(node: Lwm2mNode, path: Lwm2mPath): boolean {
      return fitsPath(node, path) || isInstanceWithoutId(node, path)
    },
    encode(node: Lwm2mNode, path: Lwm2mPath): Uint8Array {
      const where = path.toString()
      if (isInstanceWithoutId(node, path)) return serialize(instanceChildren(node as ObjectInstance, where))
      if (!fitsPath(node, path)) unsupported(FORMAT, `a ${node.kind} node`, path)
      switch (node.kind) {
        case 'object':
          return serialize(
            [...node.instances.values()].map((inst) => {
              const w = `${where}/${inst.id}`
              return parent(TlvType.OBJECT_INSTANCE, inst.id, instanceChildren(inst, w), w)
            }),
          )
        case 'instance':
          return serialize(instanceChildren(node, where))
        case 'resource':
        case 'multipleResource':
          return serialize([resourceOut(node, where)])
        case 'resourceInstance':
          return serialize([
            leaf(TlvType.RESOURCE_INSTANCE, node.id, tlvValueBytes(node.type, node.value, where), where),
          ])
      }
    },
    decode(payload: Uint8Array, path: Lwm2mPath, models: ModelLookup): Lwm2mNode {
      return decodeAt(payload, path, models)
    },
  }
}

function decodeAt(bytes: Uint8Array, path: Lwm2mPath, models: ModelLookup): Lwm2mNode {
  const tlvs = readTlvs(bytes, 0, bytes.length)
  const [oid, iid, rid, riid] = path.ids
  switch (path.level) {
    case 'object':
      return decodeObject(bytes, tlvs, oid!, models)
    case 'instance': {
      const only = tlvs[0]
      if (tlvs.length === 1 && only!.type === TlvType.OBJECT_INSTANCE) {
        if (only!.id !== iid) fail(`instance ${only!.id} where ${iid} was asked`, only!)
        return decodeInstance(bytes, readTlvs(bytes, only!.start, only!.end), oid!, iid!, models)
      }
      return decodeInstance(bytes, tlvs, oid!, iid!, models)
    }
    case 'resource': {
      const model = resourceModelOf(models, oid!, rid!)
      const only = tlvs[0]
      if (tlvs.length === 1 && only!.type !== TlvType.RESOURCE_INSTANCE) {
        if (only!.type === TlvType.OBJECT_INSTANCE)
          fail('an Object Instance TLV where a resource was asked', only!)
        if (only!.id !== rid) fail(`resource ${only!.id} where ${rid} was asked`, only!)
        return decodeResource(bytes, only!, oid!, iid!, model)
      }
      // A multiple resource as bare Resource Instance TLVs (or with no instance at all).
      if (tlvs.length === 0 && model?.multiple !== true) {
        throw new Lwm2mCodecError(FORMAT, 'empty payload for a resource', { path: path.toString() })
      }
      if (model !== undefined && !model.multiple) {
        throw new Lwm2mCodecError(FORMAT, `resource ${model.id} (${model.name}) is single-instance`, {
          path: path.toString(),
        })
      }
      return multiple(bytes, tlvs, rid!, [oid!, iid!, rid!], model)
    }
    case 'resourceInstance': {
      const model = resourceModelOf(models, oid!, rid!)
      if (model !== undefined && !model.multiple) {
        throw new Lwm2mCodecError(FORMAT, `resource ${model.id} (${model.name}) is single-instance`, {
          path: path.toString(),
        })
      }
      const only = tlvs[0]
      if (tlvs.length !== 1 || only!.type !== TlvType.RESOURCE_INSTANCE) {
        throw new Lwm2mCodecError(FORMAT, 'expected one Resource Instance TLV', { offset: 0 })
      }
      if (only!.id !== riid) fail(`resource instance ${only!.id} where ${riid} was asked`, only!)
      const { type, value } = tlvValue(FORMAT, bytes, only!.start, only!.end, model?.type, path.toString())
      return { kind: 'resourceInstance', id: riid!, type, value }
    }
    default:
      return unsupported(FORMAT, 'the root', path)
  }
}

function fail(why: string, at: Tlv): never {
  throw new Lwm2mCodecError(FORMAT, why, { offset: at.offset })
}

function decodeObject(bytes: Uint8Array, tlvs: readonly Tlv[], oid: number, models: ModelLookup): ObjectNode {
  const instances = new Map<number, ObjectInstance>()
  if (
    tlvs.length > 0 &&
    tlvs.every((t) => t.type === TlvType.RESOURCE || t.type === TlvType.MULTIPLE_RESOURCE)
  ) {
    // Resources without the instance TLV: in a multiple-instance object, the instance of a
    // Create that leaves the id to the client (Core TS 1.2 section 6.3.6); otherwise
    // instance 0, as LwM2M 1.0 peers send a single-instance object.
    const iid = models.getObjectModel(oid)?.multiple ? MAX_ID : 0
    instances.set(iid, decodeInstance(bytes, tlvs, oid, iid, models))
    return { kind: 'object', id: oid, instances }
  }
  for (const t of tlvs) {
    if (t.type !== TlvType.OBJECT_INSTANCE) fail('expected an Object Instance TLV', t)
    if (instances.has(t.id)) fail(`instance ${t.id} given twice`, t)
    instances.set(t.id, decodeInstance(bytes, readTlvs(bytes, t.start, t.end), oid, t.id, models))
  }
  return { kind: 'object', id: oid, instances }
}

function decodeInstance(
  bytes: Uint8Array,
  tlvs: readonly Tlv[],
  oid: number,
  iid: number,
  models: ModelLookup,
): ObjectInstance {
  const resources = new Map<number, Resource>()
  const objectModel = models.getObjectModel(oid)
  for (const t of tlvs) {
    if (t.type !== TlvType.RESOURCE && t.type !== TlvType.MULTIPLE_RESOURCE)
      fail('expected a resource TLV', t)
    if (resources.has(t.id)) fail(`resource ${t.id} given twice`, t)
    resources.set(t.id, decodeResource(bytes, t, oid, iid, objectModel?.resources.get(t.id)))
  }
  return { kind: 'instance', id: iid, resources }
}

function decodeResource(
  bytes: Uint8Array,
  t: Tlv,
  oid: number,
  iid: number,
  model: ResourceModel | undefined,
): Resource {
  if (model !== undefined && model.multiple !== (t.type === TlvType.MULTIPLE_RESOURCE)) {
    fail(`resource ${model.id} (${model.name}) is ${model.multiple ? 'multiple' : 'single'}-instance`, t)
  }
  if (t.type === TlvType.RESOURCE) {
    const { type, value } = tlvValue(FORMAT, bytes, t.start, t.end, model?.type, [oid, iid, t.id])
    return { kind: 'resource', id: t.id, type, value }
  }
  return multiple(bytes, readTlvs(bytes, t.start, t.end), t.id, [oid, iid, t.id], model)
}

function multiple(
  bytes: Uint8Array,
  tlvs: readonly Tlv[],
  rid: number,
  where: readonly number[],
  model: ResourceModel | undefined,
): MultipleResource {
  const instances = new Map<number, ResourceValue>()
  let type = model?.type ?? 'opaque'
  for (const ri of tlvs) {
    if (ri.type !== TlvType.RESOURCE_INSTANCE) fail('expected a Resource Instance TLV', ri)
    if (instances.has(ri.id)) fail(`resource instance ${ri.id} given twice`, ri)
    const v = tlvValue(FORMAT, bytes, ri.start, ri.end, model?.type, [...where, ri.id])
    type = v.type
    instances.set(ri.id, v.value)
  }
  return { kind: 'multipleResource', id: rid, type, instances }
}
