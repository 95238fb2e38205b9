import type { ObjectModel, ResourceOperations, ResourceType } from '@lwm2m/core'
import { XMLParser, XMLValidator } from 'fast-xml-parser'
import { DdfError, type ObjectsErrorCode } from '../errors.js'
import { createObjectModel, defaultObjectUrn, type ResourceSpec } from '../model/create-object-model.js'
import { decodeXmlBytes } from './decode.js'

/** Options of {@link parseDdf}. */
export interface ParseDdfOptions {
  /**
   * `'strict'` (the default) applies the schema as written (LWM2M.xsd, LWM2M-v1_1.xsd):
   * every element present, in the schema's order, nothing unknown, `ObjectType` set, at
   * least one resource, and an ObjectURN that agrees with ObjectID and ObjectVersion.
   * `'lenient'` accepts what vendors often publish: any element order, unknown elements
   * ignored, the descriptive elements (Description1/2, ObjectURN, RangeEnumeration, Units,
   * Description) optional, case-insensitive enumerations, an executable with a Type. Both
   * modes reject what would make the model wrong: a missing or bad ObjectID, Operations,
   * Type, MultipleInstances or Mandatory, a repeated element, a duplicate resource id.
   */
  readonly mode?: 'strict' | 'lenient'
  /** Longest accepted document, in characters (default 4 MiB: the largest OMA DDF is under 100 KiB). */
  readonly maxLength?: number
  /** A file name to put in error messages. */
  readonly file?: string
}

/** The default of {@link ParseDdfOptions.maxLength}. */
export const DEFAULT_MAX_DDF_LENGTH = 4 * 1024 * 1024

type XmlNode = Record<string, unknown>
interface Element {
  readonly name: string
  readonly children: readonly XmlNode[]
  readonly attributes: Readonly<Record<string, string>>
  readonly index: number | undefined
}

interface Field {
  readonly name: string
  /** Required by the schema (strict mode). */
  readonly strict: boolean
  /** Required in lenient mode too. */
  readonly lenient: boolean
}

const OBJECT_FIELDS: readonly Field[] = [
  { name: 'Name', strict: true, lenient: true },
  { name: 'Description1', strict: true, lenient: false },
  { name: 'ObjectID', strict: true, lenient: true },
  { name: 'ObjectURN', strict: true, lenient: false },
  { name: 'LWM2MVersion', strict: false, lenient: false },
  { name: 'ObjectVersion', strict: false, lenient: false },
  { name: 'MultipleInstances', strict: true, lenient: true },
  { name: 'Mandatory', strict: true, lenient: true },
  { name: 'Resources', strict: true, lenient: false },
  { name: 'Description2', strict: true, lenient: false },
]

const ITEM_FIELDS: readonly Field[] = [
  { name: 'Name', strict: true, lenient: true },
  { name: 'Operations', strict: true, lenient: true },
  { name: 'MultipleInstances', strict: true, lenient: true },
  { name: 'Mandatory', strict: true, lenient: true },
  { name: 'Type', strict: true, lenient: true },
  { name: 'RangeEnumeration', strict: true, lenient: false },
  { name: 'Units', strict: true, lenient: false },
  { name: 'Description', strict: true, lenient: false },
]

const TYPES: ReadonlyMap<string, ResourceType> = new Map<string, ResourceType>([
  ['String', 'string'],
  ['Integer', 'integer'],
  ['Unsigned Integer', 'unsigned'],
  ['Float', 'float'],
  ['Boolean', 'boolean'],
  ['Opaque', 'opaque'],
  ['Time', 'time'],
  ['Objlnk', 'objlnk'],
  ['Corelnk', 'corelnk'],
  ['', 'none'],
])
/** Lenient spellings seen in the wild, lower-cased. */
const LENIENT_TYPES: ReadonlyMap<string, ResourceType> = new Map<string, ResourceType>([
  ...[...TYPES].map(([k, v]): [string, ResourceType] => [k.toLowerCase(), v]),
  ['unsigned', 'unsigned'],
  ['unsignedinteger', 'unsigned'],
  ['unsigned int', 'unsigned'],
  ['objectlink', 'objlnk'],
  ['corelink', 'corelnk'],
  ['none', 'none'],
])
const OPERATIONS: readonly ResourceOperations[] = ['R', 'W', 'RW', 'E', '']
const URN = /^urn:oma:lwm2m:(?:oma|ext|x|reserved):(\d{1,5})(?::(\d{1,5}\.\d{1,5}))?$/
const VERSION = /^\d{1,5}\.\d{1,5}$/
const UNSIGNED_SHORT = /^\+?\d{1,10}$/

