// `lwm2m demo` run as `npm start` runs it without a terminal: the tour, then exit 0 at the end of stdin.
import { describe, expect, it } from 'vitest'
import { exitOf, spawnCli } from './support/cli-process.js'

describe('lwm2m demo, not interactive', () => {
  it('prints the tour and exits 0 when stdin is closed', async () => {
    const demo = spawnCli(['demo'], { json: false })
    demo.end()
    expect(await exitOf(demo, 40_000)).toBe(0)
    const out = demo.text.join('\n')
    expect(out).toMatch(/LwM2M server listening on coap:\/\/127\.0\.0\.1:[1-9][0-9]*/)
    for (const ep of ['thermo-1', 'thermo-2', 'legacy-1']) expect(out).toContain(`registered: ${ep}`)
    // Each step shows the command as typed and what the server prompt prints.
    expect(out).toContain('lwm2m> read thermo-1 /3/0\n')
    expect(out).toMatch(/\/3\/0\/0 +Manufacturer +@lwm2m/)
    expect(out).toContain('lwm2m> observe thermo-1 /3303/0/5700')
    expect(
      out.match(/notification thermo-1: \/3303\/0\/5700 +Sensor Value +-?[0-9.]+ Cel/g)?.length,
    ).toBeGreaterThanOrEqual(3)
    expect(out).toContain('lwm2m> write thermo-1 /3/0/14 +02:00\nwrote /3/0/14 on thermo-1 (2.04 Changed)')
    expect(out).toMatch(/\/3\/0\/14 +UTC Offset +\+02:00/)
    expect(out).toContain('executed /3303/0/5605 on thermo-1 (2.04 Changed)')
    expect(out).toContain('lwm2m> read-composite thermo-2')
    expect(out).toContain('The tour is over.')
    expect(out).toContain('deregistered: thermo-1')
    expect(out.trimEnd().endsWith('demo stopped')).toBe(true)
    expect(demo.stderr()).toBe('')
  })

  it('runs piped commands after the tour, then exits 0', async () => {
    const demo = spawnCli(['demo', '--json'])
    demo.send('{"id":"mine","command":"read thermo-2 /3303/0/5700"}')
    demo.send('quit')
    expect(await exitOf(demo, 40_000)).toBe(0)
    const mine = demo.lines.find((l) => l.id === 'mine')
    expect(mine).toMatchObject({
      type: 'result',
      ok: true,
      value: { endpoint: 'thermo-2', path: '/3303/0/5700' },
    })
    // The tour's own commands came first, as results too; nothing but JSON on stdout.
    expect(demo.lines.filter((l) => l.type === 'result' && l.command === 'observe')).toHaveLength(1)
    expect(demo.lines.findIndex((l) => l.command === 'observe')).toBeLessThan(demo.lines.indexOf(mine))
    for (const l of demo.lines) expect(l.type).not.toBe('NOT JSON')
    expect(demo.lines.at(-1)).toEqual({ type: 'stopped' })
  })
})
