import { Lwm2mCodecError, Lwm2mError } from '../../errors.js'
import type { ResourceType } from '../../model/types.js'
import type { ObjectLink, ResourceValue } from '../../node/types.js'
import { MAX_ID } from '../../path/path.js'
import { checkValue, secondsToTime, timeToSeconds } from '../../value/check.js'
import { normalizeInteger } from '../../value/integer.js'
import { formatObjectLink, parseObjectLink } from '../../value/object-link.js'

/**
 * One SenML record as read from the wire (RFC 8428 section 4, with the LwM2M "vlo"
 * label for object links, Core TS section 7.4.4/7.4.5). `at` locates it for messages:
 * a byte or character offset, or its index in the pack.
 */
export interface SenmlRecord {
  bn?: string
  bt?: number
  bv?: number
  bver?: number
  n?: string
  t?: number
  v?: number | bigint
  vs?: string
  vb?: boolean
  vd?: Uint8Array
  vlo?: string
  at: number
}

/** A value as SenML carries it: which value label, and what it held. */
export type SenmlValue =
  | { readonly label: 'v'; readonly value: number | bigint }
  | { readonly label: 'vs'; readonly value: string }
  | { readonly label: 'vb'; readonly value: boolean }
  | { readonly label: 'vd'; readonly value: Uint8Array }
  | { readonly label: 'vlo'; readonly value: string }

/** A record after base-name, base-time and base-value resolution (RFC 8428 section 4.6). */
export interface ResolvedRecord {
  /** The path ids the resolved name stands for (0 to 4 of them). */
  readonly ids: number[]
  readonly name: string
  /** Resolved time (bt + t); undefined when neither is given. */
  readonly time: number | undefined
  readonly value: SenmlValue | undefined
  readonly at: number
}

/** The SenML version this implementation understands (RFC 8428 section 4.4). */
export const SENML_VERSION = 10

/** Parses "/3/0/1" into ids; undefined if it is not an LwM2M path. */
export function parsePathIds(name: string): number[] | undefined {
  if (name.length === 0 || name.charCodeAt(0) !== 0x2f) return undefined
  const end = name.length > 1 && name.charCodeAt(name.length - 1) === 0x2f ? name.length - 1 : name.length
  const ids: number[] = []
  if (end <= 1) return ids
  let id = -1
  for (let i = 1; i <= end; i++) {
    const c = i === end ? 0x2f : name.charCodeAt(i)
    if (c === 0x2f) {
      if (id < 0 || ids.length === 4) return undefined
      ids.push(id)
      id = -1
      continue
    }
    if (c < 0x30 || c > 0x39) return undefined
    if (id === 0) return undefined // no leading zeros
    id = id < 0 ? c - 0x30 : id * 10 + (c - 0x30)
    if (id > MAX_ID) return undefined
  }
  return ids
}

/**
 * Resolves base name, base time and base value over the pack, in order (RFC 8428
 * section 4.6), and checks each resolved name is an LwM2M path. Throws Lwm2mCodecError.
 */
export function resolveRecords(format: number, records: readonly SenmlRecord[]): ResolvedRecord[] {
  let bn = ''
  let bt: number | undefined
  let bv: number | undefined
  const out: ResolvedRecord[] = []
  for (const r of records) {
    if (r.bver !== undefined && r.bver > SENML_VERSION) {
      throw new Lwm2mCodecError(format, `SenML version ${r.bver} is newer than ${SENML_VERSION}`, {
        offset: r.at,
      })
    }
    if (r.bn !== undefined) bn = r.bn
    if (r.bt !== undefined) bt = r.bt
    if (r.bv !== undefined) bv = r.bv
    const name = r.n === undefined ? bn : bn + r.n
    const ids = parsePathIds(name)
    if (ids === undefined) {
      throw new Lwm2mCodecError(format, `SenML name "${name.slice(0, 60)}" is not an LwM2M path`, {
        offset: r.at,
      })
    }
    const time = bt === undefined && r.t === undefined ? undefined : (bt ?? 0) + (r.t ?? 0)
    let value: SenmlValue | undefined
    let count = 0
    if (r.v !== undefined) {
      count++
      let v = r.v
      if (bv !== undefined)
        v = typeof v === 'bigint' && Number.isInteger(bv) ? v + BigInt(bv) : Number(v) + bv
      value = { label: 'v', value: v }
    }
    if (r.vs !== undefined) {
      count++
      value = { label: 'vs', value: r.vs }
    }
    if (r.vb !== undefined) {
      count++
      value = { label: 'vb', value: r.vb }
    }
    if (r.vd !== undefined) {
      count++
      value = { label: 'vd', value: r.vd }
    }
    if (r.vlo !== undefined) {
      count++
      value = { label: 'vlo', value: r.vlo }
    }
    if (count > 1) throw new Lwm2mCodecError(format, 'a record with more than one value', { offset: r.at })
    out.push({ ids, name, time, value, at: r.at })
  }
  return out
}

