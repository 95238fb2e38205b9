import { inspect } from 'node:util'
import {
  type Lwm2mNode,
  Lwm2mPath,
  type ObjectInstance,
  type Resource,
  type ResourceModel,
  type ResourceValue,
} from '@lwm2m/core'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { StoredContent } from '../object/define-object.js'
import type { Awaitable, FailureCode, Result } from '../object/result.js'
import {
  type ChangeEvent,
  isObjectImplementation,
  type ObjectImplementation,
  type OperationContext,
} from '../object/types.js'
import { isValueOfType, valuesEqual } from '../object/value.js'
import { sampleValue, wrongValue } from './sample-values.js'

/** How the compliance suite gets implementations to check. */
export interface ObjectComplianceSetup<T extends ObjectImplementation = ObjectImplementation> {
  /** A fresh implementation with at least one instance, for each test. */
  create(): Awaitable<T>
  /** Releases it after each test (default: `close()` when it has one). */
  destroy?(implementation: T): Awaitable<void>
  /** A name for the describe block (default "object implementation"). */
  readonly name?: string
  /**
   * Values to write instead of generated ones, by resource id, for resources whose
   * valid values the model does not say (a binding "U", a URI). Also used for the
   * mandatory resources of a Create.
   */
  readonly writeValues?: Readonly<Record<number, ResourceValue | readonly ResourceValue[]>>
  /** Resources the suite must not write (writing them starts something: a firmware download). */
  readonly skipWrite?: readonly number[]
  /** Executable resources the suite must not execute (with preconditions such as Firmware Update's Update). */
  readonly skipExecute?: readonly number[]
  /** False when the implementation refuses Create from servers although the object is multiple-instance. */
  readonly creatable?: boolean
  /** Resources holding secrets: the suite checks that no print of the implementation or of a read shows them. */
  readonly secrets?: readonly number[]
}

const SERVER: OperationContext = { origin: 'server', shortServerId: 1 }
const INTERNAL: OperationContext = { origin: 'internal' }

const isReadable = (r: ResourceModel) => r.operations === 'R' || r.operations === 'RW'
const isWritable = (r: ResourceModel) => r.operations === 'W' || r.operations === 'RW'

function expectOk<T>(result: Result<T>, what: string): T {
  if (!result.ok) expect.fail(`${what}: expected success, got ${result.code} (${result.message})`)
  return result.value
}

function expectFailure(result: Result<unknown>, codes: readonly FailureCode[], what: string): void {
  if (result.ok) expect.fail(`${what}: expected ${codes.join(' or ')}, got success`)
  expect(codes, `${what}: got ${result.code} (${result.message})`).toContain(result.code)
}

function checkValues(r: ResourceModel, node: Resource, where: string): void {
  expect(node.id, where).toBe(r.id)
  if (r.multiple) {
    expect(node.kind, `${where} is a multiple-instance resource`).toBe('multipleResource')
    if (node.kind !== 'multipleResource') return
    for (const [ri, v] of node.instances) {
      expect(Number.isInteger(ri) && ri >= 0 && ri <= 65535, `${where}/${ri}: instance id`).toBe(true)
      expect(isValueOfType(r.type, v), `${where}/${ri} holds a ${r.type} value`).toBe(true)
    }
  } else {
    expect(node.kind, `${where} is a single-instance resource`).toBe('resource')
    if (node.kind === 'resource')
      expect(isValueOfType(r.type, node.value), `${where} holds a ${r.type} value`).toBe(true)
  }
}

function contentOf(node: Lwm2mNode): StoredContent | undefined {
  if (node.kind === 'resource' || node.kind === 'resourceInstance') return node.value
  if (node.kind === 'multipleResource') return node.instances
  return undefined
}

function sameContent(a: StoredContent | undefined, b: StoredContent | undefined): boolean {
  if (a === undefined || b === undefined) return a === b
  if (a instanceof Map || b instanceof Map) {
    if (!(a instanceof Map && b instanceof Map) || a.size !== b.size) return false
    for (const [k, v] of a) if (!b.has(k) || !valuesEqual(v, b.get(k)!)) return false
    return true
  }
  return valuesEqual(a as ResourceValue, b as ResourceValue)
}

function resourceNode(
  r: ResourceModel,
  content: ResourceValue | readonly ResourceValue[] | ReadonlyMap<number, ResourceValue>,
): Resource {
  if (!r.multiple) return { kind: 'resource', id: r.id, type: r.type, value: content as ResourceValue }
  const instances =
    content instanceof Map
      ? content
      : new Map(Array.isArray(content) ? content.map((v, i) => [i, v]) : [[0, content]])
  return {
    kind: 'multipleResource',
    id: r.id,
    type: r.type,
    instances: instances as ReadonlyMap<number, ResourceValue>,
  }
}

