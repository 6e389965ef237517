import { Button, ButtonGroup, ButtonLink } from '@/components/ui/Button';
import { InlineControls } from '@/components/ui/FormParts';
import type { CostDays, CostRange } from '@/lib/contracts/costs';
import styles from './Costs.module.css';

const LABELS: Record<Exclude<CostRange, 'custom'>, string> = {
  '7d': '7 days',
  '30d': '30 days',
  '90d': '90 days',
  month: 'This month',
};

/** The costs page's range, in its URL (a view can be shared): presets as links, custom as a GET form. */
export function CostRangePicker({ range, days }: { range: CostRange; days: CostDays }) {
  return (
    <div className={styles.rangePicker}>
      <ButtonGroup label="Cost range">
        {(Object.keys(LABELS) as (keyof typeof LABELS)[]).map((option) => (
          <ButtonLink
            key={option}
            size="small"
            href={`/costs?range=${option}`}
            aria-current={option === range ? 'true' : undefined}
            data-testid={`cost-range-${option}`}
          >
            {LABELS[option]}
          </ButtonLink>
        ))}
      </ButtonGroup>
      <form action="/costs" method="get" data-testid="cost-range-custom">
        <InlineControls label="Custom range (UTC days)">
          <input type="hidden" name="range" value="custom" />
          <label>
            From <input type="date" name="from" defaultValue={days.first} data-testid="cost-range-from" />
          </label>
          <label>
            To <input type="date" name="to" defaultValue={days.last} data-testid="cost-range-to" />
          </label>
          <Button type="submit" size="small" data-testid="cost-range-apply">
            Show
          </Button>
        </InlineControls>
      </form>
    </div>
  );
}
