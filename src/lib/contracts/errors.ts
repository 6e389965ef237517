import type { z } from 'zod';

/** One bad input field in an error answer or error frame: its dotted path and what is wrong. */
export interface ErrorIssue {
  path: string;
  message: string;
}

export function issuesFromZod(error: z.ZodError): ErrorIssue[] {
  return error.issues.map((issue) => ({
    path: issue.path.map(String).join('.') || '(root)',
    message: issue.message,
  }));
}
