import { defineProject } from 'vitest/config'

export default defineProject({
  test: {
    name: 'lwm2m-object-3340-timer',
    include: ['src/**/*.test.ts'],
    testTimeout: 20_000,
  },
})