let parser: XMLParser | undefined
function xmlParser(): XMLParser {
  // Stateless between parse() calls; built on first use so that importing the package costs nothing.
  parser ??= new XMLParser({
    preserveOrder: true,
    ignoreAttributes: false,
    attributeNamePrefix: '',
    parseTagValue: false,
    parseAttributeValue: false,
    trimValues: false,
    ignoreDeclaration: true,
    ignorePiTags: true,
    cdataPropName: '#cdata',
    // Numeric character references; named entities other than XML's five are rejected before parsing.
    htmlEntities: true,
    processEntities: true,
    captureMetaData: true,
    maxNestedTags: 32,
  })
  return parser
}
const META = XMLParser.getMetaDataSymbol() as unknown as symbol

/**
 * Parses an OMA DDF document (LwM2M 1.0, 1.1 or 1.2 object definitions) into object
 * models, one per `<Object>`. Text or bytes (UTF-8 unless the XML declaration names
 * another encoding). Throws {@link DdfError} naming the element for XML that is not
 * well-formed or breaks the schema; nothing else.
 */
export function parseDdf(xml: string | Uint8Array, options: ParseDdfOptions = {}): ObjectModel[] {
  const mode = options.mode ?? 'strict'
  const maxLength = options.maxLength ?? DEFAULT_MAX_DDF_LENGTH
  const file = options.file
  let text = ''
  const fail = (
    code: ObjectsErrorCode,
    reason: string,
    element: string,
    index?: number,
    extra?: object,
  ): never => {
    throw new DdfError(code, reason, {
      element,
      ...position(text, index),
      ...(file !== undefined ? { file } : {}),
      ...extra,
    })
  }
  if (xml.length > maxLength) {
    fail(
      'OBJECTS_DDF_TOO_LARGE',
      `the document has ${xml.length} ${typeof xml === 'string' ? 'characters' : 'bytes'}, more than the limit of ${maxLength}`,
      '(document)',
    )
  }
  if (typeof xml === 'string') text = xml
  else {
    const decoded = decodeXmlBytes(xml)
    if (typeof decoded !== 'string') fail('OBJECTS_DDF_MALFORMED', decoded.error, '(document)')
    text = decoded as string
  }
  // XML 1.0 section 2.11: line ends are normalised to LF before parsing; the BOM is no content.
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1)
  text = text.replace(/\r\n?/g, '\n')

  const valid = XMLValidator.validate(text, { allowBooleanAttributes: false })
  if (valid !== true) {
    const at = {
      line: valid.err.line,
      ...(typeof valid.err.col === 'number' ? { column: valid.err.col } : {}),
    }
    throw new DdfError('OBJECTS_DDF_MALFORMED', `not well-formed XML: ${valid.err.msg}`, {
      element: '(document)',
      ...at,
      ...(file !== undefined ? { file } : {}),
    })
  }
  checkMarkup(text, fail)

  let nodes: XmlNode[]
  try {
    nodes = xmlParser().parse(text) as XmlNode[]
  } catch (cause) {
    throw new DdfError(
      'OBJECTS_DDF_MALFORMED',
      `not well-formed XML: ${cause instanceof Error ? cause.message : String(cause)}`,
      { element: '(document)', ...(file !== undefined ? { file } : {}) },
      { cause },
    )
  }

  const roots = elementsOf(nodes, '(document)', 'strict', fail)
  if (roots.length !== 1)
    fail('OBJECTS_DDF_MALFORMED', `expected one root element, found ${roots.length}`, '(document)')
  const root = roots[0]!
  if (root.name !== 'LWM2M')
    fail(
      'OBJECTS_DDF_UNEXPECTED_ELEMENT',
      `the root element must be <LWM2M>, not <${root.name}>`,
      root.name,
      root.index,
    )
  if (mode === 'strict') {
    for (const name of Object.keys(root.attributes)) {
      if (!name.startsWith('xmlns') && !name.startsWith('xsi:')) {
        fail('OBJECTS_DDF_UNEXPECTED_ELEMENT', `attribute ${name} is not allowed here`, 'LWM2M', root.index)
      }
    }
  }
  const objectElements: Element[] = []
  for (const child of elementsOf(root.children, 'LWM2M', mode, fail)) {
    if (child.name === 'Object') objectElements.push(child)
    else if (mode === 'strict')
      fail(
        'OBJECTS_DDF_UNEXPECTED_ELEMENT',
        `<${child.name}> is not allowed here`,
        `LWM2M/${child.name}`,
        child.index,
      )
  }
  if (objectElements.length === 0)
    fail('OBJECTS_DDF_MISSING_ELEMENT', 'no <Object> element', 'LWM2M', root.index)

  const models: ObjectModel[] = []
  const seen = new Set<string>()
  objectElements.forEach((element, i) => {
    const model = readObject(element, `LWM2M/Object[${i + 1}]`, mode, fail)
    const key = `${model.id}@${model.version}`
    if (seen.has(key)) {
      fail(
        'OBJECTS_DDF_DUPLICATE',
        `object ${model.id} version ${model.version} is defined twice`,
        `LWM2M/Object[${i + 1}]`,
        element.index,
        {
          objectId: model.id,
        },
      )
    }
    seen.add(key)
    models.push(model)
  })
  return models
}

