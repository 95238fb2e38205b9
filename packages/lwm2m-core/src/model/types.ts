/**
 * Object and resource models: what the codecs and the roles consult to know a
 * resource's type, whether it is multiple, and which operations it allows
 * (OMA-TS-LightweightM2M_Core, Appendix D, the DDF schema).
 */

/** The resource data types of LwM2M 1.0 to 1.2 (Core TS section 7.1 / Appendix C). */
export type ResourceType =
  | 'string'
  | 'integer'
  | 'unsigned'
  | 'float'
  | 'boolean'
  | 'opaque'
  | 'time'
  | 'objlnk'
  | 'corelnk'
  | 'none'

/** Operations a resource allows: read, write, both, execute, or none (DDF `<Operations>`). */
export type ResourceOperations = 'R' | 'W' | 'RW' | 'E' | ''

/** A resource definition inside an object model. */
export interface ResourceModel {
  readonly id: number
  readonly name: string
  readonly operations: ResourceOperations
  /** True for multiple-instance resources. */
  readonly multiple: boolean
  readonly mandatory: boolean
  readonly type: ResourceType
  /** The DDF RangeEnumeration text as written, e.g. "0..100", "1..255 bytes", "0..5". */
  readonly rangeEnumeration: string
  readonly units: string
  readonly description: string
}

/** An object definition (one DDF `<Object>`). */
export interface ObjectModel {
  readonly id: number
  readonly name: string
  readonly description: string
  /** Object version, "1.0" when the DDF gives none. */
  readonly version: string
  /** The LwM2M version the object was defined for ("1.0", "1.1", "1.2"). */
  readonly lwm2mVersion: string
  /** The OMA URN, e.g. "urn:oma:lwm2m:oma:3:1.1". */
  readonly urn: string
  /** True when the object may have several instances. */
  readonly multiple: boolean
  readonly mandatory: boolean
  /** Resources keyed by resource id. */
  readonly resources: ReadonlyMap<number, ResourceModel>
}
