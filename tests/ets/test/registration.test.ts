import { describe, expect, it } from 'vitest'
import { c1 } from '../src/configurations/c01.js'
import { startEts } from '../src/harness.js'
import { codeOf, contentFormatOf, locationPath, text, uriQuery } from '../src/wire.js'

describe('Registration interface (ETS INT 1.2 section 6.2)', () => {
  it('LightweightM2M-1.1-int-101 Initial Registration', async () => {
    const ets = await startEts({ configuration: c1 })
    try {
      const { request, response } = ets.wire.last({ dir: 'in', method: 'POST', path: '/rd' })
      const query = uriQuery(request.message)
      expect(query).toContain('ep=ets-client')
      expect(query).toContain('lt=86400')
      expect(query).toContain('lwm2m=1.2')
      expect(contentFormatOf(request.message)).toBe(40)
      console.log(query, text(request.message))
      expect(codeOf(response)).toBe('2.01')
      expect(locationPath(response!.message)).toMatch(/^\/rd\/.+/)
    } finally {
      await ets.close()
    }
  })
})