type Fail = (code: ObjectsErrorCode, reason: string, element: string, index?: number, extra?: object) => never

function readObject(element: Element, where: string, mode: 'strict' | 'lenient', fail: Fail): ObjectModel {
  if (mode === 'strict') {
    for (const name of Object.keys(element.attributes)) {
      if (name !== 'ObjectType')
        fail('OBJECTS_DDF_UNEXPECTED_ELEMENT', `attribute ${name} is not allowed here`, where, element.index)
    }
    if (element.attributes.ObjectType === undefined) {
      fail('OBJECTS_DDF_MISSING_ELEMENT', 'the ObjectType attribute is required', where, element.index)
    }
  }
  const fields = sequence(element, OBJECT_FIELDS, where, mode, fail)
  const idElement = fields.get('ObjectID')!
  const id = unsignedShort(
    textOf(idElement, `${where}/ObjectID`, fail),
    `${where}/ObjectID`,
    idElement.index,
    fail,
  )
  const withId = { objectId: id }
  const failIn: Fail = (code, reason, el, index, extra) =>
    fail(code, reason, el, index, { ...withId, ...extra })
  const { text, pick } = fieldReader(fields, where, mode, failIn)
  const version = versionOf(
    text('ObjectVersion'),
    `${where}/ObjectVersion`,
    fields.get('ObjectVersion'),
    failIn,
  )
  const lwm2mVersion = versionOf(
    text('LWM2MVersion'),
    `${where}/LWM2MVersion`,
    fields.get('LWM2MVersion'),
    failIn,
  )
  const multiple = pick('MultipleInstances', ['Multiple', 'Single']) === 'Multiple'
  const mandatory = pick('Mandatory', ['Mandatory', 'Optional']) === 'Mandatory'
  let urn = text('ObjectURN') ?? ''
  if (mode === 'strict') {
    const m = URN.exec(urn)
    if (m === null)
      failIn(
        'OBJECTS_DDF_INVALID_VALUE',
        `"${urn}" is not an LwM2M object URN (urn:oma:lwm2m:{oma|ext|x}:{id}[:{version}])`,
        `${where}/ObjectURN`,
        fields.get('ObjectURN')?.index,
      )
    else if (Number(m[1]) !== id || (m[2] ?? '1.0') !== version) {
      failIn(
        'OBJECTS_DDF_INVALID_VALUE',
        `URN "${urn}" does not match ObjectID ${id} and ObjectVersion ${version}`,
        `${where}/ObjectURN`,
        fields.get('ObjectURN')?.index,
      )
    }
  }
  if (urn === '') urn = defaultObjectUrn(id, version)
  const description = joinDescriptions(text('Description1') ?? '', text('Description2') ?? '')

  const resources: ResourceSpec[] = []
  const resourcesElement = fields.get('Resources')
  if (resourcesElement !== undefined) {
    const items = elementsOf(resourcesElement.children, `${where}/Resources`, mode, failIn)
    const ids = new Set<number>()
    let position = 0
    for (const item of items) {
      if (item.name !== 'Item') {
        if (mode === 'strict')
          failIn(
            'OBJECTS_DDF_UNEXPECTED_ELEMENT',
            `<${item.name}> is not allowed here`,
            `${where}/Resources/${item.name}`,
            item.index,
          )
        continue
      }
      position++
      const resource = readItem(item, `${where}/Resources`, position, mode, failIn)
      if (ids.has(resource.id)) {
        failIn(
          'OBJECTS_DDF_DUPLICATE',
          `resource ${resource.id} is defined twice`,
          `${where}/Resources/Item[ID=${resource.id}]`,
          item.index,
          {
            resourceId: resource.id,
          },
        )
      }
      ids.add(resource.id)
      resources.push(resource)
    }
    if (mode === 'strict' && position === 0)
      failIn(
        'OBJECTS_DDF_MISSING_ELEMENT',
        'at least one <Item> is required',
        `${where}/Resources`,
        resourcesElement.index,
      )
  }
  return createObjectModel({
    id,
    name: text('Name')!,
    description,
    version,
    lwm2mVersion,
    urn,
    multiple,
    mandatory,
    resources,
  })
}

