/**
 * What "uses it" means for each package, run in a project outside the workspace where
 * only that package's tarball (and the tarballs of the @lwm2m packages it depends on)
 * are installed. Each snippet is an ES module that exits non-zero on failure.
 * A package without an entry here fails the packaging test: add one with the package.
 */
export const smoke: Record<string, string> = {
  '@lwm2m/cli': `
    import { execFileSync, spawnSync } from 'node:child_process'
    import { readFileSync } from 'node:fs'
    const bin = 'node_modules/.bin/lwm2m'
    const pkg = JSON.parse(readFileSync('node_modules/@lwm2m/cli/package.json', 'utf8'))
    if (execFileSync(bin, ['--version'], { encoding: 'utf8' }).trim() !== pkg.version) process.exit(1)
    const help = execFileSync(bin, ['--help'], { encoding: 'utf8' })
    if (!help.includes('Usage: lwm2m') || !['server', 'client', 'demo'].every((c) => help.includes('  ' + c + ' '))) process.exit(2)
    const run = spawnSync(bin, ['server', '--host', '127.0.0.1', '--port', '0', '--json'], { input: 'list\\n', encoding: 'utf8', timeout: 20000 })
    const types = run.stdout.trim().split('\\n').map((l) => JSON.parse(l).type)
    if (run.status !== 0 || types.join() !== 'listening,result,stopped') process.exit(3)
  `,
  '@lwm2m/coap': `
    import * as coap from '@lwm2m/coap'
    const bytes = coap.encodeMessage({ type: coap.MessageType.CON, code: coap.Code.GET, messageId: 7,
      token: Uint8Array.of(1, 2), options: [{ number: coap.OptionNumber.UriPath, value: coap.encodeString('rd') }],
      payload: new Uint8Array(0) })
    const back = coap.decodeMessage(bytes)
    if (back.messageId !== 7 || coap.formatCode(back.code) !== '0.01') process.exit(1)
  `,
  '@lwm2m/client': `
    import { createEndpoint, createMemoryNetwork } from '@lwm2m/coap'
    import { createClient } from '@lwm2m/client'
    import { createDeviceObject, createSecurityObject, createServerObject } from '@lwm2m/objects'
    const net = createMemoryNetwork()
    const server = await createEndpoint({ transport: net.transport() })
    let query = []
    server.setHandler((req) => {
      if (req.method === 'POST' && req.path.join('/') === 'rd') {
        query = req.query
        return { code: 0x41, locationPath: ['rd', '1'] }
      }
      return { code: 0x84 }
    })
    const { address, port } = server.address()
    const client = createClient({
      endpoint: 'smoke',
      objects: [
        createSecurityObject({ accounts: [{ serverUri: 'coap://' + address + ':' + port, shortServerId: 1 }] }),
        createServerObject({ servers: [{ shortServerId: 1, lifetime: 60 }] }),
        createDeviceObject({ manufacturer: 'ACME' }),
      ],
      transports: { coap: () => net.transport() },
    })
    const timer = setTimeout(() => process.exit(2), 5000)
    const registered = client.once('registered')
    await client.start()
    const { location } = await registered
    clearTimeout(timer)
    await client.stop({ deregister: false })
    await server.close()
    if (location.join('/') !== 'rd/1' || !query.includes('ep=smoke') || !query.includes('lt=60')) process.exit(1)
  `,
  '@lwm2m/core': `
    import { Lwm2mPath } from '@lwm2m/core'
    const p = Lwm2mPath.parse('/3/0/13')
    if (p.resourceId !== 13 || p.toString() !== '/3/0/13') process.exit(1)
  `,
  '@lwm2m/dtls': `
    import { dtlsServer, dtlsClient, prf } from '@lwm2m/dtls'
    const key = Buffer.from('0123456789abcdef', 'hex')
    const server = dtlsServer({ host: '127.0.0.1', port: 0, psk: { key: (id) => (id === 'smoke' ? key : undefined) } })
    await server.open((data, peer) => server.send(data, peer))
    const client = dtlsClient({ host: '127.0.0.1', psk: { identity: 'smoke', key } })
    const answer = new Promise((resolve) => client.open((data, peer) => resolve([Buffer.from(data).toString(), peer.identity])))
    client.send(Buffer.from('ping'), { address: '127.0.0.1', port: server.address().port })
    const timer = setTimeout(() => process.exit(2), 5000)
    const [text, identity] = await answer
    clearTimeout(timer)
    await client.close()
    await server.close()
    if (text !== 'ping' || identity.identity !== 'smoke' || prf(key, 'x', key, 5).length !== 5) process.exit(1)
  `,
  '@lwm2m/objects': `
    import { Lwm2mPath } from '@lwm2m/core'
    import { createDeviceObject, createModelRegistry, deviceModel, parseDdf, standardModels, writeDdf } from '@lwm2m/objects'
    const [model] = parseDdf(writeDdf([deviceModel]))
    if (model.resources.size !== deviceModel.resources.size) process.exit(1)
    const registry = createModelRegistry(standardModels)
    if (registry.forClient([{ objectId: 3, version: '1.0' }]).getObjectModel(3).version !== '1.0') process.exit(2)
    const device = createDeviceObject({ manufacturer: 'ACME' })
    const read = await device.read(Lwm2mPath.parse('/3/0/0'), { origin: 'server' })
    if (!read.ok || read.value.value !== 'ACME') process.exit(3)
  `,
  '@lwm2m/server': `
    import { createEndpoint, createMemoryNetwork } from '@lwm2m/coap'
    import { buildRequest } from '@lwm2m/core'
    import { createServer } from '@lwm2m/server'
    const net = createMemoryNetwork()
    const server = await createServer({ endpoints: [net.transport()] })
    const client = await createEndpoint({ transport: net.transport() })
    const to = server.endpoints[0].address()
    const ctx = { codecs: new Map(), models: { getObjectModel: () => undefined } }
    const op = { kind: 'register', params: { endpoint: 'smoke', version: '1.1', queueMode: false }, links: '</1/0>,</3/0>' }
    const res = await client.request({ address: to.address, port: to.port }, buildRequest(op, ctx))
    const reg = await server.getRegistration('smoke')
    await client.close()
    await server.stop()
    if (res.code !== 0x41 || reg?.objectLinks.get(3)?.instances[0] !== 0) process.exit(1)
  `,
}
