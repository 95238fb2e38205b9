import { describe, expect, it } from 'vitest'
import { Lwm2mError } from '../errors.js'
import { negotiateVersion } from '../version/version.js'
import { formatBinding, parseBinding } from './binding.js'
import {
  buildBootstrapRequestQuery,
  buildRegisterQuery,
  buildUpdateQuery,
  parseBootstrapPackRequestQuery,
  parseBootstrapRequestQuery,
  parseRegisterQuery,
  parseUpdateQuery,
} from './params.js'

function rejects(fn: () => unknown, code = 'LWM2M_INVALID_REGISTRATION'): string {
  try {
    fn()
  } catch (err) {
    expect(Lwm2mError.isInstance(err) && err.code === code).toBe(true)
    return (err as Error).message
  }
  throw new Error('expected a throw')
}

describe('Register parameters (Core TS 1.2 section 6.2.1, Transport TS table 6.4.3-1)', () => {
  it('parses the Transport TS example /rd?ep=example-client&lwm2m=1.1&lt=86400', () => {
    expect(parseRegisterQuery(['ep=example-client', 'lwm2m=1.1', 'lt=86400'])).toEqual({
      endpoint: 'example-client',
      version: '1.1',
      lifetime: 86400,
      queueMode: false,
    })
  })

  it('parses b, Q, sms and pid (ETS LwM2M-1.1-int-108, LwM2M-1.2-int-110)', () => {
    expect(parseRegisterQuery('ep=a&lt=60&lwm2m=1.2&b=UT&Q&sms=4915112345&pid=6:27354b9a')).toEqual({
      endpoint: 'a',
      lifetime: 60,
      version: '1.2',
      binding: { transports: ['U', 'T'], queueMode: false },
      queueMode: true,
      smsNumber: '4915112345',
      profileIds: ['6:27354b9a'],
    })
  })

  it('parses several Profile IDs, quoted or in several parameters', () => {
    expect(parseRegisterQuery('lwm2m=1.2&lt=1&pid="6:1234abcd,oma:xyz"&pid=v:acme-1').profileIds).toEqual([
      '6:1234abcd',
      'oma:xyz',
      'v:acme-1',
    ])
    rejects(() => parseRegisterQuery('lwm2m=1.2&pid=6:ABCD'))
  })

  it('reads the 1.0 queue mode inside b (UQ, SQ, UQS) and assumes 1.0 without lwm2m', () => {
    const p = parseRegisterQuery('ep=old&b=UQS')
    expect(p.queueMode).toBe(true)
    expect(p.binding).toEqual({ transports: ['U', 'S'], queueMode: true })
    expect(p.version).toBeUndefined()
  })

  it('requires ep from 1.0 clients, not from 1.1 clients (Table 6.2.1-1: Endpoint Client Name, Required: No)', () => {
    rejects(() => parseRegisterQuery('lt=60&lwm2m=1.0'))
    rejects(() => parseRegisterQuery('lt=60'))
    expect(parseRegisterQuery('lt=60&lwm2m=1.1')).toEqual({ lifetime: 60, version: '1.1', queueMode: false })
  })

  it.each([
    ['ep=a&lt=-1'],
    ['ep=a&lt=1.5'],
    ['ep=a&lt='],
    ['ep=&lt=1'],
    ['ep=a&lwm2m=one'],
    ['ep=a&lwm2m=1.1&b=UQ'],
    ['ep=a&lwm2m=1.1&b=M'],
    ['ep=a&lwm2m=1.0&b=T'],
    ['ep=a&lwm2m=1.2&b=UU'],
    ['ep=a&lwm2m=1.1&Q=1'],
    ['ep=a&ep=b'],
    ['ep=a&sms='],
    ['ep=a&x=1'],
  ])('rejects %s with 4.00', (q) => {
    rejects(() => parseRegisterQuery(q))
  })

  it('keeps unknown parameters on request', () => {
    expect(parseRegisterQuery('ep=a&et=sensor&d', { unknown: 'keep' }).additional).toEqual({
      et: 'sensor',
      d: null,
    })
  })

  it('builds a Register query per version', () => {
    expect(
      buildRegisterQuery({
        endpoint: 'node-1',
        lifetime: 300,
        version: '1.1',
        binding: { transports: ['U'], queueMode: false },
        queueMode: true,
      }),
    ).toEqual(['ep=node-1', 'lt=300', 'lwm2m=1.1', 'b=U', 'Q'])
    expect(buildRegisterQuery({ endpoint: 'old', version: '1.0', queueMode: true })).toEqual([
      'ep=old',
      'lwm2m=1.0',
      'b=UQ',
    ])
    rejects(() => buildRegisterQuery({ version: '1.0', queueMode: false }))
  })
})