function readItem(
  item: Element,
  parent: string,
  position: number,
  mode: 'strict' | 'lenient',
  fail: Fail,
): ResourceSpec {
  const rawId = item.attributes.ID
  if (rawId === undefined)
    fail(
      'OBJECTS_DDF_MISSING_ELEMENT',
      'the ID attribute is required',
      `${parent}/Item[${position}]`,
      item.index,
    )
  const id = unsignedShort(rawId!, `${parent}/Item[${position}]/@ID`, item.index, fail)
  const where = `${parent}/Item[ID=${id}]`
  const failIn: Fail = (code, reason, el, index, extra) =>
    fail(code, reason, el, index, { resourceId: id, ...extra })
  if (mode === 'strict') {
    for (const name of Object.keys(item.attributes)) {
      if (name !== 'ID')
        failIn('OBJECTS_DDF_UNEXPECTED_ELEMENT', `attribute ${name} is not allowed here`, where, item.index)
    }
  }
  const fields = sequence(item, ITEM_FIELDS, where, mode, failIn)
  const { text, pick } = fieldReader(fields, where, mode, failIn)
  const operations = pick('Operations', OPERATIONS)
  const multiple = pick('MultipleInstances', ['Multiple', 'Single']) === 'Multiple'
  const mandatory = pick('Mandatory', ['Mandatory', 'Optional']) === 'Mandatory'
  const rawType = text('Type')!
  let type =
    mode === 'strict' ? TYPES.get(rawType) : LENIENT_TYPES.get(rawType.toLowerCase().replace(/\s+/g, ' '))
  if (type === undefined) {
    failIn(
      'OBJECTS_DDF_INVALID_VALUE',
      `Type "${rawType}" is not one of ${[...TYPES.keys()].map((t) => `"${t}"`).join(', ')}`,
      `${where}/Type`,
      fields.get('Type')?.index,
    )
  }
  if (operations === 'E' && type !== 'none') {
    if (mode === 'strict')
      failIn(
        'OBJECTS_DDF_INVALID_VALUE',
        `an executable resource has an empty Type, not "${rawType}"`,
        `${where}/Type`,
        fields.get('Type')?.index,
      )
    type = 'none'
  } else if (operations !== 'E' && type === 'none') {
    failIn(
      'OBJECTS_DDF_INVALID_VALUE',
      `a resource with Operations "${operations}" needs a Type`,
      `${where}/Type`,
      fields.get('Type')?.index,
    )
  }
  return {
    id,
    name: text('Name')!,
    operations,
    multiple,
    mandatory,
    type: type!,
    rangeEnumeration: text('RangeEnumeration') ?? '',
    units: text('Units') ?? '',
    description: text('Description') ?? '',
  }
}

