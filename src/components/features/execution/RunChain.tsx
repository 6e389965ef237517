import Link from 'next/link';
import { Panel } from '@/components/ui/Panel';
import { StatusBadge } from '@/components/ui/StatusBadge';
import type { ExecutionChain, ExecutionStatus } from '@/lib/contracts/executions';
import { formatUsd, formatUsdExact } from '@/lib/presentation/format';
import styles from './RunExtras.module.css';

/**
 * The runs continued from the same first run, this one marked, and what they cost together. This
 * run's own figures come live; the others' as the page was rendered.
 */
export function RunChain({
  chain,
  current,
}: {
  chain: ExecutionChain | undefined;
  current: { id: number; status: ExecutionStatus; costUsd: number };
}) {
  if (!chain || chain.executions.length < 2) return null;
  const links = chain.executions.map((link) =>
    link.id === current.id ? { ...link, status: current.status, costUsd: current.costUsd } : link,
  );
  const total = links.reduce((sum, link) => sum + link.costUsd, 0);
  return (
    <Panel
      title="Continue chain"
      count={links.length}
      testId="execution-chain"
      actions={
        <span data-testid="execution-chain-total" title={formatUsdExact(total)}>
          {formatUsd(total)} in all
        </span>
      }
    >
      <ol className={styles.chain}>
        {links.map((link) => (
          <li
            key={link.id}
            className={styles.chainItem}
            aria-current={link.id === current.id ? 'page' : undefined}
            data-testid="execution-chain-link"
          >
            {link.id === current.id ? (
              <span>Run #{link.id}</span>
            ) : (
              <Link href={`/executions/${link.id}`}>Run #{link.id}</Link>
            )}
            <StatusBadge status={link.status} />
            {link.forked ? <span className="muted small">fork</span> : null}
            <span className="muted small" title={formatUsdExact(link.costUsd)}>
              {formatUsd(link.costUsd)}
            </span>
          </li>
        ))}
      </ol>
    </Panel>
  );
}
