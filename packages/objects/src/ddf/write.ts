import type { ObjectModel, ResourceModel, ResourceType } from '@lwm2m/core'
import { ObjectsError } from '../errors.js'

const TYPE_NAMES: Readonly<Record<ResourceType, string>> = {
  string: 'String',
  integer: 'Integer',
  unsigned: 'Unsigned Integer',
  float: 'Float',
  boolean: 'Boolean',
  opaque: 'Opaque',
  time: 'Time',
  objlnk: 'Objlnk',
  corelnk: 'Corelnk',
  none: '',
}

// XML 1.0 section 2.2: the characters a document may hold.
const NOT_XML = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u

function text(value: string, what: string): string {
  if (NOT_XML.test(value))
    throw new ObjectsError('OBJECTS_INVALID_ARGUMENT', `${what} holds a character XML cannot carry`)
  // CR as a reference, so that line-end normalisation keeps it; the rest as XML escapes.
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\r/g, '&#13;')
}

function item(r: ResourceModel, object: number): string {
  const t = (v: string, name: string) => text(v, `object ${object} resource ${r.id} ${name}`)
  return [
    `      <Item ID="${r.id}">`,
    `        <Name>${t(r.name, 'Name')}</Name>`,
    `        <Operations>${r.operations}</Operations>`,
    `        <MultipleInstances>${r.multiple ? 'Multiple' : 'Single'}</MultipleInstances>`,
    `        <Mandatory>${r.mandatory ? 'Mandatory' : 'Optional'}</Mandatory>`,
    `        <Type>${TYPE_NAMES[r.type]}</Type>`,
    `        <RangeEnumeration>${t(r.rangeEnumeration, 'RangeEnumeration')}</RangeEnumeration>`,
    `        <Units>${t(r.units, 'Units')}</Units>`,
    `        <Description>${t(r.description, 'Description')}</Description>`,
    '      </Item>',
  ].join('\n')
}

/**
 * Writes object models as a DDF document after the LwM2M 1.1 schema (LWM2M-v1_1.xsd),
 * which {@link parseDdf} reads back to equal models: for exporting models loaded or
 * built at run time. The description goes to Description1, Description2 stays empty.
 * Throws ObjectsError `OBJECTS_INVALID_ARGUMENT` for text XML cannot carry (control characters).
 */
export function writeDdf(models: readonly ObjectModel[]): string {
  const objects = models.map((m) => {
    const t = (v: string, name: string) => text(v, `object ${m.id} ${name}`)
    return [
      '  <Object ObjectType="MODefinition">',
      `    <Name>${t(m.name, 'Name')}</Name>`,
      `    <Description1>${t(m.description, 'Description')}</Description1>`,
      `    <ObjectID>${m.id}</ObjectID>`,
      `    <ObjectURN>${t(m.urn, 'ObjectURN')}</ObjectURN>`,
      `    <LWM2MVersion>${t(m.lwm2mVersion, 'LWM2MVersion')}</LWM2MVersion>`,
      `    <ObjectVersion>${t(m.version, 'ObjectVersion')}</ObjectVersion>`,
      `    <MultipleInstances>${m.multiple ? 'Multiple' : 'Single'}</MultipleInstances>`,
      `    <Mandatory>${m.mandatory ? 'Mandatory' : 'Optional'}</Mandatory>`,
      '    <Resources>',
      ...[...m.resources.values()].map((r) => item(r, m.id)),
      '    </Resources>',
      '    <Description2></Description2>',
      '  </Object>',
    ].join('\n')
  })
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<LWM2M xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:noNamespaceSchemaLocation="http://www.openmobilealliance.org/tech/profiles/LWM2M-v1_1.xsd">',
    ...objects,
    '</LWM2M>',
    '',
  ].join('\n')
}
