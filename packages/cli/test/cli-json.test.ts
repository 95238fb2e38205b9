// The tool driven as scripts drive it: `lwm2m server --json` and `lwm2m client --json` as two
// processes on loopback, commands on stdin, one JSON object per line on stdout.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type CliProcess, exitOf, type Line, spawnCli } from './support/cli-process.js'

const EP = 'cli-json-1'
let server: CliProcess
let client: CliProcess

const ok = (r: Line) => {
  expect(r, JSON.stringify(r)).toMatchObject({ type: 'result', ok: true })
  return r.value
}
const failed = (r: Line) => {
  expect(r, JSON.stringify(r)).toMatchObject({ type: 'error', ok: false })
  return r
}
const valueAt = (values: Line[], path: string) => values.find((v) => v.path === path)

beforeAll(async () => {
  server = spawnCli(['server', '--host', '127.0.0.1', '--port', '0', '--json', '--timeout', '5s'])
  const listening = await server.waitFor((l) => l.type === 'listening', 'listening')
  const port = listening.endpoints[0].port
  client = spawnCli([
    'client',
    '--endpoint',
    EP,
    '--server',
    `coap://127.0.0.1:${port}`,
    '--lifetime',
    '120',
    '--interval',
    '200ms',
    '--json',
  ])
  await client.waitFor((l) => l.type === 'registered', 'client registered')
  await server.waitFor((l) => l.type === 'registered' && l.endpoint === EP, 'server registered')
})

afterAll(() => {
  server?.kill()
  client?.kill()
})

