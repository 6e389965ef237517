import type { ReactNode } from 'react';

/** The id of a field's error message, for the input's `aria-describedby`. */
export const fieldErrorId = (inputId: string) => `${inputId}-error`;

/** A labelled field of a form: its input, a hint, and the error the form or the API found in it. */
export function FormField({
  inputId,
  label,
  hint,
  error,
  errorTestId,
  wide = false,
  children,
}: {
  inputId: string;
  label: string;
  hint?: ReactNode;
  error: string | undefined;
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
        <p className="field-error" id={fieldErrorId(inputId)} data-testid={errorTestId}>
          {error}
        </p>
      ) : null}
    </div>
  );
}

/** The end of a form: what belongs to no field, the submit button, and "Saved" after an edit. */
export function FormFooter({
  error,
  submitting,
  submitLabel,
  saved,
  testIds,
}: {
  error: string | undefined;
  submitting: boolean;
  submitLabel: string;
  saved: boolean;
  testIds: { error: string; save: string; saved: string };
}) {
  return (
    <>
      {error ? (
        <p className="callout callout-error" role="alert" data-testid={testIds.error}>
          {error}
        </p>
      ) : null}
      <div className="form-actions">
        <button
          type="submit"
          className="button button-primary"
          disabled={submitting}
          data-testid={testIds.save}
        >
          {submitting ? 'Saving…' : submitLabel}
        </button>
        {saved ? (
          <output className="saved" data-testid={testIds.saved}>
            Saved
          </output>
        ) : null}
      </div>
    </>
  );
}
