import { ContentFormat } from '@lwm2m/coap'
import { queryItems } from '../attributes/query.js'
import { Lwm2mError } from '../errors.js'
import { isLwm2mVersion, type Lwm2mVersion, parseVersionText } from '../version/version.js'
import { type BindingMode, formatBinding, parseBinding } from './binding.js'

/** The lifetime a server assumes when a Register carries none (Core TS 1.0 section 5.3.1: 86400 s). */
export const DEFAULT_LIFETIME = 86400

/** Parameters of a Register (Core TS 1.2 section 6.2.1, Transport TS section 6.4.3: `/rd?ep=&lt=&lwm2m=&b=&Q&sms=&pid=`). */
export interface RegisterParams {
  /** `ep`: the Endpoint Client Name; mandatory in 1.0, optional from 1.1 (the security identity stands in). */
  readonly endpoint?: string
  /** `lt`: seconds; absent means {@link DEFAULT_LIFETIME}. 0 means no expiry (/1/x/1). */
  readonly lifetime?: number
  /** `lwm2m`: the client's enabler version text ("1.1"); absent is 1.0. Negotiate it with `negotiateVersion`. */
  readonly version?: string
  /** `b`: absent means U. */
  readonly binding?: BindingMode
  /** Queue mode: the `Q` parameter (1.1+) or the Q inside `b` (1.0). */
  readonly queueMode: boolean
  /** `sms`: the MSISDN or External Identifier. */
  readonly smsNumber?: string
  /** `pid` (1.2): Profile IDs, each `suite:hex`, `oma:...` or `v:...`. */
  readonly profileIds?: readonly string[]
  /** Parameters this package does not know, kept when `unknown: 'keep'` (value `null` for a bare name). */
  readonly additional?: Readonly<Record<string, string | null>>
}

/** Parameters of an Update (Core TS 1.2 section 6.2.2): only what changed. */
export interface UpdateParams {
  readonly lifetime?: number
  readonly binding?: BindingMode
  /** True when the Update carries `Q`. */
  readonly queueMode?: boolean
  readonly smsNumber?: string
  readonly profileIds?: readonly string[]
  readonly additional?: Readonly<Record<string, string | null>>
}

/** Parameters of a Bootstrap-Request (Core TS 1.2 section 6.1.7.1: `/bs?ep=&pct=`). */
export interface BootstrapRequestParams {
  readonly endpoint?: string
  /** `pct` (1.1+): the preferred content format, one of TLV, SenML JSON, SenML CBOR, LwM2M CBOR. */
  readonly preferredContentFormat?: number
}

/** Parameters of a Bootstrap-Pack-Request (1.2, section 6.1.7.7: `/bspack?ep=`). */
export interface BootstrapPackRequestParams {
  readonly endpoint?: string
  /** `acc` (1.2.1): the Bootstrap-Server account instances as CoRE link text (`</0/0>,</21/0>`), as received. */
  readonly accounts?: string
}

/** Options of the query parsers. */
export interface RegistrationParseOptions {
  /**
   * What to do with parameters this package does not know: 'reject' (the default: 4.00
   * Bad Request, "unknown parameter is specified", Transport TS table 6.7-2) or 'keep' them
   * in `additional`, as lenient servers do for Resource Directory extras like `et` or `d`.
   */
  readonly unknown?: 'reject' | 'keep'
}

function invalid(message: string): never {
  throw new Lwm2mError('LWM2M_INVALID_REGISTRATION', message)
}

function split(item: string): [string, string | null] {
  const eq = item.indexOf('=')
  return eq < 0 ? [item, null] : [item.slice(0, eq), item.slice(eq + 1)]
}

function needValue(name: string, value: string | null): string {
  if (value === null || value.length === 0) invalid(`parameter ${name} needs a value`)
  return value
}

function parseLifetime(value: string): number {
  if (!/^[0-9]{1,10}$/.test(value) || Number(value) > 0xffffffff)
    invalid(`lifetime "${value.slice(0, 20)}" is not a number of seconds`)
  return Number(value)
}

const PROFILE_ID = /^(?:[0-9]+:[0-9a-f]+|(?:oma|v):[A-Za-z0-9-]+)$/

