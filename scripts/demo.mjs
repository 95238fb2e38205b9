// `npm start`: a short CoAP tour. Grows into the LwM2M demo as the roles land.
import {
  Code,
  ContentFormat,
  decodeMessage,
  encodeMessage,
  encodeString,
  formatCode,
  MessageType,
  OptionNumber,
} from '@lwm2m/coap'

const request = {
  type: MessageType.CON,
  code: Code.GET,
  messageId: 0x1234,
  token: Uint8Array.of(0xca, 0xfe),
  options: [
    { number: OptionNumber.UriPath, value: encodeString('.well-known') },
    { number: OptionNumber.UriPath, value: encodeString('core') },
  ],
  payload: new Uint8Array(0),
}
const bytes = encodeMessage(request)
console.log('GET /.well-known/core encodes to', Buffer.from(bytes).toString('hex'))
const back = decodeMessage(bytes)
console.log('decoded: code', formatCode(back.code), 'MID', back.messageId, 'options', back.options.length)
console.log('link-format is content-format', ContentFormat.LINK_FORMAT)