describe('Update parameters (Core TS 1.2 table 6.2.2-1)', () => {
  it('parses lt, b, sms, Q, pid; empty is the parameterless Update', () => {
    expect(parseUpdateQuery([])).toEqual({})
    expect(parseUpdateQuery('lt=20')).toEqual({ lifetime: 20 })
    expect(parseUpdateQuery('b=US&Q&sms=123', '1.1')).toEqual({
      binding: { transports: ['U', 'S'], queueMode: false },
      queueMode: true,
      smsNumber: '123',
    })
  })

  it('refuses parameters an Update does not carry', () => {
    rejects(() => parseUpdateQuery('ep=a'))
    rejects(() => parseUpdateQuery('lwm2m=1.1'))
  })

  it('builds per version', () => {
    expect(buildUpdateQuery({ lifetime: 120 })).toEqual(['lt=120'])
    expect(buildUpdateQuery({ binding: { transports: ['U'], queueMode: true } }, '1.0')).toEqual(['b=UQ'])
  })
})

describe('binding (Core TS 1.0 section 5.3.1.1, 1.2 section 6.2.1.2)', () => {
  it('round-trips the 1.0 values', () => {
    for (const b of ['U', 'UQ', 'S', 'SQ', 'US', 'UQS'])
      expect(formatBinding(parseBinding(b, '1.0'), '1.0')).toBe(b)
  })
  it('knows N and T from 1.1, M and H from 1.2', () => {
    expect(parseBinding('NT', '1.1').transports).toEqual(['N', 'T'])
    rejects(() => parseBinding('H', '1.1'))
    expect(parseBinding('UMH', '1.2').transports).toEqual(['U', 'M', 'H'])
    rejects(() => formatBinding({ transports: ['T'], queueMode: false }, '1.0'))
  })
})

describe('version negotiation (Core TS 1.2 section 6.2.1; Transport TS table 6.7-2)', () => {
  it('accepts 1.0, 1.1 and 1.2, and a missing lwm2m as 1.0', () => {
    expect(negotiateVersion('1.1')).toEqual({ accepted: true, version: '1.1' })
    expect(negotiateVersion(undefined)).toEqual({ accepted: true, version: '1.0' })
  })
  it('answers 4.12 Precondition Failed to a version the server does not support', () => {
    expect(negotiateVersion('1.3')).toMatchObject({ accepted: false, code: 0x8c })
    expect(negotiateVersion('2.0')).toMatchObject({ accepted: false, code: 0x8c })
    expect(negotiateVersion('1.2', ['1.0', '1.1'])).toMatchObject({ accepted: false, code: 0x8c })
  })
  it('answers 4.00 to a malformed version, and to 1.0 clients that know no 4.12', () => {
    expect(negotiateVersion('x')).toMatchObject({ accepted: false, code: 0x80 })
    expect(negotiateVersion('1.0', ['1.1', '1.2'])).toMatchObject({ accepted: false, code: 0x80 })
  })
})

describe('Bootstrap-Request parameters (Core TS 1.2 section 6.1.7.1)', () => {
  it('parses ep and pct', () => {
    expect(parseBootstrapRequestQuery('ep=node&pct=112')).toEqual({
      endpoint: 'node',
      preferredContentFormat: 112,
    })
    expect(buildBootstrapRequestQuery({ endpoint: 'node', preferredContentFormat: 11542 })).toEqual([
      'ep=node',
      'pct=11542',
    ])
  })
  it('answers a pct that is no bootstrap format with LWM2M_UNSUPPORTED_FORMAT (4.15)', () => {
    rejects(() => parseBootstrapRequestQuery('pct=0'), 'LWM2M_UNSUPPORTED_FORMAT')
    rejects(() => parseBootstrapRequestQuery('pct=abc'))
  })
  it('parses a Bootstrap-Pack-Request', () => {
    expect(parseBootstrapPackRequestQuery('ep=x')).toEqual({ endpoint: 'x' })
    // ETS LwM2M-1.2-int-12 shows an acc= query naming the Bootstrap-Server account instances
    expect(parseBootstrapPackRequestQuery(['ep=x', 'acc=</0/0>'])).toEqual({
      endpoint: 'x',
      accounts: '</0/0>',
    })
    rejects(() => parseBootstrapPackRequestQuery('pct=112'))
  })
})
