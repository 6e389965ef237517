import type { ComponentProps, ReactNode } from 'react';
import { Button } from './Button';
import { Callout } from './Callout';
import styles from './Form.module.css';

/** The id of a field's error message, for the input's `aria-describedby`. */
export const errorIdOf = (inputId: string) => `${inputId}-error`;

/** A form laid out as a column of sections and fields. */
export function Form({ className, ...props }: ComponentProps<'form'>) {
  return <form className={className ? `${styles.form} ${className}` : styles.form} {...props} />;
}

/** Fields two to a row (one on phones); a `wide` field takes the whole row. */
export function FormGrid({ children, className }: { children: ReactNode; className?: string }) {
  return <div className={className ? `${styles.grid} ${className}` : styles.grid}>{children}</div>;
}

export interface FormFieldProps {
  inputId: string;
  label: ReactNode;
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
    <div className={wide ? `${styles.field} ${styles.wide}` : styles.field}>
      <label className={styles.label} htmlFor={inputId}>
        {label}
      </label>
      {children}
      {hint ? <p className={styles.hint}>{hint}</p> : null}
      <FieldError inputId={inputId} error={error} testId={errorTestId} />
    </div>
  );
}

/** A group of checkboxes or radios under a legend, with its hint and error. */
export function ChoiceField({
  legend,
  hint,
  error,
  errorId,
  errorTestId,
  wide = true,
  testId,
  id,
  children,
}: {
  legend: ReactNode;
  hint?: ReactNode;
  error?: string;
  errorId: string;
  errorTestId: string;
  wide?: boolean;
  testId?: string;
  /** The fieldset's id (a form focuses its first invalid place by id). */
  id?: string;
  children: ReactNode;
}) {
  return (
    <fieldset
      id={id}
      className={wide ? `${styles.field} ${styles.wide}` : styles.field}
      aria-describedby={error ? errorId : undefined}
      data-testid={testId}
    >
      <legend className={styles.legend}>{legend}</legend>
      {hint ? <p className={styles.hint}>{hint}</p> : null}
      {children}
      {error ? (
        <ErrorText id={errorId} testId={errorTestId}>
          {error}
        </ErrorText>
      ) : null}
    </fieldset>
  );
}

/** Choices in columns that wrap to the width they have. */
export function ChoiceColumns({ children }: { children: ReactNode }) {
  return <div className={styles.choiceColumns}>{children}</div>;
}

/** One column of `<ChoiceColumns>`. */
export function ChoiceColumn({ children }: { children: ReactNode }) {
  return <div className={styles.choiceColumn}>{children}</div>;
}

/** A checkbox (or radio) and its words; pass the input's own props. */
export function Check({ label, ...input }: ComponentProps<'input'> & { label: ReactNode }) {
  return (
    <label className={styles.check}>
      <input type="checkbox" {...input} />
      <span>{label}</span>
    </label>
  );
}

/** A field's hint text, where it is not given through `FormField`. */
export function Hint({ children, id }: { children: ReactNode; id?: string }) {
  return (
    <p className={styles.hint} id={id}>
      {children}
    </p>
  );
}

/** Small controls in a row: filters, a pager. */
export function InlineControls({
  children,
  label,
  testId,
  as: Element = 'div',
}: {
  children: ReactNode;
  label?: string;
  testId?: string;
  as?: 'div' | 'form';
}) {
  return (
    <Element className={styles.inline} aria-label={label} data-testid={testId}>
      {children}
    </Element>
  );
}

/** An error message in the form's red, where no field owns it (a list's, a group's). */
export function ErrorText({ children, id, testId }: { children: ReactNode; id?: string; testId?: string }) {
  return (
    <p className={styles.error} id={id} data-testid={testId}>
      {children}
    </p>
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
    <ErrorText id={errorIdOf(inputId)} testId={testId}>
      {error}
    </ErrorText>
  ) : null;
}

/** Why a button's action failed, beside the button. */
export function ActionError({ error, testId }: { error: string | null; testId?: string }) {
  return error ? (
    <span className={styles.error} role="alert" data-testid={testId}>
      {error}
    </span>
  ) : null;
}

/** Buttons at a form's end, with what they said ("Saved"). */
export function FormActions({ children }: { children: ReactNode }) {
  return <div className={styles.actions}>{children}</div>;
}

/** "Saved", after a save went through. */
export function Saved({ testId, children = 'Saved' }: { testId?: string; children?: ReactNode }) {
  return (
    <output className={styles.saved} data-testid={testId}>
      {children}
    </output>
  );
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
        <Callout tone="error" alert testId={testIds.error} as="p">
          {error}
        </Callout>
      ) : null}
      <FormActions>
        <Button type="submit" variant="primary" disabled={submitting} data-testid={testIds.save}>
          {submitting ? busyLabel : label}
        </Button>
        {saved ? <Saved testId={testIds.saved} /> : null}
      </FormActions>
    </>
  );
}
