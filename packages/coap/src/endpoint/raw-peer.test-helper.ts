// A scripted peer for protocol tests: an endpoint on an in-memory network with a
// FakeClock, and a raw transport beside it that sends hand-made datagrams and records
// what comes back, decoded.
import { decodeMessage, encodeMessage } from '../message/codec.js'
import { type CoapMessage, type CoapOption, MessageType } from '../message/types.js'
import { seededRandom } from '../random.js'
import { FakeClock } from '../time/fake-clock.js'
import { createMemoryNetwork, type MemoryNetwork } from '../transport/memory.js'
import type { Peer, Transport } from '../transport/types.js'
import { createEndpoint, type EndpointOptions, type LocalEndpoint } from './endpoint.js'

export interface Received extends CoapMessage {
  readonly at: number
  readonly bytes: Uint8Array
}

export interface Rig {
  readonly clock: FakeClock
  readonly net: MemoryNetwork
  readonly ep: LocalEndpoint
  readonly raw: Transport
  /** The endpoint, as the raw peer reaches it. */
  readonly to: Peer
  /** The raw peer, as the endpoint reaches it. */
  readonly rawPeer: Peer
  readonly inbox: Received[]
  send(msg: Partial<CoapMessage> & { code: number }): void
  sendBytes(bytes: Uint8Array): void
  /** Lets deliveries happen (no time passes). */
  flush(): Promise<void>
  /** Moves fake time, letting deliveries happen between timers. */
  advance(ms: number): Promise<void>
  /** Everything received so far, emptied. */
  take(): Received[]
  close(): Promise<void>
}

export async function flushIo(rounds = 8): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise<void>((r) => setImmediate(r))
}

export async function rig(options: Partial<EndpointOptions> = {}, seed = 1): Promise<Rig> {
  const clock = new FakeClock(1_700_000_000_000)
  const net = createMemoryNetwork()
  const ep = await createEndpoint({
    transport: net.transport(),
    clock,
    random: seededRandom(seed),
    ...options,
  })
  const raw = net.transport()
  const inbox: Received[] = []
  await raw.open((data) => {
    try {
      inbox.push({ ...decodeMessage(data), at: clock.now(), bytes: data })
    } catch {
      inbox.push({
        type: MessageType.RST,
        code: -1,
        messageId: -1,
        token: new Uint8Array(0),
        options: [],
        payload: data,
        at: clock.now(),
        bytes: data,
      })
    }
  })
  const to = { address: ep.address().address, port: ep.address().port }
  const rawPeer = { address: raw.address().address, port: raw.address().port }
  return {
    clock,
    net,
    ep,
    raw,
    to,
    rawPeer,
    inbox,
    send(msg) {
      const full: CoapMessage = {
        type: msg.type ?? MessageType.CON,
        code: msg.code,
        messageId: msg.messageId ?? 1,
        token: msg.token ?? new Uint8Array(0),
        options: [...(msg.options ?? [])].sort((a: CoapOption, b: CoapOption) => a.number - b.number),
        payload: msg.payload ?? new Uint8Array(0),
      }
      raw.send(encodeMessage(full), to)
    },
    sendBytes(bytes) {
      raw.send(bytes, to)
    },
    flush: () => flushIo(),
    async advance(ms) {
      await clock.advanceAsync(ms)
      await flushIo()
    },
    take() {
      return inbox.splice(0, inbox.length)
    },
    async close() {
      await ep.close()
      await raw.close()
    },
  }
}

export const tok = (...b: number[]) => Uint8Array.from(b)
export const str = (s: string) => new TextEncoder().encode(s)
export const txt = (b: Uint8Array) => new TextDecoder().decode(b)