/**
 * Parses a `pid` value (Core TS 1.2 section 6.2.1: `value = profileID / ( DQUOTE profileID
 * *( "," profileID ) DQUOTE )`, `dynamicID = suite-identifier ":" 1*(DIGIT / "a"-"f")`,
 * `preConfigID = ("oma" / "v") ":" 1*(ALPHA / DIGIT / "-")`).
 */
export function parseProfileIds(value: string): string[] {
  const quoted = value.length >= 2 && value.startsWith('"') && value.endsWith('"')
  const ids = quoted ? value.slice(1, -1).split(',') : [value]
  for (const id of ids) if (!PROFILE_ID.test(id)) invalid(`"${id.slice(0, 40)}" is not a Profile ID`)
  return ids
}

function formatProfileIds(ids: readonly string[]): string {
  for (const id of ids) if (!PROFILE_ID.test(id)) invalid(`"${id.slice(0, 40)}" is not a Profile ID`)
  return ids.length === 1 ? ids[0]! : `"${ids.join(',')}"`
}

function bindingVersion(version: string | undefined): Lwm2mVersion {
  if (version === undefined) return '1.0'
  if (isLwm2mVersion(version)) return version
  // A newer minor version: read its binding with the newest rules we know.
  return '1.2'
}

type Collected = Map<string, string | null>

function collect(
  query: string | readonly string[],
  known: ReadonlySet<string>,
  options: RegistrationParseOptions,
) {
  const seen: Collected = new Map()
  const additional: Record<string, string | null> = {}
  let pids: string[] | undefined
  for (const item of queryItems(query)) {
    const [name, value] = split(item)
    if (name === 'pid' && known.has('pid')) {
      ;(pids ??= []).push(...parseProfileIds(needValue('pid', value)))
      continue
    }
    if (!known.has(name)) {
      if ((options.unknown ?? 'reject') === 'reject') invalid(`unknown parameter "${name.slice(0, 40)}"`)
      if (Object.hasOwn(additional, name)) invalid(`parameter "${name.slice(0, 40)}" is given twice`)
      additional[name] = value
      continue
    }
    if (seen.has(name)) invalid(`parameter ${name} is given twice`)
    seen.set(name, value)
  }
  return { seen, additional, pids }
}

const REGISTER_KNOWN = new Set(['ep', 'lt', 'lwm2m', 'b', 'Q', 'sms', 'pid'])
const UPDATE_KNOWN = new Set(['lt', 'b', 'Q', 'sms', 'pid'])

/**
 * Parses the Uri-Query of a Register (Transport TS table 6.4.3-1) and checks it: `ep`
 * present and non-empty for 1.0 clients, `lt` a number of seconds, `lwm2m` of the form
 * major.minor, `b` valid for that version, `Q` without value, `sms` non-empty, `pid` by its
 * ABNF, no parameter twice, nothing unknown (see {@link RegistrationParseOptions}).
 * Throws Lwm2mError LWM2M_INVALID_REGISTRATION, answered 4.00 Bad Request. Whether the version
 * is supported is `negotiateVersion`'s question (4.12).
 */
export function parseRegisterQuery(
  query: string | readonly string[],
  options: RegistrationParseOptions = {},
): RegisterParams {
  const { seen, additional, pids } = collect(query, REGISTER_KNOWN, options)
  const out: {
    -readonly [K in keyof RegisterParams]: RegisterParams[K]
  } = { queueMode: false }
  const version = seen.get('lwm2m')
  if (version !== undefined) {
    const v = needValue('lwm2m', version)
    if (!parseVersionText(v)) invalid(`lwm2m "${v.slice(0, 20)}" is not a version like 1.1`)
    out.version = v
  }
  const bv = bindingVersion(out.version)
  const ep = seen.get('ep')
  if (ep !== undefined) out.endpoint = needValue('ep', ep)
  else if (bv === '1.0') invalid('parameter ep (Endpoint Client Name) is mandatory for LwM2M 1.0')
  const lt = seen.get('lt')
  if (lt !== undefined) out.lifetime = parseLifetime(needValue('lt', lt))
  const b = seen.get('b')
  if (b !== undefined) {
    out.binding = parseBinding(needValue('b', b), bv)
    if (out.binding.queueMode) out.queueMode = true
  }
  if (seen.has('Q')) {
    if (seen.get('Q') !== null) invalid('parameter Q takes no value')
    out.queueMode = true
  }
  const sms = seen.get('sms')
  if (sms !== undefined) out.smsNumber = needValue('sms', sms)
  if (pids) out.profileIds = pids
  if (Object.keys(additional).length > 0) out.additional = additional
  return out
}