/** Reads the child elements of `element` against a schema sequence; returns them by name. */
function sequence(
  element: Element,
  fields: readonly Field[],
  where: string,
  mode: 'strict' | 'lenient',
  fail: Fail,
): Map<string, Element> {
  const found = new Map<string, Element>()
  let last = -1
  let lastName = ''
  for (const child of elementsOf(element.children, where, mode, fail)) {
    const at = fields.findIndex((f) => f.name === child.name)
    if (at < 0) {
      if (mode === 'strict')
        fail(
          'OBJECTS_DDF_UNEXPECTED_ELEMENT',
          `<${child.name}> is not allowed here`,
          `${where}/${child.name}`,
          child.index,
        )
      continue
    }
    if (found.has(child.name))
      fail(
        'OBJECTS_DDF_UNEXPECTED_ELEMENT',
        `<${child.name}> appears more than once`,
        `${where}/${child.name}`,
        child.index,
      )
    if (mode === 'strict' && at < last) {
      fail(
        'OBJECTS_DDF_UNEXPECTED_ELEMENT',
        `<${child.name}> must come before <${lastName}> (schema order)`,
        `${where}/${child.name}`,
        child.index,
      )
    }
    last = at
    lastName = child.name
    found.set(child.name, child)
  }
  for (const f of fields) {
    if ((mode === 'strict' ? f.strict : f.lenient) && !found.has(f.name)) {
      fail('OBJECTS_DDF_MISSING_ELEMENT', `<${f.name}> is required`, where, element.index)
    }
  }
  return found
}

/** The element children of a node list; text between elements must be blank in strict mode. */
function elementsOf(
  nodes: readonly XmlNode[],
  where: string,
  mode: 'strict' | 'lenient',
  fail: Fail,
): Element[] {
  const out: Element[] = []
  for (const node of nodes) {
    for (const key of Object.keys(node)) {
      if (key === ':@') continue
      const value = node[key]
      if (key === '#text' || key === '#cdata') {
        if (mode === 'strict' && contentText(node).trim() !== '')
          fail('OBJECTS_DDF_UNEXPECTED_ELEMENT', 'text is not allowed between elements here', where)
        continue
      }
      const attributes = (node[':@'] ?? {}) as Record<string, string>
      const meta = (node as Record<symbol, unknown>)[META] as { startIndex?: number } | undefined
      out.push({
        name: key,
        children: Array.isArray(value) ? (value as XmlNode[]) : [],
        attributes,
        index: meta?.startIndex,
      })
    }
  }
  return out
}

function contentText(node: XmlNode): string {
  if (typeof node['#text'] === 'string' || typeof node['#text'] === 'number') return String(node['#text'])
  const cdata = node['#cdata']
  if (Array.isArray(cdata)) return (cdata as XmlNode[]).map(contentText).join('')
  return ''
}

/** The text of a simple-content element: its text and CDATA pieces joined; child elements are an error. */
/**
 * Reads the child elements `sequence` found: `text` gives an element's trimmed text (undefined
 * when absent), `pick` the text of a required element that must be one of `allowed`
 * (case-insensitive when lenient).
 */
function fieldReader(
  fields: ReadonlyMap<string, Element>,
  where: string,
  mode: 'strict' | 'lenient',
  fail: Fail,
): {
  text(name: string): string | undefined
  pick<T extends string>(name: string, allowed: readonly T[]): T
} {
  const text = (name: string): string | undefined => {
    const e = fields.get(name)
    return e === undefined ? undefined : textOf(e, `${where}/${name}`, fail).trim()
  }
  return {
    text,
    pick: (name, allowed) => choice(text(name)!, allowed, `${where}/${name}`, fields.get(name), mode, fail),
  }
}

function textOf(element: Element, where: string, fail: Fail): string {
  let out = ''
  for (const node of element.children) {
    const keys = Object.keys(node).filter((k) => k !== ':@')
    for (const key of keys) {
      if (key === '#text' || key === '#cdata') out += contentText(node)
      else
        fail(
          'OBJECTS_DDF_UNEXPECTED_ELEMENT',
          `<${key}> is not allowed inside a text element`,
          `${where}/${key}`,
          element.index,
        )
    }
  }
  if (Object.keys(element.attributes).length > 0) {
    fail(
      'OBJECTS_DDF_UNEXPECTED_ELEMENT',
      `attribute ${Object.keys(element.attributes)[0]} is not allowed here`,
      where,
      element.index,
    )
  }
  return out
}

