/**
 * The handshake state machines driven by hand-made messages from a raw UDP socket:
 * every deviation gets the alert RFC 5246 / RFC 6347 names.
 */
import { randomBytes } from 'node:crypto'
import { createSocket, type Socket } from 'node:dgram'
import { afterEach, describe, expect, it } from 'vitest'
import {
  type ClientHello,
  type DtlsError,
  decodeClientHello,
  decodeDatagram,
  decodeHandshakeFragments,
  decodeHelloVerifyRequest,
  dtlsClient,
  dtlsServer,
  type Extension,
  encodeClientHello,
  encodeHandshake,
  encodeRecord,
  encodeServerHello,
} from '../src/index.js'
import { waitFor } from './support/net.js'
import { PSK } from './support/pair.js'

const cleanup: Array<() => unknown> = []
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c()
})

/** A UDP socket speaking raw records. */
class Raw {
  readonly socket: Socket = createSocket('udp4')
  readonly got: Array<{ data: Buffer; port: number }> = []
  private seq = 0

  async open(): Promise<void> {
    this.socket.on('message', (d, r) => this.got.push({ data: d, port: r.port }))
    await new Promise<void>((r) => this.socket.bind(0, '127.0.0.1', () => r()))
    cleanup.push(() => this.socket.close())
  }

  get port(): number {
    return this.socket.address().port
  }

  send(to: number, type: number, fragment: Uint8Array, epoch = 0): void {
    this.socket.send(
      encodeRecord({ type, version: 0xfefd, epoch, sequence: this.seq++, fragment }),
      to,
      '127.0.0.1',
    )
  }

  /** Waits for the next datagram and returns its records. */
  async next(from = 0): Promise<ReturnType<typeof decodeDatagram>['records']> {
    await waitFor(() => this.got.length > from, 5000, 'a datagram')
    return decodeDatagram(this.got[from]!.data).records
  }
}

const hello = (over: Partial<ClientHello> = {}): ClientHello => ({
  version: 0xfefd,
  random: randomBytes(32),
  sessionId: new Uint8Array(0),
  cookie: new Uint8Array(0),
  cipherSuites: [0xc0a8],
  compressionMethods: [0],
  extensions: [],
  ...over,
})

/** Runs the cookie exchange against `port` and sends the hello with the cookie; returns the raw client. */
async function pastCookie(port: number, h: ClientHello): Promise<Raw> {
  const raw = new Raw()
  await raw.open()
  raw.send(port, 22, encodeHandshake(1, 0, encodeClientHello(h)))
  const [hvrRecord] = await raw.next(0)
  const [f] = decodeHandshakeFragments(hvrRecord!.fragment)
  expect(f!.type).toBe(3)
  const { cookie } = decodeHelloVerifyRequest(f!.body)
  raw.send(port, 22, encodeHandshake(1, 1, encodeClientHello({ ...h, cookie })))
  return raw
}

function alertOf(records: ReturnType<typeof decodeDatagram>['records']): [number, number] | undefined {
  const a = records.find((r) => r.type === 21 && r.epoch === 0)
  return a === undefined ? undefined : [a.fragment[0]!, a.fragment[1]!]
}

async function server() {
  const errors: DtlsError[] = []
  const s = dtlsServer({ host: '127.0.0.1', port: 0, psk: { key: () => PSK } })
  s.on('handshakeFailed', (_, e) => errors.push(e))
  await s.open(() => {})
  cleanup.push(() => s.close())
  return { s, port: s.address().port, errors }
}