/** Builds the Uri-Query items of a Register for the client's version (the inverse of {@link parseRegisterQuery}). */
export function buildRegisterQuery(params: RegisterParams): string[] {
  const items: string[] = []
  const version = params.version
  if (version !== undefined && !parseVersionText(version))
    invalid(`lwm2m "${version}" is not a version like 1.1`)
  const bv = bindingVersion(version)
  if (params.endpoint !== undefined) {
    if (params.endpoint.length === 0) invalid('the endpoint name is empty')
    items.push(`ep=${params.endpoint}`)
  } else if (bv === '1.0') invalid('an LwM2M 1.0 Register needs an endpoint name')
  if (params.lifetime !== undefined) items.push(`lt=${formatLifetime(params.lifetime)}`)
  if (version !== undefined) items.push(`lwm2m=${version}`)
  if (bv === '1.0') {
    if (params.binding !== undefined || params.queueMode) {
      items.push(
        `b=${formatBinding({ transports: params.binding?.transports ?? ['U'], queueMode: params.queueMode }, '1.0')}`,
      )
    }
  } else {
    if (params.binding !== undefined)
      items.push(`b=${formatBinding({ ...params.binding, queueMode: false }, bv)}`)
    if (params.queueMode) items.push('Q')
  }
  if (params.smsNumber !== undefined) items.push(`sms=${nonEmpty('sms', params.smsNumber)}`)
  if (params.profileIds?.length) items.push(`pid=${formatProfileIds(params.profileIds)}`)
  pushAdditional(items, params.additional)
  return items
}

/**
 * Parses the Uri-Query of an Update (Core TS 1.2 table 6.2.2-1: lt, b, sms, pid; Transport
 * TS adds Q). `version` is the version the client registered with, for the binding letters.
 */
export function parseUpdateQuery(
  query: string | readonly string[],
  version: Lwm2mVersion = '1.2',
  options: RegistrationParseOptions = {},
): UpdateParams {
  const { seen, additional, pids } = collect(query, UPDATE_KNOWN, options)
  const out: { -readonly [K in keyof UpdateParams]: UpdateParams[K] } = {}
  const lt = seen.get('lt')
  if (lt !== undefined) out.lifetime = parseLifetime(needValue('lt', lt))
  const b = seen.get('b')
  if (b !== undefined) {
    out.binding = parseBinding(needValue('b', b), version)
    if (out.binding.queueMode) out.queueMode = true
  }
  if (seen.has('Q')) {
    if (seen.get('Q') !== null) invalid('parameter Q takes no value')
    out.queueMode = true
  }
  const sms = seen.get('sms')
  if (sms !== undefined) out.smsNumber = needValue('sms', sms)
  if (pids) out.profileIds = pids
  if (Object.keys(additional).length > 0) out.additional = additional
  return out
}

/** Builds the Uri-Query items of an Update; an empty list is the parameterless Update that refreshes the lifetime. */
export function buildUpdateQuery(params: UpdateParams, version: Lwm2mVersion = '1.2'): string[] {
  const items: string[] = []
  if (params.lifetime !== undefined) items.push(`lt=${formatLifetime(params.lifetime)}`)
  if (version === '1.0') {
    if (params.binding !== undefined) {
      items.push(
        `b=${formatBinding({ ...params.binding, queueMode: params.queueMode ?? params.binding.queueMode }, '1.0')}`,
      )
    }
  } else {
    if (params.binding !== undefined)
      items.push(`b=${formatBinding({ ...params.binding, queueMode: false }, version)}`)
    if (params.queueMode) items.push('Q')
  }
  if (params.smsNumber !== undefined) items.push(`sms=${nonEmpty('sms', params.smsNumber)}`)
  if (params.profileIds?.length) items.push(`pid=${formatProfileIds(params.profileIds)}`)
  pushAdditional(items, params.additional)
  return items
}

