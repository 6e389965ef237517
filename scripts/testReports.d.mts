/** A Vitest or Playwright JSON report, as parsed from its file. */
type TestReport = unknown;
export function fileTimes(report: TestReport, root: string): Array<[string, number]>;
export function failures(report: TestReport, root: string): Array<[string, string]>;
