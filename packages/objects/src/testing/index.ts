/**
 * @packageDocumentation
 * Test helpers for object implementations: the compliance suite every implementation
 * runs in its own tests (vitest), a manual clock, and the sample values the suite writes.
 */
export * from './compliance.js'
export * from './manual-clock.js'
export * from './sample-values.js'
