/** ETS INT 1.2 section 6.6, Multiple servers and access control (950-999), configuration C.14. */
import { Code, ContentFormat } from '@lwm2m/coap'
import { afterEach, describe, expect, it } from 'vitest'
import { type C14, c14 } from '../src/configurations/c14.js'
import { ENDPOINT as EP } from '../src/harness.js'
import { answerCode, Bench } from '../src/harness-b.js'
import { codeOf, contentFormatOf, locationPath, text, uriQuery } from '../src/wire.js'

let b: Bench<C14> | undefined

afterEach(async () => {
  await b?.close()
  b = undefined
})

/** The object links of a Register payload ("</1/0>", "</3/0>" ...), attributes left out. */
function links(payload: string): string[] {
  return payload
    .split(',')
    .map((l) => l.split(';')[0]!)
    .filter((l) => l !== '</>')
}

describe('Multiple servers and access control (ETS 1.2 section 6.6)', () => {
  it('LightweightM2M-1.1-int-950 Multi-Server Registration', async () => {
    b = await Bench.start({ configuration: c14, servers: 2 })
    for (const [i, wire] of b.wires.entries()) {
      // Each server got one Register, for its own account, by the rules of int-101.
      const registers = wire.exchanges({ dir: 'in', method: 'POST', path: '/rd' })
      expect(registers, `server #${i + 1}`).toHaveLength(1)
      const { request, response } = registers[0]!
      const query = uriQuery(request.message)
      expect(query).toContain(`ep=${EP}`)
      expect(query).toContain('lt=86400')
      expect(query).toContain('lwm2m=1.2')
      expect(query).toContain('b=U')
      expect(contentFormatOf(request.message)).toBe(ContentFormat.LINK_FORMAT)
      const list = links(text(request.message))
      // No Security (/0) and no OSCORE (/21) in the list; both Server instances, the Access
      // Control instances and the Device.
      expect(list.some((l) => l.startsWith('</0') || l.startsWith('</21'))).toBe(false)
      expect(list).toEqual(
        expect.arrayContaining(['</1/0>', '</1/1>', '</2/0>', '</2/1>', '</2/2>', '</3/0>']),
      )
      // 2.01 Created with the registration's location.
      expect(codeOf(response)).toBe('2.01')
      expect(locationPath(response!.message)).toMatch(/^\/rd\/.+/)
      const reg = await b.servers[i]!.getRegistration(EP)
      expect(reg?.lifetime).toBe(86400)
      expect(`/${reg?.id}`).toBe(locationPath(response!.message).slice(3))
    }
    // The client holds one registration per account (SSID 1 with server #1, SSID 2 with #2).
    const status = b.client.servers()
    expect(status.map((s) => [s.shortServerId, s.state]).sort()).toEqual([
      [1, 'registered'],
      [2, 'registered'],
    ])
    // The Bootstrap-Server account is not registered with.
    expect(b.wires.every((w) => w.exchanges({ dir: 'in', method: 'POST', path: '/bs' }).length === 0)).toBe(
      true,
    )
  })

  it('LightweightM2M-1.1-int-951 Multi-Server & Attributes', async () => {
    b = await Bench.start({ configuration: c14, servers: 2 })
    const [s1, s2] = b.servers
    expect(await answerCode(b.until(s1!.writeAttributes(EP, '/3/0', { pmin: 2, pmax: 10 })))).toBe(
      Code.Changed,
    )
    expect(await answerCode(b.until(s2!.writeAttributes(EP, '/3/0', { pmin: 15, pmax: 50 })))).toBe(
      Code.Changed,
    )
    const d1 = await b.until(s1!.discover(EP, '/3/0'))
    const d2 = await b.until(s2!.discover(EP, '/3/0'))
    expect(d1.code).toBe(Code.Content)
    expect(d2.code).toBe(Code.Content)
    // The attributes are kept per server. The ETS lists `</3/0>;pmin=..;pmax=..,</3/0/0>,
    // </3/0/1>,</3/0/2>,</3/0/3>,</3/0/11>,</3/0/16>`; the Device object also has the
    // mandatory executable Reboot (/3/0/4), which Discover lists (Core TS 1.2 section 6.3.2:
    // every resource of the instance), and /3/0/11 is a multiple resource: `dim=1` (the
    // number of its instances).
    const rest = '</3/0/0>,</3/0/1>,</3/0/2>,</3/0/3>,</3/0/4>,</3/0/11>;dim=1,</3/0/16>'
    expect(d1.links).toBe(`</3/0>;pmin=2;pmax=10,${rest}`)
    expect(d2.links).toBe(`</3/0>;pmin=15;pmax=50,${rest}`)
    for (const wire of b.wires) {
      const discover = wire.last({ dir: 'out', method: 'GET', path: '/3/0' })
      expect(codeOf(discover)).toBe('2.05')
      expect(contentFormatOf(discover.response!.message)).toBe(ContentFormat.LINK_FORMAT)
    }
    // Access control holds between the two: server #1 may not touch server #2's instance.
    expect(await answerCode(b.until(s1!.read(EP, '/1/1')))).toBe(Code.Unauthorized)
    expect(await answerCode(b.until(s1!.read(EP, '/1/0')))).toBe(Code.Content)
    // And on /3/0 server #1 has Read only (the superset of C.14, see c14.ts): a write is refused.
    expect(await answerCode(b.until(s1!.write(EP, '/3/0/14', '+01:00')))).toBe(Code.Unauthorized)
  })
})
