import { createMemoryNetwork, type Peer } from '@lwm2m/coap'
import { describe, expect, it } from 'vitest'
import { gateTransport } from './gate.js'

const turn = () => new Promise<void>((r) => setImmediate(r))

describe('the queue-mode radio switch', () => {
  it('drops datagrams both ways while closed, keeps the socket, passes them again when open', async () => {
    const net = createMemoryNetwork()
    const gated = gateTransport(net.transport())
    const other = net.transport()
    const gotGated: string[] = []
    const gotOther: string[] = []
    await gated.open((d) => gotGated.push(Buffer.from(d).toString()))
    await other.open((d) => gotOther.push(Buffer.from(d).toString()))
    const to = (t: { address(): { address: string; port: number } }): Peer => ({
      address: t.address().address,
      port: t.address().port,
    })
    gated.setPassing(false)
    expect(gated.passing).toBe(false)
    const sent: (Error | undefined)[] = []
    gated.send(Buffer.from('out'), to(other), (e) => sent.push(e))
    other.send(Buffer.from('in'), to(gated))
    await turn()
    expect([gotGated, gotOther, sent, gated.dropped]).toEqual([[], [], [undefined], 2])
    gated.setPassing(true)
    gated.send(Buffer.from('out2'), to(other))
    other.send(Buffer.from('in2'), to(gated))
    await turn()
    expect([gotGated, gotOther]).toEqual([['in2'], ['out2']])
    expect(gated.address().port).toBe(to(gated).port)
    await gated.close()
    await other.close()
  })
})
