import { useId } from 'react';
import { ErrorText } from '@/components/ui/FormParts';

/** A prompt to send: its label, the text, and what is wrong with it once checked. */
export function PromptField({
  label,
  value,
  onChange,
  error,
  rows = 3,
  disabled,
  testId,
}: {
  label: string;
  value: string;
  onChange(value: string): void;
  error: string | null;
  rows?: number;
  disabled?: boolean;
  testId: string;
}) {
  const id = useId();
  return (
    <>
      <label htmlFor={id}>{label}</label>
      <textarea
        id={id}
        rows={rows}
        value={value}
        onChange={(event) => onChange(event.target.value)}
        aria-invalid={error !== null}
        aria-describedby={error ? `${id}-error` : undefined}
        disabled={disabled}
        data-testid={testId}
      />
      {error ? (
        <ErrorText id={`${id}-error`} testId={`${testId}-error`}>
          {error}
        </ErrorText>
      ) : null}
    </>
  );
}