/** The bytes of a secret in the forms a print could show them. */
function secretForms(bytes: Uint8Array): string[] {
  const b = Buffer.from(bytes)
  return [
    b.toString('hex'),
    b.toString('base64'),
    [...bytes].join(','),
    ...(bytes.length >= 4 ? [b.toString('latin1')] : []),
  ].filter((s) => s.length >= 6)
}

/**
 * The compliance suite for an {@link ObjectImplementation}: run it in the tests of every
 * implementation (a standard object here, an object package) to check it against its
 * model the way the LwM2M Client role will use it.
 *
 * ```ts
 * import { objectCompliance } from '@lwm2m/objects/testing'
 * objectCompliance({ create: () => createTimerObject({ instances: 1 }) })
 * ```
 *
 * It checks: the mandatory resources are present in every instance; reads give values
 * of the model's types and the model's single/multiple shape; servers may only read R
 * resources, write W resources and execute E resources (METHOD_NOT_ALLOWED otherwise);
 * what is written reads back; writes of a wrong type are BAD_REQUEST; what does not
 * exist is NOT_FOUND; Create and Delete work where the object has multiple instances
 * and are refused where it has one; change notifications fire on writes, creates and
 * deletes, and stop after unsubscribing; declared secrets never show in prints.
 */
export function objectCompliance<T extends ObjectImplementation>(setup: ObjectComplianceSetup<T>): void {
  describe(`${setup.name ?? 'object implementation'}: LwM2M object compliance`, () => {
    let impl: T
    let events: ChangeEvent[]
    let unsubscribe: () => void

    beforeEach(async () => {
      impl = await setup.create()
      events = []
      unsubscribe = impl.onChange((e) => events.push(e))
    })

    afterEach(async () => {
      unsubscribe()
      if (setup.destroy !== undefined) await setup.destroy(impl)
      else await impl.close?.()
    })

    const model = () => impl.model
    const path = (...ids: number[]) => Lwm2mPath.of(model().id, ...ids)
    const present = (iid: number) =>
      (impl.resources(iid) ?? [])
        .map((id) => model().resources.get(id))
        .filter((r): r is ResourceModel => r !== undefined)
    const valueFor = (r: ResourceModel, current?: StoredContent) =>
      setup.writeValues?.[r.id] ?? (r.multiple ? [sampleValue(r, current)] : sampleValue(r, current))
    const writeTargets = (iid: number) =>
      present(iid).filter((r) => isWritable(r) && !(setup.skipWrite ?? []).includes(r.id))

    it('is an object implementation with at least one instance, in ascending order', () => {
      expect(isObjectImplementation(impl)).toBe(true)
      expect(model().resources instanceof Map).toBe(true)
      const ids = impl.instances()
      expect(ids.length, 'the setup must create at least one instance').toBeGreaterThan(0)
      expect([...ids].sort((a, b) => a - b)).toEqual(ids)
      expect(new Set(ids).size).toBe(ids.length)
      for (const id of ids)
        expect(Number.isInteger(id) && id >= 0 && id <= 65534, `instance id ${id}`).toBe(true)
      if (!model().multiple) expect(ids.length, 'a single-instance object').toBe(1)
    })

    it('has every mandatory resource in every instance (Core TS Appendix D: Mandatory)', () => {
      for (const iid of impl.instances()) {
        const ids = impl.resources(iid)
        expect(ids, `resources of instance ${iid}`).toBeDefined()
        expect([...ids!].sort((a, b) => a - b)).toEqual(ids)
        for (const id of ids!) expect(model().resources.has(id), `resource ${id} is in the model`).toBe(true)
        for (const r of model().resources.values()) {
          if (r.mandatory)
            expect(ids, `mandatory resource ${r.id} (${r.name}) in instance ${iid}`).toContain(r.id)
        }
      }
      expect(impl.resources(65535)).toBeUndefined()
    })

    it('reads instances with the types and shapes of its model (Core TS 6.3.1 Read)', async () => {
      for (const iid of impl.instances()) {
        const readableIds = present(iid)
          .filter(isReadable)
          .map((r) => r.id)
        const result = await impl.read(path(iid), SERVER)
        if (!result.ok && result.code === 'UNAUTHORIZED') continue // an object off-limits to servers (Security)
        const node = expectOk(result, `read ${path(iid)}`)
        expect(node.kind).toBe('instance')
        const instance = node as ObjectInstance
        expect(instance.id).toBe(iid)
        for (const [id, resource] of instance.resources) {
          const r = model().resources.get(id)!
          expect(readableIds, `${path(iid, id)} in a server read is readable`).toContain(id)
          checkValues(r, resource, path(iid, id).toString())
        }
        for (const r of present(iid)) {
          if (r.mandatory && isReadable(r))
            expect(instance.resources.has(r.id), `mandatory ${path(iid, r.id)} read`).toBe(true)
        }
      }
    })

    it('reads the whole object and each resource and resource instance on its own', async () => {
      const all = await impl.read(path(), SERVER)
      if (!all.ok) expect(all.code, `read ${path()}`).toBe('UNAUTHORIZED')
      else {
        expect(all.value.kind).toBe('object')
        if (all.value.kind === 'object') expect([...all.value.instances.keys()]).toEqual(impl.instances())
      }
      for (const iid of impl.instances()) {
        for (const r of present(iid)) {
          const result = await impl.read(path(iid, r.id), SERVER)
          if (!isReadable(r)) {
            expectFailure(
              result,
              ['METHOD_NOT_ALLOWED', 'UNAUTHORIZED'],
              `read ${path(iid, r.id)} (operations "${r.operations}")`,
            )
            continue
          }
          if (!result.ok && result.code === 'NOT_FOUND') continue // a getter may report the value absent
          const node = expectOk(result, `read ${path(iid, r.id)}`) as Resource
          checkValues(r, node, path(iid, r.id).toString())
          if (node.kind === 'multipleResource') {
            for (const [ri, v] of node.instances) {
              const one = expectOk(
                await impl.read(path(iid, r.id, ri), SERVER),
                `read ${path(iid, r.id, ri)}`,
              )
              expect(one.kind).toBe('resourceInstance')
              if (one.kind === 'resourceInstance' && r.type !== 'float')
                expect(valuesEqual(one.value, v)).toBe(true)
            }
          }
        }
      }
    })

    it('answers NOT_FOUND for what does not exist', async () => {
      const ids = impl.instances()
      const missing = Math.min(65534, Math.max(...ids) + 1)
      const unknown = [...Array(65536).keys()].reverse().find((id) => !model().resources.has(id))!
      const some = ids[0]!
      const codes: FailureCode[] = ['NOT_FOUND', 'UNAUTHORIZED']
      if (!ids.includes(missing)) {
        expectFailure(await impl.read(path(missing), SERVER), codes, `read ${path(missing)}`)
        expectFailure(
          await impl.execute(path(missing, 0), '', SERVER),
          [...codes, 'METHOD_NOT_ALLOWED'],
          `execute ${path(missing, 0)}`,
        )
        expectFailure(
          await impl.delete(path(missing), SERVER),
          [...codes, 'METHOD_NOT_ALLOWED'],
          `delete ${path(missing)}`,
        )
        const anyResource = [...model().resources.values()].find(isWritable)
        if (anyResource !== undefined) {
          const node = resourceNode(anyResource, valueFor(anyResource))
          expectFailure(
            await impl.write(path(missing, anyResource.id), node, 'replace', SERVER),
            codes,
            `write ${path(missing, anyResource.id)}`,
          )
        }
      }
      expectFailure(await impl.read(path(some, unknown), SERVER), codes, `read ${path(some, unknown)}`)
      expectFailure(
        await impl.read(Lwm2mPath.of(model().id === 0 ? 1 : 0, some), SERVER),
        codes,
        'read of another object',
      )
      for (const r of present(some).filter((r) => r.multiple && isReadable(r))) {
        const got = await impl.read(path(some, r.id), INTERNAL)
        const riMissing =
          got.ok && got.value.kind === 'multipleResource'
            ? Math.max(-1, ...got.value.instances.keys()) + 1
            : 65535
        expectFailure(
          await impl.read(path(some, r.id, Math.min(riMissing, 65535)), SERVER),
          codes,
          `read ${path(some, r.id, riMissing)}`,
        )
      }
    })

    it('lets servers write only what the model marks W (Core TS 6.3.3, 4.05 otherwise)', async () => {
      for (const iid of impl.instances()) {
        for (const r of present(iid)) {
          if (isWritable(r)) continue
          const value = r.type === 'none' ? 'x' : valueFor(r)
          const node =
            r.type === 'none'
              ? ({ kind: 'resource', id: r.id, type: 'string', value: 'x' } as Resource)
              : resourceNode(r, value)
          const result = await impl.write(path(iid, r.id), node, 'replace', SERVER)
          expectFailure(
            result,
            ['METHOD_NOT_ALLOWED', 'UNAUTHORIZED'],
            `write ${path(iid, r.id)} (operations "${r.operations}")`,
          )
        }
      }
    })

    it('lets servers execute only what the model marks E (Core TS 6.3.5, 4.05 otherwise)', async () => {
      for (const iid of impl.instances()) {
        for (const r of present(iid)) {
          if (r.operations === 'E') continue
          expectFailure(
            await impl.execute(path(iid, r.id), '', SERVER),
            ['METHOD_NOT_ALLOWED', 'UNAUTHORIZED'],
            `execute ${path(iid, r.id)}`,
          )
        }
        expectFailure(
          await impl.execute(path(iid), '', SERVER),
          ['METHOD_NOT_ALLOWED', 'UNAUTHORIZED', 'BAD_REQUEST'],
          `execute ${path(iid)}`,
        )
      }
    })

    it('executes its executable resources', async () => {
      for (const iid of impl.instances()) {
        for (const r of present(iid)) {
          if (r.operations !== 'E' || (setup.skipExecute ?? []).includes(r.id)) continue
          const result = await impl.execute(path(iid, r.id), '', SERVER)
          expectOk(result, `execute ${path(iid, r.id)}`)
          if (result.ok && result.afterResponse !== undefined) {
            expect(typeof result.afterResponse).toBe('function')
            await result.afterResponse()
          }
          const read = await impl.read(path(iid, r.id), SERVER)
          expectFailure(read, ['METHOD_NOT_ALLOWED', 'UNAUTHORIZED'], `read of executable ${path(iid, r.id)}`)
        }
      }
    })

    it('reads back what a server wrote, and notifies the change (Core TS 6.3.3, 6.4.2 Notify)', async () => {
      for (const iid of impl.instances()) {
        for (const r of writeTargets(iid)) {
          const before = isReadable(r) ? await impl.read(path(iid, r.id), INTERNAL) : undefined
          const current = before?.ok === true ? contentOf(before.value) : undefined
          const node = resourceNode(r, valueFor(r, current))
          events.length = 0
          expectOk(await impl.write(path(iid, r.id), node, 'replace', SERVER), `write ${path(iid, r.id)}`)
          const target = path(iid, r.id)
          if (!sameContent(current, contentOf(node))) {
            expect(
              events.some(
                (e) => e.kind === 'value' && (e.path.isPrefixOf(target) || target.isPrefixOf(e.path)),
              ),
              `a change event for ${target}`,
            ).toBe(true)
          }
          if (isReadable(r)) {
            const after = expectOk(await impl.read(target, SERVER), `read ${target} after the write`)
            expect(
              sameContent(contentOf(after), contentOf(node)),
              `${target} reads back what was written`,
            ).toBe(true)
          }
        }
      }
      // A partial update (POST) of an instance with one resource changes it alone.
      const iid = impl.instances()[0]!
      const target = writeTargets(iid).find(isReadable)
      if (target !== undefined) {
        const before = await impl.read(path(iid, target.id), INTERNAL)
        const node = resourceNode(target, valueFor(target, before.ok ? contentOf(before.value) : undefined))
        const instance: ObjectInstance = {
          kind: 'instance',
          id: iid,
          resources: new Map([[target.id, node]]),
        }
        expectOk(
          await impl.write(path(iid), instance, 'partialUpdate', SERVER),
          `partial update of ${path(iid)}`,
        )
        const after = expectOk(await impl.read(path(iid, target.id), SERVER), `read ${path(iid, target.id)}`)
        expect(sameContent(contentOf(after), contentOf(node))).toBe(true)
      }
    })

    it('refuses values of the wrong type with BAD_REQUEST and writes nothing (Core TS 6.3.3)', async () => {
      for (const iid of impl.instances()) {
        for (const r of writeTargets(iid)) {
          const before = isReadable(r) ? await impl.read(path(iid, r.id), INTERNAL) : undefined
          const node = resourceNode(r, r.multiple ? [wrongValue(r)] : wrongValue(r))
          expectFailure(
            await impl.write(path(iid, r.id), node, 'replace', SERVER),
            ['BAD_REQUEST'],
            `write of a wrong type to ${path(iid, r.id)}`,
          )
          if (before?.ok === true) {
            const after = await impl.read(path(iid, r.id), INTERNAL)
            expect(
              after.ok && sameContent(contentOf(after.value), contentOf(before.value)),
              `${path(iid, r.id)} unchanged`,
            ).toBe(true)
          }
        }
      }
    })

    it('creates and deletes instances where the object has multiple instances, refuses it where it has one (Core TS 6.3.6, 6.3.7)', async () => {
      const existing = impl.instances()
      const first = existing[0]!
      if (!model().multiple || setup.creatable === false) {
        const refused = await impl.create({ resources: new Map() }, SERVER)
        expectFailure(refused, ['METHOD_NOT_ALLOWED', 'BAD_REQUEST', 'UNAUTHORIZED'], `create in ${path()}`)
        if (!model().multiple)
          expectFailure(
            await impl.delete(path(first), SERVER),
            ['METHOD_NOT_ALLOWED', 'UNAUTHORIZED'],
            `delete ${path(first)}`,
          )
        expect(impl.instances()).toEqual(existing)
        return
      }
      const resources = new Map<number, Resource>()
      const sample = await impl.read(path(first), INTERNAL)
      for (const r of model().resources.values()) {
        if (!r.mandatory || r.operations === 'E') continue
        const given = setup.writeValues?.[r.id]
        const known =
          sample.ok && sample.value.kind === 'instance' ? sample.value.resources.get(r.id) : undefined
        resources.set(
          r.id,
          given !== undefined ? resourceNode(r, given) : (known ?? resourceNode(r, valueFor(r))),
        )
      }
      events.length = 0
      const created = expectOk(await impl.create({ resources }, SERVER), `create in ${path()}`)
      expect(existing).not.toContain(created)
      expect(impl.instances()).toContain(created)
      expect(
        events.some((e) => e.kind === 'created' && e.path.equals(path(created))),
        `a created event for ${path(created)}`,
      ).toBe(true)
      expectOk(await impl.read(path(created), SERVER), `read ${path(created)}`)
      for (const r of model().resources.values())
        if (r.mandatory) expect(impl.resources(created)).toContain(r.id)
      expectFailure(
        await impl.create({ instanceId: created, resources }, SERVER),
        ['BAD_REQUEST'],
        `create of existing ${path(created)}`,
      )
      events.length = 0
      expectOk(await impl.delete(path(created), SERVER), `delete ${path(created)}`)
      expect(impl.instances()).not.toContain(created)
      expect(
        events.some((e) => e.kind === 'deleted' && e.path.equals(path(created))),
        `a deleted event for ${path(created)}`,
      ).toBe(true)
      expectFailure(await impl.read(path(created), SERVER), ['NOT_FOUND'], `read of deleted ${path(created)}`)
      expect(impl.instances()).toEqual(existing)
    })

    it('stops notifying a listener once unsubscribed', async () => {
      const iid = impl.instances()[0]!
      const target = writeTargets(iid)[0]
      const mine: ChangeEvent[] = []
      const off = impl.onChange((e) => mine.push(e))
      off()
      if (target !== undefined) {
        const before = isReadable(target) ? await impl.read(path(iid, target.id), INTERNAL) : undefined
        const node = resourceNode(
          target,
          valueFor(target, before?.ok === true ? contentOf(before.value) : undefined),
        )
        expectOk(
          await impl.write(path(iid, target.id), node, 'replace', SERVER),
          `write ${path(iid, target.id)}`,
        )
      }
      expect(mine).toEqual([])
    })

    it('never prints the values of its secret resources', async () => {
      for (const iid of impl.instances()) {
        for (const id of setup.secrets ?? []) {
          const read = await impl.read(path(iid, id), INTERNAL)
          if (!read.ok) continue
          const value = contentOf(read.value)
          if (!(value instanceof Uint8Array) || value.length === 0) continue
          const forms = secretForms(value)
          const prints = [
            String(impl),
            JSON.stringify(impl) ?? '',
            inspect(impl, { depth: 10 }),
            inspect(read.value, { depth: 10 }),
            JSON.stringify(read.value, (_, v) =>
              typeof v === 'bigint' ? String(v) : v instanceof Map ? [...v] : v,
            ) ?? '',
            String(value),
          ]
          for (const print of prints)
            for (const form of forms)
              expect(print.includes(form), `a print shows secret ${path(iid, id)}`).toBe(false)
          const instance = await impl.read(path(iid), INTERNAL)
          if (instance.ok)
            for (const form of forms)
              expect(inspect(instance.value, { depth: 10 }).includes(form)).toBe(false)
        }
      }
    })
  })
}
