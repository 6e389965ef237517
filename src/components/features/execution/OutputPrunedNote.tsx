import { Callout } from '@/components/ui/Callout';
import { Time } from '@/components/ui/Time';

/** Above a log that retention dropped: where the lines went, and what the run still has. */
export function OutputPrunedNote({ prunedAt }: { prunedAt: number | null | undefined }) {
  if (prunedAt === null || prunedAt === undefined) return null;
  return (
    <Callout tone="info" as="p" testId="output-pruned">
      This run’s log lines and steps were dropped by retention on{' '}
      <Time epochMs={prunedAt} format="datetime" /> (Settings: keep run logs and steps). Its result, cost and
      attempts are kept.
    </Callout>
  );
}
