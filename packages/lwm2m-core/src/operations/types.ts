import type { AttributeChanges, NotificationAttributes } from '../attributes/types.js'
import type { Lwm2mNode, ObjectInstance, TimestampedNodes } from '../node/types.js'
import type { Lwm2mPath } from '../path/path.js'
import type {
  BootstrapPackRequestParams,
  BootstrapRequestParams,
  RegisterParams,
  UpdateParams,
} from '../registration/params.js'
import type { Lwm2mVersion } from '../version/version.js'
import type { ExecuteArgument } from './execute-arguments.js'

/*
 * Every LwM2M operation of every interface (Core TS 1.2 section 6, Transport TS section 6.4),
 * as the initiator describes it to `buildRequest` and as `classifyRequest` hands it to the
 * receiver. `kind` tells them apart.
 */

/** Bootstrap-Request, client to Bootstrap-Server: POST /bs?ep=&pct= (section 6.1.7.1). */
export interface BootstrapRequestOperation {
  readonly kind: 'bootstrapRequest'
  readonly params: BootstrapRequestParams
}
/** Bootstrap-Pack-Request (1.2), client to Bootstrap-Server: GET /bspack?ep= (section 6.1.7.7). */
export interface BootstrapPackRequestOperation {
  readonly kind: 'bootstrapPackRequest'
  readonly params: BootstrapPackRequestParams
  /** SenML CBOR, SenML JSON or LwM2M CBOR. */
  readonly accept?: number
}
/** Bootstrap-Finish, Bootstrap-Server to client: POST /bs (section 6.1.7.2). */
export interface BootstrapFinishOperation {
  readonly kind: 'bootstrapFinish'
}
/** Bootstrap-Discover: GET / or /o with Accept link-format (section 6.1.7.3). */
export interface BootstrapDiscoverOperation {
  readonly kind: 'bootstrapDiscover'
  readonly path: Lwm2mPath
}
/** Bootstrap-Read: GET /1, /1/i, /2 or /2/i (section 6.1.7.4). */
export interface BootstrapReadOperation {
  readonly kind: 'bootstrapRead'
  readonly path: Lwm2mPath
  readonly accept?: number
}
/** Bootstrap-Write: PUT /o, /o/i or /o/i/r (section 6.1.7.5). */
export interface BootstrapWriteOperation {
  readonly kind: 'bootstrapWrite'
  readonly path: Lwm2mPath
  readonly node: Lwm2mNode
  readonly contentFormat: number
}
/** Bootstrap-Delete: DELETE /, /o or /o/i (section 6.1.7.6). */
export interface BootstrapDeleteOperation {
  readonly kind: 'bootstrapDelete'
  readonly path: Lwm2mPath
}

/**
 * Register, client to server: POST /rd?... with the object links (section 6.2.1). `links` is
 * the CoRE link-format text (application/link-format, 40).
 */
export interface RegisterOperation {
  readonly kind: 'register'
  readonly params: RegisterParams
  readonly links?: string
  /** Set by `classifyRequest`: the version negotiated from `params.version`. */
  readonly version?: Lwm2mVersion
}
/** Update: POST {location}?... (section 6.2.2). */
export interface UpdateOperation {
  readonly kind: 'update'
  /** The Location-Path segments the Register answer gave ("rd", "5a3f"). */
  readonly location: readonly string[]
  readonly params: UpdateParams
  readonly links?: string
}
/** De-register: DELETE {location} (section 6.2.3). */
export interface DeregisterOperation {
  readonly kind: 'deregister'
  readonly location: readonly string[]
}

/** Read: GET /o[/i[/r[/ri]]], optional Accept (section 6.3.1). */
export interface ReadOperation {
  readonly kind: 'read'
  readonly path: Lwm2mPath
  readonly accept?: number
}
/** Discover: GET with Accept link-format, optional `depth` 0-3 (1.2) (section 6.3.2). */
export interface DiscoverOperation {
  readonly kind: 'discover'
  readonly path: Lwm2mPath
  readonly depth?: number
}
/** Write: PUT = replace, POST = partial update (section 6.3.3). */
export interface WriteOperation {
  readonly kind: 'write'
  readonly path: Lwm2mPath
  readonly mode: 'replace' | 'partialUpdate'
  readonly node: Lwm2mNode
  readonly contentFormat: number
}
/** Write-Attributes: PUT with the attributes in the query (section 6.3.4). */
export interface WriteAttributesOperation {
  readonly kind: 'writeAttributes'
  readonly path: Lwm2mPath
  readonly attributes: AttributeChanges
}
/** Execute: POST /o/i/r with optional text/plain arguments (section 6.3.5). */
export interface ExecuteOperation {
  readonly kind: 'execute'
  readonly path: Lwm2mPath
  readonly arguments?: readonly ExecuteArgument[]
}
/**
 * Create: POST /o (section 6.3.6). An instance with id 65535 (MAX_ID, a reserved id) is one
 * without an id of its own: the client picks it. Only TLV can say so (the resource TLVs
 * without Object Instance TLV), for one instance alone; `buildRequest` refuses it in other
 * formats. `classifyRequest` gives it back with id MAX_ID in a multiple-instance object, and
 * as instance 0 in a single-instance one (where 0 is the only id the client could pick).
 */
