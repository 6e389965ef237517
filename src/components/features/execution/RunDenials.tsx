import approvalStyles from '@/components/features/approvals/Approvals.module.css';
import { Callout } from '@/components/ui/Callout';
import { Disclosure } from '@/components/ui/Disclosure';
import { Time } from '@/components/ui/Time';
import type { DenialReason, ExecutionLive } from '@/lib/contracts/executions';
import { formatCount } from '@/lib/presentation/format';
import styles from './RunExtras.module.css';

const REASON_WORDS: Record<DenialReason, string> = {
  policy: 'by the policy',
  person: 'by a person',
  approval_timeout: 'nobody answered in time',
};

/** "Bash ×2, Read": the denied tools, most denied first. */
export function deniedToolsText(denials: ExecutionLive['denials']): string {
  const counts = new Map<string, number>();
  for (const denial of denials) counts.set(denial.toolName, (counts.get(denial.toolName) ?? 0) + 1);
  return [...counts]
    .sort((a, b) => b[1] - a[1])
    .map(([tool, count]) => (count > 1 ? `${tool} ×${count}` : tool))
    .join(', ');
}

/**
 * What a status alone does not say: tool calls that were denied (how many, which tools, why and
 * what to change) and the run's warnings (every call denied, an approval timed out, a resume that
 * did not take).
 */
export function RunDenials({
  execution,
}: {
  execution: Pick<ExecutionLive, 'deniedToolCalls' | 'denials' | 'warnings'>;
}) {
  const { deniedToolCalls, denials, warnings } = execution;
  if (deniedToolCalls === 0 && warnings.length === 0) return null;
  return (
    <Callout tone="warn" testId="execution-denials" data={{ 'data-denied': deniedToolCalls }}>
      {deniedToolCalls > 0 ? (
        <p className={styles.line} data-testid="execution-denied-summary">
          {formatCount(deniedToolCalls)} tool {deniedToolCalls === 1 ? 'call' : 'calls'} denied
          {denials.length > 0 ? `: ${deniedToolsText(denials)}` : ''}
        </p>
      ) : null}
      {warnings.map((warning) => (
        <p key={warning.code} className={styles.line} data-testid={`execution-warning-${warning.code}`}>
          {warning.message}
        </p>
      ))}
      {denials.length > 0 ? (
        <Disclosure summary="Denied calls">
          <ul className={styles.denialList} data-testid="execution-denial-list">
            {denials.map((denial) => (
              <li key={denial.toolUseId} data-testid="execution-denial" data-reason={denial.reason}>
                <strong>{denial.toolName}</strong> denied {REASON_WORDS[denial.reason]}{' '}
                <Time epochMs={denial.at} format="relative" />
                <pre className={approvalStyles.input}>{denial.input}</pre>
                <span>
                  The model was told: <q data-testid="execution-denial-message">{denial.message}</q>
                </span>
                {denial.hint ? <span className="muted"> {denial.hint}</span> : null}
              </li>
            ))}
          </ul>
        </Disclosure>
      ) : null}
    </Callout>
  );
}
