import { Badge } from '@/components/ui/Badge';
import { Callout } from '@/components/ui/Callout';
import { type Columns, DataTable } from '@/components/ui/DataTable';
import { Disclosure } from '@/components/ui/Disclosure';
import type { HealthFinding, HealthReportDto } from '@/lib/contracts/healthReports';
import styles from './Health.module.css';

/** A report's summary, findings and recommendations; or, without a valid report, what the run answered. */
export function HealthReportView({
  report,
  showRaw = false,
}: {
  report: Pick<HealthReportDto, 'report' | 'rawAnswer'>;
  /** Offer the report as the JSON the agent answered, behind a toggle. */
  showRaw?: boolean;
}) {
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
        <DataTable
          data={findings}
          columns={findingColumns}
          getRowId={(finding) => `${finding.area}:${finding.message}`}
          testId="health-findings"
          label="Findings"
          rowData={(finding) => ({ 'data-testid': 'health-finding', 'data-severity': finding.severity })}
        />
      ) : null}
      {recommendations.length > 0 ? (
        <>
          <h3 className={styles.subhead}>Recommendations</h3>
          <ul data-testid="health-recommendations">
            {recommendations.map((recommendation) => (
              <li key={recommendation}>{recommendation}</li>
            ))}
          </ul>
        </>
      ) : null}
      {showRaw ? (
        <Disclosure summary="Raw JSON" summaryTestId="health-raw-toggle">
          <pre className={styles.raw} data-testid="health-raw-json">
            {JSON.stringify(report.report, null, 2)}
          </pre>
        </Disclosure>
      ) : null}
    </div>
  );
}

const findingColumns: Columns<HealthFinding> = [
  {
    id: 'severity',
    header: 'Severity',
    meta: { shrink: true },
    cell: ({ row }) => <SeverityBadge severity={row.original.severity} />,
  },
  {
    id: 'area',
    header: 'Area',
    meta: { primary: true, shrink: true },
    cell: ({ row }) => <span className={styles.area}>{row.original.area}</span>,
  },
  {
    id: 'message',
    header: 'Finding',
    cell: ({ row: { original: finding } }) => (
      <span className={styles.message}>
        {finding.message}
        {finding.evidence ? <span className="muted small"> — {finding.evidence}</span> : null}
      </span>
    ),
  },
];

const SEVERITY_TONES = { info: 'neutral', warning: 'warn', critical: 'bad' } as const;

function SeverityBadge({ severity }: { severity: keyof typeof SEVERITY_TONES }) {
  return <Badge tone={SEVERITY_TONES[severity]}>{severity}</Badge>;
}
