// DTLS through the tool, as scripts drive it: `lwm2m server --json` with client credentials on
// the command line and `lwm2m client --json` with a coaps:// server, in separate processes on
// loopback (OS-chosen ports). PSK and raw public keys; a PSK identity used under another
// endpoint name is refused (4.03, Core TS 1.2 section 7.1).
import { generateKeyPairSync } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type CliProcess, type Line, spawnCli } from './support/cli-process.js'

const KEY = '000102030405060708090a0b0c0d0e0f'
const dir = mkdtempSync(join(tmpdir(), 'lwm2m-cli-dtls-'))
const clientKey = generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
const clientKeyFile = join(dir, 'client.key')
const clientPubFile = join(dir, 'client.pub')
const securityFile = join(dir, 'security.json')
writeFileSync(clientKeyFile, clientKey.privateKey.export({ format: 'pem', type: 'pkcs8' }))
writeFileSync(clientPubFile, clientKey.publicKey.export({ format: 'pem', type: 'spki' }))
writeFileSync(securityFile, JSON.stringify([{ endpoint: 'dtls-rpk', mode: 'rpk', publicKey: 'client.pub' }]))

let server: CliProcess
let coapsPort = 0
let serverPublicKey = ''
const clients: CliProcess[] = []

beforeAll(async () => {
  server = spawnCli([
    'server',
    '--host',
    '127.0.0.1',
    '--port',
    '0',
    '--coaps-port',
    '0',
    '--psk',
    `dtls-psk:dtls-psk-id:${KEY}`,
    '--security-file',
    securityFile,
    '--json',
    '--timeout',
    '5s',
  ])
  const listening = await server.waitFor((l) => l.type === 'listening', 'listening')
  const coaps = listening.endpoints.find((e: Line) => e.scheme === 'coaps')
  coapsPort = coaps.port
  serverPublicKey = listening.serverPublicKey
})

afterAll(() => {
  server?.kill()
  for (const c of clients) c.kill()
  rmSync(dir, { recursive: true, force: true })
})

function client(endpoint: string, credentials: readonly string[]): CliProcess {
  const c = spawnCli([
    'client',
    '--endpoint',
    endpoint,
    '--server',
    `coaps://127.0.0.1:${coapsPort}`,
    '--lifetime',
    '120',
    '--json',
    '--timeout',
    '3s',
    ...credentials,
  ])
  clients.push(c)
  return c
}

describe('lwm2m server and lwm2m client over DTLS, two processes, --json', () => {
  it('the server listens on CoAP and on DTLS, and prints its ephemeral raw public key', () => {
    const listening = server.lines[0]
    expect(listening.endpoints.map((e: Line) => e.scheme)).toEqual(['coap', 'coaps'])
    expect(coapsPort).toBeGreaterThan(0)
    expect(serverPublicKey).toMatch(/^3059/) // SubjectPublicKeyInfo of a P-256 key, hex
  })

  it('PSK: the client registers over DTLS; the server shows the identity and reads the device', async () => {
    const c = client('dtls-psk', ['--psk-identity', 'dtls-psk-id', '--psk-key', KEY])
    await c.waitFor((l) => l.type === 'registered', 'client registered')
    const reg = await server.waitFor(
      (l) => l.type === 'registered' && l.registration?.endpoint === 'dtls-psk',
      'server registered',
    )
    expect(reg.registration).toMatchObject({
      scheme: 'coaps',
      security: { mode: 'psk', identity: 'dtls-psk-id' },
    })
    const read = await server.command('read dtls-psk /3/0/0')
    expect(read).toMatchObject({ type: 'result', ok: true })
    expect(read.value.values[0]).toMatchObject({ path: '/3/0/0', name: 'Manufacturer' })
    // The key never shows in what the client prints.
    expect(c.text.join('\n')).not.toContain(KEY)
  })

  it('raw public keys: the client pins the key the server printed', async () => {
    const c = client('dtls-rpk', ['--rpk-key', clientKeyFile, '--server-public-key', serverPublicKey])
    await c.waitFor((l) => l.type === 'registered', 'client registered')
    const reg = await server.waitFor(
      (l) => l.type === 'registered' && l.registration?.endpoint === 'dtls-rpk',
      'server registered',
    )
    expect(reg.registration.security.mode).toBe('rpk')
    expect(reg.registration.security.publicKey).toBe(
      Buffer.from(clientKey.publicKey.export({ format: 'der', type: 'spki' })).toString('hex'),
    )
  })

  it('the PSK identity of dtls-psk under another endpoint name is refused: 4.03', async () => {
    const c = client('dtls-thief', ['--psk-identity', 'dtls-psk-id', '--psk-key', KEY])
    const failed = await c.waitFor((l) => l.type === 'registrationFailed', 'registrationFailed')
    expect(failed.error).toMatch(/4\.03|Forbidden/i)
    const list = await server.command('list')
    expect(list.value.registrations.map((r: Line) => r.endpoint)).not.toContain('dtls-thief')
  })

  it('a coaps:// server without credentials is refused on the command line', async () => {
    const c = client('dtls-none', [])
    const error = await c.waitFor((l) => l.type === 'error', 'error')
    expect(error.message).toMatch(/coaps:\/\/ server needs credentials/)
    expect(await c.exited).toBe(1)
  })
})
