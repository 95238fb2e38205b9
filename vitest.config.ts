import { defineConfig } from 'vitest/config'

// One run across every workspace package, so that the totals line covers them all.
export default defineConfig({
  test: {
    projects: ['packages/*', 'tests/*', 'examples/*'],
    reporters: ['default', './scripts/totals-reporter.mjs'],
  },
})
