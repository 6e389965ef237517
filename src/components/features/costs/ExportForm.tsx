'use client';

import { useId, useState } from 'react';
import { ButtonGroup, buttonClassName } from '@/components/ui/Button';
import { ActionError } from '@/components/ui/FormParts';
import { costExportQuerySchema } from '@/lib/contracts/costs';
import styles from './Costs.module.css';

const FIELD_LABELS: Record<string, string> = { from: 'From', to: 'To' };

/** A date range and download links for it, checked by the same schema the export route uses. */
export function ExportForm({ defaultFrom, defaultTo }: { defaultFrom: string; defaultTo: string }) {
  const [from, setFrom] = useState(defaultFrom);
  const [to, setTo] = useState(defaultTo);
  const id = useId();
  const parsed = costExportQuerySchema.safeParse({ from, to });
  const issue = parsed.success ? undefined : parsed.error.issues[0];
  const href = (format: 'csv' | 'json') => `/api/costs/export?${new URLSearchParams({ from, to, format })}`;
  return (
    <div className={styles.export} data-testid="cost-export">
      <div className={styles.exportField}>
        <label htmlFor={`${id}-from`}>From (UTC)</label>
        <input
          id={`${id}-from`}
          type="date"
          value={from}
          max={to}
          onChange={(event) => setFrom(event.target.value)}
          data-testid="export-from"
        />
      </div>
      <div className={styles.exportField}>
        <label htmlFor={`${id}-to`}>To (UTC, included)</label>
        <input
          id={`${id}-to`}
          type="date"
          value={to}
          min={from}
          onChange={(event) => setTo(event.target.value)}
          data-testid="export-to"
        />
      </div>
      {issue ? (
        <ActionError
          error={`${FIELD_LABELS[String(issue.path[0])] ?? 'Range'}: ${issue.message}`}
          testId="export-error"
        />
      ) : (
        <ButtonGroup>
          <a className={buttonClassName()} href={href('csv')} download data-testid="export-csv">
            Download CSV
          </a>
          <a className={buttonClassName()} href={href('json')} download data-testid="export-json">
            Download JSON
          </a>
        </ButtonGroup>
      )}
    </div>
  );
}
