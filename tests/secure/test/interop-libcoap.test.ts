import { execFile } from 'node:child_process'
import { afterEach, describe, expect, it } from 'vitest'
import { type SecureBed, secureBed } from './support/setup.js'
import { skipWithout } from './support/tools.js'

// Interoperability at the LwM2M level with a DTLS stack no one here wrote: libcoap's
// coap-client (Debian libcoap3-bin; OpenSSL and GnuTLS builds) registers with our LwM2M
// Server over DTLS-PSK (Core TS 1.2 section 6.2.1: 2.01 Created with Location-Path rd/<id>),
// and is refused (4.03) under an endpoint name its PSK identity is not bound to (section 7.1).
// libcoap's tools exit 0 even on failure: their output is what is checked.

// The -k option of coap-client takes the key as text.
const KEY_TEXT = 'libcoap-interop-secret'
const KEY = new TextEncoder().encode(KEY_TEXT)

function run(command: string, args: readonly string[]): Promise<string> {
  return new Promise((resolve) => {
    execFile(command, args, { timeout: 20_000 }, (_error, stdout, stderr) => resolve(`${stdout}\n${stderr}`))
  })
}

/**
 * A Register by coap-client over DTLS-PSK: POST `uri` with the object links `links`, as PSK
 * identity `identity` with KEY, waiting at most `wait` s (-B); verbose (-v 7) so that the
 * answer's code and options are in the output.
 */
function pskRegister(tool: string, identity: string, uri: string, links: string, wait = 10): Promise<string> {
  return run(tool, [
    '-v',
    '7',
    '-B',
    String(wait),
    '-u',
    identity,
    '-k',
    KEY_TEXT,
    '-m',
    'post',
    uri,
    '-e',
    links,
  ])
}

let bed: SecureBed | undefined
afterEach(async () => {
  await bed?.close()
  bed = undefined
})

describe.each(['coap-client-openssl', 'coap-client-gnutls'])(
  '%s registers with our LwM2M Server over DTLS-PSK',
  (tool) => {
    const skip = skipWithout(tool)

    it.skipIf(skip)(
      'Register under its own endpoint name: 2.01 Created with Location-Path rd/<id>',
      async () => {
        bed = await secureBed([{ endpoint: 'libcoap-node', mode: 'psk', identity: 'libcoap', key: KEY }])
        const out = await pskRegister(
          tool,
          'libcoap',
          `coaps://127.0.0.1:${bed.coapsPort}/rd?ep=libcoap-node&lt=60&lwm2m=1.1&b=U`,
          '</3/0>,</1/0>',
        )
        const answer =
          /c:2\.01 i:\w+ \{[0-9a-f]*\} \[ Location-Path:rd, Location-Path:([A-Za-z0-9_-]+) \]/.exec(out)
        expect(answer, out).not.toBeNull()
        const reg = (await bed.server.getRegistration('libcoap-node'))!
        expect(reg.id).toBe(answer![1])
        expect(reg.scheme).toBe('coaps')
        expect(reg.peer.identity).toEqual({ mode: 'psk', identity: 'libcoap' })
        expect([...reg.objectLinks.keys()].sort()).toEqual([1, 3])
      },
    )

    it.skipIf(skip)('Register under another endpoint name: 4.03 Forbidden, nothing registered', async () => {
      bed = await secureBed([
        { endpoint: 'libcoap-node', mode: 'psk', identity: 'libcoap', key: KEY },
        { endpoint: 'someone-else', mode: 'psk', identity: 'other', key: KEY },
      ])
      const out = await pskRegister(
        tool,
        'libcoap',
        `coaps://127.0.0.1:${bed.coapsPort}/rd?ep=someone-else&lt=60`,
        '</3/0>',
      )
      expect(out).toMatch(/c:4\.03/)
      expect(out).toMatch(/may not use endpoint someone-else/)
      expect(await bed.server.registrationStore.size()).toBe(0)
    })

    it.skipIf(skip)(
      'an unknown PSK identity: the handshake fails, no request reaches the server',
      async () => {
        bed = await secureBed([{ endpoint: 'libcoap-node', mode: 'psk', identity: 'libcoap', key: KEY }])
        let failed = 0
        bed.dtls.on('handshakeFailed', () => failed++)
        const out = await pskRegister(
          tool,
          'intruder',
          `coaps://127.0.0.1:${bed.coapsPort}/rd?ep=libcoap-node&lt=60`,
          '</3/0>',
          5,
        )
        expect(out).not.toMatch(/c:2\.01/)
        expect(failed).toBeGreaterThan(0)
        expect(bed.sessions).toBe(0)
        expect(await bed.server.registrationStore.size()).toBe(0)
      },
    )
  },
)