function unsignedShort(raw: string, where: string, index: number | undefined, fail: Fail): number {
  const t = raw.trim()
  const n = UNSIGNED_SHORT.test(t) ? Number(t) : Number.NaN
  if (!(n >= 0 && n <= 65535))
    fail('OBJECTS_DDF_INVALID_VALUE', `"${raw}" is not an id in 0..65535 (xs:unsignedShort)`, where, index)
  return n
}

function versionOf(raw: string | undefined, where: string, element: Element | undefined, fail: Fail): string {
  if (raw === undefined || raw === '') return '1.0'
  if (!VERSION.test(raw))
    fail('OBJECTS_DDF_INVALID_VALUE', `"${raw}" is not a version of the form X.Y`, where, element?.index)
  return raw
}

function choice<T extends string>(
  raw: string,
  allowed: readonly T[],
  where: string,
  element: Element | undefined,
  mode: 'strict' | 'lenient',
  fail: Fail,
): T {
  const hit =
    mode === 'strict'
      ? allowed.find((a) => a === raw)
      : allowed.find((a) => a.toLowerCase() === raw.toLowerCase())
  if (hit === undefined) {
    fail(
      'OBJECTS_DDF_INVALID_VALUE',
      `"${raw}" is not one of ${allowed.map((a) => `"${a}"`).join(', ')}`,
      where,
      element?.index,
    )
  }
  return hit!
}

function joinDescriptions(d1: string, d2: string): string {
  return d2 === '' ? d1 : d1 === '' ? d2 : `${d1}\n\n${d2}`
}

const PREDEFINED = /^(?:amp|lt|gt|quot|apos|#[0-9]{1,7}|#x[0-9a-fA-F]{1,6})$/
const MARKUP = /<!--[\s\S]*?-->|<!\[CDATA\[[\s\S]*?\]\]>|<\?[\s\S]*?\?>|<!DOCTYPE|&/g

/**
 * What the validator lets through but XML forbids or DDF files never need: a DOCTYPE
 * (and with it entity declarations), references to undeclared entities, and character
 * references to code points XML does not allow. Comments, CDATA sections and processing
 * instructions are skipped (the validator has checked that each is closed).
 */
function checkMarkup(text: string, fail: Fail): void {
  for (const m of text.matchAll(MARKUP)) {
    const at = m.index
    if (m[0] === '<!DOCTYPE')
      fail('OBJECTS_DDF_MALFORMED', 'DOCTYPE declarations are not accepted in DDF files', '(document)', at)
    if (m[0] !== '&') continue
    const semi = text.indexOf(';', at)
    const name = semi < 0 || semi - at > 12 ? '' : text.slice(at + 1, semi)
    if (!PREDEFINED.test(name)) {
      fail(
        'OBJECTS_DDF_MALFORMED',
        `"${text.slice(at, at + 10)}" is not a predefined entity or character reference`,
        '(document)',
        at,
      )
    }
    if (name.startsWith('#')) {
      const cp = name[1] === 'x' ? Number.parseInt(name.slice(2), 16) : Number.parseInt(name.slice(1), 10)
      const ok =
        cp === 0x9 ||
        cp === 0xa ||
        cp === 0xd ||
        (cp >= 0x20 && cp <= 0xd7ff) ||
        (cp >= 0xe000 && cp <= 0xfffd) ||
        (cp >= 0x10000 && cp <= 0x10ffff)
      if (!ok)
        fail(
          'OBJECTS_DDF_MALFORMED',
          `character reference &${name}; is not an XML character`,
          '(document)',
          at,
        )
    }
  }
}

function position(text: string, index: number | undefined): { line?: number; column?: number } {
  if (index === undefined || index < 0 || index > text.length) return {}
  let line = 1
  let lineStart = 0
  for (let i = text.indexOf('\n'); i >= 0 && i < index; i = text.indexOf('\n', i + 1)) {
    line++
    lineStart = i + 1
  }
  return { line, column: index - lineStart + 1 }
}
