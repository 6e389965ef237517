'use client';

import { type FormEvent, useState } from 'react';
import { Button } from '@/components/ui/Button';
import { ErrorText, InlineControls } from '@/components/ui/FormParts';
import { localInputValue, parseLocalInput, rangeIssue } from '@/lib/presentation/timeRange';

/** Two instants (in the reader's zone) for the charts' custom range. */
export function CustomRangeForm({
  initial,
  busy,
  onApply,
}: {
  initial: { from: number; to: number };
  busy: boolean;
  onApply: (window: { from: number; to: number }) => void;
}) {
  const [from, setFrom] = useState(() => localInputValue(initial.from));
  const [to, setTo] = useState(() => localInputValue(initial.to));
  const [issue, setIssue] = useState<string | null>(null);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const start = parseLocalInput(from);
    const end = parseLocalInput(to);
    const problem = rangeIssue(start, end);
    setIssue(problem);
    if (problem === null && start !== null && end !== null) onApply({ from: start, to: end });
  };
  return (
    <form onSubmit={submit} noValidate data-testid="custom-range">
      <InlineControls label="Custom range">
        <label>
          From{' '}
          <input
            type="datetime-local"
            value={from}
            onChange={(event) => setFrom(event.target.value)}
            data-testid="custom-range-from"
          />
        </label>
        <label>
          To{' '}
          <input
            type="datetime-local"
            value={to}
            onChange={(event) => setTo(event.target.value)}
            data-testid="custom-range-to"
          />
        </label>
        <Button type="submit" size="small" disabled={busy} data-testid="custom-range-apply">
          Show
        </Button>
      </InlineControls>
      {issue ? <ErrorText testId="custom-range-error">{issue}</ErrorText> : null}
    </form>
  );
}
