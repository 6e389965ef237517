import { Badge, type Tone } from '@/components/ui/Badge';
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

const TONES: Record<FiringOutcome, Tone> = {
  started: 'ok',
  caught_up: 'ok',
  skipped_overlap: 'neutral',
  skipped_storage: 'bad',
  refused_budget: 'bad',
  refused_breaker: 'bad',
  refused_invalid: 'bad',
  missed: 'bad',
};

/** How a slot (or a run now) ended, as a badge. */
export function FiringOutcomeBadge({ outcome }: { outcome: FiringOutcome }) {
  return (
    <Badge tone={TONES[outcome]} testId="firing-outcome" data={{ 'data-outcome': outcome }}>
      {LABELS[outcome]}
    </Badge>
  );
}