const LABEL_OF_TYPE: Record<ResourceType, SenmlValue['label']> = {
  string: 'vs',
  corelnk: 'vs',
  none: 'vs',
  integer: 'v',
  unsigned: 'v',
  float: 'v',
  time: 'v',
  boolean: 'vb',
  opaque: 'vd',
  objlnk: 'vlo',
}

/** The SenML value of a value of `type` (checked first; throws LWM2M_INVALID_VALUE). */
export function toSenmlValue(type: ResourceType, raw: ResourceValue, where: string): SenmlValue {
  const value = checkValue(type, raw, where)
  switch (LABEL_OF_TYPE[type]) {
    case 'vs':
      return { label: 'vs', value: value as string }
    case 'v':
      return {
        label: 'v',
        value: type === 'time' ? timeToSeconds(value as Date) : (value as number | bigint),
      }
    case 'vb':
      return { label: 'vb', value: value as boolean }
    case 'vd':
      return { label: 'vd', value: value as Uint8Array }
    default:
      return { label: 'vlo', value: formatObjectLink(value as ObjectLink) }
  }
}

/**
 * A SenML value as a typed value: by the model's type when there is one (the label must
 * fit it), otherwise by the label (v: Integer if integral, Unsigned beyond 2^63, else
 * Float; vs: String; vb: Boolean; vd: Opaque; vlo: Objlnk). Throws Lwm2mCodecError.
 */
export function fromSenmlValue(
  format: number,
  sv: SenmlValue,
  type: ResourceType | undefined,
  where: string,
): { type: ResourceType; value: ResourceValue } {
  const fail = (why: string): never => {
    throw new Lwm2mCodecError(format, why, { path: where })
  }
  if (type === undefined) {
    switch (sv.label) {
      case 'v': {
        const n = normalizeInteger(sv.value)
        if (n === undefined) return { type: 'float', value: Number(sv.value) }
        if (typeof n === 'bigint' && n >= 2n ** 63n) return { type: 'unsigned', value: guard('unsigned', n) }
        return { type: 'integer', value: guard('integer', n) }
      }
      case 'vs':
        return { type: 'string', value: sv.value }
      case 'vb':
        return { type: 'boolean', value: sv.value }
      case 'vd':
        return { type: 'opaque', value: sv.value }
      case 'vlo':
        return { type: 'objlnk', value: link(sv.value) }
    }
  }
  const want = LABEL_OF_TYPE[type]
  if (sv.label !== want) fail(`a ${type} value comes in "${want}", not "${sv.label}"`)
  switch (type) {
    case 'integer':
    case 'unsigned': {
      const n = normalizeInteger(sv.value)
      if (n === undefined) return fail(`${String(sv.value)} is not an integer (or not exact beyond 2^53)`)
      return { type, value: guard(type, n) }
    }
    case 'float':
      return { type, value: Number(sv.value) }
    case 'time': {
      const n = normalizeInteger(sv.value)
      if (n === undefined) return fail(`${String(sv.value)} is not whole seconds`)
      return { type, value: guard('time', n) }
    }
    case 'objlnk':
      return { type, value: link(sv.value as string) }
    case 'none':
      return { type, value: '' }
    default:
      return { type, value: sv.value as ResourceValue }
  }

  function guard(t: ResourceType, v: number | bigint): ResourceValue {
    try {
      return t === 'time' ? secondsToTime(v, where) : checkValue(t, v, where)
    } catch (e) {
      if (Lwm2mError.isInstance(e)) fail(e.message)
      throw e
    }
  }
  function link(text: string): ObjectLink {
    const l = parseObjectLink(text)
    if (l === undefined) fail(`"${text.slice(0, 20)}" is not an object link`)
    return l as ObjectLink
  }
}

/** One record to write: name parts and at most one value. */
export interface SenmlOut {
  bn?: string
  bt?: number
  n?: string
  value?: SenmlValue
}
