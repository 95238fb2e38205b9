import { DeadlineQueue, FakeClock } from '@lwm2m/coap'
import { describe, expect, it } from 'vitest'
import { Dispatcher, type DispatcherOptions, type TaskContext } from './dispatcher.js'

function setup(over: Partial<DispatcherOptions> = {}) {
  const clock = new FakeClock(0)
  const events: string[] = []
  const d = new Dispatcher({
    clock,
    deadlines: new DeadlineQueue(clock),
    host: { awake: (ep) => events.push(`awake ${ep}`), sleeping: (ep) => events.push(`sleeping ${ep}`) },
    inFlightPerClient: 2,
    inFlightPolicy: 'queue',
    queuedPerClient: 3,
    awakeTime: 1000,
    ...over,
  })
  return { clock, d, events }
}

/** A task that resolves when told to, recording its start and its context. */
function gate(log: string[], name: string) {
  let open!: () => void
  const done = new Promise<void>((r) => {
    open = r
  })
  let ctx: TaskContext | undefined
  const task = async (c: TaskContext) => {
    ctx = c
    log.push(name)
    await done
    return name
  }
  return { task, open: () => open(), ctx: () => ctx }
}

const tick = () => new Promise<void>((r) => setImmediate(r))
const opts = { queueTimeout: 10_000 }

describe('Dispatcher', () => {
  it('runs up to the in-flight limit per client, then FIFO', async () => {
    const { d } = setup()
    const log: string[] = []
    const g = ['a', 'b', 'c', 'd'].map((n) => gate(log, n))
    const results = g.map((x) => d.submit('ep', x.task, opts))
    const other = gate(log, 'other')
    const o = d.submit('ep2', other.task, opts)
    expect(log).toEqual(['a', 'b', 'other'])
    expect(d.queued('ep')).toBe(2)
    g[1]!.open()
    await tick()
    expect(log).toEqual(['a', 'b', 'other', 'c'])
    g[0]!.open()
    await tick()
    expect(log).toEqual(['a', 'b', 'other', 'c', 'd'])
    g[2]!.open()
    g[3]!.open()
    other.open()
    expect(await Promise.all([...results, o])).toEqual(['a', 'b', 'c', 'd', 'other'])
    await tick()
    expect(d.size).toBe(0)
  })

  it("'fail' policy rejects beyond the limit; QUEUE_FULL beyond the queue", async () => {
    const failing = setup({ inFlightPolicy: 'fail', inFlightPerClient: 1 }).d
    const log: string[] = []
    const g = gate(log, 'a')
    void failing.submit('ep', g.task, opts)
    await expect(failing.submit('ep', gate(log, 'b').task, opts)).rejects.toMatchObject({ code: 'LIMIT' })
    const { d } = setup({ inFlightPerClient: 1, queuedPerClient: 1 })
    void d.submit('ep', gate(log, 'x').task, opts)
    void d.submit('ep', gate(log, 'y').task, opts)
    await expect(d.submit('ep', gate(log, 'z').task, opts)).rejects.toMatchObject({ code: 'QUEUE_FULL' })
  })

  it('a waiting task times out at its deadline; the time left goes to the task that starts', async () => {
    const { d, clock } = setup({ inFlightPerClient: 1 })
    const log: string[] = []
    const first = gate(log, 'first')
    void d.submit('ep', first.task, { ...opts, timeout: 5000 })
    const second = gate(log, 'second')
    const p = d.submit('ep', second.task, { ...opts, timeout: 3000 })
    const third = gate(log, 'third')
    const q = d.submit('ep', third.task, { timeout: 8000, queueTimeout: 10 })
    expect(first.ctx()?.timeout).toBe(5000)
    expect(first.ctx()?.waited).toBe(false)
    clock.advance(3000)
    await expect(p).rejects.toMatchObject({ code: 'TIMEOUT' })
    first.open()
    await tick()
    expect(log).toEqual(['first', 'third'])
    expect(third.ctx()?.timeout).toBe(5000)
    expect(third.ctx()?.waited).toBe(true)
    third.open()
    await q
  })

  it('queue mode: holds tasks while the client sleeps, releases them when it is seen', async () => {
    const { d, clock, events } = setup()
    d.setQueueMode('ep', true)
    expect(d.isAwake('ep')).toBe(true)
    clock.advance(1000)
    expect(d.isAwake('ep')).toBe(false)
    expect(events).toEqual(['sleeping ep'])
    const log: string[] = []
    const g = gate(log, 'a')
    const p = d.submit('ep', g.task, opts)
    expect(log).toEqual([])
    d.seen('ep')
    expect(log).toEqual(['a'])
    expect(events).toEqual(['sleeping ep', 'awake ep'])
    g.open()
    await p
    // Seen again before the awake time ends: it stays awake.
    clock.advance(900)
    d.seen('ep')
    clock.advance(900)
    expect(d.isAwake('ep')).toBe(true)
    d.unreachable('ep')
    expect(d.isAwake('ep')).toBe(false)
    d.setQueueMode('ep', false)
    expect(d.isAwake('ep')).toBeUndefined()
    await tick()
    expect(d.size).toBe(0)
  })

  it('an abort removes a waiting task; end and close fail the waiting ones', async () => {
    const { d } = setup({ inFlightPerClient: 1 })
    const log: string[] = []
    void d.submit('ep', gate(log, 'a').task, opts)
    const ac = new AbortController()
    const aborted = d.submit('ep', gate(log, 'b').task, { ...opts, signal: ac.signal })
    ac.abort()
    await expect(aborted).rejects.toMatchObject({ code: 'ABORTED' })
    await expect(
      d.submit('x', gate(log, 'c').task, { ...opts, signal: AbortSignal.abort() }),
    ).rejects.toMatchObject({
      code: 'ABORTED',
    })
    const waiting = d.submit('ep', gate(log, 'd').task, opts)
    d.end('ep', new Error('ended'))
    await expect(waiting).rejects.toThrow('ended')
    void d.submit('ep2', gate(log, 'e').task, opts)
    const w2 = d.submit('ep2', gate(log, 'f').task, opts)
    d.close(new Error('closed'))
    await expect(w2).rejects.toThrow('closed')
    await expect(d.submit('ep3', gate(log, 'g').task, opts)).rejects.toThrow('closed')
  })

  it('a task that throws synchronously rejects its caller and frees its slot', async () => {
    const { d } = setup({ inFlightPerClient: 1 })
    const bad = () => {
      throw new Error('boom')
    }
    await expect(d.submit('ep', bad as never, opts)).rejects.toThrow('boom')
    expect(await d.submit('ep', async () => 'ok', opts)).toBe('ok')
  })
})
