import { Badge, type Tone } from '@/components/ui/Badge';
import type { HealthReportStatus } from '@/lib/contracts/healthReports';

export const HEALTH_LABELS: Record<HealthReportStatus, string> = {
  ok: 'ok',
  warning: 'warning',
  critical: 'critical',
  invalid: 'no valid report',
};

const TONES: Record<HealthReportStatus, Tone> = {
  ok: 'ok',
  warning: 'warn',
  critical: 'bad',
  invalid: 'neutral',
};

export function HealthStatusBadge({
  status,
  testId = 'health-status',
}: {
  status: HealthReportStatus;
  testId?: string;
}) {
  return (
    <Badge tone={TONES[status]} testId={testId} data={{ 'data-status': status }}>
      {HEALTH_LABELS[status]}
    </Badge>
  );
}
