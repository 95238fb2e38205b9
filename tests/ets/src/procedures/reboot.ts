import { expect } from 'vitest'
import type { C1 } from '../configurations/c01.js'
import { DEV } from '../configurations/shorthands.js'
import { ENDPOINT, type Ets } from '../harness.js'
import { codeOf } from '../wire.js'

/**
 * int-241 (and int-655, whose result it is): the server executes Reboot (/3/0/4), 2.04; the
 * device reboots and registers again, and the new registration replaces the old one.
 */
export async function reboot(ets: Ets<C1>): Promise<void> {
  const before = await ets.registration()
  const mark = ets.events.mark()
  expect((await ets.until(ets.server.execute(ENDPOINT, '/3/0/4'))).code).toBe(0x44)
  expect(codeOf(ets.wire.last({ dir: 'out', method: 'POST', path: '/3/0/4' }))).toBe('2.04')
  // The device reboots and registers again; the new registration replaces the old one.
  const again = await ets.until(ets.events.next('registered', mark))
  const [reg, replaced] = again.args
  expect(replaced?.id).toBe(before.id)
  expect(reg.id).not.toBe(before.id)
  expect(codeOf(ets.wire.last({ dir: 'in', method: 'POST', path: '/rd' }))).toBe('2.01')
  expect((await ets.registration()).id).toBe(reg.id)
  // The server reaches the rebooted device.
  const read = await ets.until(ets.server.read(ENDPOINT, '/3/0/0'))
  expect(read.node).toMatchObject({ value: DEV.manufacturer })
}
