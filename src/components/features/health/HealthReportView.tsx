import { Badge } from '@/components/ui/Badge';
import { Callout } from '@/components/ui/Callout';
import type { HealthReportDto } from '@/lib/contracts/healthReports';
import styles from './Health.module.css';

/** A report's summary, findings and recommendations; or, without a valid report, what the run answered. */
export function HealthReportView({ report }: { report: Pick<HealthReportDto, 'report' | 'rawAnswer'> }) {
  if (!report.report) {
    return (
      <div className={styles.report} data-testid="health-invalid">
        <Callout tone="warn" as="p">
          No valid report: the run ended without an answer the report schema accepts, so nothing here counts
          as ok.
        </Callout>
        {report.rawAnswer ? (
          <details>
            <summary>What it answered instead</summary>
            <pre className={styles.raw} data-testid="health-raw-answer">
              {report.rawAnswer}
            </pre>
          </details>
        ) : null}
      </div>
    );
  }
  const { summary, findings, recommendations } = report.report;
  return (
    <div className={styles.report}>
      <p className={styles.summary} data-testid="health-summary">
        {summary}
      </p>
      {findings.length > 0 ? (
        <ul className={styles.findings} data-testid="health-findings">
          {findings.map((finding) => (
            <li
              key={`${finding.area}:${finding.message}`}
              className={styles.finding}
              data-testid="health-finding"
              data-severity={finding.severity}
            >
              <SeverityBadge severity={finding.severity} />
              <span className={styles.message}>
                <span className={styles.area}>{finding.area}</span> {finding.message}
                {finding.evidence ? <span className="muted small"> — {finding.evidence}</span> : null}
              </span>
            </li>
          ))}
        </ul>
      ) : null}
      {recommendations.length > 0 ? (
        <>
          <h3 className={styles.subhead}>Recommendations</h3>
          <ul>
            {recommendations.map((recommendation) => (
              <li key={recommendation}>{recommendation}</li>
            ))}
          </ul>
        </>
      ) : null}
    </div>
  );
}

const SEVERITY_TONES = { info: 'neutral', warning: 'warn', critical: 'bad' } as const;

function SeverityBadge({ severity }: { severity: keyof typeof SEVERITY_TONES }) {
  return <Badge tone={SEVERITY_TONES[severity]}>{severity}</Badge>;
}