describe('lwm2m server --json and lwm2m client --json in two processes', () => {
  it('prints where it listens and the registration, every line JSON', async () => {
    const listening = server.lines[0]
    expect(listening.type).toBe('listening')
    expect(listening.endpoints[0]).toMatchObject({ scheme: 'coap', address: '127.0.0.1' })
    expect(listening.endpoints[0].port).toBeGreaterThan(0)
    const reg = server.lines.find((l) => l.type === 'registered')
    expect(reg.registration).toMatchObject({
      endpoint: EP,
      version: '1.1',
      lifetime: 120,
      binding: 'U',
      queueMode: false,
    })
    const ids = reg.registration.objects.map((o: Line) => o.id)
    expect(ids).toEqual([1, 3, 4, 5, 6, 3303, 3308])
    expect(reg.registration.objects.find((o: Line) => o.id === 3303).name).toBe('Temperature')
    expect(client.lines[0]).toMatchObject({ type: 'started', endpoint: EP, version: '1.1' })
    for (const l of [...server.lines, ...client.lines]) expect(l.type).not.toBe('NOT JSON')
  })

  it('list', async () => {
    const v = ok(await server.command('list'))
    expect(v.registrations.map((r: Line) => r.endpoint)).toEqual([EP])
    const one = ok(await server.command(`list ${EP}`))
    expect(one.registration.endpoint).toBe(EP)
    expect(one.observations).toEqual([])
  })

  it('read: values with names from the model, types, units', async () => {
    const v = ok(await server.command(`read ${EP} /3/0`))
    expect(v).toMatchObject({ endpoint: EP, path: '/3/0', code: '2.05', format: 'senml-cbor' })
    expect(valueAt(v.values, '/3/0/0')).toEqual({
      path: '/3/0/0',
      name: 'Manufacturer',
      type: 'string',
      value: '@lwm2m',
      unit: null,
    })
    expect(valueAt(v.values, '/3/0/2').value).toBe(EP)
    expect(valueAt(v.values, '/3/0/9')).toMatchObject({
      name: 'Battery Level',
      type: 'integer',
      unit: '/100',
    })
    expect(valueAt(v.values, '/3/0/7/1')).toMatchObject({ name: 'Power Source Voltage', value: 3700 })
    expect(typeof valueAt(v.values, '/3/0/13').value).toBe('string') // time as ISO text
    const text = ok(await server.command(`read ${EP} /3/0/9 --format text`))
    expect(text.format).toBe('text')
    expect(text.values[0].value).toBe(87)
    const tlv = ok(await server.command(`read ${EP} /3303/0 --format tlv`))
    expect(tlv.format).toBe('tlv')
    expect(valueAt(tlv.values, '/3303/0/5700')).toMatchObject({
      name: 'Sensor Value',
      type: 'float',
      unit: 'Cel',
    })
  })

  it('write: a resource, an instance (partial update), then read back; bad values are refused before sending', async () => {
    expect(ok(await server.command(`write ${EP} /3/0/14 +02:00`))).toEqual({
      endpoint: EP,
      path: '/3/0/14',
      code: '2.04',
    })
    expect(ok(await server.command(`read ${EP} /3/0/14`)).values[0].value).toBe('+02:00')
    ok(await server.command(`write ${EP} /3308/0 5750="night time" 5900=17.5 --partial`))
    const sp = ok(await server.command(`read ${EP} /3308/0`))
    expect(valueAt(sp.values, '/3308/0/5750').value).toBe('night time')
    expect(valueAt(sp.values, '/3308/0/5900').value).toBe(17.5)
    const bad = failed(await server.command(`write ${EP} /3308/0/5900 warm`))
    expect(bad).toMatchObject({ command: 'write', code: 'CLI_INVALID_VALUE' })
    expect(bad.message).toBe(
      '/3308/0/5900 (Set Point Value, float) takes a number such as 21.5 or 1e-3, not "warm"',
    )
    const readOnly = failed(await server.command(`write ${EP} /3/0/0 other`))
    expect(readOnly).toMatchObject({ code: 'LWM2M_RESPONSE', status: 'METHOD_NOT_ALLOWED', coapCode: '4.05' })
  })

  it('exec, with and without success', async () => {
    expect(ok(await server.command(`exec ${EP} /3303/0/5605`))).toMatchObject({
      path: '/3303/0/5605',
      code: '2.04',
    })
    const notExecutable = failed(await server.command(`exec ${EP} /3/0/0`))
    expect(notExecutable).toMatchObject({ code: 'LWM2M_RESPONSE', coapCode: '4.05' })
    expect(failed(await server.command(`exec ${EP} /3/0`)).code).toBe('CLI_INVALID_PATH')
  })

  it('attr and discover', async () => {
    expect(ok(await server.command(`attr ${EP} /3303/0/5700 pmin=0 pmax=1`))).toMatchObject({
      code: '2.04',
      attributes: { pmin: 0, pmax: 1 },
    })
    const d = ok(await server.command(`discover ${EP} /3303/0`))
    const link = d.links.find((l: Line) => l.path === '/3303/0/5700')
    expect(link).toMatchObject({ name: 'Sensor Value', attributes: { pmin: 0, pmax: 1 } })
    expect(d.text).toContain('</3303/0/5700>')
    expect(failed(await server.command(`attr ${EP} /3303/0/5700 color=red`)).code).toBe(
      'LWM2M_INVALID_ATTRIBUTES',
    )
  })

  it('observe: the first value, notifications as events, then cancel', async () => {
    const mark = server.lines.length
    const obs = ok(await server.command(`observe ${EP} /3303/0/5700`))
    expect(obs.paths).toEqual(['/3303/0/5700'])
    expect(obs.values[0]).toMatchObject({
      path: '/3303/0/5700',
      name: 'Sensor Value',
      type: 'float',
      unit: 'Cel',
    })
    const id = obs.observation
    let from = mark
    for (let i = 0; i < 2; i++) {
      const n = await server.waitFor(
        (l) => l.type === 'notification' && l.observation === id,
        'a notification',
        {
          from,
        },
      )
      from = server.lines.indexOf(n) + 1
      expect(n).toMatchObject({ endpoint: EP, paths: ['/3303/0/5700'] })
      expect(n.values[0]).toMatchObject({ path: '/3303/0/5700', unit: 'Cel' })
      expect(typeof n.values[0].value).toBe('number')
    }
    await client.waitFor(
      (l) => l.type === 'observationStarted' && l.paths[0] === '/3303/0/5700',
      'observationStarted',
    )
    expect(ok(await server.command(`list ${EP}`)).observations).toEqual([
      { observation: id, paths: ['/3303/0/5700'] },
    ])
    expect(ok(await server.command(`cancel ${EP} /3303/0/5700`))).toEqual({
      endpoint: EP,
      cancelled: [{ observation: id, paths: ['/3303/0/5700'] }],
    })
    await client.waitFor(
      (l) => l.type === 'observationEnded' && l.paths[0] === '/3303/0/5700',
      'observationEnded',
    )
    expect(failed(await server.command(`cancel ${EP} /3303/0/5700`)).code).toBe('CLI_NOT_FOUND')
  })

  it('observe several paths at once (Observe-Composite) and cancel them', async () => {
    const obs = ok(await server.command(`observe ${EP} /3/0/9 /3303/0/5700`))
    expect(obs.paths).toEqual(['/3/0/9', '/3303/0/5700'])
    expect(obs.values.map((v: Line) => v.path)).toEqual(['/3/0/9', '/3303/0/5700'])
    const n = await server.waitFor(
      (l) => l.type === 'notification' && l.observation === obs.observation,
      'a composite notification',
    )
    expect(n.paths).toEqual(['/3/0/9', '/3303/0/5700'])
    expect(ok(await server.command(`cancel ${EP}`)).cancelled).toHaveLength(1)
  })

  it('create and delete an instance', async () => {
    const c = ok(await server.command(`create ${EP} /3308 5900=18.5 5750=away`))
    expect(c).toMatchObject({ endpoint: EP, code: '2.01' })
    expect(c.path).toMatch(/^\/3308\/[1-9][0-9]*$/)
    const read = ok(await server.command(`read ${EP} ${c.path}`))
    expect(valueAt(read.values, `${c.path}/5900`).value).toBe(18.5)
    expect(valueAt(read.values, `${c.path}/5701`).value).toBe('Cel')
    await server.waitFor(
      (l) => l.type === 'updated' && l.endpoint === EP && l.objectLinksChanged,
      'the Update after Create',
    )
    expect(ok(await server.command(`delete ${EP} ${c.path}`))).toMatchObject({ path: c.path, code: '2.02' })
    const gone = failed(await server.command(`read ${EP} ${c.path}`))
    expect(gone).toMatchObject({ code: 'LWM2M_RESPONSE', status: 'NOT_FOUND', coapCode: '4.04' })
    expect(gone.hint).toContain('discover')
    expect(failed(await server.command(`create ${EP} /3303`)).status).toBe('METHOD_NOT_ALLOWED')
  })

  it('read-composite and write-composite', async () => {
    ok(await server.command(`write-composite ${EP} /3/0/14=+03:00 /3/0/15=Europe/Paris`))
    const r = ok(await server.command(`read-composite ${EP} /3/0/14 /3/0/15 /3303/0/5700`))
    expect(r.values.map((v: Line) => [v.path, v.value]).slice(0, 2)).toEqual([
      ['/3/0/14', '+03:00'],
      ['/3/0/15', 'Europe/Paris'],
    ])
    expect(valueAt(r.values, '/3303/0/5700').unit).toBe('Cel')
    expect(r.missing).toEqual([])
  })

  it('errors a person can act on, and the prompt goes on', async () => {
    expect(failed(await server.command('read nobody /3/0'))).toMatchObject({
      code: 'UNKNOWN_ENDPOINT',
      message: 'no client named "nobody" is registered',
    })
    expect(failed(await server.command(`read ${EP} /3/zero`)).code).toBe('CLI_INVALID_PATH')
    expect(failed(await server.command('fetch everything'))).toMatchObject({ code: 'CLI_UNKNOWN_COMMAND' })
    const usage = failed(await server.command(`read ${EP}`))
    expect(usage).toMatchObject({
      code: 'CLI_USAGE',
      usage: 'read <endpoint> <path> [--format F] [--timeout T]',
    })
    expect(failed(await server.command(`read ${EP} /3/0 --format xml`)).message).toContain('unknown format')
    server.send('{"id": "broken"')
    const bad = await server.waitFor((l) => l.type === 'error' && l.code === 'CLI_BAD_JSON', 'the JSON error')
    expect(bad.ok).toBe(false)
    for (const l of server.lines.filter((x) => x.type === 'error')) expect(l.stack).toBeUndefined()
    expect(ok(await server.command('help')).commands.map((c: Line) => c.name)).toEqual([
      'list',
      'read',
      'write',
      'exec',
      'discover',
      'attr',
      'observe',
      'cancel',
      'create',
      'delete',
      'read-composite',
      'write-composite',
      'help',
      'quit',
    ])
    expect(ok(await server.command('help observe')).text[0]).toBe(
      'usage: observe <endpoint> <path...> [name=value...] [--format F] [--timeout T]',
    )
  })

  it('the client prompt: list, change, send, update', async () => {
    const list = ok(await client.command('list /3303/0'))
    expect(list.objects[0]).toMatchObject({ id: 3303, name: 'Temperature', instances: [0] })
    expect(valueAt(list.objects[0].values, '/3303/0/5700').unit).toBe('Cel')
    const all = ok(await client.command('list'))
    expect(all.objects.map((o: Line) => o.id)).toEqual([0, 1, 3, 4, 5, 6, 3303, 3308])
    // The Security object's keys never print.
    expect(all.objects[0].values.some((v: Line) => v.path === '/0/0/5')).toBe(false)

    const changed = ok(await client.command('change /3/0/9 42'))
    expect(changed.values[0]).toMatchObject({ path: '/3/0/9', value: 42 })
    expect(ok(await server.command(`read ${EP} /3/0/9`)).values[0].value).toBe(42)
    expect(failed(await client.command('change /3/0/9 lots')).code).toBe('CLI_INVALID_VALUE')
    expect(failed(await client.command('change /3/0/4 ""')).message).toBe('/3/0/4 is executable')
    expect(failed(await client.command('change /9/0/1 5')).code).toBe('CLI_NOT_FOUND')

    const mark = server.lines.length
    ok(await client.command('change /3303/0/5700 30.25'))
    ok(await client.command('send /3303/0/5700 /3/0/9'))
    const send = await server.waitFor((l) => l.type === 'send' && l.endpoint === EP, 'the Send', {
      from: mark,
    })
    expect(valueAt(send.values, '/3303/0/5700')).toMatchObject({
      value: 30.25,
      unit: 'Cel',
      name: 'Sensor Value',
    })
    expect(valueAt(send.values, '/3/0/9').value).toBe(42)
    await client.waitFor((l) => l.type === 'sent', 'sent')

    const updateMark = server.lines.length
    const update = ok(await client.command('update'))
    expect(update.servers[0]).toMatchObject({ shortServerId: 1, state: 'registered' })
    await server.waitFor((l) => l.type === 'updated' && l.endpoint === EP, 'the Update', { from: updateMark })
    expect(failed(await client.command('send /9/0')).ok).toBe(false)
  })

  it('quit: the client de-registers and both end with exit code 0', async () => {
    const mark = server.lines.length
    expect(ok(await client.command('quit'))).toBeNull()
    await client.waitFor((l) => l.type === 'stopped', 'client stopped')
    expect(client.lines.some((l) => l.type === 'deregistered' && l.reason === 'stop')).toBe(true)
    expect(await exitOf(client)).toBe(0)
    await server.waitFor(
      (l) => l.type === 'deregistered' && l.endpoint === EP,
      'server saw the De-register',
      { from: mark },
    )
    expect(ok(await server.command('list')).registrations).toEqual([])
    ok(await server.command('quit'))
    await server.waitFor((l) => l.type === 'stopped', 'server stopped')
    expect(await exitOf(server)).toBe(0)
    expect(server.stderr()).toBe('')
  })
})