describe('server state machine (RFC 5246 section 7.4, RFC 6347 section 4.2)', () => {
  it('answers a message out of order with a fatal unexpected_message', async () => {
    const { port, errors } = await server()
    const raw = await pastCookie(port, hello())
    const flight = await raw.next(1)
    // ServerHello and ServerHelloDone, one record each, in one datagram (RFC 6347 section 4.1: several records per datagram).
    expect(flight.flatMap((r) => decodeHandshakeFragments(r.fragment).map((f) => f.type))).toEqual([2, 14])
    raw.send(port, 22, encodeHandshake(20, 2, new Uint8Array(12))) // Finished instead of ClientKeyExchange
    await waitFor(() => raw.got.length > 2)
    expect(alertOf(await raw.next(2))).toEqual([2, 10])
    await waitFor(() => errors.length === 1)
    expect(errors[0]!.alert).toBe(10)
  })

  it('ignores a ChangeCipherSpec before the key exchange (the peer retransmits)', async () => {
    const { s, port } = await server()
    const raw = await pastCookie(port, hello())
    await raw.next(1)
    raw.send(port, 20, Uint8Array.of(1))
    await new Promise((r) => setTimeout(r, 50))
    expect(raw.got).toHaveLength(2)
    expect(s.stats().handshakes).toBe(1)
  })

  it('answers a malformed ClientKeyExchange with decode_error', async () => {
    const { port } = await server()
    const raw = await pastCookie(port, hello())
    await raw.next(1)
    raw.send(port, 22, encodeHandshake(16, 2, Uint8Array.of(0, 9, 1))) // identity length 9, 1 byte present
    await waitFor(() => raw.got.length > 2)
    expect(alertOf(await raw.next(2))).toEqual([2, 50])
  })

  it('refuses a client offering only DTLS 1.0 with protocol_version', async () => {
    const { port } = await server()
    const raw = await pastCookie(port, hello({ version: 0xfeff }))
    expect(alertOf(await raw.next(1))).toEqual([2, 70])
  })

  it('refuses a client without the null compression method (illegal_parameter)', async () => {
    const { port } = await server()
    const raw = await pastCookie(port, hello({ compressionMethods: [1] }))
    expect(alertOf(await raw.next(1))).toEqual([2, 47])
  })

  it('refuses a non-empty renegotiation_info in an initial hello (RFC 5746 section 3.6)', async () => {
    const { port } = await server()
    const ext: Extension[] = [{ type: 0xff01, data: Uint8Array.of(2, 9, 9) }]
    const raw = await pastCookie(port, hello({ extensions: ext }))
    expect(alertOf(await raw.next(1))).toEqual([2, 40])
  })

  it('keeps no state for a fragmented ClientHello before the cookie', async () => {
    const { s, port } = await server()
    const raw = new Raw()
    await raw.open()
    const body = encodeClientHello(hello())
    const frag = encodeHandshake(1, 0, body)
    // Rewrite fragment_length to half: a fragment of the first half.
    const half = Math.floor(body.length / 2)
    const first = Buffer.from(frag.subarray(0, 12 + half))
    first.writeUIntBE(half, 9, 3)
    raw.send(port, 22, first)
    await new Promise((r) => setTimeout(r, 50))
    expect(raw.got).toHaveLength(0)
    expect(s.stats()).toMatchObject({ handshakes: 0, helloVerifyRequests: 0 })
  })

  it('echoes the client message_seq: HelloVerifyRequest takes the ClientHello message_seq (RFC 6347 section 4.2.2)', async () => {
    const { port } = await server()
    const raw = new Raw()
    await raw.open()
    raw.send(port, 22, encodeHandshake(1, 0, encodeClientHello(hello())))
    const [rec] = await raw.next(0)
    const [f] = decodeHandshakeFragments(rec!.fragment)
    expect(f!.messageSeq).toBe(0)
    expect(rec!.version).toBe(0xfeff)
  })
})

describe('client state machine', () => {
  async function rawServer() {
    const raw = new Raw()
    await raw.open()
    const client = dtlsClient({ host: '127.0.0.1', psk: { identity: 'c', key: PSK } })
    cleanup.push(() => client.close())
    await client.open(() => {})
    const failed = new Promise<DtlsError>((r) =>
      client.send(Buffer.from('x'), { address: '127.0.0.1', port: raw.port }, (e) => r(e as DtlsError)),
    )
    await waitFor(() => raw.got.length > 0)
    const [rec] = decodeDatagram(raw.got[0]!.data).records
    const ch = decodeClientHello(decodeHandshakeFragments(rec!.fragment)[0]!.body)
    const reply = (body: Uint8Array, type = 2): void => {
      raw.socket.send(
        encodeRecord({
          type: 22,
          version: 0xfefd,
          epoch: 0,
          sequence: 0,
          fragment: encodeHandshake(type, 0, body),
        }),
        raw.got[0]!.port,
        '127.0.0.1',
      )
    }
    return { raw, ch, reply, failed }
  }

  it('offers the extensions it supports in its ClientHello', async () => {
    const { ch } = await rawServer()
    const types = (ch.extensions ?? []).map((e) => e.type)
    expect(types).toEqual(expect.arrayContaining([23, 0xff01, 54])) // EMS, renegotiation_info, connection_id
    expect(ch.cipherSuites).toEqual([0xc0a8, 0x00ae])
    expect(ch.cookie.length).toBe(0)
  })

  it('refuses an extension it did not offer with unsupported_extension', async () => {
    const { raw, ch, reply, failed } = await rawServer()
    reply(
      encodeServerHello({
        version: 0xfefd,
        random: randomBytes(32),
        sessionId: new Uint8Array(0),
        cipherSuite: ch.cipherSuites[0]!,
        compressionMethod: 0,
        extensions: [{ type: 0x1234, data: new Uint8Array(0) }],
      }),
    )
    expect((await failed).alert).toBe(110)
    await waitFor(() => raw.got.length > 1)
    expect(alertOf(await raw.next(raw.got.length - 1))).toEqual([2, 110])
  })

  it('refuses a cipher suite it did not offer with illegal_parameter', async () => {
    const { reply, failed } = await rawServer()
    reply(
      encodeServerHello({
        version: 0xfefd,
        random: randomBytes(32),
        sessionId: new Uint8Array(0),
        cipherSuite: 0x002f,
        compressionMethod: 0,
      }),
    )
    expect((await failed).alert).toBe(47)
  })

  it('refuses a server that answers with another protocol version (protocol_version)', async () => {
    const { reply, failed } = await rawServer()
    reply(
      encodeServerHello({
        version: 0xfeff,
        random: randomBytes(32),
        sessionId: new Uint8Array(0),
        cipherSuite: 0xc0a8,
        compressionMethod: 0,
      }),
    )
    expect((await failed).alert).toBe(70)
  })
})
