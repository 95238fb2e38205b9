import { describe, expect, it } from 'vitest'
import { modelLookup, NO_MODELS } from '../codec/models.js'
import { createCodecRegistry, defaultCodecs } from '../codec/registry.js'
import type { ObjectModel } from '../model/types.js'
import { instance, singleResource } from '../node/build.js'
import { Lwm2mPath } from '../path/path.js'
import { classifyRequest } from './incoming.js'
import { buildRequest } from './request.js'

const P = (t: string) => Lwm2mPath.parse(t)
const codecs = createCodecRegistry(defaultCodecs())
const temperature: ObjectModel = {
  id: 3303,
  name: 'Temperature',
  description: '',
  version: '1.0',
  lwm2mVersion: '1.0',
  urn: 'urn:oma:lwm2m:ext:3303',
  multiple: true,
  mandatory: false,
  resources: new Map([
    [
      5700,
      {
        id: 5700,
        name: 'Sensor Value',
        operations: 'R',
        multiple: false,
        mandatory: true,
        type: 'float',
        rangeEnumeration: '',
        units: '',
        description: '',
      },
    ],
  ]),
}

describe('buildRequest of a Create without instance id (Core TS 1.2 section 6.3.6)', () => {
  const ctxReal = { codecs, models: NO_MODELS }
  const temp = instance(65535, [singleResource(5700, 'float', 21.5)])

  it('TLV: the resources only, without an instance wrapper', () => {
    const req = buildRequest(
      { kind: 'create', path: P('/3303'), instances: [temp], contentFormat: 11542 },
      ctxReal,
    )
    expect(req.method).toBe('POST')
    expect(req.path).toEqual(['3303'])
    // One Resource TLV (type 11, 16-bit id 5700, length 8): no Object Instance TLV around it.
    const bytes = req.payload as Uint8Array
    expect(bytes[0]! >> 6).toBe(0b11)
    expect((bytes[1]! << 8) | bytes[2]!).toBe(5700)
  })

  it('LwM2M CBOR: under the instance id 65535 ("no instance reference")', () => {
    const req = buildRequest(
      { kind: 'create', path: P('/3303'), instances: [temp], contentFormat: 11544 },
      ctxReal,
    )
    const back = codecs.require(11544).decode(req.payload as Uint8Array, P('/3303'), NO_MODELS)
    expect(back).toEqual({ kind: 'object', id: 3303, instances: new Map([[65535, temp]]) })
  })

  it('with instance ids: the object with its instances', () => {
    const two = [
      instance(1, [singleResource(5700, 'float', 1)]),
      instance(2, [singleResource(5700, 'float', 2)]),
    ]
    const req = buildRequest(
      { kind: 'create', path: P('/3303'), instances: two, contentFormat: 11542 },
      ctxReal,
    )
    const back = codecs.require(11542).decode(req.payload as Uint8Array, P('/3303'), NO_MODELS)
    expect(back.kind === 'object' && [...back.instances.keys()]).toEqual([1, 2])
  })
})

describe('classifyRequest of a Create without instance id (Core TS 1.2 section 6.3.6)', () => {
  it('reads TLV resources without an instance wrapper as instance 65535, also for a multiple-instance object', () => {
    const temp = instance(65535, [singleResource(5700, 'float', 21.5)])
    const req = buildRequest(
      { kind: 'create', path: P('/3303'), instances: [temp], contentFormat: 11542 },
      {
        codecs,
        models: NO_MODELS,
      },
    )
    const op = classifyRequest(
      {
        peer: { address: '127.0.0.1', port: 5683 },
        method: 'POST',
        code: 2,
        confirmable: true,
        messageId: 1,
        token: new Uint8Array(0),
        options: [],
        path: ['3303'],
        query: [],
        contentFormat: 11542,
        accept: undefined,
        observe: undefined,
        payload: req.payload as Uint8Array,
      },
      { codecs, models: modelLookup([temperature]), side: 'client' },
    )
    expect(op.kind === 'create' && op.instances.map((i) => i.id)).toEqual([65535])
    expect(op.kind === 'create' && op.instances[0]!.resources.get(5700)).toEqual(
      singleResource(5700, 'float', 21.5),
    )
  })
})
