// A vitest reporter that ends the run with one plain line of totals across every
// workspace project: `N passed, N failed, N skipped`. A test file that fails before
// its tests are collected, and every unhandled error, count as one failure each, so
// that nothing broken can hide behind a clean count.
export default class TotalsReporter {
  onTestRunEnd(testModules, unhandledErrors) {
    let passed = 0
    let failed = 0
    let skipped = 0
    for (const mod of testModules) {
      let count = 0
      for (const test of mod.children.allTests()) {
        count++
        const state = test.result().state
        if (state === 'passed') passed++
        else if (state === 'failed') failed++
        else skipped++
      }
      if (count === 0 && mod.state() === 'failed') failed++
    }
    failed += unhandledErrors.length
    process.stdout.write(`\n${passed} passed, ${failed} failed, ${skipped} skipped\n`)
  }
}
