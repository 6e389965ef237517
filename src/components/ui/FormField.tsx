import type { ReactNode } from 'react';

/** A labelled form field with its hint and, when invalid, its error (which the input names in aria-describedby). */
export function FormField({
  inputId,
  label,
  hint,
  error,
  errorId,
  errorTestId,
  wide = false,
  children,
}: {
  inputId: string;
  label: string;
  hint?: string;
  error: string | undefined;
  errorId: string;
  errorTestId: string;
  wide?: boolean;
  children: ReactNode;
}) {
  return (
    <div className={`field${wide ? ' field-wide' : ''}${error ? ' field-invalid' : ''}`}>
      <label htmlFor={inputId}>{label}</label>
      {children}
      {hint ? <p className="field-hint">{hint}</p> : null}
      {error ? (
        <p className="field-error" id={errorId} data-testid={errorTestId}>
          {error}
        </p>
      ) : null}
    </div>
  );
}
