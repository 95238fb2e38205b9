import { formatBinding, type Lwm2mVersion, type ModelLookup, type UpdateParams } from '@lwm2m/core'
import type { Registration } from '@lwm2m/server'
import type { JsonValue } from '../output/json.js'
import { formatName } from '../values/formats.js'

function iso(ms: number): string | null {
  return Number.isFinite(ms) ? new Date(ms).toISOString() : null
}

/**
 * A registration in JSON (the `registration` field of the JSON schema): endpoint, id,
 * version, lifetime (s), binding, queueMode, scheme, address, port, security (the DTLS
 * identity: mode with identity, subject or publicKey as hex; null over plain CoAP), rootPath,
 * supportedFormats (short names), objects (id, version or null, name or null, instances),
 * registeredAt, updatedAt, expiresAt (ISO; null for lifetime 0).
 */
export function registrationJson(reg: Registration, models: ModelLookup): { [key: string]: JsonValue } {
  return {
    endpoint: reg.endpoint,
    id: reg.id,
    version: reg.version,
    lifetime: reg.lifetime,
    binding: formatBinding(reg.binding, reg.version),
    queueMode: reg.queueMode,
    scheme: reg.scheme,
    address: reg.peer.address,
    port: reg.peer.port,
    security: securityJson(reg),
    rootPath: reg.rootPath,
    supportedFormats: reg.supportedFormats.map(formatName),
    objects: [...reg.objectLinks.values()].map((o) => ({
      id: o.objectId,
      version: o.version ?? null,
      name: models.getObjectModel(o.objectId)?.name ?? null,
      instances: [...o.instances],
    })),
    registeredAt: iso(reg.registeredAt),
    updatedAt: iso(reg.updatedAt),
    expiresAt: iso(reg.expiresAt),
  }
}

/** The identity the client authenticated with, for JSON (null over plain CoAP). */
export function securityJson(reg: Registration): { [key: string]: JsonValue } | null {
  const id = reg.peer.identity
  if (id === undefined) return null
  switch (id.mode) {
    case 'psk':
      return { mode: 'psk', identity: id.identity }
    case 'rpk':
      return { mode: 'rpk', publicKey: Buffer.from(id.publicKey).toString('hex') }
    case 'x509':
      return { mode: 'x509', subject: id.subject }
  }
}

/** The identity as a person reads it: "PSK identity dev1-id", "X.509 CN=dev1", "raw public key". */
export function securityText(reg: Registration): string | undefined {
  const id = reg.peer.identity
  if (id === undefined) return undefined
  return id.mode === 'psk'
    ? `PSK identity ${id.identity}`
    : id.mode === 'x509'
      ? `X.509 ${id.subject}`
      : 'raw public key'
}

/** Where the client is, as a person reads it. */
export function peerText(reg: Registration): string {
  const host = reg.peer.address.includes(':') ? `[${reg.peer.address}]` : reg.peer.address
  return `${reg.scheme}://${host}:${reg.peer.port}`
}

/** The objects of a registration: "/1 /3 /3303(2)", instance counts where there are several. */
export function objectsText(reg: Registration): string {
  return [...reg.objectLinks.values()]
    .map((o) => `/${o.objectId}${o.instances.length > 1 ? `(${o.instances.length})` : ''}`)
    .join(' ')
}

/** One line per registration: endpoint, version, binding, lifetime, address, objects. */
export function registrationLine(reg: Registration, asleep: boolean | undefined): string {
  const queue = reg.queueMode ? (asleep === true ? ' queue mode, asleep' : ' queue mode') : ''
  return `${reg.endpoint}  LwM2M ${reg.version}  ${peerText(reg)}  lifetime ${reg.lifetime} s  binding ${formatBinding(reg.binding, reg.version)}${queue}  objects ${objectsText(reg)}`
}

/** The objects of a registration with their names and instances, one per line. */
export function registrationDetails(reg: Registration, models: ModelLookup): string[] {
  const lines = [
    `${reg.endpoint}: LwM2M ${reg.version}, ${peerText(reg)}${securityText(reg) === undefined ? '' : ` (${securityText(reg)})`}, registration /rd/${reg.id}`,
    `  lifetime ${reg.lifetime} s, binding ${formatBinding(reg.binding, reg.version)}${reg.queueMode ? ', queue mode' : ''}, registered ${new Date(reg.registeredAt).toISOString()}`,
  ]
  if (reg.supportedFormats.length > 0) {
    lines.push(`  formats ${reg.supportedFormats.map(formatName).join(', ')}`)
  }
  const objects = [...reg.objectLinks.values()]
  const width = Math.max(0, ...objects.map((o) => String(o.objectId).length + 1))
  for (const o of objects) {
    const model = models.getObjectModel(o.objectId)
    const name = model?.name ?? '(unknown object)'
    const version = o.version ?? model?.version
    const instances = o.instances.length === 0 ? 'no instances' : `instances ${o.instances.join(', ')}`
    lines.push(
      `  /${String(o.objectId).padEnd(width - 1)}  ${name}${version === undefined ? '' : ` ${version}`}: ${instances}`,
    )
  }
  return lines
}

/** The parameters of an Update in JSON (binding as its letters); only those it carried. */
export function updateParamsJson(params: UpdateParams, version: Lwm2mVersion): { [key: string]: JsonValue } {
  const out: { [key: string]: JsonValue } = {}
  if (params.lifetime !== undefined) out.lifetime = params.lifetime
  if (params.binding !== undefined) out.binding = formatBinding(params.binding, version)
  if (params.queueMode !== undefined) out.queueMode = params.queueMode
  if (params.smsNumber !== undefined) out.smsNumber = params.smsNumber
  if (params.profileIds !== undefined) out.profileIds = [...params.profileIds]
  return out
}