const BOOTSTRAP_FORMATS: ReadonlySet<number> = new Set([
  ContentFormat.LWM2M_TLV,
  ContentFormat.SENML_JSON,
  ContentFormat.SENML_CBOR,
  ContentFormat.LWM2M_CBOR,
])

/**
 * Parses the Uri-Query of a Bootstrap-Request (`ep`, `pct`). A `pct` that is not a number
 * throws LWM2M_INVALID_REGISTRATION (4.00); one that is not TLV, SenML JSON, SenML CBOR or
 * LwM2M CBOR ("The Content Format ID MUST be one of ...", section 6.1.7.1) throws
 * LWM2M_UNSUPPORTED_FORMAT, which a Bootstrap-Server answers 4.15 (Transport TS table 6.7-1).
 */
export function parseBootstrapRequestQuery(
  query: string | readonly string[],
  options: RegistrationParseOptions = {},
): BootstrapRequestParams {
  const { seen } = collect(query, new Set(['ep', 'pct']), options)
  const out: { -readonly [K in keyof BootstrapRequestParams]: BootstrapRequestParams[K] } = {}
  const ep = seen.get('ep')
  if (ep !== undefined) out.endpoint = needValue('ep', ep)
  const pct = seen.get('pct')
  if (pct !== undefined) {
    const v = needValue('pct', pct)
    if (!/^[0-9]{1,5}$/.test(v) || Number(v) > 65535)
      invalid(`pct "${v.slice(0, 20)}" is not a content-format number`)
    if (!BOOTSTRAP_FORMATS.has(Number(v))) {
      throw new Lwm2mError(
        'LWM2M_UNSUPPORTED_FORMAT',
        `pct ${v} is not TLV, SenML JSON, SenML CBOR or LwM2M CBOR`,
      )
    }
    out.preferredContentFormat = Number(v)
  }
  return out
}

/** Builds the Uri-Query items of a Bootstrap-Request. */
export function buildBootstrapRequestQuery(params: BootstrapRequestParams): string[] {
  const items: string[] = []
  if (params.endpoint !== undefined) items.push(`ep=${nonEmpty('ep', params.endpoint)}`)
  if (params.preferredContentFormat !== undefined) {
    if (!BOOTSTRAP_FORMATS.has(params.preferredContentFormat)) {
      throw new Lwm2mError(
        'LWM2M_UNSUPPORTED_FORMAT',
        `pct ${params.preferredContentFormat} is not a bootstrap format`,
      )
    }
    items.push(`pct=${params.preferredContentFormat}`)
  }
  return items
}

/** Parses the Uri-Query of a Bootstrap-Pack-Request (`ep`, and `acc` of 1.2.1). */
export function parseBootstrapPackRequestQuery(
  query: string | readonly string[],
  options: RegistrationParseOptions = {},
): BootstrapPackRequestParams {
  const { seen } = collect(query, new Set(['ep', 'acc']), options)
  const ep = seen.get('ep')
  const acc = seen.get('acc')
  return {
    ...(ep === undefined ? {} : { endpoint: needValue('ep', ep) }),
    ...(acc === undefined ? {} : { accounts: needValue('acc', acc) }),
  }
}

/** Builds the Uri-Query items of a Bootstrap-Pack-Request. */
export function buildBootstrapPackRequestQuery(params: BootstrapPackRequestParams): string[] {
  const items: string[] = []
  if (params.endpoint !== undefined) items.push(`ep=${nonEmpty('ep', params.endpoint)}`)
  if (params.accounts !== undefined) items.push(`acc=${nonEmpty('acc', params.accounts)}`)
  return items
}

function formatLifetime(lifetime: number): string {
  if (!Number.isInteger(lifetime) || lifetime < 0 || lifetime > 0xffffffff)
    invalid(`lifetime ${lifetime} is not a number of seconds`)
  return String(lifetime)
}

function nonEmpty(name: string, value: string): string {
  if (value.length === 0) invalid(`parameter ${name} is empty`)
  return value
}

function pushAdditional(
  items: string[],
  additional: Readonly<Record<string, string | null>> | undefined,
): void {
  if (!additional) return
  for (const [name, value] of Object.entries(additional)) {
    if (name.length === 0 || name.includes('=') || name.includes('&'))
      invalid(`"${name}" cannot be a parameter name`)
    items.push(value === null ? name : `${name}=${value}`)
  }
}
