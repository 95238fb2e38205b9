import { instance, Lwm2mPath, modelLookup, multipleResource, objectNode, singleResource } from '@lwm2m/core'
import { deviceModel, temperatureModel } from '@lwm2m/objects'
import { describe, expect, it } from 'vitest'
import { formatRows, nodeRows, nodesRows, rowJson, timestampedJson } from './rows.js'

const models = modelLookup([deviceModel, temperatureModel])

describe('value rows', () => {
  const device = instance(0, [
    singleResource(0, 'string', 'ACME'),
    multipleResource(7, 'integer', [
      [0, 3800],
      [1, 5000],
    ]),
    singleResource(9, 'integer', 87),
  ])

  it('name every value from the model, with its unit, one per leaf', () => {
    const rows = nodeRows(device, Lwm2mPath.parse('/3/0'), models)
    expect(rows.map((r) => [r.path, r.name, r.unit])).toEqual([
      ['/3/0/0', 'Manufacturer', undefined],
      ['/3/0/7/0', 'Power Source Voltage', undefined],
      ['/3/0/7/1', 'Power Source Voltage', undefined],
      ['/3/0/9', 'Battery Level', '/100'],
    ])
    expect(formatRows(rows)).toEqual([
      '  /3/0/0    Manufacturer          ACME',
      '  /3/0/7/0  Power Source Voltage  3800',
      '  /3/0/7/1  Power Source Voltage  5000',
      '  /3/0/9    Battery Level         87 /100',
    ])
  })

  it('in JSON: path, name, type, value, unit (null when unknown)', () => {
    const [row] = nodeRows(singleResource(5, 'float', 1.5), Lwm2mPath.parse('/9999/0/5'), models)
    expect(rowJson(row!)).toEqual({ path: '/9999/0/5', name: null, type: 'float', value: 1.5, unit: null })
    expect(formatRows([row!])).toEqual(['  /9999/0/5    1.5'])
  })

  it('objects and composite results, nulls left out; an empty read says so', () => {
    const node = objectNode(3303, [instance(0, [singleResource(5700, 'float', 21.5)])])
    expect(nodeRows(node, Lwm2mPath.parse('/3303'), models)[0]?.name).toBe('Sensor Value')
    const rows = nodesRows(
      new Map([
        ['/3/0/0', singleResource(0, 'string', 'ACME')],
        ['/3/0/9', null],
      ]),
      Lwm2mPath.parse,
      models,
    )
    expect(rows.map((r) => r.path)).toEqual(['/3/0/0'])
    expect(formatRows([])).toEqual(['  (no values)'])
  })

  it('timestamped groups with ISO times', () => {
    const json = timestampedJson(
      [
        { timestamp: 1_700_000_000, nodes: new Map([['/3/0/9', singleResource(9, 'integer', 80)]]) },
        { timestamp: undefined, nodes: new Map([['/3/0/9', singleResource(9, 'integer', 79)]]) },
      ],
      Lwm2mPath.parse,
      models,
    )
    expect(json).toEqual([
      {
        time: '2023-11-14T22:13:20.000Z',
        values: [{ path: '/3/0/9', name: 'Battery Level', type: 'integer', value: 80, unit: '/100' }],
      },
      {
        time: null,
        values: [{ path: '/3/0/9', name: 'Battery Level', type: 'integer', value: 79, unit: '/100' }],
      },
    ])
  })
})
