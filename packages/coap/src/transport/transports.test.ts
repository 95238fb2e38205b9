import { describe } from 'vitest'
import { transportCompliance } from '../testing/transport-compliance.js'
import { faulty } from './faulty.js'
import { createMemoryNetwork } from './memory.js'
import { udp } from './udp.js'

describe('udp over 127.0.0.1', () => {
  transportCompliance({ create: () => ({ a: udp({ host: '127.0.0.1' }), b: udp({ host: '127.0.0.1' }) }) })
})

describe('udp over ::1', () => {
  transportCompliance({ create: () => ({ a: udp({ host: '::1' }), b: udp({ host: '::1' }) }) })
})

describe('memory network', () => {
  transportCompliance({
    create: () => {
      const net = createMemoryNetwork()
      return { a: net.transport(), b: net.transport() }
    },
  })
})

describe('memory network, IPv6 addresses', () => {
  transportCompliance({
    create: () => {
      const net = createMemoryNetwork()
      return { a: net.transport({ address: '::1' }), b: net.transport({ address: '::1' }) }
    },
  })
})

describe('faulty wrapper without faults', () => {
  transportCompliance({
    create: () => {
      const net = createMemoryNetwork()
      return { a: faulty(net.transport(), { seed: 1 }), b: faulty(net.transport(), { seed: 2 }) }
    },
  })
})
