import type { HealthReportStatus } from '@/lib/contracts/healthReports';

const LABELS: Record<HealthReportStatus, string> = {
  ok: 'ok',
  warning: 'warning',
  critical: 'critical',
  invalid: 'no valid report',
};

const TONES: Record<HealthReportStatus, 'ok' | 'warn' | 'bad' | 'muted'> = {
  ok: 'ok',
  warning: 'warn',
  critical: 'bad',
  invalid: 'muted',
};

export function HealthStatusBadge({
  status,
  testId = 'health-status',
}: {
  status: HealthReportStatus;
  testId?: string;
}) {
  return (
    <span className={`badge badge-${TONES[status]}`} data-testid={testId} data-status={status}>
      {LABELS[status]}
    </span>
  );
}
