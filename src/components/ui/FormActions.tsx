import type { ReactNode } from 'react';

/** A form's end: what went wrong that belongs to no field, then its submit button (and whatever follows it). */
export function FormActions({
  error,
  errorTestId = 'form-error',
  busy,
  label,
  busyLabel,
  testId,
  children,
}: {
  error: string | undefined;
  errorTestId?: string;
  busy: boolean;
  label: string;
  busyLabel: string;
  testId: string;
  children?: ReactNode;
}) {
  return (
    <>
      {error ? (
        <p className="callout callout-error" role="alert" data-testid={errorTestId}>
          {error}
        </p>
      ) : null}
      <div className="form-actions">
        <button type="submit" className="button button-primary" disabled={busy} data-testid={testId}>
          {busy ? busyLabel : label}
        </button>
        {children}
      </div>
    </>
  );
}
