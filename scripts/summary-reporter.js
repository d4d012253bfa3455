'use strict';
/**
 * A jest reporter that ends the run with one plain line, `tests: N passed, M failed`, which CI
 * systems that do not know jest's own summary can read.
 */
class SummaryReporter {
  onRunComplete(_contexts, results) {
    const failed = results.numFailedTests + results.numRuntimeErrorTestSuites;
    process.stdout.write(`\ntests: ${results.numPassedTests} passed, ${failed} failed\n`);
  }
}
module.exports = SummaryReporter;
