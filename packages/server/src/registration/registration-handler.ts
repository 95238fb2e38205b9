import { type Clock, Code, type IncomingRequest, type Logger, type ResponseInit } from '@lwm2m/coap'
import {
  buildResponse,
  type ClassifyContext,
  type CodecLookup,
  classifyRequest,
  DEFAULT_LIFETIME,
  errorResponse,
  isResponseError,
  Lwm2mError,
  Lwm2mResponseError,
  type Lwm2mVersion,
  type ModelLookup,
  mergeProfileObjects,
  NO_MODELS,
  type RegisterOperation,
  type RegistrationLinks,
  type RegistrationProfile,
  type SendOperation,
  type TimestampedNodes,
  type UpdateOperation,
} from '@lwm2m/core'
import type { AuthorizedOperation, ServerSecurityOptions } from '../security/authorizer.js'
import { checkEndpointSecurity } from '../security/check.js'
import { describeIdentity, sameIdentity } from '../security/identity.js'
import type { SecurityInfo, SecurityStore } from '../security/security-store.js'
import type { ServerLimits } from '../server/options.js'
import type { RegistrationStore } from '../store/registration-store.js'
import type { LinksCache } from './links-cache.js'
import type { Registration } from './registration.js'

/** What the registration interface needs from the server. */
export interface RegistrationHost {
  readonly clock: Clock
  readonly logger: Logger
  readonly codecs: CodecLookup
  readonly limits: ServerLimits
  readonly registrations: RegistrationStore
  readonly securityStore: SecurityStore
  readonly security: ServerSecurityOptions
  readonly versions: readonly Lwm2mVersion[]
  readonly unknownParameters: 'reject' | 'keep'
  readonly lifetimeGrace: number
  readonly checkSendObjects: boolean
  readonly links: LinksCache
  /** The Profile IDs (LwM2M 1.2 `pid`) the server knows, by ID. */
  readonly profiles: ReadonlyMap<string, RegistrationProfile>
  /** The scheme of each endpoint, by index. */
  schemeOf(transport: number): 'coap' | 'coaps'
  newId(): string
  modelsFor(registration: Registration): ModelLookup
  /** A client registered (the answer is about to go out). */
  registered(registration: Registration, replaced: Registration | undefined): Promise<void>
  updated(
    registration: Registration,
    previous: Registration,
    op: UpdateOperation,
    linksChanged: boolean,
  ): void
  deregistered(registration: Registration): Promise<void>
  sent(registration: Registration, data: readonly TimestampedNodes[], contentFormat: number): void
}

function refuse(code: number, message: string): never {
  throw new Lwm2mResponseError(code, message)
}

/** Control characters have no place in an endpoint name (they would corrupt logs and keys). */
function hasControlCharacter(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c < 0x20 || c === 0x7f) return true
  }
  return false
}

/**
 * The server side of the Registration interface (Core TS 1.2 section 6.2, Transport TS table
 * 6.4.3-1) and of Send (section 6.4.6): every request is classified by @lwm2m/core's
 * `classifyRequest` and answered with `buildResponse` or `errorResponse`, after the checks the
 * server owns: limits, the security of the endpoint name, the `authorize` hook, and that
 * Update, De-register and Send come from the registered client.
 */
export class RegistrationHandler {
  readonly #h: RegistrationHost
  /** The context without models or a registration's version: the same for every request. */
  #plain: ClassifyContext | undefined

  constructor(host: RegistrationHost) {
    this.#h = host
  }