export interface CreateOperation {
  readonly kind: 'create'
  readonly path: Lwm2mPath
  readonly instances: readonly ObjectInstance[]
  readonly contentFormat: number
}
/** Delete: DELETE /o/i or /o/i/r/ri (section 6.3.7). */
export interface DeleteOperation {
  readonly kind: 'delete'
  readonly path: Lwm2mPath
}
/** Read-Composite: FETCH / with the paths in a SenML (ETCH) body (section 6.3.8). */
export interface ReadCompositeOperation {
  readonly kind: 'readComposite'
  readonly paths: readonly Lwm2mPath[]
  /** The format of the request body (SenML JSON/CBOR or SenML-ETCH JSON/CBOR). */
  readonly contentFormat: number
  readonly accept?: number
}
/**
 * Write-Composite: iPATCH / (section 6.3.9). The nodes are values at resource or resource
 * instance paths; a null node deletes (SenML-ETCH only). SenML and LwM2M CBOR name each value
 * by its own path (sections 7.4.4 to 7.4.6), so no payload tells a multiple resource written
 * whole from some of its instances: `classifyRequest` gives the receiver one resource instance
 * node per value ("/3/0/7/1"), never a multiple resource, and a multiple resource sent here
 * arrives as its instances (written one by one, none deleted).
 */
export interface WriteCompositeOperation {
  readonly kind: 'writeComposite'
  readonly nodes: ReadonlyMap<string, Lwm2mNode | null>
  readonly contentFormat: number
}
/** Observe: GET with Observe=0, optional observation attributes in the query (1.2) (section 6.4.1). */
export interface ObserveOperation {
  readonly kind: 'observe'
  readonly path: Lwm2mPath
  readonly accept?: number
  readonly attributes?: NotificationAttributes
}
/** Cancel Observation: GET with Observe=1 (section 6.4.3). */
export interface CancelObservationOperation {
  readonly kind: 'cancelObservation'
  readonly path: Lwm2mPath
  readonly accept?: number
}
/** Observe-Composite: FETCH / with Observe=0 (section 6.4.4). */
export interface ObserveCompositeOperation {
  readonly kind: 'observeComposite'
  readonly paths: readonly Lwm2mPath[]
  readonly contentFormat: number
  readonly accept?: number
  /** pmin, pmax, epmin, epmax, con only (1.2). */
  readonly attributes?: NotificationAttributes
}
/** Cancel Observation-Composite: FETCH / with Observe=1 and the same paths (section 6.4.5). */
export interface CancelObservationCompositeOperation {
  readonly kind: 'cancelObservationComposite'
  readonly paths: readonly Lwm2mPath[]
  readonly contentFormat: number
  readonly accept?: number
}
/**
 * Send (1.1), client to server: POST /dp (section 6.4.6). The server gets the nodes per
 * resource ("/3/0/7" with its instances), each group with its timestamp.
 */
export interface SendOperation {
  readonly kind: 'send'
  readonly data: readonly TimestampedNodes[]
  /**
   * SenML JSON, SenML CBOR or LwM2M CBOR (1.2); timestamps and several groups need SenML,
   * the only one of them that carries time.
   */
  readonly contentFormat: number
}

export type BootstrapOperation =
  | BootstrapRequestOperation
  | BootstrapPackRequestOperation
  | BootstrapFinishOperation
  | BootstrapDiscoverOperation
  | BootstrapReadOperation
  | BootstrapWriteOperation
  | BootstrapDeleteOperation
export type RegistrationOperation = RegisterOperation | UpdateOperation | DeregisterOperation
export type DeviceManagementOperation =
  | ReadOperation
  | DiscoverOperation
  | WriteOperation
  | WriteAttributesOperation
  | ExecuteOperation
  | CreateOperation
  | DeleteOperation
  | ReadCompositeOperation
  | WriteCompositeOperation
export type InformationReportingOperation =
  | ObserveOperation
  | CancelObservationOperation
  | ObserveCompositeOperation
  | CancelObservationCompositeOperation
  | SendOperation

/** Any LwM2M operation. */
export type Lwm2mOperation =
  | BootstrapOperation
  | RegistrationOperation
  | DeviceManagementOperation
  | InformationReportingOperation

export type Lwm2mOperationKind = Lwm2mOperation['kind']

/** The operation of a given kind. */
export type OperationOf<K extends Lwm2mOperationKind> = Extract<Lwm2mOperation, { kind: K }>

/** The result of an operation that carries a node (Read, Bootstrap-Read, Observe, a notification). */
export interface NodeResult {
  readonly code: number
  readonly node: Lwm2mNode
  readonly contentFormat: number | undefined
}
/** The result of a Discover or Bootstrap-Discover: the link-format text. */
export interface LinksResult {
  readonly code: number
  readonly links: string
}
/**
 * The result of a composite read (Read-Composite, Observe-Composite, Bootstrap-Pack): for the
 * composite reads, the node under each requested path, null where the answer has none; for a
 * Bootstrap-Pack, the nodes per resource.
 */
export interface NodesResult {
  readonly code: number
  readonly nodes: Map<string, Lwm2mNode | null>
  readonly contentFormat: number | undefined
}
/** The result of a Register: where the registration lives. */
export interface RegisterResult {
  readonly code: number
  readonly location: readonly string[]
}
/** The result of a Create: the new instance, when the client said where. */
export interface CreateResult {
  readonly code: number
  readonly instance: Lwm2mPath | undefined
}
/** The result of an operation that carries nothing back. */
export interface EmptyResult {
  readonly code: number
}

/** What each operation gives back to its initiator. */
export type ResultOf<K extends Lwm2mOperationKind> = K extends
  | 'read'
  | 'bootstrapRead'
  | 'observe'
  | 'cancelObservation'
  ? NodeResult
  : K extends 'discover' | 'bootstrapDiscover'
    ? LinksResult
    : K extends 'readComposite' | 'observeComposite' | 'cancelObservationComposite' | 'bootstrapPackRequest'
      ? NodesResult
      : K extends 'register'
        ? RegisterResult
        : K extends 'create'
          ? CreateResult
          : EmptyResult
