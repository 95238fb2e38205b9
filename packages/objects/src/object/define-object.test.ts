import { inspect } from 'node:util'
import { Lwm2mPath, type ObjectInstance, type Resource } from '@lwm2m/core'
import { describe, expect, it, vi } from 'vitest'
import { ObjectsError } from '../errors.js'
import { createObjectModel } from '../model/create-object-model.js'
import { objectCompliance } from '../testing/compliance.js'
import { defineObject } from './define-object.js'
import { fail, failureCoapCode, OperationError } from './result.js'
import { isSecretBytes, type SecretBytes } from './secret.js'
import type { ChangeEvent, OperationContext } from './types.js'

const SERVER: OperationContext = { origin: 'server', shortServerId: 1 }
const BOOTSTRAP: OperationContext = { origin: 'bootstrap' }
const INTERNAL: OperationContext = { origin: 'internal' }
const p = (text: string) => Lwm2mPath.parse(text)

// A test object with one resource of each kind that matters.
const model = createObjectModel({
  id: 40100,
  name: 'Test',
  multiple: true,
  resources: [
    { id: 0, name: 'Id', operations: 'R', type: 'integer', mandatory: true },
    { id: 1, name: 'Level', operations: 'RW', type: 'integer', mandatory: true, rangeEnumeration: '0..100' },
    { id: 2, name: 'Label', operations: 'RW', type: 'string', rangeEnumeration: '0..8' },
    { id: 3, name: 'Codes', operations: 'RW', type: 'unsigned', multiple: true },
    { id: 4, name: 'Go', operations: 'E', type: 'none' },
    { id: 5, name: 'Blob', operations: 'W', type: 'opaque' },
    { id: 6, name: 'Key', operations: '', type: 'opaque' },
    { id: 7, name: 'Now', operations: 'R', type: 'time' },
  ],
})

const res = (id: number, value: unknown): Resource =>
  value instanceof Map
    ? { kind: 'multipleResource', id, type: 'integer', instances: value as Map<number, number> }
    : ({ kind: 'resource', id, type: 'integer', value } as Resource)
const instance = (id: number, resources: Resource[]): ObjectInstance => ({
  kind: 'instance',
  id,
  resources: new Map(resources.map((r) => [r.id, r])),
})

function make(extra: Parameters<typeof defineObject>[1] = {}) {
  return defineObject(model, {
    instances: { 0: { 0: 10, 1: 50, 3: [1, 2] } },
    read: { 7: () => new Date(1_700_000_000_000) },
    execute: { 4: () => {} },
    write: { 5: () => {} },
    ...extra,
  })
}

objectCompliance({ name: 'defineObject', create: () => make(), skipWrite: [] })

