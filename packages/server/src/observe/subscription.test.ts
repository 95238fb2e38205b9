import { Lwm2mPath, singleResource } from '@lwm2m/core'
import { describe, expect, it } from 'vitest'
import type { NodeNotification, Notification } from './notification.js'
import { Subscription, type SubscriptionHost } from './subscription.js'

function make(bufferSize = 8) {
  const errors: unknown[] = []
  const cancels: boolean[] = []
  const host: SubscriptionHost = {
    cancel: async (s: Subscription<Notification>, passive: boolean) => {
      cancels.push(passive)
      control.end('cancelled')
      void s
    },
    listenerError: (e) => errors.push(e),
  }
  const control = Subscription.create<NodeNotification>(host, {
    id: 's1',
    endpoint: 'ep',
    paths: [Lwm2mPath.parse('/3/0/9')],
    composite: false,
    bufferSize,
  })
  return { control, sub: control.subscription, errors, cancels }
}

const n = (v: number, initial = false): NodeNotification => ({
  kind: 'observe',
  subscription: 's1',
  endpoint: 'ep',
  registrationId: 'r1',
  receivedAt: v,
  initial,
  contentFormat: 112,
  timestamped: undefined,
  path: Lwm2mPath.parse('/3/0/9'),
  node: singleResource(9, 'integer', v),
})

describe('Subscription', () => {
  it('resolves ready with the first notification and yields every one in order', async () => {
    const { control, sub } = make()
    control.established('r1')
    expect(sub.active).toBe(true)
    control.deliver(n(1, true))
    control.deliver(n(2))
    expect((await sub.ready).receivedAt).toBe(1)
    const it = sub[Symbol.asyncIterator]()
    expect((await it.next()).value?.receivedAt).toBe(1)
    expect((await it.next()).value?.receivedAt).toBe(2)
    const waiting = it.next()
    control.deliver(n(3))
    expect((await waiting).value?.receivedAt).toBe(3)
    control.end('deregistered')
    expect((await it.next()).done).toBe(true)
    expect(sub.active).toBe(false)
    control.deliver(n(4))
    expect((await it.next()).done).toBe(true)
  })

  it('has one consumer: a second next() while one waits is refused', async () => {
    const { sub } = make()
    const it = sub[Symbol.asyncIterator]()
    void it.next()
    await expect(it.next()).rejects.toThrow(/one consumer/)
  })

  it('rejects ready with a typed error when it ends before starting', async () => {
    for (const [reason, code] of [
      ['stopped', 'STOPPED'],
      ['cancelled', 'ABORTED'],
      ['expired', 'REGISTRATION_ENDED'],
    ] as const) {
      const { control, sub } = make()
      control.end(reason)
      await expect(sub.ready).rejects.toMatchObject({ code })
      expect(control.end('failed')).toBe(false)
    }
  })

  it('throws a failure once from the iterator, after the buffered notifications', async () => {
    const { control, sub } = make()
    control.deliver(n(1, true))
    const boom = new Error('boom')
    control.end('failed', boom)
    const it = sub[Symbol.asyncIterator]()
    expect((await it.next()).value?.receivedAt).toBe(1)
    await expect(it.next()).rejects.toBe(boom)
    expect((await it.next()).done).toBe(true)
    expect(sub.ended).toEqual({ reason: 'failed', error: boom })
  })

  it('drops the oldest beyond the buffer and counts them', async () => {
    const { control, sub } = make(3)
    for (let i = 0; i < 200; i++) control.deliver(n(i))
    expect(sub.dropped).toBe(197)
    const it = sub[Symbol.asyncIterator]()
    expect([(await it.next()).value?.receivedAt, (await it.next()).value?.receivedAt]).toEqual([197, 198])
  })

  it('emits events; on, once, off; a throwing listener goes to the host', async () => {
    const { control, sub, errors } = make()
    const seen: number[] = []
    const listener = (x: NodeNotification) => seen.push(x.receivedAt)
    sub.on('notification', listener)
    sub.once('notification', () => seen.push(-1))
    sub.on('notification', () => {
      throw new Error('listener')
    })
    const ends: string[] = []
    sub.on('end', (e) => ends.push(e.reason))
    const invalid: Error[] = []
    sub.on('invalid', (e) => invalid.push(e))
    control.deliver(n(1))
    sub.off('notification', listener)
    control.deliver(n(2))
    control.invalid(new Error('bad payload'))
    control.end('expired')
    expect(seen).toEqual([1, -1])
    expect(errors).toHaveLength(2)
    expect(invalid).toHaveLength(1)
    expect(ends).toEqual(['expired'])
  })

  it('cancel asks the host (active by default), once; return() of the iterator cancels', async () => {
    const { sub, cancels } = make()
    await sub[Symbol.asyncIterator]().return!()
    expect(cancels).toEqual([false])
    await sub.cancel({ passive: true })
    expect(cancels).toEqual([false])
    const other = make()
    await other.sub.cancel({ passive: true })
    expect(other.cancels).toEqual([true])
  })
})
