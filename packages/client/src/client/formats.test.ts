import { ContentFormat } from '@lwm2m/coap'
import { createCodecRegistry, defaultCodecs } from '@lwm2m/core'
import { describe, expect, it } from 'vitest'
import { announcedFormats, compositeFormat, defaultContentFormats, restrictCodecs } from './formats.js'

describe('the formats a client offers', () => {
  const registry = createCodecRegistry(defaultCodecs())

  it('sees only the formats offered, with the pre-IANA numbers of TLV and OMA JSON', () => {
    const codecs = restrictCodecs(registry, defaultContentFormats('1.0'))
    expect(codecs.get(ContentFormat.LWM2M_TLV)?.format).toBe(11542)
    expect(codecs.get(ContentFormat.LWM2M_TLV_OLD)?.format).toBe(11542)
    expect(codecs.get(ContentFormat.LWM2M_JSON_OLD)?.format).toBe(11543)
    expect(codecs.get(ContentFormat.SENML_JSON)).toBeUndefined()
    expect(restrictCodecs(registry, [0]).get(1542)).toBeUndefined()
  })

  it('announces all but text/plain and opaque; composes in SenML CBOR first', () => {
    expect(announcedFormats(defaultContentFormats('1.2'))).toEqual([11544, 112, 110, 11542, 11543, 60])
    expect(compositeFormat(defaultContentFormats('1.2'), registry)).toBe(112)
    expect(compositeFormat([110, 0], registry)).toBe(110)
    expect(compositeFormat(defaultContentFormats('1.0'), registry)).toBeUndefined()
  })
})
