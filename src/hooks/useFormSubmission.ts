import { useState } from 'react';
import { ApiClientError, errorMessage } from '@/lib/http/client';

/** A zod issue or an API error's issue: where (a dotted path or its segments) and what. */
interface FieldIssue {
  path: string | readonly PropertyKey[];
  message: string;
}

/** A zod `safeParse` result, by shape. */
type Checked<Data> =
  | { success: true; data: Data }
  | { success: false; error: { issues: readonly FieldIssue[] } };

/** A form's errors: one per field, and `form` for what belongs to no field. */
type ErrorsOf = Partial<Record<string, string>> & { form?: string };

interface FormSubmissionOptions<Errors extends ErrorsOf> {
  /** The issues of the check or of the API's 400 / 409, as the form's errors. */
  toErrors(issues: readonly FieldIssue[]): Errors;
  /** The id of the input to focus for these errors: the first invalid field in the form's order. */
  firstInvalid(errors: Errors): string | undefined;
}

/**
 * The submit cycle every form shares: the input checked against the API's own schema, then sent;
 * the check's or the server's field errors shown beside their fields with the first one focused,
 * anything else as the form's error. `submit` resolves with the answer (undefined when it failed)
 * and leaves the form `submitting`, so a form that navigates away stays disabled: one that stays
 * calls `settle`.
 */
export function useFormSubmission<Errors extends ErrorsOf>(options: FormSubmissionOptions<Errors>) {
  const [errors, setErrors] = useState<Errors>(() => ({}) as Errors);
  const [submitting, setSubmitting] = useState(false);
  const [saved, setSaved] = useState(false);

  const showErrors = (next: Errors) => {
    setErrors(next);
    const id = options.firstInvalid(next);
    if (id) document.getElementById(id)?.focus();
  };

  const submit = async <Data, Answer>(
    checked: Checked<Data>,
    send: (data: Data) => Promise<Answer>,
  ): Promise<Answer | undefined> => {
    if (!checked.success) {
      showErrors(options.toErrors(checked.error.issues));
      return undefined;
    }
    setErrors({} as Errors);
    setSubmitting(true);
    try {
      return await send(checked.data);
    } catch (error) {
      setSubmitting(false);
      if (error instanceof ApiClientError && error.issues.length > 0)
        showErrors(options.toErrors(error.issues));
      else setErrors({ form: errorMessage(error) } as Errors);
      return undefined;
    }
  };

  /** The answer is in and the form stays: enabled again, and marked saved when `saved`. */
  const settle = ({ saved: isSaved }: { saved: boolean }) => {
    setSubmitting(false);
    setSaved(isSaved);
  };

  return { errors, showErrors, submitting, saved, setSaved, submit, settle };
}
