import { LocalTime } from '@/components/ui/LocalTime';

/** Above a log that retention dropped: where the lines went, and what the run still has. */
export function OutputPrunedNote({ prunedAt }: { prunedAt: number | null | undefined }) {
  if (prunedAt === null || prunedAt === undefined) return null;
  return (
    <p className="callout" data-testid="output-pruned">
      This run’s log lines and steps were dropped by retention on <LocalTime epochMs={prunedAt} /> (Settings:
      keep run logs and steps). Its result, cost and attempts are kept.
    </p>
  );
}
