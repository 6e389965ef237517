import type { FiringOutcome } from '@/lib/contracts/schedules';

const LABELS: Record<FiringOutcome, string> = {
  started: 'started',
  caught_up: 'caught up',
  skipped_overlap: 'skipped',
  skipped_storage: 'skipped: disk',
  refused_budget: 'refused: budget',
  refused_breaker: 'refused: breaker',
  refused_invalid: 'refused: invalid',
  missed: 'missed',
};

const TONES: Record<FiringOutcome, 'ok' | 'bad' | 'muted'> = {
  started: 'ok',
  caught_up: 'ok',
  skipped_overlap: 'muted',
  skipped_storage: 'bad',
  refused_budget: 'bad',
  refused_breaker: 'bad',
  refused_invalid: 'bad',
  missed: 'bad',
};

/** How a slot (or a run now) ended, as a badge. */
export function FiringOutcomeBadge({ outcome }: { outcome: FiringOutcome }) {
  return (
    <span className={`badge badge-${TONES[outcome]}`} data-testid="firing-outcome" data-outcome={outcome}>
      {LABELS[outcome]}
    </span>
  );
}
