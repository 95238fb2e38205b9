import { expect } from 'vitest'
import type { C1 } from '../configurations/c01.js'
import { ENDPOINT, type Ets } from '../harness.js'
import { codeOf, uriQuery } from '../wire.js'

/**
 * int-104 (and int-556, whose result it is): with a lifetime of 20 s (as int-102 leaves it),
 * the server executes Registration Update Trigger (/1/0/8) before the registration expires;
 * the client sends a parameterless Update at once and is still registered after the 20 s.
 */
export async function registrationUpdateTrigger(ets: Ets<C1>): Promise<void> {
  const reg = await ets.registration()
  // Precondition: the lifetime is 20 s (as int-102 leaves it).
  let mark = ets.events.mark()
  await ets.until(ets.server.write(ENDPOINT, '/1/0/1', 20))
  const lt20 = await ets.until(ets.events.next('updated', mark))
  const deadline = lt20.at + 20_000
  // Before it expires, the server triggers an Update.
  await ets.advance(2_000)
  mark = ets.events.mark()
  const since = ets.wire.mark()
  expect((await ets.until(ets.server.execute(ENDPOINT, '/1/0/8'))).code).toBe(0x44)
  expect(codeOf(ets.wire.last({ dir: 'out', method: 'POST', path: '/1/0/8', since }))).toBe('2.04')
  const triggered = await ets.until(ets.events.next('updated', mark))
  expect(triggered.at).toBeLessThan(deadline)
  const update = ets.wire.last({ dir: 'in', method: 'POST', path: `/rd/${reg.id}`, since })
  expect(uriQuery(update.request.message)).toEqual([])
  expect(update.request.message.payload.length).toBe(0)
  expect(codeOf(update)).toBe('2.04')
  // After the original 20 s the client is still registered, under the same registration.
  await ets.advance(deadline + 1_000 - ets.clock.now())
  expect(ets.events.all('expired')).toEqual([])
  expect((await ets.registration()).id).toBe(reg.id)
}
