const brand = Symbol.for('@lwm2m/objects/error')
const ddfBrand = Symbol.for('@lwm2m/objects/ddf-error')

/** Every code an {@link ObjectsError} can carry. Match on `code`, never on the message text. */
export type ObjectsErrorCode =
  /** The DDF text is not well-formed XML (or has a DOCTYPE, which DDF files never need). */
  | 'OBJECTS_DDF_MALFORMED'
  /** A DDF element the schema requires is absent. */
  | 'OBJECTS_DDF_MISSING_ELEMENT'
  /** A DDF element or attribute the schema does not allow there (unknown, repeated, out of order). */
  | 'OBJECTS_DDF_UNEXPECTED_ELEMENT'
  /** A DDF value outside the schema's type or enumeration (ObjectID, Type, Operations, ...). */
  | 'OBJECTS_DDF_INVALID_VALUE'
  /** Two resources with the same ID in one object, or two objects with the same ID in one file. */
  | 'OBJECTS_DDF_DUPLICATE'
  /** The DDF text is longer than the parser's `maxLength`. */
  | 'OBJECTS_DDF_TOO_LARGE'
  /** A DDF file could not be read. */
  | 'OBJECTS_FILE'
  /** An object model definition that breaks the rules (bad id, type, operations, duplicate resource). */
  | 'OBJECTS_INVALID_MODEL'
  /** Two models with the same object id and version given to one registry. */
  | 'OBJECTS_MODEL_CONFLICT'
  /** A value or option given to a function of this package that it cannot accept. */
  | 'OBJECTS_INVALID_ARGUMENT'
  /** Thrown by an object handler to fail an operation with a given LwM2M code (`OperationError`). */
  | 'OBJECTS_OPERATION_FAILED'
  /** Thrown by a firmware `verify` or `apply` callback to end an update with a given Update Result. */
  | 'OBJECTS_FIRMWARE_FAILED'

/** Base class of every error thrown by @lwm2m/objects. */
export class ObjectsError extends Error {
  static override readonly name: string = 'ObjectsError'
  readonly code: ObjectsErrorCode
  readonly [brand] = true

  constructor(code: ObjectsErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.code = code
    this.name = new.target.name
  }

  /** True for an ObjectsError from any copy of this package (duplicate installs included). */
  static isInstance(value: unknown): value is ObjectsError {
    return typeof value === 'object' && value !== null && (value as { [brand]?: unknown })[brand] === true
  }
}

/** Where in a DDF document a {@link DdfError} was found. */
export interface DdfLocation {
  /**
   * The element, as a path from the root: `LWM2M/Object[1]/Resources/Item[ID=5]/Type`
   * (Object positions count from 1; items are named by their ID when it is known).
   */
  readonly element: string
  /** 1-based line of the element (or of the XML error), when known. */
  readonly line?: number
  /** 1-based column, when known. */
  readonly column?: number
  /** The file name, for {@link loadDdfFile}. */
  readonly file?: string
  /** The object id, once read. */
  readonly objectId?: number
  /** The resource id, once read. */
  readonly resourceId?: number
}

/** A DDF document that is not well-formed XML or breaks the LwM2M DDF schema (LWM2M.xsd, LWM2M-v1_1.xsd). */
export class DdfError extends ObjectsError {
  static override readonly name: string = 'DdfError'
  readonly [ddfBrand] = true
  /** What was wrong, without the location. */
  readonly reason: string
  readonly element: string
  readonly line: number | undefined
  readonly column: number | undefined
  readonly file: string | undefined
  readonly objectId: number | undefined
  readonly resourceId: number | undefined

  constructor(code: ObjectsErrorCode, reason: string, where: DdfLocation, options?: { cause?: unknown }) {
    const at =
      where.line !== undefined
        ? ` (line ${where.line}${where.column !== undefined ? `, column ${where.column}` : ''})`
        : ''
    const file = where.file !== undefined ? `${where.file}: ` : ''
    super(code, `${file}DDF ${where.element}${at}: ${reason}`, options)
    this.reason = reason
    this.element = where.element
    this.line = where.line
    this.column = where.column
    this.file = where.file
    this.objectId = where.objectId
    this.resourceId = where.resourceId
  }

  /** True for a DdfError from any copy of this package. */
  static override isInstance(value: unknown): value is DdfError {
    return (
      typeof value === 'object' && value !== null && (value as { [ddfBrand]?: unknown })[ddfBrand] === true
    )
  }
}
