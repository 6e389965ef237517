import type { ReactNode } from 'react';

/** The id of a field's error message, for the input's `aria-describedby`. */
export const errorIdOf = (inputId: string) => `${inputId}-error`;

export interface FormFieldProps {
  inputId: string;
  label: string;
  hint?: ReactNode;
  error: string | undefined;
  errorTestId: string;
  wide?: boolean;
  children: ReactNode;
}

/** A labelled input with its hint and, once validated, its error. */
export function FormField({
  inputId,
  label,
  hint,
  error,
  errorTestId,
  wide = false,
  children,
}: FormFieldProps) {
  return (
    <div className={`field${wide ? ' field-wide' : ''}${error ? ' field-invalid' : ''}`}>
      <label htmlFor={inputId}>{label}</label>
      {children}
      {hint ? <p className="field-hint">{hint}</p> : null}
      <FieldError inputId={inputId} error={error} testId={errorTestId} />
    </div>
  );
}

/** What is wrong with a field, once validated; nothing while it is fine. */
export function FieldError({
  inputId,
  error,
  testId,
}: {
  inputId: string;
  error: string | undefined;
  testId: string;
}) {
  return error ? (
    <p className="field-error" id={errorIdOf(inputId)} data-testid={testId}>
      {error}
    </p>
  ) : null;
}

/** A form's end: what went wrong that belongs to no field, the submit button, and "Saved". */
export function FormFooter({
  error,
  submitting,
  label,
  busyLabel = 'Saving…',
  saved = false,
  testIds,
}: {
  error: string | undefined;
  submitting: boolean;
  label: string;
  /** What the button says while the form is being sent. */
  busyLabel?: string;
  saved?: boolean;
  testIds: { error: string; save: string; saved?: string };
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
          {submitting ? busyLabel : label}
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
