import type { HealthReportDto } from '@/lib/contracts/healthReports';

/** A report's summary, findings and recommendations; or, without a valid report, what the run answered. */
export function HealthReportView({ report }: { report: Pick<HealthReportDto, 'report' | 'rawAnswer'> }) {
  if (!report.report) {
    return (
      <div className="health-invalid" data-testid="health-invalid">
        <p className="callout callout-warn">
          No valid report: the run ended without an answer the report schema accepts, so nothing here counts
          as ok.
        </p>
        {report.rawAnswer ? (
          <details>
            <summary>What it answered instead</summary>
            <pre className="step-pre" data-testid="health-raw-answer">
              {report.rawAnswer}
            </pre>
          </details>
        ) : null}
      </div>
    );
  }
  const { summary, findings, recommendations } = report.report;
  return (
    <div className="health-report">
      <p className="health-summary" data-testid="health-summary">
        {summary}
      </p>
      {findings.length > 0 ? (
        <ul className="health-findings" data-testid="health-findings">
          {findings.map((finding) => (
            <li
              key={`${finding.area}:${finding.message}`}
              className={`health-finding health-finding-${finding.severity}`}
              data-testid="health-finding"
              data-severity={finding.severity}
            >
              <span className="health-finding-area">{finding.area}</span> {finding.message}
              {finding.evidence ? <span className="muted small"> — {finding.evidence}</span> : null}
            </li>
          ))}
        </ul>
      ) : null}
      {recommendations.length > 0 ? (
        <>
          <h3 className="health-subhead">Recommendations</h3>
          <ul className="health-recommendations">
            {recommendations.map((recommendation) => (
              <li key={recommendation}>{recommendation}</li>
            ))}
          </ul>
        </>
      ) : null}
    </div>
  );
}
