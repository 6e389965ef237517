// Reads the test layers' JSON reports (Vitest's and Playwright's) for what `npm test` prints at the
// end: each file's time, and each failure with the start of why.
import path from 'node:path';

/** Playwright's specs of a file's suite and its nested describe blocks. */
const specsOf = (suite) => [...(suite.specs ?? []), ...(suite.suites ?? []).flatMap(specsOf)];

/** Playwright names a suite's file relative to its test directory. */
const playwrightFile = (report, suite, root) =>
  path.relative(root, path.join(report.config.rootDir, suite.file));

/** Per test file, [file relative to root, its time in ms]. */
export function fileTimes(report, root) {
  if (report.testResults) {
    return report.testResults.map((r) => [path.relative(root, r.name), r.endTime - r.startTime]);
  }
  return report.suites.map((suite) => [
    playwrightFile(report, suite, root),
    specsOf(suite)
      .flatMap((spec) => spec.tests.flatMap((test) => test.results))
      .reduce((sum, result) => sum + result.duration, 0),
  ]);
}

/** Per failed test (or file that failed to load), [where it is, why]. */
export function failures(report, root) {
  if (report.testResults) {
    return report.testResults.flatMap((file) => {
      const where = path.relative(root, file.name);
      const tests = file.assertionResults
        .filter((test) => test.status === 'failed')
        .map((test) => [`${where} › ${test.fullName}`, test.failureMessages.join('\n')]);
      return tests.length === 0 && file.status === 'failed' ? [[where, file.message ?? '']] : tests;
    });
  }
  return report.suites.flatMap((suite) =>
    specsOf(suite)
      .filter((spec) => !spec.ok)
      .map((spec) => [
        `${playwrightFile(report, suite, root)} › ${spec.title}`,
        spec.tests
          .flatMap((test) => test.results.flatMap((result) => result.errors ?? []))
          .map((error) => error.message ?? '')
          .join('\n'),
      ]),
  );
}
