/** A validation issue's path: zod's array, or the API's dotted string (`to.1`, `allowedTools[2]`). */
export type IssuePath = string | readonly PropertyKey[];

/**
 * One message per form field from validation issues, the first of each field winning; what names
 * no field goes to `form`. A field that holds a list can name the bad item (`itemLabel`), so the
 * message says which one.
 */
export function fieldErrors<F extends string>(
  issues: readonly { path: IssuePath; message: string }[],
  isField: (key: string) => key is F,
  itemLabel: (field: F, index: number) => string | undefined = () => undefined,
): Partial<Record<F | 'form', string>> {
  const errors: Partial<Record<F | 'form', string>> = {};
  for (const issue of issues) {
    const [head, index] =
      typeof issue.path === 'string'
        ? issue.path.split(/[.[\]]/).filter((segment) => segment !== '')
        : issue.path.map(String);
    const field = head !== undefined && isField(head) ? head : 'form';
    if (errors[field] !== undefined) continue;
    const item = field !== 'form' && index !== undefined ? itemLabel(field, Number(index)) : undefined;
    errors[field] = item === undefined ? issue.message : `${item}: ${issue.message}`;
  }
  return errors;
}
