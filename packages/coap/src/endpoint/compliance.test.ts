import { describe } from 'vitest'
import { endpointCompliance } from '../testing/endpoint-compliance.js'
import { faulty } from '../transport/faulty.js'
import { createMemoryNetwork } from '../transport/memory.js'
import { udp } from '../transport/udp.js'
import { createEndpoint } from './endpoint.js'

// Short retransmission timeouts keep lossy runs quick; the protocol is the same.
const fast = { ackTimeout: 100, ackRandomFactor: 1.5, maxRetransmit: 6, nstart: 8 }

describe('endpoint over udp 127.0.0.1', () => {
  endpointCompliance({
    create: async () => ({
      server: await createEndpoint({ transport: udp({ host: '127.0.0.1' }) }),
      client: await createEndpoint({ transport: udp({ host: '127.0.0.1' }) }),
    }),
  })
})

describe('endpoint over udp ::1 (IPv6)', () => {
  endpointCompliance({
    create: async () => ({
      server: await createEndpoint({ transport: udp({ host: '::1' }) }),
      client: await createEndpoint({ transport: udp({ host: '::1' }) }),
    }),
  })
})

describe('endpoint over the in-memory network', () => {
  endpointCompliance({
    create: async () => {
      const net = createMemoryNetwork()
      return {
        server: await createEndpoint({ transport: net.transport() }),
        client: await createEndpoint({ transport: net.transport() }),
      }
    },
  })
})

describe('endpoint over the faulty wrapper (duplication, reordering, delay)', () => {
  endpointCompliance({
    patience: 3,
    create: async () => {
      const net = createMemoryNetwork()
      const opts = { duplicate: 0.2, reorder: 0.2, delay: [0, 15] as const }
      return {
        server: await createEndpoint({
          transport: faulty(net.transport(), { seed: 11, ...opts }),
          parameters: fast,
        }),
        client: await createEndpoint({
          transport: faulty(net.transport(), { seed: 12, ...opts }),
          parameters: fast,
        }),
      }
    },
  })
})
