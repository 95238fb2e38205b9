import type { Clock, TimerHandle } from './clock.js'

/**
 * Something with a deadline in a {@link DeadlineQueue}. The queue writes `heapIndex`
 * (-1 when not queued); the owner's `onDeadline` runs when the deadline has passed.
 */
export interface Deadline {
  deadline: number
  heapIndex: number
  onDeadline(now: number): void
}

/**
 * One queue of deadlines per endpoint (DESIGN.md, "Keeping the hot path near the
 * ceiling"): a binary min-heap over the deadlines with a single clock timer armed for
 * the earliest. Retransmissions, lifetimes and block-wise timeouts all go through it,
 * so that an exchange costs a heap insert, not a timer.
 */
export class DeadlineQueue {
  readonly #clock: Clock
  readonly #heap: Deadline[] = []
  #timer: TimerHandle | undefined
  #armedAt = Number.POSITIVE_INFINITY
  #closed = false
  readonly #fire = (): void => this.#run()

  constructor(clock: Clock) {
    this.#clock = clock
  }

  get size(): number {
    return this.#heap.length
  }

  /** Queues `item` for `deadline` (absolute, clock time), moving it if already queued. */
  schedule(item: Deadline, deadline: number): void {
    if (this.#closed) return
    item.deadline = deadline
    if (item.heapIndex >= 0) {
      this.#siftUp(item.heapIndex)
      this.#siftDown(item.heapIndex)
    } else {
      item.heapIndex = this.#heap.length
      this.#heap.push(item)
      this.#siftUp(item.heapIndex)
    }
    this.#arm()
  }

  /** Removes `item` if queued. */
  cancel(item: Deadline): void {
    const i = item.heapIndex
    if (i < 0) return
    const heap = this.#heap
    const last = heap.pop()!
    item.heapIndex = -1
    if (i < heap.length) {
      heap[i] = last
      last.heapIndex = i
      this.#siftUp(i)
      this.#siftDown(i)
    }
  }

  /** Stops the timer and forgets every deadline. */
  close(): void {
    this.#closed = true
    for (const item of this.#heap) item.heapIndex = -1
    this.#heap.length = 0
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer)
    this.#timer = undefined
  }

  #arm(): void {
    const head = this.#heap[0]
    if (head === undefined) return
    if (head.deadline >= this.#armedAt) return
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer)
    this.#armedAt = head.deadline
    this.#timer = this.#clock.setTimeout(this.#fire, Math.max(0, head.deadline - this.#clock.now()))
  }

  #run(): void {
    this.#timer = undefined
    this.#armedAt = Number.POSITIVE_INFINITY
    const now = this.#clock.now()
    const heap = this.#heap
    // Bounded: each pass removes the head; items re-queued for `now` or earlier run in later turns.
    let budget = heap.length
    while (budget-- > 0 && !this.#closed) {
      const head = heap[0]
      if (head === undefined || head.deadline > now) break
      this.cancel(head)
      head.onDeadline(now)
    }
    if (!this.#closed) this.#arm()
  }

  #siftUp(i: number): void {
    const heap = this.#heap
    const item = heap[i]!
    while (i > 0) {
      const p = (i - 1) >> 1
      const parent = heap[p]!
      if (parent.deadline <= item.deadline) break
      heap[i] = parent
      parent.heapIndex = i
      i = p
    }
    heap[i] = item
    item.heapIndex = i
  }

  #siftDown(i: number): void {
    const heap = this.#heap
    const n = heap.length
    const item = heap[i]!
    for (;;) {
      const l = 2 * i + 1
      if (l >= n) break
      const r = l + 1
      let c = l
      if (r < n && heap[r]!.deadline < heap[l]!.deadline) c = r
      const child = heap[c]!
      if (child.deadline >= item.deadline) break
      heap[i] = child
      child.heapIndex = i
      i = c
    }
    heap[i] = item
    item.heapIndex = i
  }
}