  /** Answers one request that arrived on endpoint `transport`. Never throws. */
  async handle(req: IncomingRequest, transport: number): Promise<ResponseInit> {
    try {
      const first = req.path[0]
      if (first === 'rd') {
        if (req.path.length === 1) return await this.#register(req, transport)
        return await this.#registration(req, transport)
      }
      if (first === 'dp' && req.path.length === 1) return await this.#send(req, transport)
      // Anything else: let the mapping refuse it (4.04 for a path that is no server resource).
      classifyRequest(req, this.#classify(NO_MODELS))
      return refuse(Code.NotFound, `/${req.path.join('/')} is no LwM2M Server resource`)
    } catch (err) {
      if (!isResponseError(err) && !Lwm2mError.isInstance(err)) {
        this.#h.logger.error('registration interface failed', {
          error: err instanceof Error ? err.stack : String(err),
        })
      } else {
        this.#h.logger.debug('refused', { path: req.path.join('/'), error: (err as Error).message })
      }
      return errorResponse(err)
    }
  }

  #classify(models: ModelLookup, version?: Lwm2mVersion): ClassifyContext {
    if (models === NO_MODELS && version === undefined) {
      this.#plain ??= this.#makeContext(NO_MODELS)
      return this.#plain
    }
    return this.#makeContext(models, version)
  }

  #makeContext(models: ModelLookup, version?: Lwm2mVersion): ClassifyContext {
    return {
      codecs: this.#h.codecs,
      models,
      side: 'server',
      supportedVersions: this.#h.versions,
      unknownParameters: this.#h.unknownParameters,
      ...(version === undefined ? {} : { registrationVersion: () => version }),
    }
  }

  #checkPayload(req: IncomingRequest, max: number, what: string): void {
    if (req.payload.length > max) {
      refuse(Code.RequestEntityTooLarge, `${what} payload of ${req.payload.length} bytes exceeds ${max}`)
    }
  }

  #links(text: string | undefined, what: string): RegistrationLinks | undefined {
    if (text === undefined) return undefined
    try {
      return this.#h.links.parse(text)
    } catch (err) {
      if (Lwm2mError.isInstance(err)) refuse(Code.BadRequest, `${what} payload: ${err.message}`)
      throw err
    }
  }

  /**
   * The objects of a registration that named Profile IDs (Core TS 1.2 section 6.2.1 `pid`): its
   * payload's and those each profile stands for. An ID the server does not know is 4.00: the
   * server could not tell the client's objects (the client may register with its full list).
   */
  #withProfiles(
    objects: RegistrationLinks['objects'],
    ids: readonly string[] | undefined,
  ): RegistrationLinks['objects'] {
    if (ids === undefined || ids.length === 0) return objects
    const profiles = ids.map((id) => {
      const p = this.#h.profiles.get(id)
      if (p === undefined) refuse(Code.BadRequest, `unknown Profile ID ${id}`)
      return p
    })
    return mergeProfileObjects(objects, profiles)
  }

  async #authorize(
    endpoint: string,
    req: IncomingRequest,
    operation: AuthorizedOperation,
    registration: Registration | undefined,
  ): Promise<void> {
    const authorize = this.#h.security.authorize
    if (authorize === undefined) return
    const ok = await authorize({ endpoint, peer: req.peer, operation, registration })
    if (ok !== true) refuse(Code.Forbidden, `${operation} of ${endpoint} is not authorized`)
  }

  /** The registered client itself: same identity as at Register (Core TS 1.2 section 7.1). */
  #checkSameClient(reg: Registration, req: IncomingRequest, what: string): void {
    if (!sameIdentity(reg.peer.identity, req.peer.identity)) {
      refuse(
        Code.Forbidden,
        `${what} of ${reg.endpoint} from ${describeIdentity(req.peer.identity)}: registered with ${describeIdentity(reg.peer.identity)}`,
      )
    }
  }

  /**
   * The identity may still use the endpoint name: the security store is asked again on every
   * Update and Send, so that changed or removed credentials take effect at once (4.03).
   */
  async #checkStillAllowed(reg: Registration, req: IncomingRequest): Promise<void> {
    this.#checkSecurity(reg.endpoint, await this.#h.securityStore.getByEndpoint(reg.endpoint), req)
  }

  /** The peer's identity may use the endpoint name, by its security information (4.03 if not). */
  #checkSecurity(endpoint: string, info: SecurityInfo | undefined, req: IncomingRequest): void {
    const decision = checkEndpointSecurity(endpoint, info, req.peer, {
      allowUnsecured: this.#h.security.allowUnsecured ?? true,
    })
    if (!decision.allowed) refuse(Code.Forbidden, decision.reason)
  }

  #expiresAt(now: number, lifetime: number): number {
    return lifetime === 0 ? Number.POSITIVE_INFINITY : now + lifetime * 1000 + this.#h.lifetimeGrace
  }

  async #register(req: IncomingRequest, transport: number): Promise<ResponseInit> {
    const h = this.#h
    this.#checkPayload(req, h.limits.registrationPayload, 'Register')
    const op = classifyRequest(req, this.#classify(NO_MODELS)) as RegisterOperation
    const params = op.params
    // Core TS 1.2 section 6.2.1: "Objects and Object Instances" is a mandatory parameter, unless
    // Profile IDs (1.2) stand for them.
    if (op.links === undefined && (params.profileIds === undefined || params.profileIds.length === 0)) {
      refuse(Code.BadRequest, 'Register needs the object links payload')
    }
    const links = this.#links(op.links ?? '', 'Register')!
    const objectLinks = this.#withProfiles(links.objects, params.profileIds)
    let endpoint = params.endpoint
    const security = h.securityStore
    let info = endpoint === undefined ? undefined : await security.getByEndpoint(endpoint)
    if (endpoint === undefined) {
      // LwM2M 1.1+: without `ep` the server takes the name its security store gives the identity.
      const identity = req.peer.identity
      info = identity === undefined ? undefined : await security.getByIdentity(identity)
      if (info === undefined) {
        refuse(Code.BadRequest, 'parameter ep (Endpoint Client Name) is missing and no identity gives one')
      }
      endpoint = info.endpoint
    }
    if (endpoint.length > h.limits.endpointNameLength) {
      refuse(
        Code.BadRequest,
        `endpoint name of ${endpoint.length} characters exceeds ${h.limits.endpointNameLength}`,
      )
    }
    if (hasControlCharacter(endpoint)) refuse(Code.BadRequest, 'endpoint name contains control characters')
    this.#checkSecurity(endpoint, info, req)
    if (h.security.authorize !== undefined) await this.#authorize(endpoint, req, 'register', undefined)
    const existing = await h.registrations.getByEndpoint(endpoint)
    if (existing === undefined && (await h.registrations.size()) >= h.limits.registrations) {
      // No room: the client retries later (its registration procedure backs off).
      const answer = errorResponse(
        new Lwm2mResponseError(Code.ServiceUnavailable, `${h.limits.registrations} registrations reached`),
      )
      return { ...answer, maxAge: 60 }
    }
    const now = h.clock.now()
    const lifetime = params.lifetime ?? DEFAULT_LIFETIME
    let id = h.newId()
    for (let i = 0; i < 8 && (await h.registrations.getById(id)) !== undefined; i++) id = h.newId()
    const reg: Registration = {
      id,
      endpoint,
      peer: req.peer,
      transport,
      scheme: h.schemeOf(transport),
      version: op.version ?? '1.0',
      lifetime,
      binding: h.links.binding(params.binding ?? { transports: ['U'], queueMode: false }),
      queueMode: params.queueMode,
      smsNumber: params.smsNumber,
      profileIds: params.profileIds,
      additional: params.additional,
      rootPath: links.rootPath,
      supportedFormats: links.supportedFormats,
      objectLinks,
      registeredAt: now,
      updatedAt: now,
      expiresAt: this.#expiresAt(now, lifetime),
    }
    const replaced = await h.registrations.add(reg)
    await h.registered(reg, replaced)
    // Core TS 1.2 section 6.2.1: 2.01 Created with the location /rd/<id>.
    return buildResponse(op, { location: ['rd', id] }, this.#classify(NO_MODELS))
  }

  /** Update (POST /rd/<id>) or De-register (DELETE /rd/<id>). */
  async #registration(req: IncomingRequest, transport: number): Promise<ResponseInit> {
    const h = this.#h
    this.#checkPayload(req, h.limits.registrationPayload, 'Update')
    const reg = req.path.length === 2 ? await h.registrations.getById(req.path[1]!) : undefined
    const op = classifyRequest(req, this.#classify(NO_MODELS, reg?.version))
    if (op.kind !== 'update' && op.kind !== 'deregister') {
      return refuse(Code.MethodNotAllowed, `${req.method} /${req.path.join('/')}`)
    }
    // Core TS 1.2 section 6.2.2/6.2.3: an unknown location is 4.04 (the client registers again).
    if (reg === undefined) refuse(Code.NotFound, `no registration at /${req.path.join('/')}`)
    if (op.kind === 'deregister') {
      this.#checkSameClient(reg, req, 'De-register')
      if (h.security.authorize !== undefined) await this.#authorize(reg.endpoint, req, 'deregister', reg)
      const removed = await h.registrations.remove(reg.id)
      if (removed === undefined) refuse(Code.NotFound, `no registration at /${req.path.join('/')}`)
      await h.deregistered(removed)
      return buildResponse(op, {}, this.#classify(NO_MODELS))
    }
    this.#checkSameClient(reg, req, 'Update')
    await this.#checkStillAllowed(reg, req)
    if (h.security.authorize !== undefined) await this.#authorize(reg.endpoint, req, 'update', reg)
    const params = op.params
    const links = this.#links(op.links, 'Update')
    // New objects or Profile IDs: the payload's objects with the profiles' (an Update that names
    // new profiles without a payload adds their objects to those known).
    const profileIds = params.profileIds ?? reg.profileIds
    const objectLinks =
      links !== undefined || params.profileIds !== undefined
        ? this.#withProfiles(links?.objects ?? reg.objectLinks, profileIds)
        : reg.objectLinks
    const now = h.clock.now()
    const lifetime = params.lifetime ?? reg.lifetime
    // Queue mode: 1.0 carries it in `b` (UQ), 1.1+ in the `Q` parameter of Register only.
    const queueMode =
      reg.version === '1.0' && params.binding !== undefined
        ? params.binding.queueMode
        : params.queueMode === true
          ? true
          : reg.queueMode
    const next: Registration = {
      ...reg,
      // Core TS 1.2 section 6.2.2: the Update tells the client's new address (NAT rebinding, new bearer).
      peer: req.peer,
      transport,
      scheme: h.schemeOf(transport),
      lifetime,
      binding: params.binding === undefined ? reg.binding : h.links.binding(params.binding),
      queueMode,
      smsNumber: params.smsNumber ?? reg.smsNumber,
      profileIds,
      additional: params.additional ?? reg.additional,
      rootPath: links?.rootPath ?? reg.rootPath,
      supportedFormats: links?.supportedFormats ?? reg.supportedFormats,
      objectLinks,
      updatedAt: now,
      expiresAt: this.#expiresAt(now, lifetime),
    }
    const previous = await h.registrations.update(next)
    if (previous === undefined) refuse(Code.NotFound, `no registration at /${req.path.join('/')}`)
    h.updated(next, previous, op as UpdateOperation, objectLinks !== reg.objectLinks)
    return buildResponse(op, {}, this.#classify(NO_MODELS))
  }

  /** Send (POST /dp, Core TS 1.2 section 6.4.6). */
  async #send(req: IncomingRequest, transport: number): Promise<ResponseInit> {
    const h = this.#h
    this.#checkPayload(req, h.limits.sendPayload, 'Send')
    const reg = await h.registrations.getByPeer(transport, req.peer)
    // Transport TS 1.1.1 table 6.7-4 keeps 4.04 for data of an Object the client did not register;
    // a sender without registration gets 4.00 (as Leshan answers).
    if (reg === undefined) refuse(Code.BadRequest, 'Send from a client that is not registered')
    this.#checkSameClient(reg, req, 'Send')
    await this.#checkStillAllowed(reg, req)
    if (h.security.authorize !== undefined) await this.#authorize(reg.endpoint, req, 'send', reg)
    const ctx = this.#classify(h.modelsFor(reg))
    const op = classifyRequest(req, ctx) as SendOperation
    if (h.checkSendObjects) checkRegisteredObjects(reg, op.data)
    if (
      req.peer.identity !== undefined &&
      (req.peer.address !== reg.peer.address ||
        req.peer.port !== reg.peer.port ||
        transport !== reg.transport)
    ) {
      // The same authenticated client from a new address (a NAT rebinding kept by the DTLS
      // Connection ID, RFC 9146): requests to it go there from now on, as after an Update.
      await h.registrations.update({ ...reg, peer: req.peer, transport, scheme: h.schemeOf(transport) })
      h.logger.info('client address changed', {
        endpoint: reg.endpoint,
        address: req.peer.address,
        port: req.peer.port,
      })
    }
    h.sent(reg, op.data, op.contentFormat)
    return buildResponse(op, {}, ctx)
  }
}

/**
 * Send carries only data of objects and instances the client registered: 4.04 otherwise
 * (Transport TS 1.1.1 table 6.7-4, "Reported Object was not registered"; Leshan checks instances too).
 */
function checkRegisteredObjects(reg: Registration, data: readonly TimestampedNodes[]): void {
  for (const group of data) {
    for (const key of group.nodes.keys()) {
      const ids = key.split('/')
      const objectId = Number(ids[1])
      const announced = reg.objectLinks.get(objectId)
      if (announced === undefined) refuse(Code.NotFound, `object /${objectId} is not registered`)
      if (ids.length > 2 && ids[2] !== '') {
        const instanceId = Number(ids[2])
        if (!announced.instances.includes(instanceId)) {
          refuse(Code.NotFound, `object instance /${objectId}/${instanceId} is not registered`)
        }
      }
    }
  }
}