describe('defineObject', () => {
  it('checks its handlers and initial values against the model', () => {
    expect(() => defineObject(model, { read: { 99: () => 1 } })).toThrow(ObjectsError)
    expect(() => defineObject(model, { read: { 4: () => 1 } })).toThrow(/executable/)
    expect(() => defineObject(model, { execute: { 1: () => {} } })).toThrow(/not executable/)
    expect(() => defineObject(model, { instances: { 0: { 1: 'x' } } })).toThrow(/integer/)
    expect(() => defineObject(model, { instances: { 0: { 3: 5 } } })).toThrow(/multiple-instance/)
    expect(() => defineObject(model, { secrets: [2] })).toThrow(/opaque/)
  })

  it('starts single-instance objects with instance 0, multiple-instance ones empty', () => {
    const single = createObjectModel({
      id: 40101,
      name: 'S',
      resources: [{ id: 0, name: 'a', operations: 'RW', type: 'string' }],
    })
    expect(defineObject(single).instances()).toEqual([0])
    expect(defineObject(model).instances()).toEqual([])
  })

  describe('read (Core TS 6.3.1)', () => {
    it('reads an instance: the readable resources present, for a server', async () => {
      const impl = make({ instances: { 0: { 0: 10, 1: 50, 6: Uint8Array.of(1, 2, 3, 4, 5, 6) } } })
      const r = await impl.read(p('/40100/0'), SERVER)
      expect(r.ok && r.value.kind === 'instance' && [...r.value.resources.keys()]).toEqual([0, 1, 7])
      const internal = await impl.read(p('/40100/0'), INTERNAL)
      expect(
        internal.ok && internal.value.kind === 'instance' && [...internal.value.resources.keys()],
      ).toEqual([0, 1, 6, 7])
    })

    it('answers each failure with its code', async () => {
      const impl = make()
      const code = async (path: string, context = SERVER) => {
        const r = await impl.read(p(path), context)
        return r.ok ? 'ok' : r.code
      }
      expect(await code('/40100/0/4')).toBe('METHOD_NOT_ALLOWED')
      expect(await code('/40100/0/5')).toBe('METHOD_NOT_ALLOWED')
      expect(await code('/40100/0/6')).toBe('METHOD_NOT_ALLOWED')
      expect(await code('/40100/0/6', INTERNAL)).toBe('NOT_FOUND')
      expect(await code('/40100/0/2')).toBe('NOT_FOUND')
      expect(await code('/40100/0/99')).toBe('NOT_FOUND')
      expect(await code('/40100/1')).toBe('NOT_FOUND')
      expect(await code('/3/0')).toBe('NOT_FOUND')
      expect(await code('/40100/0/1/0')).toBe('BAD_REQUEST')
      expect(await code('/40100/0/3/1')).toBe('ok')
      expect(await code('/40100/0/3/7')).toBe('NOT_FOUND')
      expect(failureCoapCode('METHOD_NOT_ALLOWED')).toBe(0x85)
    })

    it('turns a getter that throws into INTERNAL_SERVER_ERROR, or into the OperationError it threw', async () => {
      const logger = { debug: vi.fn(), info: vi.fn(), warn: vi.fn(), error: vi.fn() }
      let mode: 'bug' | 'offline' | 'wrong' = 'bug'
      const impl = make({
        logger,
        read: {
          7: () => {
            if (mode === 'bug') throw new Error('boom')
            if (mode === 'offline') throw new OperationError('SERVICE_UNAVAILABLE', 'clock offline')
            return 'not a date' as never
          },
        },
      })
      expect(await impl.read(p('/40100/0/7'), SERVER)).toMatchObject({
        ok: false,
        code: 'INTERNAL_SERVER_ERROR',
      })
      expect(logger.error).toHaveBeenCalled()
      mode = 'offline'
      expect(await impl.read(p('/40100/0/7'), SERVER)).toMatchObject({
        ok: false,
        code: 'SERVICE_UNAVAILABLE',
        message: 'clock offline',
      })
      mode = 'wrong'
      expect(await impl.read(p('/40100/0'), SERVER)).toMatchObject({
        ok: false,
        code: 'INTERNAL_SERVER_ERROR',
      })
    })
  })

  describe('write (Core TS 6.3.3)', () => {
    it('checks the whole payload before writing any of it', async () => {
      const impl = make()
      const r = await impl.write(p('/40100/0'), instance(0, [res(1, 70), res(0, 3)]), 'partialUpdate', SERVER)
      expect(r).toMatchObject({ ok: false, code: 'METHOD_NOT_ALLOWED' })
      expect(impl.get(0, 1)).toBe(50)
      expect(
        await impl.write(p('/40100/0'), instance(0, [res(1, 170)]), 'partialUpdate', SERVER),
      ).toMatchObject({
        code: 'BAD_REQUEST',
      })
      expect(
        await impl.write(
          p('/40100/0/2'),
          { kind: 'resource', id: 2, type: 'string', value: 'far too long' },
          'replace',
          SERVER,
        ),
      ).toMatchObject({
        code: 'BAD_REQUEST',
      })
      expect(
        await impl.write(p('/40100/0'), instance(1, [res(1, 70)]), 'partialUpdate', SERVER),
      ).toMatchObject({
        code: 'BAD_REQUEST',
      })
      expect(await impl.write(p('/40100/0/1'), res(2, 1), 'replace', SERVER)).toMatchObject({
        code: 'BAD_REQUEST',
      })
      expect(await impl.write(p('/40100/0/99'), res(99, 1), 'replace', SERVER)).toMatchObject({
        code: 'NOT_FOUND',
      })
      expect(await impl.write(p('/40100/0/3'), res(3, 1), 'replace', SERVER)).toMatchObject({
        code: 'BAD_REQUEST',
      })
      expect(await impl.write(p('/40100'), instance(0, []), 'replace', SERVER)).toMatchObject({
        code: 'METHOD_NOT_ALLOWED',
      })
    })

    it('replace on an instance removes the optional writable resources the payload lacks', async () => {
      const impl = make({ instances: { 0: { 0: 1, 1: 2, 2: 'x', 3: [1] } } })
      const events: ChangeEvent[] = []
      impl.onChange((e) => events.push(e))
      expect(await impl.write(p('/40100/0'), instance(0, [res(1, 9)]), 'replace', SERVER)).toMatchObject({
        ok: true,
      })
      expect(impl.resources(0)).toEqual([0, 1, 4, 5, 7])
      expect(events.map((e) => e.path.toString())).toEqual(['/40100/0/1', '/40100/0/2', '/40100/0/3'])
    })

    it('update on a multiple resource adds instances; replace replaces them all', async () => {
      const impl = make()
      await impl.write(p('/40100/0/3'), res(3, new Map([[5, 50]])), 'partialUpdate', SERVER)
      expect(impl.get(0, 3)).toEqual(
        new Map([
          [0, 1],
          [1, 2],
          [5, 50],
        ]),
      )
      await impl.write(p('/40100/0/3'), res(3, new Map([[9, 90]])), 'replace', SERVER)
      expect(impl.get(0, 3)).toEqual(new Map([[9, 90]]))
      await impl.write(
        p('/40100/0/3/2'),
        { kind: 'resourceInstance', id: 2, type: 'unsigned', value: 20 },
        'replace',
        SERVER,
      )
      expect(impl.get(0, 3)).toEqual(
        new Map([
          [9, 90],
          [2, 20],
        ]),
      )
      expect(await impl.delete(p('/40100/0/3/9'), SERVER)).toMatchObject({ ok: true })
      expect(impl.get(0, 3)).toEqual(new Map([[2, 20]]))
      expect(await impl.delete(p('/40100/0/3/9'), SERVER)).toMatchObject({ code: 'NOT_FOUND' })
      expect(await impl.delete(p('/40100/0/1/0'), SERVER)).toMatchObject({ code: 'BAD_REQUEST' })
    })

    it('gives a setter the whole new value and lets it refuse', async () => {
      const seen: unknown[] = []
      const impl = make({
        write: {
          1: (v, call) => {
            seen.push([v, call.mode, call.instanceId])
            return v === 13 ? fail('BAD_REQUEST', 'unlucky') : undefined
          },
          3: (v) => {
            seen.push(v)
          },
          5: () => {},
        },
      })
      expect(await impl.write(p('/40100/0/1'), res(1, 12), 'replace', SERVER)).toMatchObject({ ok: true })
      expect(await impl.write(p('/40100/0/1'), res(1, 13), 'replace', SERVER)).toMatchObject({
        code: 'BAD_REQUEST',
        message: 'unlucky',
      })
      expect(impl.get(0, 1)).toBe(12)
      await impl.write(
        p('/40100/0/3/4'),
        { kind: 'resourceInstance', id: 4, type: 'unsigned', value: 4 },
        'partialUpdate',
        SERVER,
      )
      expect(seen).toEqual([
        [12, 'replace', 0],
        [13, 'replace', 0],
        new Map([
          [0, 1],
          [1, 2],
          [4, 4],
        ]),
      ])
    })

    it('does not keep write-only values that have a setter (a firmware package is not held twice)', async () => {
      const got: unknown[] = []
      const impl = make({ write: { 5: (v) => void got.push(v) } })
      const blob = Uint8Array.of(1, 2, 3)
      expect(
        await impl.write(
          p('/40100/0/5'),
          { kind: 'resource', id: 5, type: 'opaque', value: blob },
          'replace',
          SERVER,
        ),
      ).toMatchObject({ ok: true })
      expect(got).toEqual([blob])
      expect(impl.get(0, 5)).toBeUndefined()
    })

    it('refuses writes to a resource computed by a getter without a setter', async () => {
      const impl = make({ read: { 1: () => 5 }, instances: { 0: { 0: 1 } } })
      expect(await impl.write(p('/40100/0/1'), res(1, 6), 'replace', SERVER)).toMatchObject({
        code: 'METHOD_NOT_ALLOWED',
      })
    })

    it('copies written bytes (a decoded payload is a view of a datagram)', async () => {
      const impl = make({ write: {} })
      const datagram = Uint8Array.of(9, 9, 9, 1, 2)
      await impl.write(
        p('/40100/0/6'),
        { kind: 'resource', id: 6, type: 'opaque', value: datagram.subarray(3) },
        'replace',
        BOOTSTRAP,
      )
      datagram.fill(0)
      expect(impl.get(0, 6)).toEqual(Uint8Array.of(1, 2))
    })

    it('lets the bootstrap server write any resource and create the instance it names (Core TS 5.2.7.4)', async () => {
      const impl = make()
      const events: ChangeEvent[] = []
      impl.onChange((e) => events.push(e))
      const key = { kind: 'resource', id: 6, type: 'opaque', value: Uint8Array.of(7) } as const
      expect(await impl.write(p('/40100/0/6'), key, 'replace', SERVER)).toMatchObject({
        code: 'METHOD_NOT_ALLOWED',
      })
      expect(await impl.write(p('/40100/3/6'), key, 'replace', SERVER)).toMatchObject({ code: 'NOT_FOUND' })
      expect(await impl.write(p('/40100/3/6'), key, 'replace', BOOTSTRAP)).toMatchObject({ ok: true })
      expect(impl.instances()).toEqual([0, 3])
      expect(events.map((e) => `${e.kind} ${e.path}`)).toEqual(['created /40100/3', 'value /40100/3/6'])
      expect(await impl.write(p('/40100/0/0'), res(0, 77), 'replace', BOOTSTRAP)).toMatchObject({ ok: true })
      expect(impl.get(0, 0)).toBe(77)
    })
  })

  describe('execute (Core TS 6.3.5)', () => {
    it('passes the arguments and hands back work for after the response', async () => {
      const calls: string[] = []
      const impl = make({
        execute: {
          4: (args) => {
            calls.push(args)
            return { afterResponse: () => void calls.push('after') }
          },
        },
      })
      const r = await impl.execute(p('/40100/0/4'), "0='x'", SERVER)
      expect(calls).toEqual(["0='x'"])
      expect(r.ok && typeof r.afterResponse).toBe('function')
      if (r.ok) await r.afterResponse?.()
      expect(calls).toEqual(["0='x'", 'after'])
      expect(await impl.execute(p('/40100/0'), '', SERVER)).toMatchObject({ code: 'METHOD_NOT_ALLOWED' })
      expect(await make({ execute: {} }).execute(p('/40100/0/4'), '', SERVER)).toMatchObject({
        code: 'NOT_FOUND',
      })
    })
  })

  describe('create and delete (Core TS 6.3.6, 6.3.7)', () => {
    it('picks the lowest free id, checks mandatory resources, refuses a taken id', async () => {
      const impl = make()
      expect(await impl.create({ resources: new Map([[0, res(0, 1)]]) }, SERVER)).toMatchObject({
        code: 'BAD_REQUEST',
      })
      const r = await impl.create(
        {
          resources: new Map([
            [0, res(0, 1)],
            [1, res(1, 2)],
          ]),
        },
        SERVER,
      )
      expect(r).toEqual({ ok: true, value: 1 })
      expect(
        await impl.create(
          {
            instanceId: 1,
            resources: new Map([
              [0, res(0, 1)],
              [1, res(1, 2)],
            ]),
          },
          SERVER,
        ),
      ).toMatchObject({ code: 'BAD_REQUEST' })
      expect(await impl.create({ instanceId: 65535, resources: new Map() }, SERVER)).toMatchObject({
        code: 'BAD_REQUEST',
      })
      expect(await impl.create({ resources: new Map([[99, res(99, 1)]]) }, SERVER)).toMatchObject({
        code: 'BAD_REQUEST',
      })
    })

    it('asks the hooks, which may refuse or give defaults', async () => {
      const impl = make({
        create: ({ instanceId }) => (instanceId === 5 ? fail('UNAUTHORIZED') : { 0: 100 + instanceId, 1: 1 }),
        delete: ({ instanceId }) => (instanceId === 0 ? fail('METHOD_NOT_ALLOWED', 'keep 0') : undefined),
      })
      expect(await impl.create({ instanceId: 5, resources: new Map() }, SERVER)).toMatchObject({
        code: 'UNAUTHORIZED',
      })
      expect(await impl.create({ instanceId: 6, resources: new Map() }, SERVER)).toEqual({
        ok: true,
        value: 6,
      })
      expect(impl.get(6, 0)).toBe(106)
      expect(await impl.delete(p('/40100/0'), SERVER)).toMatchObject({
        code: 'METHOD_NOT_ALLOWED',
        message: 'keep 0',
      })
      expect(await impl.delete(p('/40100/6'), SERVER)).toEqual({ ok: true, value: undefined })
    })

    it('honours create: false and the instance limit', async () => {
      const impl = make({ create: false, delete: false, maxInstances: 2 })
      expect(await impl.create({ resources: new Map() }, SERVER)).toMatchObject({
        code: 'METHOD_NOT_ALLOWED',
      })
      expect(await impl.delete(p('/40100/0'), SERVER)).toMatchObject({ code: 'METHOD_NOT_ALLOWED' })
      expect(
        await impl.create(
          {
            resources: new Map([
              [0, res(0, 1)],
              [1, res(1, 1)],
            ]),
          },
          BOOTSTRAP,
        ),
      ).toMatchObject({ ok: true })
      expect(await impl.create({ resources: new Map() }, BOOTSTRAP)).toMatchObject({
        code: 'SERVICE_UNAVAILABLE',
      })
      expect(await impl.delete(p('/40100/0'), BOOTSTRAP)).toMatchObject({ ok: true })
    })
  })

  describe('the application side', () => {
    it('sets values, notifying only real changes', () => {
      const impl = make()
      const events: string[] = []
      impl.onChange((e) => events.push(`${e.kind} ${e.path}`))
      impl.set(0, 1, 60)
      impl.set(0, 1, 60)
      impl.set(0, 3, new Map([[0, 1]]))
      impl.changed(0, 7)
      impl.changed(0)
      impl.unset(0, 3)
      const id = impl.addInstance({ 0: 1, 1: 2 })
      impl.removeInstance(id)
      expect(events).toEqual([
        'value /40100/0/1',
        'value /40100/0/3',
        'value /40100/0/7',
        'value /40100/0',
        'value /40100/0/3',
        'created /40100/1',
        'deleted /40100/1',
      ])
      expect(() => impl.set(0, 1, 'x')).toThrow(ObjectsError)
      expect(() => impl.set(0, 7, new Date())).toThrow(/getter/)
      expect(() => impl.set(9, 1, 1)).toThrow(/no instance/)
      expect(() => impl.addInstance({}, 0)).toThrow(/exists/)
    })

    it('keeps going when a listener throws', () => {
      const logger = { debug: vi.fn(), info: vi.fn(), warn: vi.fn(), error: vi.fn() }
      const impl = make({ logger })
      const events: string[] = []
      impl.onChange(() => {
        throw new Error('listener bug')
      })
      impl.onChange((e) => events.push(e.path.toString()))
      impl.set(0, 1, 61)
      expect(events).toEqual(['/40100/0/1'])
      expect(logger.error).toHaveBeenCalledOnce()
    })

    it('answers nothing once closed', async () => {
      const close = vi.fn()
      const impl = make({ close })
      await impl.close()
      expect(close).toHaveBeenCalledOnce()
      expect(await impl.read(p('/40100/0'), SERVER)).toMatchObject({ code: 'SERVICE_UNAVAILABLE' })
    })
  })

  describe('secrets (never printed)', () => {
    const secret = Uint8Array.from(Buffer.from('s3cr3t-k3y-bytes'))
    it('keeps secret resources as SecretBytes and prints no value of the implementation', async () => {
      const impl = make({ secrets: [6], instances: { 0: { 0: 1, 1: 2, 6: secret } } })
      const held = impl.get(0, 6)
      expect(isSecretBytes(held)).toBe(true)
      expect([...(held as Uint8Array)]).toEqual([...secret])
      const r = await impl.read(p('/40100/0/6'), INTERNAL)
      expect(r.ok && r.value.kind === 'resource' && isSecretBytes(r.value.value)).toBe(true)
      for (const print of [
        String(impl),
        JSON.stringify(impl),
        inspect(impl, { depth: 9 }),
        inspect(r, { depth: 9 }),
        JSON.stringify(held),
      ]) {
        expect(print).not.toContain('s3cr3t')
        expect(print).not.toContain(Buffer.from(secret).toString('hex'))
        expect(print).not.toContain([...secret].join(','))
      }
      expect(JSON.parse(JSON.stringify(impl))).toEqual({
        object: 40100,
        name: 'Test',
        version: '1.0',
        instances: [0],
      })
      expect(inspect(held)).toBe('SecretBytes(16) [redacted]')
      expect(isSecretBytes((held as Uint8Array).slice(1))).toBe(true)
      expect(isSecretBytes((held as SecretBytes).reveal())).toBe(false)
    })
  })
})
